import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import {
  Agency, DomainCaseDocument, IncomingLetter, CASE_STATUS_LABEL, NAME_KIND_LABEL, REGISTRY_STATUS_LABEL, SLOT_STATE_LABEL, AGENCY_KIND_LABEL,
  OUTGOING_STATUS_LABEL, type DomainNameKind,
} from '../../models';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../../platform/http/guards';
import { uploadFields } from '../../platform/http/upload';
import { AppError, NotFoundError, ValidationError } from '../../platform/errors';
import { STEP_ACTOR_LABEL, STEP_KIND_LABEL, EFFECT_LABEL } from '../../modules/domain/caseTypeDefinitions';
import { PdfUnavailableError } from '../../platform/pdfRenderer';
import { canOpenCase, canSeeDomainBoard } from '../../modules/domain/policies/domain';
import { letterRights, chainOf } from '../../modules/surat-masuk';
import { listCaseTypes, currentType } from '../../modules/domain/domainCaseTypes';
import { openCase, completeStep, uploadDocument, verifySlot, cancelCase, linkLetter, checkRequestedName, type OpenCaseForm } from '../../modules/domain/domainCases';
import { draftCaseLetter } from '../../modules/domain/domainLetters';
import { domainBoard, caseView, registryList, registryEntry, trackingView } from '../../modules/domain/domainQueries';
import { buildPackage } from '../../modules/domain/domainPackage';
import { saveRegistryEntry } from '../../modules/domain/domainRegistry';
import { getSetting } from '../../platform/settings';
import { discardTmp } from '../../platform/uploads';
import { loadCase } from '../../modules/domain/domainCommon';
import { countEvent, lockedMinutes } from '../../platform/throttle';
import { contentDisposition, sendUpload } from '../files';

/** Domain and subdomain cases of the Pejabat Domain, the registry, and the public tracking page. */
const router = Router();
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const labels = { CASE_STATUS_LABEL, NAME_KIND_LABEL, REGISTRY_STATUS_LABEL, SLOT_STATE_LABEL, STEP_ACTOR_LABEL, STEP_KIND_LABEL, EFFECT_LABEL, OUTGOING_STATUS_LABEL };

function fieldsOf(err: unknown): Record<string, string> {
  return err instanceof ValidationError ? err.fields : {};
}

// ---- Board ----

router.get('/domain', requireLogin, requireThat(canSeeDomainBoard), async (req, res) => {
  const actor = actorOf(req);
  const board = await domainBoard(actor);
  res.render('domain/board', { title: 'Kasus Domain', ...board, canOpen: canOpenCase(actor), ...labels });
});

// ---- Live name check (JSON for public/js/domain-name-check.js) ----

router.get('/domain/cek-nama', requireLogin, requireThat(canOpenCase), async (req, res) => {
  const kind = str(req.query.kind) as DomainNameKind;
  if (!['go.id', 'desa.id', 'subdomain'].includes(kind)) return res.status(400).json({ ok: false, fqdn: null, errors: ['Pilih jenis nama (go.id, desa.id atau subdomain).'], warnings: [] });
  const tw = str(req.query.type) ? await currentType(str(req.query.type).slice(0, 40)) : null;
  const r = await checkRequestedName(str(req.query.name).slice(0, 300), kind, tw?.def ?? null);
  res.json({ ok: r.ok, fqdn: r.fqdn, errors: r.taken ? r.errors.filter((e) => e !== r.taken) : r.errors, warnings: r.warnings, taken: r.taken ?? undefined });
});

// ---- Opening a case ----

async function newForm(res: Response, values: OpenCaseForm & { letterLabel?: string }, errors: Record<string, string> = {}, status = 200) {
  const [types, agencies] = await Promise.all([listCaseTypes(), Agency.findAll({ where: { active: true }, order: [['name', 'ASC']], attributes: ['id', 'name', 'kind'] })]);
  res.status(status).render('domain/new', {
    title: 'Buka Kasus Domain', types, agencies, values, errors, AGENCY_KIND_LABEL, ...labels,
    formError: Object.keys(errors).length ? 'Periksa kembali isian yang ditandai. Isian Anda tetap ada di formulir ini.' : null,
  });
}

router.get('/domain/kasus/baru', requireLogin, requireThat(canOpenCase), async (req, res) => {
  const actor = actorOf(req);
  const values: OpenCaseForm & { letterLabel?: string } = { typeKey: str(req.query.jenis) || 'domain-baru', nameKind: 'go.id', submissionKey: crypto.randomBytes(16).toString('hex') };
  const letterId = idParam(req.query.surat);
  if (letterId) {
    const letter = await IncomingLetter.findByPk(letterId);
    if (!letter || !letterRights(actor, letter, await chainOf(letter.id)).view) throw new NotFoundError('Surat masuk tidak ditemukan.');
    values.letterId = String(letter.id);
    values.dispositionId = str(req.query.disposisi);
    values.applicantAgencyId = letter.senderAgencyId ? String(letter.senderAgencyId) : '';
    values.purpose = letter.summary ?? letter.perihal;
    values.letterLabel = `${letter.agendaNumber} — ${letter.senderNumber}: ${letter.perihal}`;
    const p = letter.perihal.toLowerCase();
    const m = /([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:go|desa)\.id)/.exec(p);
    if (/sub ?domain/.test(p)) { values.typeKey = 'subdomain-baru'; values.nameKind = 'subdomain'; }
    else if (/\.desa\.id/.test(p)) values.nameKind = 'desa.id';
    if (m) values.requestedName = m[1];
  }
  await newForm(res, values);
});

router.post('/domain/kasus', requireLogin, requireThat(canOpenCase), async (req, res) => {
  const actor = actorOf(req);
  const b = (req.body ?? {}) as Record<string, unknown>;
  const f: OpenCaseForm = {};
  for (const k of ['typeKey', 'nameKind', 'requestedName', 'applicantAgencyId', 'purpose', 'techName', 'techNip', 'techEmail', 'techPhone', 'hostingDiskGb', 'hostingStack', 'hostingApp', 'hostingNotes', 'letterId', 'dispositionId', 'submissionKey'] as const) f[k] = str(b[k]);
  try {
    const c = await openCase(actor, f);
    flash(req, 'ok', `Kasus ${c.requestedName} dibuka. Kode lacak untuk pemohon: ${c.trackingCode}.`);
    res.redirect(303, `/domain/kasus/${c.id}`);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const letter = f.letterId && idParam(f.letterId) ? await IncomingLetter.findByPk(Number(f.letterId)) : null;
    await newForm(res, { ...f, letterLabel: letter ? `${letter.agendaNumber} — ${letter.senderNumber}: ${letter.perihal}` : undefined }, err.fields, 422);
  }
});

// ---- The case page and its actions ----

async function showCase(req: Request, res: Response, id: number, extra: { errors?: Record<string, string>; formError?: string | null; values?: Record<string, unknown> } = {}, status = 200) {
  const view = await caseView(actorOf(req), id);
  const lim = await getSetting('domain.registrar');
  res.status(status).render('domain/show', {
    title: `Kasus ${view.c.requestedName}`, ...view, lim, errors: extra.errors ?? {}, formError: extra.formError ?? null, values: extra.values ?? {}, ...labels,
  });
}

/** A refused action re-renders the case page with the message where it came from; 403/404 go to their pages. */
async function onActionError(req: Request, res: Response, id: number, err: unknown, values: Record<string, unknown> = {}) {
  if (err instanceof AppError && err.status !== 404 && err.status !== 403) {
    const errors = fieldsOf(err);
    const formError = err instanceof ValidationError ? Object.values(errors).join(' ') : err.message;
    return showCase(req, res, id, { errors, formError, values }, err.status);
  }
  throw err;
}

router.get('/domain/kasus/:id', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  await showCase(req, res, id);
});

const stepUpload = uploadFields([{ name: 'berkas', maxCount: 1 }]);
router.post('/domain/kasus/:id/langkah/:step', requireLogin, stepUpload, async (req, res) => {
  const id = idParam(req.params.id);
  const files = (req.files as Record<string, Express.Multer.File[]> | undefined)?.berkas;
  if (!id) { await discardTmp(files); throw new NotFoundError('Kasus domain tidak ditemukan.'); }
  if (req.uploadError) return onActionError(req, res, id, new ValidationError({ berkas: req.uploadError }), req.body ?? {});
  const lv = str(req.body?.lockVersion);
  try {
    await completeStep({ actor: actorOf(req), caseId: id, stepKey: str(req.params.step).slice(0, 40), lockVersion: /^\d+$/.test(lv) ? Number(lv) : undefined, form: req.body ?? {}, files });
    flash(req, 'ok', 'Langkah dicatat.');
    res.redirect(303, `/domain/kasus/${id}`);
  } catch (err) { await onActionError(req, res, id, err, req.body ?? {}); }
});

const slotUpload = uploadFields([{ name: 'berkas', maxCount: 1 }]);
router.post('/domain/kasus/:id/dokumen/:slot', requireLogin, slotUpload, async (req, res) => {
  const id = idParam(req.params.id);
  const files = (req.files as Record<string, Express.Multer.File[]> | undefined)?.berkas;
  if (!id) { await discardTmp(files); throw new NotFoundError('Kasus domain tidak ditemukan.'); }
  const slot = str(req.params.slot).slice(0, 40);
  if (req.uploadError) return onActionError(req, res, id, new ValidationError({ [`slot_${slot}`]: req.uploadError }));
  try {
    const { doc, warnings } = await uploadDocument({ actor: actorOf(req), caseId: id, slotKey: slot, files });
    if (warnings.length) flash(req, 'error', `Versi ${doc.version} tersimpan, tetapi belum dapat diajukan ke registrar: ${warnings.join(' ')}`);
    else flash(req, 'ok', `Versi ${doc.version} tersimpan. Periksa lalu tandai lengkap.`);
    res.redirect(303, `/domain/kasus/${id}#slot-${slot}`);
  } catch (err) { await onActionError(req, res, id, err); }
});

router.post('/domain/kasus/:id/dokumen/:slot/periksa', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  const slot = str(req.params.slot).slice(0, 40);
  try {
    await verifySlot({ actor: actorOf(req), caseId: id, slotKey: slot, state: str(req.body?.state), note: str(req.body?.note) });
    flash(req, 'ok', 'Hasil pemeriksaan dokumen disimpan.');
    res.redirect(303, `/domain/kasus/${id}#slot-${slot}`);
  } catch (err) { await onActionError(req, res, id, err, req.body ?? {}); }
});

router.get('/domain/kasus/:id/berkas/:docId', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  const docId = idParam(req.params.docId);
  if (!id || !docId) throw new NotFoundError('Berkas tidak ditemukan.');
  await loadCase(actorOf(req), id);
  const doc = await DomainCaseDocument.findOne({ where: { id: docId, caseId: id } });
  if (!doc) throw new NotFoundError('Berkas tidak ditemukan.');
  await sendUpload(res, doc, !req.query.unduh);
});

router.get('/domain/kasus/:id/paket.zip', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  try {
    const { filename, zip } = await buildPackage(actorOf(req), id);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', contentDisposition('attachment', filename));
    res.send(zip);
  } catch (err) {
    if (err instanceof PdfUnavailableError) return onActionError(req, res, id, new ValidationError({ paket: `Ringkasan PDF tidak dapat dibuat: ${err.message}` }));
    await onActionError(req, res, id, err);
  }
});

router.post('/domain/kasus/:id/surat/:key', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  try {
    const letter = await draftCaseLetter({ actor: actorOf(req), caseId: id, letterKey: str(req.params.key).slice(0, 40) });
    flash(req, 'ok', 'Konsep surat dibuat dari kasus. Periksa isinya, lalu ajukan untuk paraf.');
    res.redirect(303, `/surat-keluar/${letter.id}`);
  } catch (err) { await onActionError(req, res, id, err); }
});

router.post('/domain/kasus/:id/batal', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  try {
    await cancelCase({ actor: actorOf(req), caseId: id, reason: str(req.body?.alasan) });
    flash(req, 'ok', 'Kasus dibatalkan.');
    res.redirect(303, `/domain/kasus/${id}`);
  } catch (err) { await onActionError(req, res, id, err, req.body ?? {}); }
});

router.post('/domain/kasus/:id/surat-masuk', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  try {
    await linkLetter({ actor: actorOf(req), caseId: id, agendaNumber: str(req.body?.agenda) });
    flash(req, 'ok', 'Surat masuk ditautkan ke kasus.');
    res.redirect(303, `/domain/kasus/${id}`);
  } catch (err) { await onActionError(req, res, id, err, req.body ?? {}); }
});

router.get('/domain/kasus/:id/tanda-terima', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Kasus domain tidak ditemukan.');
  const view = await caseView(actorOf(req), id);
  const host = `${req.protocol}://${req.get('host')}`;
  res.render('domain/receipt', { title: `Tanda terima ${view.c.trackingCode}`, ...view, trackUrl: `${host}/lacak/${view.c.trackingCode}`, ...labels });
});

// ---- Registry ----

router.get('/domain/registri', requireLogin, requireThat(canSeeDomainBoard), async (req, res) => {
  const f = { q: str(req.query.q), status: str(req.query.status), kind: str(req.query.kind) };
  const r = await registryList(actorOf(req), f);
  res.render('domain/registry', { title: 'Registri Domain', ...r, f, canEdit: canOpenCase(actorOf(req)), ...labels });
});

async function registryForm(req: Request, res: Response, id: number | null, values: Record<string, unknown>, errors: Record<string, string> = {}, status = 200) {
  const agencies = await Agency.findAll({ where: { active: true }, order: [['name', 'ASC']], attributes: ['id', 'name'] });
  const detail = id ? await registryEntry(actorOf(req), id) : null;
  res.status(status).render('domain/registry-entry', {
    title: detail ? detail.entry.fqdn : 'Tambah nama ke registri', detail, agencies, values, errors, canEdit: canOpenCase(actorOf(req)), ...labels,
    formError: Object.keys(errors).length ? 'Periksa kembali isian yang ditandai.' : null,
  });
}

router.get('/domain/registri/baru', requireLogin, requireThat(canOpenCase), async (req, res) => {
  await registryForm(req, res, null, { kind: 'subdomain', status: 'aktif' });
});

router.get('/domain/registri/:id', requireLogin, requireThat(canSeeDomainBoard), async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Nama domain tidak ditemukan.');
  const { entry } = await registryEntry(actorOf(req), id);
  await registryForm(req, res, id, entry.get({ plain: true }) as unknown as Record<string, unknown>);
});

router.post(['/domain/registri', '/domain/registri/:id'], requireLogin, requireThat(canOpenCase), async (req, res) => {
  const id = req.params.id ? idParam(req.params.id) : null;
  if (req.params.id && !id) throw new NotFoundError('Nama domain tidak ditemukan.');
  const b = (req.body ?? {}) as Record<string, string>;
  try {
    const e = await saveRegistryEntry(actorOf(req), id, b);
    flash(req, 'ok', `Registri ${e.fqdn} disimpan.`);
    res.redirect(303, `/domain/registri/${e.id}`);
  } catch (err) {
    if (!(err instanceof ValidationError) && !(err instanceof AppError && err.status === 409)) throw err;
    await registryForm(req, res, id, b, err instanceof ValidationError ? err.fields : { fqdn: (err as Error).message }, err instanceof ValidationError ? 422 : 409);
  }
});

// ---- Public tracking (no login) ----

router.get('/lacak', async (req, res) => {
  const code = str(req.query.kode).trim();
  if (code) return res.redirect(303, `/lacak/${encodeURIComponent(code.toUpperCase())}`);
  res.render('domain/track', { title: 'Lacak Permohonan Domain', view: null, code: '', notFound: false, throttled: 0, ...labels });
});

router.get('/lacak/:code', async (req, res) => {
  const code = str(req.params.code).slice(0, 30);
  // Guessing codes is throttled: 20 unknown codes in 10 minutes lock the address for 15 minutes.
  const key = `lacak:${req.ip ?? '-'}`;
  const locked = await lockedMinutes(key);
  if (locked) return res.status(429).render('domain/track', { title: 'Lacak Permohonan Domain', view: null, code, notFound: false, throttled: locked, ...labels });
  const view = await trackingView(code);
  if (!view) await countEvent(key, 20, 10 * 60_000, 15 * 60_000);
  res.status(view ? 200 : 404).render('domain/track', { title: 'Lacak Permohonan Domain', view, code, notFound: !view, throttled: 0, ...labels });
});

export default router;
