import { Router } from 'express';

// Placeholder router; filled in by its feature.
const router = Router();

export default router;
