import { Router } from 'express';
import { requireLogin, actorOf } from '../../platform/http/guards';
import { inboxPage } from '../../modules/surat-masuk/letterQueries';
import { positionLabels } from '../../modules/org';

const router = Router();

router.get('/kotak-masuk', requireLogin, async (req, res) => {
  const actor = actorOf(req);
  const cursor = typeof req.query.setelah === 'string' ? req.query.setelah : null;
  const { rows, next } = await inboxPage(actor, cursor);
  const labels = await positionLabels(rows.map((r) => r.item.positionId));
  res.render('inbox/index', { title: 'Kotak Masuk', rows, next, labels, multiPosition: actor.holdings.length > 1 });
});

export default router;
