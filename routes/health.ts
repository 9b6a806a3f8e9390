import { Router } from 'express';
import fs from 'node:fs';
import { db } from '../platform/db';
import { config } from '../config';

const router = Router();

/** Liveness and readiness: 200 while the database answers; Chromium is reported, not required. */
router.get('/healthz', async (_req, res) => {
  const started = Date.now();
  let database: { ok: boolean; dialect: string; ms?: number; error?: string };
  try {
    await db().query('SELECT 1');
    database = { ok: true, dialect: db().getDialect(), ms: Date.now() - started };
  } catch (err) {
    database = { ok: false, dialect: db().getDialect(), error: (err as Error).message.slice(0, 200) };
  }
  const path = config().chromiumPath;
  const chromium = path && fs.existsSync(path)
    ? { ok: true, path }
    : { ok: false, error: `Chromium tidak ditemukan${config().chromiumConfigured ? ` di ${config().chromiumConfigured}` : ''}; fitur PDF tidak tersedia. Pasang paket "chromium" atau atur CHROMIUM_PATH.` };
  res.status(database.ok ? 200 : 503).json({ status: database.ok ? 'ok' : 'error', database, chromium, time: new Date().toISOString() });
});

export default router;
