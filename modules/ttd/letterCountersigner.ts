import type { Transaction } from 'sequelize';
import { Blob, OutgoingCountersign, OutgoingDispatch, OutgoingLetter, Position, SigningCertificate, User } from '../../models';
import type { SigningAttempt } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { config } from '../../config';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { blobStore } from '../../platform/blobstore';
import { SigningError } from '../../platform/pdfSign';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { lockDraft, saveDraft, draftSnapshot, draftSubject } from '../surat-keluar';
import { outgoingRights, chainPositions } from '../surat-keluar';
import { transportFor } from './signingPort';
import { markService, signerCertificateStatus, serviceState, type CertStatus } from './certificateStatus';
import { BsreError } from './bsre/client';
import { BsreTransport, bsreClient } from './bsre/transport';
import type { SigningTransport } from './signingPort';
import { latestAttempt, OPEN_STATUSES } from './signingAttempts';
import { holdersOf } from '../../platform/assignments';
import { countEvent, lockedMinutes, clearKey } from '../../platform/throttle';
import { blobBytes, throttleKey, PASSPHRASE_MAX_ATTEMPTS, PASSPHRASE_WINDOW_MS, PASSPHRASE_LOCK_MS } from './letterSigner';
import { maySignerAct } from './letterRevoker';
import { mayDispatch } from './letterDispatcher';
import type { Actor, Holding } from '../../platform/actor';

/**
 * Countersignature (tanda tangan kedua / pengesahan) of a signed letter (issue #5). While the
 * letter is "ditandatangani" (signed, not yet sent, not revoked or replaced) its signer asks
 * another official position for a second signature; the holder of that position (definitif,
 * Plt or Plh) sees the request in their notifications and on the letter page, types their
 * passphrase, and their signature is added to the signed PDF as an incremental update, so the
 * first signature stays valid. The new PDF becomes the letter's signed PDF (the registry entry
 * of the verification page); the one before is kept. One countersignature per letter; "Kirim"
 * waits until a requested countersignature is given.
 */

/** Positions that may be asked to countersign: the office's officials. */
export const COUNTERSIGN_ROLES = ['kepala', 'sekretaris', 'kabid'] as const;

async function loadVisible(actor: Actor, letterId: number): Promise<OutgoingLetter> {
  const l = await OutgoingLetter.findByPk(letterId);
  if (!l || !outgoingRights(actor, l, await chainPositions(l.id)).view) throw new NotFoundError('Surat tidak ditemukan.');
  return l;
}

/** Why a letter cannot take a (request for a) countersignature now, or null. */
function stateProblem(l: OutgoingLetter): string | null {
  if (l.revokedAt) return 'Surat ini sudah dicabut; tanda tangan kedua tidak dapat ditambahkan.';
  if (l.replacedById) return 'Surat ini sudah diganti dengan surat lain; tanda tangan kedua tidak dapat ditambahkan.';
  if (l.status === 'dikirim') return 'Surat ini sudah dikirim; tanda tangan kedua hanya dapat ditambahkan sebelum surat dikirim.';
  if (l.status !== 'ditandatangani' || !l.signedBlobSha) return 'Surat ini belum ditandatangani.';
  return null;
}

export async function countersignCandidates(l: OutgoingLetter): Promise<Position[]> {
  const all = await Position.findAll({ where: { role: [...COUNTERSIGN_ROLES] }, order: [['rank', 'ASC'], ['name', 'ASC']] });
  return all.filter((p) => p.id !== l.signerPositionId);
}

export interface RequestCountersignProps { actor: Actor; letterId: number; positionId: number | null; note?: string }

/** The signer asks another official position to countersign. One transaction, audited, the position notified. */
export async function requestCountersign(p: RequestCountersignProps): Promise<OutgoingCountersign> {
  const l0 = await loadVisible(p.actor, p.letterId);
  if (!maySignerAct(p.actor, l0)) throw new ForbiddenError('Hanya penanda tangan surat yang dapat meminta tanda tangan kedua.');
  const problem = stateProblem(l0);
  if (problem) throw new ConflictError(problem);
  const note = (p.note ?? '').trim();
  if (note.length > 500) throw new ValidationError({ note: 'Catatan maksimal 500 karakter.' });
  const candidates = await countersignCandidates(l0);
  const pos = candidates.find((c) => c.id === p.positionId);
  if (!pos) {
    throw new ValidationError({ positionId: p.positionId === l0.signerPositionId
      ? 'Penanda tangan pertama tidak dapat memberi tanda tangan kedua pada surat yang sama.'
      : 'Pilih jabatan pejabat yang diminta memberi tanda tangan kedua.' });
  }
  return tx(async (t) => {
    const l = await lockDraft(t, p.letterId);
    const again = stateProblem(l);
    if (again) throw new ConflictError(again);
    if (await OutgoingCountersign.findOne({ where: { letterId: l.id }, transaction: t })) throw new ConflictError('Tanda tangan kedua untuk surat ini sudah diminta.');
    const at = now();
    const row = await OutgoingCountersign.create({
      letterId: l.id, positionId: pos.id, status: 'diminta', note: note || null, requestedByUserId: p.actor.user.id, requestedAt: at,
    }, { transaction: t });
    const before = draftSnapshot(l);
    await saveDraft(t, l, { countersignPositionId: pos.id });
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.pengesahan_diminta', entityType: 'outgoing_letter', entityId: l.id, viaPositionIds: l.signerPositionId ? [l.signerPositionId] : [],
      before, after: { ...draftSnapshot(l), nomor: l.letterNumber, jabatanPengesah: pos.id, namaJabatanPengesah: pos.name, catatan: note || null },
    });
    await notifyPosition(t, pos.id, {
      kind: 'pengesahan_diminta', title: `Tanda tangan kedua diminta: ${draftSubject(l)}`.slice(0, 300),
      body: `Surat nomor ${l.letterNumber} menunggu tanda tangan kedua (pengesahan) Anda.${note ? ` Catatan: ${note}` : ''}`.slice(0, 1000),
      url: `/surat-keluar/${l.id}`, dedupeKey: `pengesahan:${l.id}:${pos.id}`,
    }, p.actor.user.id);
    return row;
  });
}

/**
 * The signer withdraws a countersignature request that has not been given (the official is
 * away, the wrong position was asked): the request is removed, the position told, the reason
 * audited; the letter can be sent, or another official asked.
 */
export async function cancelCountersignRequest(p: { actor: Actor; letterId: number; reason: string }): Promise<void> {
  const l0 = await loadVisible(p.actor, p.letterId);
  if (!maySignerAct(p.actor, l0)) throw new ForbiddenError('Hanya penanda tangan surat yang dapat membatalkan permintaan tanda tangan kedua.');
  const reason = (p.reason ?? '').trim();
  if (reason.length < 5) throw new ValidationError({ reason: 'Tuliskan alasan pembatalan permintaan (minimal 5 karakter).' });
  if (reason.length > 500) throw new ValidationError({ reason: 'Alasan maksimal 500 karakter.' });
  await tx(async (t) => {
    const l = await lockDraft(t, p.letterId);
    const row = await OutgoingCountersign.findOne({ where: { letterId: l.id }, transaction: t, lock: t.LOCK.UPDATE });
    if (!row) throw new ConflictError('Tidak ada permintaan tanda tangan kedua untuk surat ini.');
    if (row.status !== 'diminta') throw new ConflictError('Tanda tangan kedua sudah diberikan; permintaannya tidak dapat dibatalkan.');
    const pos = await Position.findByPk(row.positionId, { transaction: t });
    await row.destroy({ transaction: t });
    const before = draftSnapshot(l);
    await saveDraft(t, l, { countersignPositionId: null });
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.pengesahan_dibatalkan', entityType: 'outgoing_letter', entityId: l.id, viaPositionIds: l.signerPositionId ? [l.signerPositionId] : [],
      before, after: { ...draftSnapshot(l), jabatanPengesah: row.positionId, namaJabatanPengesah: pos?.name ?? null, diminta: row.requestedAt.toISOString(), alasan: reason },
    });
    await notifyPosition(t, row.positionId, {
      kind: 'pengesahan_dibatalkan', title: `Permintaan tanda tangan kedua dibatalkan: ${draftSubject(l)}`.slice(0, 300),
      body: `Alasan: ${reason}`.slice(0, 1000), url: `/surat-keluar/${l.id}`, dedupeKey: `pengesahan-batal:${l.id}:${row.id}`,
    }, p.actor.user.id);
  });
}

async function auditFailure(actor: Actor, l: OutgoingLetter, positionId: number, reason: string, detail?: string): Promise<void> {
  await tx((t) => recordEvent(t, actor, {
    action: 'surat_keluar.pengesahan_gagal', entityType: 'outgoing_letter', entityId: l.id, viaPositionIds: [positionId],
    after: { id: l.id, alasan: reason, ...(detail ? { keterangan: detail.slice(0, 300) } : {}) },
  }));
}

/** Refusals that depend on the letter's state, the request and the actor (checked before and inside the transaction). */
function assertCountersignable(actor: Actor, l: OutgoingLetter, row: OutgoingCountersign | null): Holding {
  if (!row) throw new ConflictError('Tidak ada permintaan tanda tangan kedua untuk surat ini.');
  const holding = actor.holdings.find((h) => h.positionId === row.positionId);
  if (!holding) throw new ForbiddenError('Hanya pemegang jabatan yang diminta yang dapat memberi tanda tangan kedua.');
  if (row.status === 'ditandatangani') throw new ConflictError('Tanda tangan kedua untuk surat ini sudah diberikan.');
  const problem = stateProblem(l);
  if (problem) throw new ConflictError(problem);
  if (l.signedByUserId === actor.user.id) throw new ForbiddenError('Penanda tangan pertama tidak dapat memberi tanda tangan kedua pada surat yang sama.');
  return holding;
}

export interface CountersignProps { actor: Actor; letterId: number; passphrase: string }

/**
 * The holder of the requested position countersigns with their certificate's passphrase: the
 * signed PDF gets a second, incremental signature; the letter's signed PDF becomes the new one
 * (the previous one is kept). The same refusals as the first signature (no certificate, expired,
 * not theirs, wrong passphrase: audited, throttled per user); nothing changes on a refusal.
 */
export async function countersignLetter(p: CountersignProps): Promise<{ letter: OutgoingLetter; countersign: OutgoingCountersign }> {
  const l0 = await loadVisible(p.actor, p.letterId);
  const row0 = await OutgoingCountersign.findOne({ where: { letterId: l0.id } });
  const holding = assertCountersignable(p.actor, l0, row0);
  const row = row0!;
  const locked = await lockedMinutes(throttleKey(p.actor.user.id));
  if (locked) throw new AppError('signing_throttled', `Terlalu banyak passphrase salah. Coba lagi dalam ${locked} menit.`, 429);
  if (!p.passphrase) throw new ValidationError({ passphrase: 'Isi passphrase sertifikat elektronik Anda.' });
  if (p.passphrase.length > 200) throw new ValidationError({ passphrase: 'Passphrase terlalu panjang.' });

  // Through BSrE (SIGNING_TRANSPORT=bsre): the signer's NIK and BSrE status, checked before the passphrase leaves.
  let transport: SigningTransport;
  let certNote: Record<string, unknown> = { layanan: 'bsre' };
  const bsre = config().signingTransport === 'bsre' ? bsreClient() : null;
  if (bsre) {
    const u = await User.findByPk(p.actor.user.id, { attributes: ['id', 'nik'] });
    if (!u?.nik) {
      await auditFailure(p.actor, l0, row.positionId, 'bsre_tanpa_nik');
      throw new AppError('bsre_no_nik', 'NIK Anda belum tercatat di Naskah; BSrE mengenali penanda tangan dari NIK. Minta admin mengisi NIK pada data pengguna Anda.', 422);
    }
    const st = await signerCertificateStatus(p.actor.user.id);
    if (!st.usable) {
      await auditFailure(p.actor, l0, row.positionId, st.tone === 'unknown' ? 'bsre_unreachable' : 'bsre_status', st.text);
      throw new AppError(st.tone === 'unknown' ? 'bsre_unreachable' : 'bsre_status', `${st.text} Tidak ada yang ditandatangani.`, st.tone === 'unknown' ? 503 : 422);
    }
    transport = new BsreTransport(bsre, u.nik);
  } else {
    const cert = await SigningCertificate.findOne({ where: { userId: p.actor.user.id, active: true }, order: [['uploadedAt', 'DESC'], ['id', 'DESC']] });
    if (!cert) {
      await auditFailure(p.actor, l0, row.positionId, 'tanpa_sertifikat');
      throw new ValidationError({ passphrase: 'Anda belum memiliki sertifikat elektronik di sistem ini; minta admin mengimpor sertifikat (P12) Anda.' });
    }
    const at = now().getTime();
    if (cert.validTo.getTime() < at) {
      await auditFailure(p.actor, l0, row.positionId, 'sign_cert_expired');
      throw new SigningError('sign_cert_expired', 'Sertifikat elektronik Anda sudah kedaluwarsa; minta admin mengimpor sertifikat yang berlaku. Tidak ada yang ditandatangani.');
    }
    if (cert.validFrom.getTime() > at) {
      await auditFailure(p.actor, l0, row.positionId, 'sign_cert_not_yet_valid');
      throw new SigningError('sign_cert_not_yet_valid', 'Sertifikat elektronik Anda belum berlaku. Tidak ada yang ditandatangani.');
    }
    const p12 = await blobBytes(cert.p12BlobSha).catch(() => null);
    if (!p12) {
      await auditFailure(p.actor, l0, row.positionId, 'sign_p12_invalid');
      throw new SigningError('sign_p12_invalid', 'Berkas sertifikat Anda tidak ditemukan di server; minta admin mengimpor ulang sertifikat Anda.');
    }
    transport = transportFor({ p12, nip: p.actor.user.nip ?? null });
    certNote = { sertifikat: cert.subject, sertifikatId: cert.id };
  }
  const previousSha = l0.signedBlobSha!;
  const previous = await blobBytes(previousSha);
  const pos = await Position.findByPk(row.positionId);
  const prefix = holding.kind === 'plt' ? 'Plt. ' : holding.kind === 'plh' ? 'Plh. ' : '';
  const signedName = p.actor.user.name;
  const signedTitle = `${prefix}${pos?.name ?? ''}`;
  const signedAt = now();
  let signed: Buffer;
  try {
    signed = await transport.sign(previous, {
      passphrase: p.passphrase, name: signedName, reason: `Mengesahkan surat ${l0.letterNumber}`, location: config().orgRegion, signingTime: signedAt,
      expectedSubject: p.actor.user.nip ? { nip: p.actor.user.nip } : { name: signedName },
    });
  } catch (err) {
    if (err instanceof BsreError) {
      await auditFailure(p.actor, l0, row.positionId, err.bsreCode, err.detail ?? undefined);
      if (err.bsreCode === 'bsre_unreachable') await markService(false, err.detail ?? err.message);
      if (err.bsreCode === 'bsre_passphrase') {
        const m = await countEvent(throttleKey(p.actor.user.id), PASSPHRASE_MAX_ATTEMPTS, PASSPHRASE_WINDOW_MS, PASSPHRASE_LOCK_MS);
        if (m) throw new AppError('signing_throttled', `Passphrase salah. Terlalu banyak percobaan; penandatanganan dikunci ${m} menit.`, 429);
      }
      throw err;
    }
    if (err instanceof SigningError) {
      await auditFailure(p.actor, l0, row.positionId, err.code);
      if (err.code === 'sign_passphrase') {
        const m = await countEvent(throttleKey(p.actor.user.id), PASSPHRASE_MAX_ATTEMPTS, PASSPHRASE_WINDOW_MS, PASSPHRASE_LOCK_MS);
        if (m) throw new AppError('signing_throttled', `Passphrase salah. Terlalu banyak percobaan; penandatanganan dikunci ${m} menit.`, 429);
      }
      throw err;
    }
    await auditFailure(p.actor, l0, row.positionId, 'gagal_teknis', (err as Error).message);
    throw new AppError('signing_failed', 'Penandatanganan gagal karena kesalahan teknis. Tidak ada yang ditandatangani; coba lagi atau hubungi admin.', 500);
  }
  const put = await blobStore().putBuffer(signed);
  try {
    const done = await tx(async (t: Transaction) => {
      const l = await lockDraft(t, p.letterId);
      const r = await OutgoingCountersign.findOne({ where: { letterId: l.id }, transaction: t, lock: t.LOCK.UPDATE });
      assertCountersignable(p.actor, l, r);
      if (l.signedBlobSha !== previousSha) throw new ConflictError('PDF bertanda tangan surat ini baru saja berubah. Muat ulang halaman lalu ulangi.');
      await Blob.findOrCreate({ where: { sha256: put.sha256 }, defaults: { sha256: put.sha256, size: put.size, mime: 'application/pdf' }, transaction: t });
      const [n] = await OutgoingCountersign.update({
        status: 'ditandatangani', signedByUserId: p.actor.user.id, signedName, signedTitle, signedAt, previousBlobSha: previousSha, signedBlobSha: put.sha256,
      }, { where: { id: r!.id, status: 'diminta' }, transaction: t });
      if (n !== 1) throw new ConflictError('Tanda tangan kedua untuk surat ini sudah diberikan.');
      await r!.reload({ transaction: t });
      const before = { ...draftSnapshot(l), pdfTtd: previousSha };
      await saveDraft(t, l, { signedBlobSha: put.sha256 });
      await recordEvent(t, p.actor, {
        action: 'surat_keluar.disahkan', entityType: 'outgoing_letter', entityId: l.id, viaPositionIds: [row.positionId],
        before, after: { ...draftSnapshot(l), nomor: l.letterNumber, ...certNote, pdfSebelumnya: previousSha, pdfTtd: put.sha256, pengesah: signedName, jabatan: signedTitle },
      });
      const note = { title: `Disahkan: ${draftSubject(l)}`.slice(0, 300), body: `Surat nomor ${l.letterNumber} telah diberi tanda tangan kedua oleh ${signedName}, ${signedTitle}.`.slice(0, 1000), url: `/surat-keluar/${l.id}` };
      await notifyPosition(t, l.drafterPositionId, { kind: 'surat_disahkan', ...note, dedupeKey: `disahkan:${l.id}:konseptor` }, p.actor.user.id);
      if (l.signerPositionId && l.signerPositionId !== l.drafterPositionId) {
        await notifyPosition(t, l.signerPositionId, { kind: 'surat_disahkan', ...note, dedupeKey: `disahkan:${l.id}:penandatangan` }, p.actor.user.id);
      }
      return { letter: l, countersign: r! };
    });
    await clearKey(throttleKey(p.actor.user.id));
    return done;
  } catch (err) {
    if (!(err instanceof AppError)) await auditFailure(p.actor, l0, row.positionId, 'gagal_simpan', (err as Error).message);
    throw err;
  }
}

/** What the letter page's TTE panel shows beyond the letter row: the countersignature, what the actor may do, the e-mails. */
export interface SigningPanel {
  countersign: OutgoingCountersign | null;
  countersignPositionName: string | null;
  /** Positions the actor (the signer) may ask to countersign; empty when they may not ask. */
  candidates: Position[];
  mayRequest: boolean;
  mayCountersign: boolean;
  /** The signer may withdraw a request not yet given. */
  mayCancelRequest: boolean;
  /** Dispatch rows sent by e-mail, with their delivery status (for the drafter and signer). */
  emails: OutgoingDispatch[];
  /** Before signing: whether the named signer can sign (told to the drafter and the signer). */
  signer?: { name: string; status: CertStatus; isActor: boolean } | null;
  /** The latest signing attempt through BSrE and whether BSrE is down now. */
  attempt?: SigningAttempt | null;
  attemptOpen?: boolean;
  outage?: { since: Date | null; reason: string | null } | null;
}

/** For a draft that names a signer: the signer's certificate status, the last BSrE attempt, the outage. */
async function beforeSigning(actor: Actor, l: OutgoingLetter): Promise<Partial<SigningPanel>> {
  if (!l.signerPositionId || l.status === 'dibatalkan') return {};
  const mine = actor.holdings.some((h) => h.positionId === l.signerPositionId);
  const holders = mine ? [] : await holdersOf(l.signerPositionId);
  const who = mine ? actor.user : holders[0]?.user;
  const [status, attempt, svc] = await Promise.all([
    who ? signerCertificateStatus(who.id) : null, latestAttempt(l.id), config().signingTransport === 'bsre' ? serviceState() : null,
  ]);
  return {
    signer: who && status ? { name: who.name, status, isActor: mine } : null,
    attempt, attemptOpen: !!attempt && OPEN_STATUSES.includes(attempt.status),
    outage: svc && !svc.reachable ? { since: svc.downSince, reason: svc.reason } : null,
  };
}

export async function signingPanelOf(actor: Actor, l: OutgoingLetter): Promise<SigningPanel> {
  const empty: SigningPanel = { countersign: null, countersignPositionName: null, candidates: [], mayRequest: false, mayCountersign: false, mayCancelRequest: false, emails: [] };
  if (l.status !== 'ditandatangani' && l.status !== 'dikirim') return { ...empty, ...(await beforeSigning(actor, l)) };
  const countersign = await OutgoingCountersign.findOne({ where: { letterId: l.id } });
  const pos = countersign ? await Position.findByPk(countersign.positionId) : null;
  const open = !stateProblem(l);
  const mayRequest = open && !countersign && maySignerAct(actor, l);
  const mayCountersign = open && !!countersign && countersign.status === 'diminta'
    && actor.holdings.some((h) => h.positionId === countersign.positionId) && l.signedByUserId !== actor.user.id;
  const emails = l.status === 'dikirim' && (mayDispatch(actor, l) || maySignerAct(actor, l))
    ? await OutgoingDispatch.findAll({ where: { letterId: l.id, channel: 'email' }, order: [['id', 'ASC']] }) : [];
  return {
    countersign, countersignPositionName: pos?.name ?? null, candidates: mayRequest ? await countersignCandidates(l) : [], mayRequest, mayCountersign,
    mayCancelRequest: open && !!countersign && countersign.status === 'diminta' && maySignerAct(actor, l), emails,
  };
}
