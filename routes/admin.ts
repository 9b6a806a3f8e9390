import { Router, type Request, type Response } from 'express';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../lib/guards';
import { isAdmin } from '../policies/letter';
import { NotFoundError, ValidationError } from '../lib/errors';
import { ENTITIES, entitySpec, optionsOf, saveRecord, formValuesOf, type EntitySpec } from '../services/orgAdmin';

const router = Router();
router.use('/admin', requireLogin, requireThat(isAdmin));

router.get('/admin', (_req, res) => {
  res.render('admin/index', { title: 'Administrasi', entities: Object.values(ENTITIES) });
});

router.get('/admin/:entity', async (req, res) => {
  const spec = entitySpec(String(req.params.entity));
  const rows = await spec.model.findAll({ order: spec.order, limit: 2000 });
  const options = await optionsOf(spec);
  const opt = (field: string, v: unknown) => (v === null || v === undefined ? '—' : options[field]?.find((o) => o.value === String(v))?.label ?? String(v));
  res.render('admin/list', { title: spec.title, spec, rows: rows.map((r) => r.toJSON() as Record<string, unknown>), opt });
});

async function renderForm(res: Response, spec: EntitySpec, id: number | null, values: Record<string, unknown>, errors: Record<string, string> = {}, status = 200) {
  res.status(status).render('admin/form', {
    title: id ? `Ubah ${spec.singular}` : `Tambah ${spec.singular}`, spec, id, values, errors, options: await optionsOf(spec),
  });
}

router.get('/admin/:entity/baru', async (req, res) => {
  const spec = entitySpec(String(req.params.entity));
  await renderForm(res, spec, null, { active: '1', kind: spec.key === 'penugasan' ? 'definitif' : '' });
});

router.get('/admin/:entity/:id', async (req, res) => {
  const spec = entitySpec(String(req.params.entity));
  const id = idParam(req.params.id);
  const row = id ? await spec.model.findByPk(id) : null;
  if (!row || !id) throw new NotFoundError();
  await renderForm(res, spec, id, formValuesOf(spec, row as never));
});

async function save(req: Request, res: Response, id: number | null) {
  const spec = entitySpec(String(req.params.entity));
  if (id === null && req.params.id !== undefined) throw new NotFoundError();
  const body = req.body as Record<string, unknown>;
  try {
    await saveRecord(actorOf(req), spec.key, id, body);
    flash(req, 'ok', `Data ${spec.singular} disimpan.`);
    res.redirect(303, `/admin/${spec.key}`);
  } catch (err) {
    if (err instanceof ValidationError) return renderForm(res, spec, id, { ...body, password: '' }, err.fields, 422);
    throw err;
  }
}

router.post('/admin/:entity', (req, res) => save(req, res, null));
router.post('/admin/:entity/:id', (req, res) => save(req, res, idParam(req.params.id)));

export default router;
