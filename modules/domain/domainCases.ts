import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import {
  Agency, Disposition, DomainCase, DomainCaseDocument, DomainCaseSlot, DomainRegistryEntry, IncomingLetter, LetterFile, OutgoingLetter,
  REGISTRY_STATUS_LABEL, type DomainNameKind, type HostingNeed,
} from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { today, parseIsoDate } from '../../platform/dates';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { checkDomainName, nameRulesFrom, takenMessage, type NameCheck } from '../../lib/domainNames';
import { slotsFor, STEP_ACTOR_LABEL, type CaseStep, type CaseTypeDefinition } from './caseTypeDefinitions';
import { canOpenCase, mayRecordStep } from './policies/domain';
import { letterRights, chainOf } from '../surat-masuk';
import { recordEvent } from '../../platform/audit';
import { getSetting, workingCalendar } from '../../platform/settings';
import { nipProblem } from '../org';
import { currentType, definitionOf } from './domainCaseTypes';
import { storeUploads, discardTmp, releaseUploads, type StoredUpload, type TmpUpload } from '../../platform/uploads';
import {
  caseEvent, checklistOf, dueFrom, loadCase, newTrackingCode, preflightProblems, registrarWarnings, reportStep, stepIndex, stepMinutes, stepOf,
} from './domainCommon';
import type { Actor, AnyActor, Holding } from '../../platform/actor';
import { afterDispatch } from '../ttd';

const str = (v: unknown, max = 10_000): string => (typeof v === 'string' ? v.replace(/\r\n/g, '\n').trim().slice(0, max + 1) : '');
const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const PHONE_RE = /^[0-9+() .-]{6,40}$/;

export const caseSnapshot = (c: DomainCase) => ({
  status: c.status, langkah: c.currentStepKey, nama: c.requestedName, hasil: c.outcome, kodeLacak: c.trackingCode,
});

function pejabatHolding(actor: Actor): Holding {
  const h = actor.holdings.find((x) => x.position.role === 'pejabat_domain');
  if (!h) throw new ForbiddenError('Hanya Pejabat Domain yang dapat membuka kasus domain.');
  return h;
}
const holdingOf = (actor: AnyActor, positionId: number): Holding | undefined =>
  actor.holdings.find((h) => h.positionId === positionId) ?? actor.holdings.find((h) => h.position.role === 'operator_dc');

// ---- Names ----

export interface NameAvailability extends NameCheck { taken: string | null; registryId: number | null }

/**
 * Check a requested name: the format rules (lib/domainNames.ts with the region's settings),
 * then the registry. A new name must be free (not active or suspended, and not in another
 * open case); a change, deletion or suspension must name a domain in the registry.
 */
export async function checkRequestedName(input: string, kind: DomainNameKind, def: CaseTypeDefinition | null, excludeCaseId?: number): Promise<NameAvailability> {
  const rules = nameRulesFrom(await getSetting('domain.aturan_nama'));
  const check = checkDomainName(input, kind, rules);
  const out: NameAvailability = { ...check, taken: null, registryId: null };
  if (!check.ok || !check.fqdn) return out;
  const entry = await DomainRegistryEntry.findOne({ where: { fqdn: check.fqdn } });
  const effect = def?.effect ?? 'daftar';
  if (effect === 'daftar') {
    if (entry && entry.status !== 'dihapus') out.taken = takenMessage(check.fqdn, REGISTRY_STATUS_LABEL[entry.status].toLowerCase());
  } else if (!entry || entry.status === 'dihapus') {
    out.taken = `Nama ${check.fqdn} tidak ada di registri domain daerah; perubahan, penghapusan, suspensi dan pengambilalihan hanya untuk nama yang terdaftar.`;
  } else if (effect === 'suspensi' && entry.status !== 'aktif') {
    out.taken = `Nama ${check.fqdn} sedang ${REGISTRY_STATUS_LABEL[entry.status].toLowerCase()}; hanya nama yang aktif dapat disuspensi.`;
  }
  if (entry) out.registryId = entry.id;
  if (!out.taken) {
    const open = await DomainCase.findOne({ where: { openName: check.fqdn, ...(excludeCaseId ? { id: { [Op.ne]: excludeCaseId } } : {}) }, attributes: ['id', 'trackingCode'] });
    if (open) out.taken = `Nama ${check.fqdn} sedang diproses pada kasus lain (kode ${open.trackingCode}); lanjutkan kasus itu.`;
  }
  if (out.taken) { out.ok = false; out.errors = [...out.errors, out.taken]; }
  return out;
}

// ---- Opening a case ----

export interface OpenCaseForm {
  typeKey?: string; nameKind?: string; requestedName?: string; applicantAgencyId?: string; purpose?: string;
  techName?: string; techNip?: string; techEmail?: string; techPhone?: string;
  hostingDiskGb?: string; hostingStack?: string; hostingApp?: string; hostingNotes?: string;
  letterId?: string; dispositionId?: string;
  /** Generated when the form was shown (hex); a double submit returns the case the first one opened. */
  submissionKey?: string;
}

/**
 * domainCases.openCase: the Pejabat Domain opens a case, from an incoming letter (or a
 * disposition of one) or directly, with the letter linked later. Every field is checked and
 * every problem reported on the form; the name is checked against the rules and the registry.
 * In one transaction: the case at its first step with the SOP deadline, the checklist slots
 * of its type and name kind, for a local (subdomain) request the letter's scan as the request
 * letter, the first history entry and the audit event.
 */
export async function openCase(actor: Actor, f: OpenCaseForm): Promise<DomainCase> {
  const holding = pejabatHolding(actor);
  if (!canOpenCase(actor)) throw new ForbiddenError('Hanya Pejabat Domain yang dapat membuka kasus domain.');
  const submissionKey = /^[0-9a-f]{32,64}$/.test(str(f.submissionKey, 64)) ? str(f.submissionKey, 64) : null;
  if (submissionKey) {
    const previous = await DomainCase.findOne({ where: { submissionKey } });
    if (previous) return previous;
  }
  const e: Record<string, string> = {};
  const tw = f.typeKey ? await currentType(str(f.typeKey, 40)) : null;
  if (!tw || !tw.type.active) e.typeKey = 'Pilih jenis permohonan dari daftar.';
  const def = tw?.def ?? null;
  const nameKind = str(f.nameKind, 12) as DomainNameKind;
  if (def && !def.nameKinds.includes(nameKind)) e.nameKind = `Jenis nama untuk permohonan ini: ${def.nameKinds.join(' atau ')}.`;
  let fqdn: string | null = null;
  let registryId: number | null = null;
  const rawName = str(f.requestedName, 300);
  if (!rawName) e.requestedName = 'Tuliskan nama domain atau subdomain yang dimohon.';
  else if (def && !e.nameKind) {
    const chk = await checkRequestedName(rawName, nameKind, def);
    if (!chk.ok) e.requestedName = chk.errors.join(' ');
    fqdn = chk.fqdn; registryId = chk.registryId;
  }
  const agencyId = /^[1-9]\d{0,9}$/.test(str(f.applicantAgencyId)) ? Number(f.applicantAgencyId) : 0;
  const agency = agencyId ? await Agency.findByPk(agencyId) : null;
  if (!agency) e.applicantAgencyId = 'Pilih perangkat daerah pemohon dari direktori instansi.';
  const purpose = str(f.purpose, 2000);
  if (purpose.length < 5) e.purpose = 'Tuliskan peruntukan nama (minimal 5 karakter).';
  else if (purpose.length > 2000) e.purpose = 'Peruntukan maksimal 2000 karakter.';
  const techName = str(f.techName, 200);
  if (techName.length < 3) e.techName = 'Tuliskan nama narahubung teknis.';
  else if (techName.length > 200) e.techName = 'Nama narahubung maksimal 200 karakter.';
  const techNip = str(f.techNip, 40).replace(/\s+/g, '');
  if (techNip) { const p = nipProblem(techNip); if (p) e.techNip = p; }
  const techEmail = str(f.techEmail, 255).toLowerCase();
  if (!EMAIL_RE.test(techEmail) || techEmail.length > 255) e.techEmail = 'Alamat e-mail narahubung tidak valid (contoh: nama@dinas.go.id).';
  const techPhone = str(f.techPhone, 40);
  if (!PHONE_RE.test(techPhone)) e.techPhone = 'Nomor telepon narahubung hanya angka, spasi, +, -, dan tanda kurung (6-40 karakter).';
  let hosting: HostingNeed | null = null;
  if (def?.hosting) {
    const disk = str(f.hostingDiskGb, 10);
    const diskGb = disk ? (/^\d{1,4}$/.test(disk) ? Number(disk) : NaN) : null;
    if (diskGb !== null && (!Number.isFinite(diskGb) || diskGb > 1000)) e.hostingDiskGb = 'Kebutuhan disk dalam GB, angka bulat 0-1000.';
    const app = str(f.hostingApp, 10);
    if (app && app !== 'baru' && app !== 'ada') e.hostingApp = 'Pilih aplikasi baru atau aplikasi yang sudah ada.';
    const stack = str(f.hostingStack, 100);
    if (stack.length > 100) e.hostingStack = 'Teknologi maksimal 100 karakter.';
    const notes = str(f.hostingNotes, 1000);
    if (notes.length > 1000) e.hostingNotes = 'Catatan hosting maksimal 1000 karakter.';
    if (diskGb !== null || app || stack || notes) hosting = { diskGb: Number.isFinite(diskGb) ? diskGb : null, stack: stack || null, app: (app || null) as HostingNeed['app'], notes: notes || null };
  }
  let letter: IncomingLetter | null = null;
  const letterId = str(f.letterId, 12);
  if (letterId) {
    letter = /^[1-9]\d{0,9}$/.test(letterId) ? await IncomingLetter.findByPk(Number(letterId)) : null;
    if (!letter || !letterRights(actor, letter, await chainOf(letter.id)).view) { e.letterId = 'Surat masuk yang dirujuk tidak ditemukan.'; letter = null; }
  }
  let dispositionId: number | null = null;
  const dispRaw = str(f.dispositionId, 12);
  if (dispRaw && letter) {
    const d = /^[1-9]\d{0,9}$/.test(dispRaw) ? await Disposition.findByPk(Number(dispRaw), { attributes: ['id', 'letterId'] }) : null;
    if (!d || d.letterId !== letter.id) e.letterId = 'Disposisi yang dirujuk tidak ditemukan pada surat ini.';
    else dispositionId = d.id;
  }
  if (Object.keys(e).length || !tw || !def || !fqdn || !agency) throw new ValidationError(e);

  const cal = await workingCalendar();
  try {
    return await tx(async (t) => {
      const at = now();
      const first = def.steps[0];
      const c = await DomainCase.create({
        typeId: tw.type.id, typeVersionId: tw.version.id, trackingCode: newTrackingCode(), nameKind, requestedName: fqdn, openName: fqdn,
        applicantAgencyId: agency.id, purpose, techName, techNip: techNip || null, techEmail, techPhone, hosting: hosting ? JSON.stringify(hosting) : null,
        letterId: letter?.id ?? null, dispositionId, registryId, pejabatPositionId: holding.positionId,
        status: 'berjalan', outcome: null, currentStepKey: first.key, stepStartedAt: at, stepDueAt: dueFrom(at, first, cal), stepLateNotifiedAt: null,
        replyLetterId: null, sekdaLetterId: null, registrarRef: null, openedByUserId: actor.user.id, submissionKey, closedAt: null, createdAt: at, updatedAt: at,
      }, { transaction: t });
      for (const slot of slotsFor(def, nameKind)) {
        await DomainCaseSlot.create({ caseId: c.id, slotKey: slot.key, state: 'belum', note: null, currentDocumentId: null, verifiedByUserId: null, verifiedAt: null }, { transaction: t });
      }
      if (letter && def.path === 'lokal') {
        const scan = await LetterFile.findOne({ where: { letterId: letter.id, kind: 'scan' }, order: [['id', 'ASC']], transaction: t });
        if (scan && slotsFor(def, nameKind).some((s) => s.key === 'surat-permohonan')) {
          await addDocument(t, c, def, 'surat-permohonan', { sha256: scan.blobSha, size: scan.size, mime: scan.mime, originalName: scan.originalName }, actor.user.id);
        }
      }
      await caseEvent(t, c, actor, holding, { action: 'dibuka', note: letter ? `Dari surat masuk ${letter.agendaNumber}` : null, data: { jenis: tw.type.key, versiJenis: tw.version.version } });
      await recordEvent(t, actor, {
        action: 'domain.kasus_dibuka', entityType: 'domain_case', entityId: c.id, viaPositionIds: [holding.positionId],
        after: { ...caseSnapshot(c), jenis: tw.type.key, versiJenis: tw.version.version, pemohon: agency.name, suratMasuk: letter?.id ?? null },
      });
      return c;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) {
      const won = submissionKey ? await DomainCase.findOne({ where: { submissionKey } }) : null;
      if (won) return won;
      const open = await DomainCase.findOne({ where: { openName: fqdn }, attributes: ['trackingCode'] });
      if (open) throw new ValidationError({ requestedName: `Nama ${fqdn} sedang diproses pada kasus lain (kode ${open.trackingCode}); lanjutkan kasus itu.` });
    }
    throw err;
  }
}

// ---- Checklist ----

async function addDocument(t: Transaction, c: DomainCase, def: CaseTypeDefinition, slotKey: string,
  f: { sha256: string; size: number; mime: string; originalName: string }, userId: number | null): Promise<DomainCaseDocument> {
  const last = await DomainCaseDocument.max('version', { where: { caseId: c.id, slotKey }, transaction: t }) as number | null;
  const warnings = def.registrarLimits ? await registrarWarnings(f.mime, f.size) : [];
  const doc = await DomainCaseDocument.create({
    caseId: c.id, slotKey, version: (last ?? 0) + 1, blobSha: f.sha256, originalName: f.originalName, mime: f.mime, size: f.size,
    warnings: warnings.length ? JSON.stringify(warnings) : null, uploadedByUserId: userId, uploadedAt: now(),
  }, { transaction: t });
  const slot = await DomainCaseSlot.findOne({ where: { caseId: c.id, slotKey }, transaction: t });
  if (slot) await slot.update({ currentDocumentId: doc.id, state: 'belum', note: null, verifiedByUserId: null, verifiedAt: null }, { transaction: t });
  return doc;
}

/** Run a command that will point to `stored`; when it refuses, the files go again. */
async function withRelease<T>(stored: StoredUpload[], fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { await releaseUploads(stored); throw e; }
}

async function storeOne(files: TmpUpload[] | undefined, field: string): Promise<StoredUpload> {
  const list = files ?? [];
  if (!list.length) throw new ValidationError({ [field]: 'Pilih berkas yang akan diunggah.' });
  if (list.length > 1) { await discardTmp(list); throw new ValidationError({ [field]: 'Unggah satu berkas per dokumen.' }); }
  const { stored, errors } = await storeUploads(list, () => 'lampiran');
  if (errors.length || !stored.length) throw new ValidationError({ [field]: errors[0]?.message ?? 'Berkas gagal disimpan.' });
  return stored[0];
}

/**
 * domainCases.uploadDocument: a new version in a checklist slot. Every version is kept; the
 * slot goes back to "belum diperiksa". Breaking the registrar's limits (type, size) is not
 * refused here, so nothing is lost, but the warning says what to fix and the slot cannot be
 * marked complete, nor the case pass "siap unggah", until a version within the limits is in.
 */
export async function uploadDocument(p: { actor: Actor; caseId: number; slotKey: string; files?: TmpUpload[] }): Promise<{ doc: DomainCaseDocument; warnings: string[] }> {
  try {
    const { c, def, rights } = await loadCase(p.actor, p.caseId);
    if (!rights.manage) throw new ForbiddenError('Hanya Pejabat Domain kasus ini yang dapat mengunggah dokumen.');
    if (c.status !== 'berjalan') throw new ConflictError('Kasus ini sudah ditutup; dokumennya tidak dapat diubah.');
    const slot = slotsFor(def, c.nameKind).find((s) => s.key === p.slotKey);
    if (!slot) throw new NotFoundError('Dokumen tidak ada dalam daftar periksa kasus ini.');
    const f = await storeOne(p.files, `slot_${slot.key}`);
    return await withRelease([f], () => tx(async (t) => {
      const { c: locked, def: d } = await loadCase(p.actor, p.caseId, t);
      const doc = await addDocument(t, locked, d, slot.key, f, p.actor.user.id);
      const warnings = doc.warnings ? JSON.parse(doc.warnings) as string[] : [];
      await caseEvent(t, locked, p.actor, holdingOf(p.actor, locked.pejabatPositionId), { action: 'dokumen', note: `${slot.label}: versi ${doc.version} (${f.originalName})`, data: { slot: slot.key, versi: doc.version, sha256: f.sha256, ukuran: f.size, peringatan: warnings } });
      await recordEvent(t, p.actor, {
        action: 'domain.dokumen_diunggah', entityType: 'domain_case', entityId: locked.id,
        after: { slot: slot.key, versi: doc.version, sha256: f.sha256, ukuran: f.size, jenis: f.mime, peringatan: warnings },
      });
      return { doc, warnings };
    }));
  } finally {
    await discardTmp(p.files);
  }
}

/** domainCases.verifySlot: the Pejabat Domain marks a slot complete, or in need of revision (with a note), or back to unchecked. */
export async function verifySlot(p: { actor: Actor; caseId: number; slotKey: string; state: string; note?: string }): Promise<void> {
  const note = str(p.note, 1000);
  const field = `slot_${p.slotKey}`;
  if (!['lengkap', 'revisi', 'belum'].includes(p.state)) throw new ValidationError({ [field]: 'Pilih hasil pemeriksaan: lengkap, perlu revisi, atau belum diperiksa.' });
  if (p.state === 'revisi' && !note) throw new ValidationError({ [field]: 'Tuliskan apa yang perlu direvisi.' });
  if (note.length > 1000) throw new ValidationError({ [field]: 'Catatan maksimal 1000 karakter.' });
  await tx(async (t) => {
    const { c, def, rights } = await loadCase(p.actor, p.caseId, t);
    if (!rights.manage) throw new ForbiddenError('Hanya Pejabat Domain kasus ini yang dapat memeriksa dokumen.');
    if (c.status !== 'berjalan') throw new ConflictError('Kasus ini sudah ditutup.');
    const view = (await checklistOf(c, def, t)).find((s) => s.slot.key === p.slotKey);
    if (!view || !view.state) throw new NotFoundError('Dokumen tidak ada dalam daftar periksa kasus ini.');
    if (p.state === 'lengkap') {
      if (!view.current) throw new ValidationError({ [field]: 'Belum ada berkas yang diunggah untuk dokumen ini.' });
      if (view.warnings.length) throw new ValidationError({ [field]: `Versi ${view.current.version} belum memenuhi batas registrar: ${view.warnings.join(' ')} Unggah versi yang sudah diperbaiki.` });
    }
    const before = { state: view.state.state, note: view.state.note };
    await view.state.update({ state: p.state as 'lengkap', note: note || null, verifiedByUserId: p.actor.user.id, verifiedAt: now() }, { transaction: t });
    await caseEvent(t, c, p.actor, holdingOf(p.actor, c.pejabatPositionId), { action: 'periksa', outcome: p.state, note: `${view.slot.label}${note ? `: ${note}` : ''}`, data: { slot: view.slot.key, versi: view.current?.version ?? null } });
    await recordEvent(t, p.actor, { action: 'domain.dokumen_diperiksa', entityType: 'domain_case', entityId: c.id, before, after: { slot: view.slot.key, state: p.state, note: note || null, versi: view.current?.version ?? null } });
  });
}

// ---- Steps ----

export type StepForm = Record<string, string | string[] | undefined>;

interface StepResult {
  /** The step to go to; undefined = the next one in order. */
  next?: string;
  action: 'selesai' | 'revisi' | 'ditolak';
  outcome?: string;
  note?: string | null;
  data?: Record<string, unknown>;
}

const field = (f: StepForm, k: string, max = 2000): string => str(Array.isArray(f[k]) ? (f[k] as string[])[0] : f[k], max);
function dateField(f: StepForm, k: string, label: string, e: Record<string, string>): string {
  const v = parseIsoDate(field(f, k, 20));
  if (!v) { e[k] = `Isi ${label} (tanggal).`; return ''; }
  if (v > today()) { e[k] = `${label[0].toUpperCase()}${label.slice(1)} tidak boleh di masa depan.`; return ''; }
  return v;
}
const plusYear = (d: string): string => { const [y, m, dd] = d.split('-').map(Number); const x = new Date(Date.UTC(y + 1, m - 1, dd)); if (x.getUTCMonth() !== m - 1) x.setUTCDate(0); return x.toISOString().slice(0, 10); };

async function applyEffect(t: Transaction, actor: AnyActor, c: DomainCase, def: CaseTypeDefinition, date: string, notes: string | null): Promise<DomainRegistryEntry> {
  const entry = await DomainRegistryEntry.findOne({ where: { fqdn: c.requestedName }, transaction: t, lock: t.LOCK.UPDATE });
  const at = now();
  const yearly = c.nameKind !== 'subdomain';
  const before = entry ? entry.get({ plain: true }) : null;
  let saved: DomainRegistryEntry;
  if (def.effect === 'daftar') {
    if (entry && entry.status !== 'dihapus') {
      throw new ConflictError(`Nama ${c.requestedName} sudah ada di registri dengan status ${REGISTRY_STATUS_LABEL[entry.status].toLowerCase()}; periksa registri sebelum mencatat aktivasi.`);
    }
    const values = {
      kind: c.nameKind, ownerAgencyId: c.applicantAgencyId, status: 'aktif' as const, activatedAt: date, expiresAt: yearly ? plusYear(date) : null,
      lastReminderDays: null, hostingNotes: notes ?? entry?.hostingNotes ?? null, updatedAt: at,
    };
    saved = entry
      ? await entry.update({ ...values, registeredAt: date }, { transaction: t })
      : await DomainRegistryEntry.create({ fqdn: c.requestedName, registeredAt: date, dnsNotes: null, createdAt: at, ...values }, { transaction: t });
  } else {
    if (!entry) throw new ConflictError(`Nama ${c.requestedName} tidak ada di registri; catat dulu di registri domain.`);
    // A data change keeps the status (a suspended name stays suspended); a takeover restores it.
    const status = def.effect === 'hapus' ? 'dihapus' : def.effect === 'suspensi' ? 'suspensi' : def.effect === 'ambil_alih' ? 'aktif' : entry.status;
    const stamp = `[${date}] ${def.name}${notes ? `: ${notes}` : ''}`;
    saved = await entry.update({ status, dnsNotes: [entry.dnsNotes, stamp].filter(Boolean).join('\n').slice(-5000), updatedAt: at }, { transaction: t });
  }
  await recordEvent(t, actor, {
    action: 'domain.registri_diubah_kasus', entityType: 'domain_registry', entityId: saved.id, before,
    after: { ...saved.get({ plain: true }), kasus: c.id, kodeLacak: c.trackingCode },
  });
  return saved;
}

type StoredFile = { sha256: string; size: number; mime: string; originalName: string };
const FIELD_MAX: Record<string, number> = { catatan: 2000, nomor: 120, referensi: 120, disk: 100, jumlah: 20, tanggal: 20, hasil: 20, tersedia: 10 };

async function applyStep(t: Transaction, actor: Actor, c: DomainCase, def: CaseTypeDefinition, step: CaseStep, f: StepForm, stored: StoredFile | null): Promise<StepResult> {
  const e: Record<string, string> = {};
  // Too long is refused with a message, never cut silently.
  for (const [k, max] of Object.entries(FIELD_MAX)) {
    const v = f[k];
    if ((Array.isArray(v) ? v.join('') : v ?? '').length > max) e[k] = `Isian terlalu panjang (maksimal ${max} karakter).`;
  }
  if (Object.keys(e).length) throw new ValidationError(e);
  const note = field(f, 'catatan', 2000) || null;
  const fail = () => { if (Object.keys(e).length) throw new ValidationError(e); };
  switch (step.kind) {
    case 'periksa':
      return { action: 'selesai', note };
    case 'sekda_kirim': {
      let nomor = field(f, 'nomor', 120);
      let tanggal = '';
      let suratKeluarId: number | null = null;
      if (c.sekdaLetterId) {
        const l = await OutgoingLetter.findByPk(c.sekdaLetterId, { transaction: t });
        if (l && (l.status === 'ditandatangani' || l.status === 'dikirim') && l.letterNumber && l.letterDate) {
          nomor = l.letterNumber; tanggal = l.letterDate; suratKeluarId = l.id;
        }
      }
      if (!suratKeluarId) {
        if (!nomor) e.nomor = 'Tuliskan nomor surat pengantar ke Sekda, atau tandatangani dulu surat pengantar yang dibuat dari kasus ini.';
        tanggal = dateField(f, 'tanggal', 'tanggal surat pengantar', e);
      }
      fail();
      return { action: 'selesai', note, data: { nomor, tanggal, suratKeluarId } };
    }
    case 'sekda_kembali': {
      const tanggal = dateField(f, 'tanggal', 'tanggal surat kembali dari Sekda', e);
      fail();
      if (stored) await addDocument(t, c, def, step.slot!, stored, actor.user.id);
      const has = await DomainCaseSlot.findOne({ where: { caseId: c.id, slotKey: step.slot! }, transaction: t });
      if (!has?.currentDocumentId) throw new ValidationError({ berkas: 'Unggah pindaian surat yang sudah ditandatangani Sekda.' });
      return { action: 'selesai', note, data: { tanggal } };
    }
    case 'preflight': {
      const problems = preflightProblems(await checklistOf(c, def, t));
      if (problems.length) throw new ValidationError({ langkah: `Belum siap diunggah: ${problems.join(' ')}` });
      return { action: 'selesai', note };
    }
    case 'unggah': {
      const problems = preflightProblems(await checklistOf(c, def, t));
      if (problems.length) throw new ValidationError({ langkah: `Berkas belum siap: ${problems.join(' ')}` });
      const tanggal = dateField(f, 'tanggal', 'tanggal unggah', e);
      const referensi = field(f, 'referensi', 200);
      if (!referensi) e.referensi = 'Tuliskan nomor referensi / tiket pengajuan dari registrar.';
      else if (referensi.length > 120) e.referensi = 'Nomor referensi maksimal 120 karakter.';
      fail();
      c.registrarRef = referensi;
      return { action: 'selesai', note, data: { tanggal, referensi } };
    }
    case 'jawaban': {
      const hasil = field(f, 'hasil', 20);
      if (!['disetujui', 'revisi', 'ditolak'].includes(hasil)) e.hasil = 'Pilih jawaban registrar: disetujui, revisi, atau ditolak.';
      if ((hasil === 'revisi' || hasil === 'ditolak') && !note) e.catatan = 'Salin catatan registrar (apa yang harus direvisi, atau alasan penolakan).';
      const tanggal = dateField(f, 'tanggal', 'tanggal jawaban', e);
      fail();
      if (hasil === 'revisi') {
        const chosen = ([] as string[]).concat(f.slot ?? []).filter((x) => typeof x === 'string');
        for (const key of chosen) {
          const s = await DomainCaseSlot.findOne({ where: { caseId: c.id, slotKey: key }, transaction: t });
          if (s) await s.update({ state: 'revisi', note: note!.slice(0, 1000), verifiedByUserId: actor.user.id, verifiedAt: now() }, { transaction: t });
        }
        return { action: 'revisi', next: step.loopTo, outcome: 'revisi', note, data: { tanggal, dokumen: chosen } };
      }
      if (hasil === 'ditolak') { c.outcome = 'ditolak'; return { action: 'ditolak', next: reportStep(def).key, outcome: 'ditolak', note, data: { tanggal } }; }
      return { action: 'selesai', outcome: 'disetujui', note, data: { tanggal } };
    }
    case 'pembayaran': {
      const lim = await getSetting('domain.registrar');
      const tanggal = dateField(f, 'tanggal', 'tanggal pembayaran', e);
      const raw = field(f, 'jumlah', 20).replace(/[.\s]/g, '');
      const jumlah = /^\d{1,12}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(jumlah) || jumlah <= 0) e.jumlah = 'Tuliskan jumlah yang dibayar dalam rupiah (angka).';
      if (!stored) e.berkas = 'Unggah bukti transfer bank.';
      fail();
      const doc = await addDocument(t, c, { ...def, registrarLimits: false }, 'bukti-bayar', stored!, actor.user.id);
      const expected = Math.round(lim.feePerYear * (1 + lim.ppnPercent / 100));
      return { action: 'selesai', note, data: { tanggal, jumlah, tarif: expected, buktiDokumenId: doc.id, buktiSha256: stored!.sha256 } };
    }
    case 'aktivasi': case 'registrar_selesai': case 'buat_dc': {
      const tanggal = dateField(f, 'tanggal', step.kind === 'buat_dc' ? 'tanggal pelaksanaan' : 'tanggal konfirmasi', e);
      fail();
      const entry = await applyEffect(t, actor, c, def, tanggal, note);
      c.registryId = entry.id;
      c.outcome = 'disetujui';
      return { action: 'selesai', outcome: 'disetujui', note, data: { tanggal, registri: entry.id, status: entry.status, kedaluwarsa: entry.expiresAt } };
    }
    case 'verifikasi_dc': {
      const tersedia = field(f, 'tersedia', 10);
      if (tersedia !== 'ya' && tersedia !== 'tidak') e.tersedia = 'Pilih hasil verifikasi: tersedia atau tidak tersedia.';
      if (tersedia === 'tidak' && !note) e.catatan = 'Tuliskan mengapa tidak tersedia (nama dipakai, format, kapasitas disk).';
      const disk = field(f, 'disk', 100);
      fail();
      return { action: 'selesai', outcome: tersedia === 'ya' ? 'tersedia' : 'tidak_tersedia', note, data: { tersedia, disk: disk || null } };
    }
    case 'keputusan': {
      const hasil = field(f, 'hasil', 20);
      if (hasil !== 'disetujui' && hasil !== 'ditolak') e.hasil = 'Pilih keputusan: disetujui atau ditolak.';
      if (hasil === 'ditolak' && !note) e.catatan = 'Tuliskan alasan penolakan; alasan ini masuk ke surat balasan.';
      fail();
      if (hasil === 'ditolak') { c.outcome = 'ditolak'; return { action: 'ditolak', outcome: 'ditolak', next: reportStep(def).key, note }; }
      return { action: 'selesai', outcome: 'disetujui', note };
    }
    case 'laporan':
      throw new ConflictError('Langkah ini selesai sendiri ketika surat laporan kepada pemohon ditandatangani dan dikirim. Buat suratnya dari bagian "Surat" di halaman ini.');
    default:
      throw new ConflictError('Jenis langkah tidak dikenal.');
  }
}

/**
 * Move the case to `nextKey` (or close it when there is none), starting the SOP clock of the
 * new step. Reaching the report step with a reply already sent closes the case at once.
 */
export async function moveTo(t: Transaction, c: DomainCase, def: CaseTypeDefinition, nextKey: string | null): Promise<void> {
  const at = now();
  if (!nextKey) {
    await c.update({ status: c.outcome === 'ditolak' ? 'ditolak' : 'selesai', openName: null, currentStepKey: null, stepStartedAt: null, stepDueAt: null, closedAt: at, lockVersion: c.lockVersion + 1, updatedAt: at }, { transaction: t });
    return;
  }
  const next = stepOf(def, nextKey)!;
  const cal = await workingCalendar();
  await c.update({
    currentStepKey: next.key, stepStartedAt: at, stepDueAt: dueFrom(at, next, cal), stepLateNotifiedAt: null,
    registrarRef: c.registrarRef, registryId: c.registryId, outcome: c.outcome, lockVersion: c.lockVersion + 1, updatedAt: at,
  }, { transaction: t });
}

/**
 * domainCases.completeStep: record the current step as done, with what it needs (dates,
 * the registrar's reference and answer, the payment and its proof, the activation...). The
 * step must be the current one (out of order: 409), recorded by whoever the step belongs to
 * (the case's Pejabat Domain, or the Data Center for its steps: others 403). A registrar
 * "revisi" goes back to the step the type names, a rejection to the report step. One
 * transaction: the step's effect (registry), the history entry with SOP time and lateness,
 * the move to the next step with its deadline, and the audit event.
 */
export async function completeStep(p: { actor: Actor; caseId: number; stepKey: string; lockVersion?: number; form: StepForm; files?: TmpUpload[] }): Promise<DomainCase> {
  try {
    // An uploaded file goes into the blob store before the transaction (a retried transaction
    // finds it there; an unused blob is swept by naskah blobs:sweep).
    const stored = p.files?.length ? await storeOne(p.files, 'berkas') : null;
    return await withRelease(stored ? [stored] : [], () => tx(async (t) => {
      const { c, def, rights } = await loadCase(p.actor, p.caseId, t);
      const step = stepOf(def, p.stepKey);
      if (!step) throw new NotFoundError('Langkah tidak dikenal untuk kasus ini.');
      if (!mayRecordStep(rights, step.actor)) {
        throw new ForbiddenError(step.actor === 'operator_dc'
          ? 'Langkah ini dicatat oleh Pengelola Data Center atau Pejabat Domain kasus ini.'
          : 'Hanya Pejabat Domain kasus ini yang dapat mencatat langkah ini.');
      }
      if (c.status !== 'berjalan') throw new ConflictError('Kasus ini sudah ditutup.');
      if (c.currentStepKey !== step.key) {
        const cur = stepOf(def, c.currentStepKey);
        const done = stepIndex(def, step.key) < stepIndex(def, c.currentStepKey);
        throw new ConflictError(`${done ? 'Langkah ini sudah dilewati' : 'Langkah ini belum gilirannya'}: kasus sedang pada langkah "${cur?.label ?? '-'}".`);
      }
      if (p.lockVersion !== undefined && p.lockVersion !== c.lockVersion) throw new ConflictError('Kasus sudah diubah orang lain sejak Anda membukanya; muat ulang halaman.');
      const before = caseSnapshot(c);
      const r = await applyStep(t, p.actor, c, def, step, p.form, stored);
      const late = !!c.stepDueAt && now() > c.stepDueAt;
      const sopMinutes = stepMinutes(step, await workingCalendar());
      await caseEvent(t, c, p.actor, holdingOf(p.actor, c.pejabatPositionId), { action: r.action, step, outcome: r.outcome ?? null, note: r.note ?? null, data: { ...(r.data ?? {}), pelaku: STEP_ACTOR_LABEL[step.actor] }, late, sopMinutes });
      const idx = stepIndex(def, step.key);
      const nextKey = r.next ?? def.steps[idx + 1]?.key ?? null;
      await moveTo(t, c, def, nextKey);
      if (nextKey && stepOf(def, nextKey)?.kind === 'laporan' && c.replyLetterId) {
        const reply = await OutgoingLetter.findByPk(c.replyLetterId, { transaction: t });
        if (reply?.status === 'dikirim') await closeWithReport(t, p.actor, c, def, reply);
      }
      await recordEvent(t, p.actor, {
        action: 'domain.langkah', entityType: 'domain_case', entityId: c.id, before,
        after: { ...caseSnapshot(c), langkahSelesai: step.key, hasil: r.outcome ?? r.action, catatan: r.note ?? null, data: r.data ?? null, terlambat: late },
      });
      return c;
    }));
  } finally {
    await discardTmp(p.files);
  }
}

/** The report letter was signed and sent while the case stands at its report step: the case ends. */
export async function closeWithReport(t: Transaction, actor: AnyActor, c: DomainCase, def: CaseTypeDefinition, reply: OutgoingLetter): Promise<void> {
  const step = stepOf(def, c.currentStepKey);
  if (!step || step.kind !== 'laporan') return;
  const late = !!c.stepDueAt && now() > c.stepDueAt;
  await caseEvent(t, c, actor, actor.holdings[0], { action: 'selesai', step, outcome: c.outcome, note: `Surat ${reply.letterNumber ?? ''} ditandatangani dan dikirim.`, data: { suratKeluarId: reply.id, nomor: reply.letterNumber }, late });
  await moveTo(t, c, def, null);
  await caseEvent(t, c, actor, actor.holdings[0], { action: 'ditutup', outcome: c.status });
}

/**
 * Called by the dispatcher inside its transaction when a signed letter is sent: a case whose
 * report letter this is, standing at its report step, closes. Cases not there yet close when
 * they reach it (completeStep).
 */
export async function onLetterDispatched(t: Transaction, actor: AnyActor, letter: OutgoingLetter): Promise<void> {
  const cases = await DomainCase.findAll({ where: { replyLetterId: letter.id, status: 'berjalan' }, transaction: t, lock: t.LOCK.UPDATE });
  for (const c of cases) {
    const def = await definitionOf(c.typeVersionId);
    const before = caseSnapshot(c);
    await closeWithReport(t, actor, c, def, letter);
    if (c.status !== 'berjalan') {
      await recordEvent(t, actor, { action: 'domain.kasus_ditutup', entityType: 'domain_case', entityId: c.id, before, after: { ...caseSnapshot(c), suratLaporan: letter.id } });
    }
  }
}

/** domainCases.cancelCase: the Pejabat Domain cancels an open case (withdrawn by the applicant, duplicate...), with a reason. */
export async function cancelCase(p: { actor: Actor; caseId: number; reason: string }): Promise<void> {
  const reason = str(p.reason, 1000);
  if (reason.length < 5) throw new ValidationError({ alasan: 'Tuliskan alasan pembatalan (minimal 5 karakter).' });
  await tx(async (t) => {
    const { c, rights } = await loadCase(p.actor, p.caseId, t);
    if (!rights.manage) throw new ForbiddenError('Hanya Pejabat Domain kasus ini yang dapat membatalkannya.');
    if (c.status !== 'berjalan') throw new ConflictError('Kasus ini sudah ditutup.');
    const before = caseSnapshot(c);
    const at = now();
    await c.update({ status: 'dibatalkan', openName: null, closedAt: at, currentStepKey: null, stepDueAt: null, lockVersion: c.lockVersion + 1, updatedAt: at }, { transaction: t });
    await caseEvent(t, c, p.actor, holdingOf(p.actor, c.pejabatPositionId), { action: 'dibatalkan', note: reason });
    await recordEvent(t, p.actor, { action: 'domain.kasus_dibatalkan', entityType: 'domain_case', entityId: c.id, before, after: { ...caseSnapshot(c), alasan: reason } });
  });
}

/** domainCases.linkLetter: link the incoming request letter to a case opened without it (by agenda number). */
export async function linkLetter(p: { actor: Actor; caseId: number; agendaNumber: string }): Promise<void> {
  const agenda = str(p.agendaNumber, 60);
  if (!agenda) throw new ValidationError({ agenda: 'Tuliskan nomor agenda surat masuk.' });
  const letter = await IncomingLetter.findOne({ where: { agendaNumber: agenda } });
  if (!letter || !letterRights(p.actor, letter, await chainOf(letter.id)).view) throw new ValidationError({ agenda: `Surat masuk dengan nomor agenda ${agenda} tidak ditemukan atau tidak dapat Anda lihat.` });
  await tx(async (t) => {
    const { c, rights } = await loadCase(p.actor, p.caseId, t);
    if (!rights.manage) throw new ForbiddenError('Hanya Pejabat Domain kasus ini yang dapat menautkan surat.');
    if (c.letterId) throw new ConflictError('Kasus ini sudah tertaut ke surat masuk.');
    await c.update({ letterId: letter.id, lockVersion: c.lockVersion + 1, updatedAt: now() }, { transaction: t });
    await caseEvent(t, c, p.actor, holdingOf(p.actor, c.pejabatPositionId), { action: 'diubah', note: `Surat masuk ${letter.agendaNumber} ditautkan.` });
    await recordEvent(t, p.actor, { action: 'domain.surat_ditautkan', entityType: 'domain_case', entityId: c.id, after: { suratMasuk: letter.id, agenda: letter.agendaNumber } });
  });
}

// The dispatcher closes a case whose report letter is sent (in its transaction).
afterDispatch(onLetterDispatched);
