import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { Op } from 'sequelize';
import {
  Agency, AuditEvent, IncomingLetter, JenisNaskah, Klasifikasi, OutgoingAttachment, OutgoingLetter, OutgoingParaf, OutgoingVersion, Position, User,
  OUTGOING_STATUS_LABEL, PARAF_STATUS_LABEL, SIGNING_FORM_LABEL, MAX_VERIFIERS,
} from '../../models';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../../platform/http/guards';
import { uploadFields, filesOf } from '../../platform/http/upload';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { config } from '../../config';
import { canDraft, outgoingRights, chainPositions, authorizeOutgoing, type OutgoingRights } from '../../modules/surat-keluar/policies/outgoing';
import { letterRights, chainOf } from '../../modules/surat-masuk';
import { listTemplates, getTemplate, type LetterTemplate } from '../../modules/templat';
import { createDraft } from '../../modules/surat-keluar/outgoingDraftCreator';
import { updateDraft } from '../../modules/surat-keluar/outgoingDraftEditor';
import { changeAttachments } from '../../modules/surat-keluar/outgoingAttachments';
import { submitDraft } from '../../modules/surat-keluar/draftSubmitter';
import { giveParaf } from '../../modules/surat-keluar/parafGiver';
import { returnDraft } from '../../modules/surat-keluar/draftReturner';
import { cancelDraft } from '../../modules/surat-keluar/draftCanceller';
import { draftFormFrom } from '../../modules/surat-keluar/outgoingFields';
import { contentOf, currentSteps, type DraftContent } from '../../modules/surat-keluar/outgoingCommon';
import { defaultChain } from '../../modules/surat-keluar/parafChain';
import { draftHtml, draftPdf } from '../../modules/surat-keluar/outgoingDoc';
import { compareVersions } from '../../modules/surat-keluar/versionDiff';
import { outgoingList, outgoingCounters, OUTGOING_TABS, OUTGOING_TAB_LABEL, type OutgoingTab } from '../../modules/surat-keluar/outgoingQueries';
import { storeUploads, discardTmp, releaseUploads } from '../../platform/uploads';
import { deliverPendingEmails } from '../../platform/mailer';
import { positionLabels } from '../../modules/org';
import { signingPanelOf, signerCertificateStatus } from '../../modules/ttd';
import { ChromiumLaunchError, ChromiumMissingError, PdfUnavailableError } from '../../platform/pdfRenderer';
import { contentDisposition, sendUpload } from '../files';
import type { Actor } from '../../platform/actor';

/** Surat Keluar: drafts, their versions, the paraf chain, previews. */
const router = Router();

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : -1);

// ---- Lists ----

router.get('/surat-keluar', requireLogin, requireThat(canDraft), async (req, res) => {
  const actor = actorOf(req);
  const counts = await outgoingCounters(actor);
  const asked = str(req.query.tab) as OutgoingTab;
  const tab: OutgoingTab = OUTGOING_TABS.includes(asked) ? asked : counts.paraf ? 'paraf' : counts.ttd ? 'ttd' : 'konsep';
  const rows = await outgoingList(actor, tab);
  const labels = await positionLabels(rows.flatMap((r) => [r.currentHolderPositionId, r.drafterPositionId]).filter((x): x is number => !!x));
  const drafters = new Map((await User.findAll({ where: { id: [...new Set(rows.map((r) => r.drafterUserId))] }, attributes: ['id', 'name'] })).map((u) => [u.id, u.name]));
  const bulk = tab === 'ttd' ? req.session.bulkSigning ?? null : null;
  if (bulk) delete req.session.bulkSigning;
  const certStatus = tab === 'ttd' && rows.length ? await signerCertificateStatus(actor.user.id) : null;
  res.render('outgoing/index', { title: 'Surat Keluar', tab, tabs: OUTGOING_TABS, tabLabel: OUTGOING_TAB_LABEL, counts, rows, labels, drafters, statusLabel: OUTGOING_STATUS_LABEL, bulk, certStatus });
});

// ---- New draft ----

async function templatesList(): Promise<LetterTemplate[]> { return [...(await listTemplates())]; }

/** The template a reply most likely wants: matched on the incoming letter's subject, else the general Surat Dinas. */
function suggestTemplate(templates: LetterTemplate[], letter: IncomingLetter | null): LetterTemplate | undefined {
  const hay = (t: LetterTemplate) => `${t.key} ${t.name}`.toLowerCase();
  const general = templates.find((t) => /surat[_ -]?dinas/.test(hay(t)) && !/nota/.test(hay(t))) ?? templates.find((t) => t.jenisNaskahCode === 'surat_dinas') ?? templates[0];
  if (!letter) return general;
  const p = letter.perihal.toLowerCase();
  const pick = (re: RegExp, not?: RegExp) => templates.find((t) => re.test(hay(t)) && !(not && not.test(hay(t))) && /balas/.test(hay(t)));
  if (/subdomain/.test(p)) return pick(/subdomain/) ?? general;
  if (/hosting/.test(p)) return pick(/hosting/) ?? general;
  if (/domain|\.go\.id|\.desa\.id/.test(p)) return pick(/domain/, /subdomain/) ?? general;
  return general;
}

async function formOptions() {
  const [positions, agencies, klasifikasi, jenis, templates] = await Promise.all([
    Position.findAll({ where: { active: true }, order: [['rank', 'ASC'], ['name', 'ASC']] }),
    Agency.findAll({ where: { active: true }, order: [['name', 'ASC']], attributes: ['id', 'name', 'headTitle'] }),
    Klasifikasi.findAll({ where: { active: true }, order: [['code', 'ASC']] }),
    JenisNaskah.findAll({ order: [['sortOrder', 'ASC'], ['name', 'ASC']] }),
    templatesList(),
  ]);
  return { positions, agencies, klasifikasi, jenis, templates, SIGNING_FORM_LABEL, MAX_VERIFIERS, maxMb: Math.round(config().maxUploadBytes / 1024 / 1024) };
}

async function replyLetter(req: Request, raw: unknown): Promise<IncomingLetter | null> {
  const id = idParam(raw);
  if (!raw) return null;
  const letter = id ? await IncomingLetter.findByPk(id) : null;
  if (!letter || !letterRights(actorOf(req), letter, await chainOf(letter.id)).view) throw new NotFoundError('Surat yang hendak dibalas tidak ditemukan.');
  return letter;
}

async function renderNew(req: Request, res: Response, values: Record<string, unknown>, tpl: LetterTemplate | undefined, reply: IncomingLetter | null, extra: Record<string, unknown> = {}, status = 200) {
  res.status(status).render('outgoing/new', {
    title: reply ? 'Balas Surat' : 'Konsep Surat Baru', values, tpl, reply, errors: {}, holdings: actorOf(req).holdings, ...(await formOptions()), ...extra,
  });
}

router.get('/surat-keluar/baru', requireLogin, requireThat(canDraft), async (req, res) => {
  const actor = actorOf(req);
  const reply = await replyLetter(req, req.query.balas);
  const templates = await templatesList();
  const asked = str(req.query.template);
  const tpl = (asked ? templates.find((t) => t.key === asked) : undefined) ?? suggestTemplate(templates, reply);
  const via = actor.holdings.find((h) => h.positionId === num(req.query.sebagai)) ?? actor.holdings.find((h) => h.kind === 'definitif') ?? actor.holdings[0];
  const chain = await defaultChain(via.positionId);
  const values: Record<string, unknown> = {
    submissionKey: crypto.randomBytes(16).toString('hex'), templateKey: tpl?.key ?? '', via: String(via.positionId),
    perihal: reply ? `Balasan atas ${reply.perihal}`.slice(0, 500) : tpl?.defaultPerihal ?? '',
    klasifikasi: reply ? reply.klasifikasiCode : tpl?.defaultKlasifikasi ?? '', jenisNaskah: tpl?.jenisNaskahCode ?? '',
    sifat: reply?.sifat ?? 'biasa', urgensi: 'biasa', lampiran: '',
    kepada: reply ? [`a:${reply.senderAgencyId}`] : [], kepadaText: [], tembusan: [], tembusanText: [],
    verifiers: chain.verifierIds.map(String), signer: chain.signerId ? String(chain.signerId) : '', signingForm: chain.signingForm ?? 'biasa',
  };
  // A request for a (sub)domain names it in its subject: start the template's domain field with it.
  const domain = reply ? /\b([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:go|desa|co|or|ac|web|my|sch)\.id)\b/i.exec(`${reply.perihal} ${reply.summary ?? ''}`)?.[1] : undefined;
  const domainField = tpl?.fields.find((f) => f.type === 'domain');
  if (domain && domainField) values[`f_${domainField.name}`] = domain.toLowerCase();
  await renderNew(req, res, values, tpl, reply);
});

router.post('/surat-keluar', requireLogin, requireThat(canDraft), async (req, res) => {
  const body = req.body as Record<string, unknown>;
  const reply = await replyLetter(req, body.balas || undefined);
  const key = typeof body.submissionKey === 'string' && /^[0-9a-f]{32}$/.test(body.submissionKey) ? body.submissionKey : null;
  const templates = await templatesList();
  const tpl = templates.find((t) => t.key === str(body.templateKey)) ?? suggestTemplate(templates, reply);
  const values = { ...body, submissionKey: key ?? crypto.randomBytes(16).toString('hex') };
  try {
    const { letter, created } = await createDraft({
      actor: actorOf(req), viaPositionId: num(body.via), templateKey: str(body.templateKey), replyToLetterId: reply?.id ?? null,
      form: draftFormFrom(body), submissionKey: key,
    });
    flash(req, created ? 'ok' : 'info', created
      ? 'Konsep surat dibuat (versi 1). Periksa isinya, lengkapi lampiran, lalu ajukan untuk paraf.'
      : 'Formulir ini sudah dikirim sebelumnya; konsep yang sama ditampilkan. Tidak ada konsep ganda yang dibuat.');
    res.redirect(303, `/surat-keluar/${letter.id}`);
  } catch (err) {
    if (err instanceof ValidationError) return renderNew(req, res, values, tpl, reply, { errors: err.fields, formError: err.message }, 422);
    throw err;
  }
});

// ---- One draft ----

async function loadDraft(req: Request): Promise<{ letter: OutgoingLetter; rights: OutgoingRights }> {
  const id = idParam(req.params.id);
  const letter = id ? await OutgoingLetter.findByPk(id) : null;
  if (!letter) throw new NotFoundError('Konsep surat tidak ditemukan.');
  const rights = outgoingRights(actorOf(req), letter, await chainPositions(letter.id));
  authorizeOutgoing(rights, 'view');
  return { letter, rights };
}

/** The latest return note (by a verifier or the signer), for the drafter to read. */
async function lastReturn(letterId: number): Promise<AuditEvent | null> {
  return AuditEvent.findOne({ where: { entityType: 'outgoing_letter', entityId: String(letterId), action: 'surat_keluar.dikembalikan' }, order: [['seq', 'DESC']] });
}

async function renderShow(res: Response, letter: OutgoingLetter, rights: OutgoingRights, extra: Record<string, unknown> = {}, status = 200) {
  const [content, steps, history, attachments, versions, events, ret, reply] = await Promise.all([
    contentOf(letter), currentSteps(letter.id),
    OutgoingParaf.findAll({ where: { letterId: letter.id, status: ['dikembalikan', 'batal'] }, order: [['id', 'ASC']] }),
    OutgoingAttachment.findAll({ where: { letterId: letter.id }, order: [['sortOrder', 'ASC'], ['id', 'ASC']] }),
    OutgoingVersion.findAll({ where: { letterId: letter.id }, order: [['versionNo', 'DESC']], attributes: ['id', 'versionNo', 'hash', 'summary', 'createdByUserId', 'createdByPositionId', 'acting', 'createdAt'] }),
    AuditEvent.findAll({ where: { entityType: 'outgoing_letter', entityId: String(letter.id) }, order: [['seq', 'ASC']] }),
    lastReturn(letter.id),
    letter.replyToLetterId ? IncomingLetter.findByPk(letter.replyToLetterId) : null,
  ]);
  const posIds = [letter.drafterPositionId, letter.currentHolderPositionId, content.signerPositionId, content.principalPositionId,
    ...steps.map((s) => s.positionId), ...history.map((s) => s.positionId), ...events.map((e) => e.actorPositionId), ...versions.map((v) => v.createdByPositionId)]
    .filter((x): x is number => !!x);
  const labels = await positionLabels(posIds);
  const userIds = [letter.drafterUserId, ...steps.map((s) => s.actedByUserId), ...history.map((s) => s.actedByUserId), ...events.map((e) => e.actorUserId), ...versions.map((v) => v.createdByUserId)]
    .filter((x): x is number => !!x);
  const users = new Map((await User.findAll({ where: { id: { [Op.in]: [...new Set(userIds)] } }, attributes: ['id', 'name'] })).map((u) => [u.id, u.name]));
  const [klas, jenis] = await Promise.all([Klasifikasi.findByPk(content.klasifikasiCode), JenisNaskah.findByPk(content.jenisNaskahCode)]);
  const tte = await signingPanelOf(res.locals.actor as Actor, letter);
  res.status(status).render('outgoing/show', {
    title: `Konsep: ${letter.perihal}`, letter, rights, content, steps, history, attachments, versions, events, labels, users, klas, jenis, reply, tte,
    lastReturn: ret, statusLabel: OUTGOING_STATUS_LABEL, parafLabel: PARAF_STATUS_LABEL, SIGNING_FORM_LABEL,
    maxMb: Math.round(config().maxUploadBytes / 1024 / 1024), errors: {}, values: {}, openForm: null, ...extra,
  });
}

router.get('/surat-keluar/:id', requireLogin, async (req, res) => {
  const { letter, rights } = await loadDraft(req);
  await renderShow(res, letter, rights);
});

/** Form values of the edit form from the draft as it stands. */
async function editValues(letter: OutgoingLetter, c: DraftContent): Promise<Record<string, unknown>> {
  const steps = await currentSteps(letter.id);
  const rows = (k: 'kepada' | 'tembusan') => ({
    choice: c[k].map((r) => (r.type === 'position' ? `p:${r.positionId}` : r.type === 'agency' ? `a:${r.agencyId}` : '')),
    text: c[k].map((r) => (r.type === 'text' ? r.name : '')),
  });
  const kp = rows('kepada');
  const tb = rows('tembusan');
  const f: Record<string, unknown> = {
    perihal: c.perihal, jenisNaskah: c.jenisNaskahCode, klasifikasi: c.klasifikasiCode, sifat: c.sifat, urgensi: c.urgensi, lampiran: c.lampiran ?? '',
    bodyHtml: c.bodyHtml, kepada: kp.choice, kepadaText: kp.text, tembusan: tb.choice, tembusanText: tb.text,
    verifiers: steps.map((s) => String(s.positionId)), signer: c.signerPositionId ? String(c.signerPositionId) : '', signingForm: c.signingForm ?? 'biasa',
    lockVersion: String(letter.lockVersion),
  };
  for (const [k, v] of Object.entries(c.templateValues)) f[`f_${k}`] = v;
  return f;
}

async function renderEdit(res: Response, letter: OutgoingLetter, rights: OutgoingRights, values: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) {
  let tpl: LetterTemplate | null | undefined = null;
  try { tpl = await getTemplate(letter.templateKey); } catch { tpl = null; }
  res.status(status).render('outgoing/edit', {
    title: `Ubah konsep: ${letter.perihal}`, letter, rights, values, tpl, errors: {}, ...(await formOptions()), ...extra,
  });
}

router.get('/surat-keluar/:id/ubah', requireLogin, async (req, res) => {
  const { letter, rights } = await loadDraft(req);
  authorizeOutgoing(rights, 'edit', 'Konsep ini sedang dipegang orang lain; hanya pemegangnya yang dapat mengubahnya.');
  await renderEdit(res, letter, rights, await editValues(letter, await contentOf(letter)));
});

router.post('/surat-keluar/:id/ubah', requireLogin, async (req, res) => {
  const { letter, rights } = await loadDraft(req);
  authorizeOutgoing(rights, 'edit', 'Konsep ini sedang dipegang orang lain; hanya pemegangnya yang dapat mengubahnya.');
  const body = req.body as Record<string, unknown>;
  try {
    const r = await updateDraft({ actor: actorOf(req), letterId: letter.id, form: draftFormFrom(body), expectedLockVersion: num(body.lockVersion), regenerate: body.regenerate === '1' });
    if (r.versionNo === null && !r.chainChanged) flash(req, 'info', 'Tidak ada perubahan; versi tidak bertambah.');
    else if (r.versionNo === null) flash(req, 'ok', 'Rantai paraf disimpan.');
    else {
      const extra = r.voided.length ? ` Paraf pada versi sebelumnya batal (${r.voided.length}); konsep perlu diparaf ulang.` : '';
      flash(req, 'ok', `Konsep disimpan sebagai versi ${r.versionNo}.${extra}`);
    }
    void deliverPendingEmails().catch(() => undefined);
    res.redirect(303, `/surat-keluar/${letter.id}`);
  } catch (err) {
    if (err instanceof ValidationError) return renderEdit(res, letter, rights, body, { errors: err.fields, formError: err.message }, 422);
    if (err instanceof ConflictError) {
      // Keep what the user typed: show it again against the latest lock version, with the reason.
      await letter.reload();
      const fresh = outgoingRights(actorOf(req), letter, await chainPositions(letter.id));
      if (!fresh.edit) { flash(req, 'error', err.message); return res.redirect(303, `/surat-keluar/${letter.id}`); }
      return renderEdit(res, letter, fresh, { ...body, lockVersion: String(letter.lockVersion) }, {
        formError: `${err.message} Isian Anda masih ada di bawah (belum disimpan). Bandingkan dengan versi ${letter.currentVersionNo}, lalu simpan lagi bila tetap ingin.`,
      }, 409);
    }
    throw err;
  }
});

// ---- Attachments ----

/** A change that re-renders the draft page with errors, or flashes and goes back to it. */
async function act(req: Request, res: Response, letter: OutgoingLetter, form: string, fn: () => Promise<string>) {
  try {
    const message = await fn();
    flash(req, 'ok', message);
    void deliverPendingEmails().catch(() => undefined);
    res.redirect(303, `/surat-keluar/${letter.id}`);
  } catch (err) {
    if (err instanceof ValidationError) {
      await letter.reload();
      const fresh = outgoingRights(actorOf(req), letter, await chainPositions(letter.id));
      return renderShow(res, letter, fresh, { errors: err.fields, values: req.body ?? {}, openForm: form, formError: err.message }, 422);
    }
    if (err instanceof ConflictError) {
      flash(req, 'error', err.message);
      return res.redirect(303, `/surat-keluar/${letter.id}`);
    }
    throw err;
  }
}

router.post('/surat-keluar/:id/lampiran', requireLogin, uploadFields([{ name: 'lampiranFiles', maxCount: config().maxUploadFiles }]), async (req, res) => {
  const tmp = filesOf(req);
  const { letter, rights } = await loadDraft(req).catch(async (e) => { await discardTmp(tmp); throw e; });
  if (!rights.edit) await discardTmp(tmp);
  authorizeOutgoing(rights, 'edit', 'Konsep ini sedang dipegang orang lain; hanya pemegangnya yang dapat mengubah lampirannya.');
  const body = (req.body ?? {}) as Record<string, unknown>;
  await act(req, res, letter, 'lampiran', async () => {
    if (req.uploadError) { await discardTmp(tmp); throw new ValidationError({ lampiranFiles: req.uploadError }); }
    const { stored, errors } = await storeUploads(tmp, () => 'lampiran');
    if (errors.length) throw new ValidationError({ lampiranFiles: errors.map((e) => e.message).join(' ') });
    const r = await changeAttachments({ actor: actorOf(req), letterId: letter.id, expectedLockVersion: num(body.lockVersion), change: { kind: 'add', files: stored } })
      .catch(async (e: unknown) => { await releaseUploads(stored); throw e; });
    return `${stored.length} berkas dilampirkan (versi ${r.versionNo}).${r.voided.length ? ' Paraf pada versi sebelumnya batal.' : ''}`;
  });
});

router.post('/surat-keluar/:id/lampiran/:aid/hapus', requireLogin, async (req, res) => {
  const { letter, rights } = await loadDraft(req);
  authorizeOutgoing(rights, 'edit', 'Hanya pemegang konsep yang dapat mengubah lampirannya.');
  const body = req.body as Record<string, unknown>;
  await act(req, res, letter, 'lampiran', async () => {
    const r = await changeAttachments({ actor: actorOf(req), letterId: letter.id, expectedLockVersion: num(body.lockVersion), change: { kind: 'remove', attachmentId: idParam(req.params.aid) ?? -1 } });
    return `Berkas lampiran dihapus (versi ${r.versionNo}).`;
  });
});

router.post('/surat-keluar/:id/lampiran/:aid/satukan', requireLogin, async (req, res) => {
  const { letter, rights } = await loadDraft(req);
  authorizeOutgoing(rights, 'edit', 'Hanya pemegang konsep yang dapat mengubah lampirannya.');
  const body = req.body as Record<string, unknown>;
  await act(req, res, letter, 'lampiran', async () => {
    const append = body.append === '1';
    const r = await changeAttachments({ actor: actorOf(req), letterId: letter.id, expectedLockVersion: num(body.lockVersion), change: { kind: 'append', attachmentId: idParam(req.params.aid) ?? -1, append } });
    return `${append ? 'Berkas akan disatukan dengan PDF surat' : 'Berkas tidak lagi disatukan dengan PDF surat'} (versi ${r.versionNo}).`;
  });
});

router.get('/surat-keluar/:id/lampiran/:aid', requireLogin, async (req, res) => {
  const { letter } = await loadDraft(req);
  const aid = idParam(req.params.aid);
  const f = aid ? await OutgoingAttachment.findOne({ where: { id: aid, letterId: letter.id } }) : null;
  if (!f) throw new NotFoundError('Berkas lampiran tidak ditemukan.');
  await sendUpload(res, f, req.query.unduh === undefined);
});

// ---- The chain ----

router.post('/surat-keluar/:id/ajukan', requireLogin, async (req, res) => {
  // The service decides whose turn it is and says why not (403 / 409).
  const { letter } = await loadDraft(req);
  const body = req.body as Record<string, unknown>;
  await act(req, res, letter, 'ajukan', async () => {
    const r = await submitDraft({ actor: actorOf(req), letterId: letter.id, expectedLockVersion: num(body.lockVersion) });
    return r.status === 'siap_ttd' ? `Konsep diajukan dan siap ditandatangani oleh ${r.holderName}.` : `Konsep diajukan kepada ${r.holderName} untuk paraf.`;
  });
});

router.post('/surat-keluar/:id/paraf', requireLogin, async (req, res) => {
  const { letter } = await loadDraft(req);
  const body = req.body as Record<string, unknown>;
  await act(req, res, letter, 'paraf', async () => {
    const r = await giveParaf({ actor: actorOf(req), letterId: letter.id, versionHash: str(body.versionHash), note: str(body.note) });
    return r.status === 'siap_ttd' ? `Paraf diberikan. Semua paraf lengkap; konsep siap ditandatangani oleh ${r.holderName}.` : `Paraf diberikan. Konsep diteruskan kepada ${r.holderName}.`;
  });
});

router.post('/surat-keluar/:id/kembalikan', requireLogin, async (req, res) => {
  const { letter } = await loadDraft(req);
  const body = req.body as Record<string, unknown>;
  await act(req, res, letter, 'kembalikan', async () => {
    await returnDraft({ actor: actorOf(req), letterId: letter.id, versionHash: str(body.versionHash), note: str(body.note) });
    return 'Konsep dikembalikan kepada pembuatnya dengan catatan Anda.';
  });
});

router.post('/surat-keluar/:id/batalkan', requireLogin, async (req, res) => {
  const { letter } = await loadDraft(req);
  const body = req.body as Record<string, unknown>;
  await act(req, res, letter, 'batalkan', async () => {
    await cancelDraft({ actor: actorOf(req), letterId: letter.id, reason: str(body.reason), expectedLockVersion: num(body.lockVersion) });
    return 'Konsep dibatalkan. Konsep tetap tersimpan beserta riwayatnya, tetapi tidak dapat diajukan lagi.';
  });
});

// ---- Versions and previews ----

router.get('/surat-keluar/:id/versi', requireLogin, async (req, res) => {
  const { letter, rights } = await loadDraft(req);
  const versions = await OutgoingVersion.findAll({ where: { letterId: letter.id }, order: [['versionNo', 'DESC']], attributes: ['versionNo', 'hash', 'summary', 'createdByUserId', 'createdAt'] });
  const last = letter.currentVersionNo;
  const to = num(req.query.ke) > 0 ? num(req.query.ke) : last;
  const from = num(req.query.dari) > 0 ? num(req.query.dari) : Math.max(1, to - 1);
  const cmp = await compareVersions(letter, from, to);
  const users = new Map((await User.findAll({ where: { id: [...new Set(versions.map((v) => v.createdByUserId))] }, attributes: ['id', 'name'] })).map((u) => [u.id, u.name]));
  res.render('outgoing/versions', { title: `Versi konsep: ${letter.perihal}`, letter, rights, versions, cmp, from, to, users });
});

function pdfUnavailable(req: Request, res: Response, err: PdfUnavailableError, back: string) {
  if (!(err instanceof ChromiumMissingError)) {
    console.error(`[${new Date().toISOString()}] ${req.method} ${req.originalUrl}: ${err.message}${err instanceof ChromiumLaunchError ? ` (${err.reason})` : ''}`);
  }
  res.setHeader('Retry-After', '30');
  return res.status(503).render('errors/503', { title: 'PDF tidak dapat dibuat', message: err.message, back });
}

const versionParam = (req: Request): number | null => (num(req.query.versi) > 0 ? num(req.query.versi) : null);

router.get('/surat-keluar/:id/pratinjau', requireLogin, async (req, res) => {
  const { letter } = await loadDraft(req);
  const html = await draftHtml(letter, versionParam(req));
  // The letter's own stylesheet is inline and its images are data: URLs; nothing else may load or run.
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'");
  res.setHeader('Cache-Control', 'private, no-store');
  res.type('html').send(html);
});

router.get('/surat-keluar/:id/pratinjau.pdf', requireLogin, async (req, res) => {
  const { letter } = await loadDraft(req);
  let pdf: Buffer;
  try {
    pdf = await draftPdf(letter, versionParam(req));
  } catch (err) {
    if (err instanceof PdfUnavailableError) return pdfUnavailable(req, res, err, `/surat-keluar/${letter.id}`);
    throw err;
  }
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Length', String(pdf.length));
  res.setHeader('Content-Disposition', contentDisposition('inline', `konsep-${letter.id}-v${versionParam(req) ?? letter.currentVersionNo}.pdf`));
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.removeHeader('Content-Security-Policy');
  res.end(pdf);
});

export default router;
