import { Router, type Request, type Response } from 'express';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../../platform/http/guards';
import { isAdmin } from '../../modules/surat-masuk';
import { canManageNumbers, canSeeNumberRegister, numberRights } from '../../modules/surat-keluar/policies/letterNumber';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { today } from '../../platform/dates';
import { JenisNaskah, Klasifikasi, LetterNumber, NUMBER_SOURCE_LABEL, NUMBER_STATUS_LABEL } from '../../models';
import { NUMBER_SCOPE_LABEL, ruleFor } from '../../lib/numberingRules';
import { getSetting } from '../../platform/settings';
import { cancelLetterNumber, defaultUnitCode, exampleNumber, maskConfidentialNumbers, numberRegister, recordManualNumber, type ManualForm } from '../../modules/surat-keluar/letterNumbering';
import { updateNumberingSettings } from '../../modules/surat-keluar/numberingSettings';

/** Outgoing-letter numbers: the admin's format settings and the register kept by the secretariat. */
const router = Router();
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---- Format settings (admin) ----

async function renderSettings(res: Response, values: Record<string, string> | null, errors: Record<string, string> = {}, status = 200) {
  const s = await getSetting('penomoran.surat_keluar');
  const jenis = await JenisNaskah.findAll({ order: [['sortOrder', 'ASC'], ['code', 'ASC']] });
  let v = values;
  if (!v) {
    v = { default_format: s.default.format, default_scope: s.default.scope, default_sequence: s.default.sequence, unitCode: s.unitCode };
    for (const [code, r] of Object.entries(s.perJenis)) Object.assign(v, { [`own_${code}`]: '1', [`j_${code}_format`]: r.format, [`j_${code}_scope`]: r.scope, [`j_${code}_sequence`]: r.sequence });
  }
  const unit = s.unitCode || await defaultUnitCode(s);
  // Examples follow the saved settings: what the next signing would print.
  const examples: Record<string, string> = { default: await exampleNumber(s.default, '', unit) };
  for (const j of jenis) examples[j.code] = await exampleNumber(ruleFor(s, j.code), j.code, unit);
  res.status(status).render('admin/penomoran', {
    title: 'Penomoran Surat Keluar', v, errors, jenis, examples, unitFallback: await defaultUnitCode({ ...s, unitCode: '' }), NUMBER_SCOPE_LABEL,
  });
}

router.get('/admin/penomoran', requireLogin, requireThat(isAdmin), (_req, res) => renderSettings(res, null));
router.post('/admin/penomoran', requireLogin, requireThat(isAdmin), async (req, res) => {
  const b = Object.fromEntries(Object.entries(req.body as Record<string, unknown>).map(([k, v]) => [k, str(v)]));
  try {
    await updateNumberingSettings(actorOf(req), b);
  } catch (err) {
    if (err instanceof ValidationError) return renderSettings(res, b, err.fields, 422);
    throw err;
  }
  flash(req, 'ok', 'Format penomoran surat keluar disimpan. Nomor yang sudah diberikan tidak berubah.');
  res.redirect(303, '/admin/penomoran');
});

// ---- The register ----

router.get('/nomor-surat', requireLogin, requireThat(canSeeNumberRegister), async (req, res) => {
  const thisYear = Number(today().slice(0, 4));
  const y = Number(str(req.query.tahun));
  const year = Number.isInteger(y) && y >= 1900 && y <= 2200 ? y : thisYear;
  const before = idParam(str(req.query.sebelum));
  const { rows, nextBefore } = await numberRegister(year, before);
  await maskConfidentialNumbers(actorOf(req), rows);
  res.render('numbers/register', {
    title: 'Register Nomor Surat Keluar', rows, nextBefore, year, thisYear, canManage: canManageNumbers(actorOf(req)),
    NUMBER_SOURCE_LABEL, NUMBER_STATUS_LABEL,
  });
});

async function renderManual(res: Response, values: Partial<ManualForm>, errors: Record<string, string> = {}, status = 200) {
  const [jenis, klasifikasi] = await Promise.all([
    JenisNaskah.findAll({ order: [['sortOrder', 'ASC']] }),
    Klasifikasi.findAll({ where: { active: true }, order: [['code', 'ASC']] }),
  ]);
  res.status(status).render('numbers/manual', { title: 'Catat Nomor Manual', v: values, errors, jenis, klasifikasi });
}

router.get('/nomor-surat/manual', requireLogin, requireThat(canManageNumbers), (_req, res) => renderManual(res, { letterDate: today() }));
router.post('/nomor-surat/manual', requireLogin, requireThat(canManageNumbers), async (req, res) => {
  const b = req.body as Record<string, unknown>;
  const form: ManualForm = {
    number: str(b.number), jenisNaskah: str(b.jenisNaskah), klasifikasi: str(b.klasifikasi), letterDate: str(b.letterDate),
    perihal: str(b.perihal), reason: str(b.reason), reuse: str(b.reuse),
  };
  try {
    const n = await recordManualNumber(actorOf(req), form);
    flash(req, 'ok', `Nomor ${n.number} dicatat.`);
    res.redirect(303, `/nomor-surat/${n.id}`);
  } catch (err) {
    if (err instanceof ValidationError) return renderManual(res, form, err.fields, 422);
    throw err;
  }
});

async function loadNumber(req: Request): Promise<LetterNumber> {
  const id = idParam(req.params.id);
  const n = id ? await LetterNumber.findByPk(id, { include: ['assignedBy', 'cancelledBy', 'jenisNaskah'] }) : null;
  if (!n) throw new NotFoundError('Nomor surat tidak ditemukan.');
  return n;
}

async function renderNumber(req: Request, res: Response, n: LetterNumber, extra: Record<string, unknown> = {}, status = 200) {
  const reused = n.reusesId ? await LetterNumber.findByPk(n.reusesId) : null;
  await maskConfidentialNumbers(actorOf(req), reused ? [n, reused] : [n]);
  res.status(status).render('numbers/show', {
    title: `Nomor ${n.number}`, n, reused, rights: numberRights(actorOf(req), n), errors: {}, v: {}, NUMBER_SOURCE_LABEL, NUMBER_STATUS_LABEL, ...extra,
  });
}

router.get('/nomor-surat/:id', requireLogin, requireThat(canSeeNumberRegister), async (req, res) => {
  await renderNumber(req, res, await loadNumber(req));
});

router.post('/nomor-surat/:id/batal', requireLogin, requireThat(canSeeNumberRegister), async (req, res) => {
  const n = await loadNumber(req);
  if (!numberRights(actorOf(req), n).cancel) {
    if (n.status !== 'aktif' && canManageNumbers(actorOf(req))) {
      return renderNumber(req, res, n, { errors: { reason: `Nomor ${n.number} sudah dibatalkan sebelumnya.` } }, 409);
    }
    throw new ForbiddenError();
  }
  const b = req.body as Record<string, unknown>;
  const reason = str(b.reason);
  const version = /^\d+$/.test(str(b.version)) ? Number(b.version) : -1;
  try {
    await cancelLetterNumber({ actor: actorOf(req), id: n.id, reason, expectedVersion: version });
  } catch (err) {
    if (err instanceof ValidationError) return renderNumber(req, res, await loadNumber(req), { errors: err.fields, v: { reason } }, 422);
    if (err instanceof ConflictError) return renderNumber(req, res, await loadNumber(req), { errors: { reason: err.message }, v: { reason } }, 409);
    throw err;
  }
  flash(req, 'ok', `Nomor ${n.number} dibatalkan. Nomor ini tetap tercatat dan tidak akan diberikan lagi oleh sistem.`);
  res.redirect(303, `/nomor-surat/${n.id}`);
});

export default router;
