import { Router, type Request, type Response } from 'express';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../../platform/http/guards';
import { isAdmin } from '../../modules/surat-masuk';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { getSetting, updateDispositionSettings, DAY_NAMES } from '../../platform/settings';
import { ENTITIES, entitySpec, optionsOf, saveRecord, formValuesOf, type EntitySpec, type RecordId } from '../../modules/org/orgAdmin';

const router = Router();
router.use('/admin', requireLogin, requireThat(isAdmin));

router.get('/admin', (_req, res) => {
  res.render('admin/index', { title: 'Administrasi', entities: Object.values(ENTITIES) });
});

// ---- Disposition settings (working calendar, targets, reminders, escalation) ----

async function renderSettings(res: Response, values: Record<string, unknown> | null, errors: Record<string, string> = {}, status = 200) {
  const v = values ?? {
    ...(await getSetting('kalender.kerja')), target: await getSetting('disposisi.target'),
    lead: String(await getSetting('disposisi.pengingat_menit')), escalate: (await getSetting('disposisi.eskalasi_atasan')) ? '1' : '',
  };
  res.status(status).render('admin/settings', { title: 'Pengaturan Disposisi', v, errors, DAY_NAMES });
}
router.get('/admin/pengaturan', (_req, res) => renderSettings(res, null));
router.post('/admin/pengaturan', async (req, res) => {
  const b = req.body as Record<string, unknown>;
  try {
    await updateDispositionSettings(actorOf(req), b);
    flash(req, 'ok', 'Pengaturan disposisi disimpan.');
    res.redirect(303, '/admin/pengaturan');
  } catch (err) {
    if (err instanceof ValidationError) {
      const days = (Array.isArray(b.days) ? b.days : typeof b.days === 'string' ? [b.days] : []).map(Number);
      return renderSettings(res, { ...b, days }, err.fields, 422);
    }
    throw err;
  }
});

router.get('/admin/:entity', async (req, res) => {
  const spec = entitySpec(String(req.params.entity));
  const rows = await spec.model.findAll({ order: spec.order, limit: 2000 });
  const options = await optionsOf(spec);
  const opt = (field: string, v: unknown) => (v === null || v === undefined ? '—' : options[field]?.find((o) => o.value === String(v))?.label ?? String(v));
  res.render('admin/list', { title: spec.title, spec, rows: rows.map((r) => r.toJSON() as Record<string, unknown>), opt, pk: spec.pk ?? 'id' });
});

/** The record key from the URL: a numeric id, or a code/date for tables keyed that way. */
function recordId(spec: EntitySpec, raw: unknown): RecordId | null {
  if ((spec.pk ?? 'id') === 'id') return idParam(raw);
  return typeof raw === 'string' && /^[\w.-]{1,40}$/.test(raw) ? raw : null;
}

async function renderForm(res: Response, spec: EntitySpec, id: RecordId | null, values: Record<string, unknown>, errors: Record<string, string> = {}, status = 200) {
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
  const id = recordId(spec, req.params.id);
  const row = id ? await spec.model.findByPk(id) : null;
  if (!row || !id) throw new NotFoundError();
  await renderForm(res, spec, id, formValuesOf(spec, row));
});

async function save(req: Request, res: Response, rawId: string | undefined) {
  const spec = entitySpec(String(req.params.entity));
  const id = rawId === undefined ? null : recordId(spec, rawId);
  if (id === null && rawId !== undefined) throw new NotFoundError();
  if (id !== null && !(await spec.model.findByPk(id))) throw new NotFoundError();
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

router.post('/admin/:entity', (req, res) => save(req, res, undefined));
router.post('/admin/:entity/:id', (req, res) => save(req, res, String(req.params.id)));

export default router;
