import crypto from 'node:crypto';
import QRCode from 'qrcode';
import type { Transaction } from 'sequelize';
import { Blob, LetterNumber, OutgoingLetter, Position, SigningAttempt, SigningCertificate, User } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { config } from '../../config';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { blobStore } from '../../platform/blobstore';
import { recordEvent } from '../../platform/audit';
import { notifyPosition, notifyUsers } from '../../platform/notifier';
import { getSetting } from '../../platform/settings';
import { currentValue } from '../../platform/sequences';
import { prepareLetterNumber, renderNumber, takeLetterNumber, type PreparedNumber } from '../surat-keluar';
import { lockDraft, saveDraft, assertTransition, draftSnapshot, draftSubject, contentOf, hashContent } from '../surat-keluar';
import { letterDocOf } from '../surat-keluar';
import { renderLetterPdf, appendPdfAttachments } from '../templat';
import { outgoingRights, chainPositions } from '../surat-keluar';
import { transportFor } from './signingPort';
import { SigningError, type LocalP12Transport } from '../../platform/pdfSign';
import { BsreError, BSRE_MESSAGES, type BsreClient } from './bsre/client';
import { BsreTransport, bsreClient, lateGraceMs } from './bsre/transport';
import { openAttempt, settleAttempt } from './signingAttempts';
import { clearStatusCache, markService, serviceState, signerCertificateStatus } from './certificateStatus';
import { countEvent, lockedMinutes, clearKey } from '../../platform/throttle';
import type { Actor, Holding } from '../../platform/actor';

/** Wrong passphrases allowed per user in the window before signing is locked for a while. */
export const PASSPHRASE_MAX_ATTEMPTS = 5;
export const PASSPHRASE_WINDOW_MS = 15 * 60_000;
export const PASSPHRASE_LOCK_MS = 15 * 60_000;
/** Wrong passphrases are counted per user, for the first signature and a countersignature alike. */
export const throttleKey = (userId: number) => `ttd:u:${userId}`;

export interface SignProps {
  actor: Actor;
  letterId: number;
  /** The certificate's passphrase: handed to the transport, never stored or logged. */
  passphrase: string;
  /** The draft's lock version when the page was shown: a draft changed since is refused. */
  expectedLockVersion?: number;
  /** Set by a bulk signing: the attempts of one run share it. */
  batchId?: string;
}

export async function blobBytes(sha: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of blobStore().open(sha)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A fresh verification code: 128 random bits, URL-safe (base64url, 22 characters). */
export const newVerificationCode = (): string => crypto.randomBytes(16).toString('base64url');
export const verificationUrl = (code: string): string => `${config().baseUrl.replace(/\/+$/, '')}/verifikasi/${code}`;

/** The number `takeLetterNumber` will give next, if nobody signs in between (numbers on record are passed over, as it does). */
async function peekNumber(p: PreparedNumber): Promise<string> {
  let seq = await currentValue(p.counter);
  for (let i = 0; i < 1000; i++) {
    seq += 1;
    const n = renderNumber(p, seq);
    if (!(await LetterNumber.findOne({ where: { number: n }, attributes: ['id'] }))) return n;
  }
  return renderNumber(p, seq);
}

class NumberMoved extends Error {}

function signerHolding(actor: Actor, letter: OutgoingLetter): Holding | undefined {
  return letter.signerPositionId ? actor.holdings.find((h) => h.positionId === letter.signerPositionId) : undefined;
}

/** Refusals that depend only on the draft's state and the actor (checked before and again inside the transaction). */
function assertSignable(actor: Actor, letter: OutgoingLetter): Holding {
  if (letter.status === 'ditandatangani' || letter.status === 'dikirim') throw new ConflictError('Surat ini sudah ditandatangani.');
  const holding = signerHolding(actor, letter);
  if (!holding) throw new ForbiddenError('Hanya penanda tangan yang ditunjuk yang dapat menandatangani surat ini.');
  if (letter.status !== 'siap_ttd') throw new ConflictError('Surat ini belum siap ditandatangani: semua paraf harus diberikan lebih dahulu.');
  return holding;
}

async function auditFailure(actor: Actor, letter: OutgoingLetter, reason: string, detail?: string): Promise<void> {
  await tx((t) => recordEvent(t, actor, {
    action: 'surat_keluar.ttd_gagal', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: letter.signerPositionId ? [letter.signerPositionId] : [],
    after: { id: letter.id, alasan: reason, ...(detail ? { keterangan: detail.slice(0, 300) } : {}) },
  }));
}

/** The signer's active certificate, checked for validity today. */
async function certificateOf(actor: Actor, letter: OutgoingLetter): Promise<SigningCertificate> {
  const cert = await SigningCertificate.findOne({ where: { userId: actor.user.id, active: true }, order: [['uploadedAt', 'DESC'], ['id', 'DESC']] });
  if (!cert) {
    await auditFailure(actor, letter, 'tanpa_sertifikat');
    throw new ValidationError({ passphrase: 'Anda belum memiliki sertifikat elektronik di sistem ini; minta admin mengimpor sertifikat (P12) Anda.' });
  }
  // The P12 itself is checked again by the transport (validity on the app clock, owner, key).
  const at = now().getTime();
  if (cert.validTo.getTime() < at) {
    await auditFailure(actor, letter, 'sign_cert_expired');
    throw new SigningError('sign_cert_expired', 'Sertifikat elektronik Anda sudah kedaluwarsa; minta admin mengimpor sertifikat yang berlaku. Tidak ada yang ditandatangani.');
  }
  if (cert.validFrom.getTime() > at) {
    await auditFailure(actor, letter, 'sign_cert_not_yet_valid');
    throw new SigningError('sign_cert_not_yet_valid', 'Sertifikat elektronik Anda belum berlaku. Tidak ada yang ditandatangani.');
  }
  return cert;
}

/** Who signs and through what: the local P12 (opened now, to name its issuer on the stamp) or BSrE by NIK. */
interface Identity { remote: false; transport: LocalP12Transport; certId: number; certSubject: string; issuerText: string }
interface RemoteIdentity { remote: true; client: BsreClient; nik: string; issuerText: string }

/** The issuer named on the stamp: BSrE only when BSrE issues the certificate; a development CA says so. */
export function issuerTextOf(issuer: string): string {
  const o = /(?:^|,\s*)O=([^,]+)/.exec(issuer)?.[1];
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(issuer)?.[1];
  const name = cn ?? o ?? issuer;
  if (/bukan untuk produksi|dev ca|pengembangan|mock/i.test(issuer)) return `${name}, CA pengembangan: BUKAN tanda tangan elektronik resmi`;
  if (/Balai (Besar )?Sertifikasi Elektronik|BSrE|Badan Siber dan Sandi Negara/i.test(issuer)) return 'Balai Besar Sertifikasi Elektronik (BSrE), BSSN';
  return o && cn && o !== cn ? `${cn} (${o})` : name;
}
export const BSRE_ISSUER_TEXT = 'Balai Besar Sertifikasi Elektronik (BSrE), BSSN';

/** The footer lines of the stamp, with the real issuer in place of the default's BSrE sentence or `{penerbit}`. */
export function footerLines(footer: string[], issuerText: string): string[] {
  return footer.map((line) => line.includes('{penerbit}') ? line.replaceAll('{penerbit}', issuerText)
    : line.replace(/diterbitkan oleh Balai Besar Sertifikasi Elektronik \(BSrE\), BSSN/, `diterbitkan oleh ${issuerText}`));
}

async function countWrongPassphrase(actor: Actor): Promise<void> {
  const m = await countEvent(throttleKey(actor.user.id), PASSPHRASE_MAX_ATTEMPTS, PASSPHRASE_WINDOW_MS, PASSPHRASE_LOCK_MS);
  if (m) throw new AppError('signing_throttled', `Passphrase salah. Terlalu banyak percobaan; penandatanganan dikunci ${m} menit.`, 429);
}

/** Tell the signer's and drafter's positions that the letter waits for BSrE (once per outage). */
async function noticeOutage(actor: Actor, letter: OutgoingLetter, reason: string): Promise<void> {
  const svc = await serviceState();
  const since = (svc?.downSince ?? now()).toISOString().slice(0, 16);
  await tx(async (t) => {
    const n = { kind: 'tte_tertunda', title: `Menunggu TTE: ${draftSubject(letter)}`.slice(0, 300),
      body: `Layanan TTE BSrE tidak dapat dihubungi (${reason.slice(0, 120)}). Surat tetap menunggu tanda tangan; Anda diberi tahu saat layanan pulih.`,
      url: `/surat-keluar/${letter.id}`, dedupeKey: `tte-tertunda:${letter.id}:${since}` };
    if (letter.drafterPositionId) await notifyPosition(t, letter.drafterPositionId, n, actor.user.id);
  });
}

async function identityOf(p: SignProps, letter0: OutgoingLetter): Promise<Identity | RemoteIdentity> {
  const client = config().signingTransport === 'bsre' ? bsreClient() : null;
  if (client) {
    const user = await User.findByPk(p.actor.user.id, { attributes: ['id', 'nik'] });
    if (!user?.nik) {
      await auditFailure(p.actor, letter0, 'bsre_tanpa_nik');
      throw new AppError('bsre_no_nik', 'NIK Anda belum tercatat di Naskah; BSrE mengenali penanda tangan dari NIK. Minta admin mengisi NIK pada data pengguna Anda. Tidak ada yang ditandatangani.', 422);
    }
    const st = await signerCertificateStatus(p.actor.user.id);
    if (!st.usable) {
      if (st.tone === 'unknown') {
        await recordUnreachable(p.actor, letter0, st.text);
        throw new AppError('bsre_unreachable', `${BSRE_MESSAGES.bsre_unreachable} Surat tetap menunggu TTE; Anda dan pembuat konsep diberi tahu saat layanan pulih.`, 503);
      }
      await auditFailure(p.actor, letter0, 'bsre_status', st.bsreStatus ?? st.text);
      throw new AppError('bsre_status', `${st.text} Tidak ada yang ditandatangani.`, 422);
    }
    return { remote: true, client, nik: user.nik, issuerText: BSRE_ISSUER_TEXT };
  }
  const cert = await certificateOf(p.actor, letter0);
  const p12 = await blobBytes(cert.p12BlobSha).catch(() => null);
  if (!p12) {
    await auditFailure(p.actor, letter0, 'sign_p12_invalid');
    throw new SigningError('sign_p12_invalid', 'Berkas sertifikat Anda tidak ditemukan di server; minta admin mengimpor ulang sertifikat Anda.');
  }
  const transport = transportFor({ p12, nip: p.actor.user.nip ?? null }) as LocalP12Transport;
  let issuer = '';
  if (typeof transport.inspect === 'function') {
    try {
      issuer = transport.inspect(p.passphrase, p.actor.user.nip ? { nip: p.actor.user.nip } : { name: p.actor.user.name }).issuer;
    } catch (err) {
      if (err instanceof SigningError) {
        await auditFailure(p.actor, letter0, err.code);
        if (err.code === 'sign_passphrase') await countWrongPassphrase(p.actor);
      }
      throw err;
    }
  }
  return { remote: false, transport, certId: cert.id, certSubject: cert.subject, issuerText: issuer ? issuerTextOf(issuer) : BSRE_ISSUER_TEXT };
}

/** A signing that could not reach BSrE: recorded as a failed attempt (the letter page says why), drafter told. */
async function recordUnreachable(actor: Actor, letter: OutgoingLetter, reason: string, attemptId?: number): Promise<void> {
  if (attemptId) await settleAttempt(attemptId, { status: 'gagal', errorCode: 'bsre_unreachable', message: reason });
  else {
    const at = now();
    await SigningAttempt.create({ letterId: letter.id, kind: 'ttd', userId: actor.user.id, transport: 'bsre', batchId: null, plannedNumber: null, status: 'gagal', errorCode: 'bsre_unreachable', message: reason.slice(0, 500), startedAt: at, settleBy: at, finishedAt: at });
  }
  await auditFailure(actor, letter, 'bsre_unreachable', reason);
  await noticeOutage(actor, letter, reason);
}

/**
 * letterSigner: the holder of the signer's position signs a draft that every verifier has
 * given paraf ("siap_ttd") with their certificate's passphrase. The letter gets its number and
 * date, the final PDF is rendered without the KONSEP watermark and with the TTE stamp (QR to
 * the public verification page, "Ditandatangani secara elektronik oleh: NAMA, JABATAN" and the
 * footer setting `tte.catatan_kaki`, naming the certificate's real issuer), its PDF lampiran are
 * appended, and the signing transport signs it: the local P12, or BSrE by NIK
 * (SIGNING_TRANSPORT=bsre). The unsigned render and the signed PDF are kept as two blobs;
 * number, blobs and the status "ditandatangani" commit in one transaction. Rendering and signing
 * happen before that transaction against the number the counter will give next; if another
 * signing took it meanwhile, the work is redone with the next one, so the transaction stays short
 * and a failure at any point keeps nothing (the number is not taken). Every failure is audited;
 * wrong passphrases are throttled per user. A replacement draft (replacesId) marks the letter it
 * replaces as replaced when it is signed.
 *
 * Through BSrE every call is an attempt recorded before it leaves (modules/ttd/signingAttempts.ts):
 * BSrE unreachable: the letter stays "siap_ttd" with the reason, the drafter is told, the scheduler
 * checks the service again; no answer after the request left: the outcome is unknown, the letter
 * cannot be signed again until the attempt settles, and a signed file that arrives late is used
 * (or kept, if its number was taken meanwhile).
 */
export async function signLetter(p: SignProps): Promise<OutgoingLetter> {
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0 || !outgoingRights(p.actor, letter0, await chainPositions(letter0.id)).view) throw new NotFoundError('Surat tidak ditemukan.');
  const holding = assertSignable(p.actor, letter0);
  if (p.expectedLockVersion !== undefined && p.expectedLockVersion !== letter0.lockVersion) {
    throw new ConflictError('Konsep ini baru saja diubah. Muat ulang halaman, baca versi terbaru, lalu tanda tangani.');
  }
  const locked = await lockedMinutes(throttleKey(p.actor.user.id));
  if (locked) throw new AppError('signing_throttled', `Terlalu banyak passphrase salah. Coba lagi dalam ${locked} menit.`, 429);
  if (!p.passphrase) throw new ValidationError({ passphrase: 'Isi passphrase sertifikat elektronik Anda.' });
  if (p.passphrase.length > 200) throw new ValidationError({ passphrase: 'Passphrase terlalu panjang.' });

  const id = await identityOf(p, letter0);

  const content = await contentOf(letter0);
  const hash = hashContent(content);
  if (hash !== letter0.currentHash) throw new ConflictError('Isi konsep tidak sesuai dengan versi terakhirnya. Muat ulang halaman.');
  const prepared = await prepareLetterNumber({
    actor: p.actor, jenisNaskahCode: letter0.jenisNaskahCode, klasifikasiCode: letter0.klasifikasiCode, draftId: letter0.id, perihal: letter0.perihal,
  });
  const signerPos = await Position.findByPk(letter0.signerPositionId!);
  const prefix = holding.kind === 'plt' ? 'Plt. ' : holding.kind === 'plh' ? 'Plh. ' : '';
  const signedName = p.actor.user.name;
  const signedTitle = `${prefix}${signerPos?.name ?? ''}`;
  const footer = footerLines(await getSetting('tte.catatan_kaki'), id.issuerText);
  const code = newVerificationCode();
  const qrPngDataUrl = await QRCode.toDataURL(verificationUrl(code), { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  const baseDoc = await letterDocOf(letter0, content, hash);
  const appended = content.attachments.filter((a) => a.appendToPdf && a.mime === 'application/pdf');
  const appendedBytes = await Promise.all(appended.map((a) => blobBytes(a.sha256)));

  /** Number, blobs and status in one transaction; NumberMoved when another signing took the number. */
  const commit = async (number: string, unsigned: Buffer, signed: Buffer, signedAt: Date, attemptId: number | null): Promise<OutgoingLetter> => {
    const [u, s] = [await blobStore().putBuffer(unsigned), await blobStore().putBuffer(signed)];
    return tx(async (t: Transaction) => {
      const letter = await lockDraft(t, p.letterId, letter0.lockVersion);
      assertSignable(p.actor, letter);
      assertTransition(letter, 'ditandatangani', 'ditandatangani');
      const row = await takeLetterNumber(t, prepared);
      if (row.number !== number) throw new NumberMoved();
      for (const b of [{ sha: u.sha256, size: u.size }, { sha: s.sha256, size: s.size }]) {
        await Blob.findOrCreate({ where: { sha256: b.sha }, defaults: { sha256: b.sha, size: b.size, mime: 'application/pdf' }, transaction: t });
      }
      if (attemptId && !(await settleAttempt(attemptId, { status: 'berhasil', signedBlobSha: s.sha256 }, t))) throw new ConflictError('Percobaan penandatanganan ini sudah ditutup.');
      const before = draftSnapshot(letter);
      await saveDraft(t, letter, {
        status: 'ditandatangani', letterNumber: number, letterDate: prepared.letterDate, verificationCode: code,
        unsignedBlobSha: u.sha256, signedBlobSha: s.sha256, signedAt, signedByUserId: p.actor.user.id, signedName, signedTitle,
        currentHolderPositionId: letter.drafterPositionId,
      });
      if (letter.replacesId) {
        const old = await OutgoingLetter.findByPk(letter.replacesId, { transaction: t, lock: t.LOCK.UPDATE });
        if (old && !old.replacedById) {
          await saveDraft(t, old, { replacedById: letter.id });
          await recordEvent(t, p.actor, { action: 'surat_keluar.diganti', entityType: 'outgoing_letter', entityId: old.id, after: { id: old.id, penggantiId: letter.id, penggantiNomor: number, alasan: old.replaceReason } });
        }
      }
      await recordEvent(t, p.actor, {
        action: 'surat_keluar.ditandatangani', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: [holding.positionId],
        before, after: {
          ...draftSnapshot(letter), nomor: number, tanggal: prepared.letterDate,
          ...(id.remote ? { layanan: 'bsre', percobaan: attemptId } : { sertifikat: id.certSubject, sertifikatId: id.certId }),
          pdfTanpaTtd: u.sha256, pdfTtd: s.sha256, kodeVerifikasi: code, versi: letter.currentVersionNo, hash: letter.currentHash,
        },
      });
      await notifyPosition(t, letter.drafterPositionId, {
        kind: 'surat_ditandatangani', title: `Ditandatangani: ${draftSubject(letter)}`.slice(0, 300), body: `Nomor ${number}. Surat siap dikirim.`,
        url: `/surat-keluar/${letter.id}`, dedupeKey: `ttd:${letter.id}`,
      }, p.actor.user.id);
      return letter;
    });
  };

  /** A BSrE answer that came after the signer was told "unknown": use it if its number is still free, else keep it on the attempt. */
  const settleLate = async (attemptId: number, number: string, unsigned: Buffer, signedAt: Date, r: { files: Buffer[] } | { error: BsreError }) => {
    if ('error' in r) {
      await settleAttempt(attemptId, { status: 'gagal', errorCode: r.error.bsreCode === 'bsre_unknown_outcome' ? 'tanpa_jawaban' : r.error.bsreCode, message: r.error.bsreCode === 'bsre_unknown_outcome' ? 'BSrE tidak menjawab; tidak ada berkas bertanda tangan yang diterima dan nomor surat tidak terpakai. Surat dapat ditandatangani lagi.' : r.error.message });
      return;
    }
    try {
      const letter = await commit(number, unsigned, r.files[0], signedAt, attemptId);
      await tx((t) => notifyUsers(t, [p.actor.user], { kind: 'surat_ditandatangani', title: `Ditandatangani: ${draftSubject(letter)}`.slice(0, 300), body: `Jawaban BSrE datang terlambat; surat kini bernomor ${number}.`, url: `/surat-keluar/${letter.id}`, dedupeKey: `ttd-terlambat:${letter.id}` }));
    } catch (err) {
      const kept = await blobStore().putBuffer(r.files[0]);
      await Blob.findOrCreate({ where: { sha256: kept.sha256 }, defaults: { sha256: kept.sha256, size: kept.size, mime: 'application/pdf' } });
      await settleAttempt(attemptId, { status: 'gagal', errorCode: 'jawaban_terlambat', signedBlobSha: kept.sha256,
        message: `Jawaban BSrE datang terlambat dengan nomor ${number}, tetapi ${err instanceof NumberMoved ? 'nomor itu sudah dipakai surat lain' : 'surat sudah berubah'}; berkas itu disimpan sebagai arsip percobaan dan tidak berlaku.` });
      await auditFailure(p.actor, letter0, 'jawaban_terlambat_ditolak', (err as Error).message);
    }
  };

  for (let attempt = 0; attempt < 5; attempt++) {
    const number = await peekNumber(prepared);
    const signedAt = now();
    const doc = {
      ...baseDoc, number, date: new Date(`${prepared.letterDate}T00:00:00Z`), watermark: null,
      stamp: { qrPngDataUrl, lines: [`Ditandatangani secara elektronik oleh: ${signedName.toUpperCase()}, ${signedTitle.toUpperCase()}`, ...footer] },
    };
    let unsigned = await renderLetterPdf(doc);
    if (appendedBytes.length) unsigned = await appendPdfAttachments(unsigned, appendedBytes);
    const req = {
      passphrase: p.passphrase, name: signedName, reason: `Menandatangani surat ${number}`, location: config().orgRegion, signingTime: signedAt,
      expectedSubject: p.actor.user.nip ? { nip: p.actor.user.nip } : { name: signedName },
    };
    let signed: Buffer;
    let attemptId: number | null = null;
    if (id.remote) {
      const grace = lateGraceMs();
      const a = await openAttempt({ letterId: letter0.id, kind: 'ttd', userId: p.actor.user.id, transport: 'bsre', plannedNumber: number, batchId: p.batchId ?? null, settleMs: id.client.o.timeoutMs + grace + 60_000 });
      attemptId = a.id;
      const transport = new BsreTransport(id.client, id.nik, { graceMs: grace, whenLate: (r) => { void settleLate(a.id, number, unsigned, signedAt, r).catch((e: Error) => console.error('ttd: jawaban BSrE terlambat tidak dapat disimpan', e)); } });
      try {
        signed = await transport.sign(unsigned, req);
      } catch (err) {
        if (!(err instanceof BsreError)) {
          await settleAttempt(a.id, { status: 'gagal', errorCode: 'gagal_teknis', message: (err as Error).message });
          await auditFailure(p.actor, letter0, 'gagal_teknis', (err as Error).message);
          throw new AppError('signing_failed', 'Penandatanganan gagal karena kesalahan teknis. Tidak ada yang ditandatangani; coba lagi atau hubungi admin.', 500);
        }
        if (err.bsreCode === 'bsre_unknown_outcome') {
          await settleAttempt(a.id, { status: 'tidak_pasti', errorCode: err.bsreCode, message: err.detail });
          await auditFailure(p.actor, letter0, 'bsre_tanpa_jawaban', err.detail ?? undefined);
          throw new AppError('signing_pending', `${err.message} Jangan menandatangani ulang dahulu: nomor ${number} belum dipakai dan tidak ada dua berkas yang akan berlaku.`, 409);
        }
        if (err.bsreCode === 'bsre_unreachable') {
          await markService(false, err.detail ?? err.message);
          await recordUnreachable(p.actor, letter0, err.detail ?? err.message, a.id);
          throw new AppError('bsre_unreachable', `${err.message} Surat tetap menunggu TTE; Anda dan pembuat konsep diberi tahu saat layanan pulih.`, 503);
        }
        await settleAttempt(a.id, { status: 'gagal', errorCode: err.bsreCode, message: err.detail ?? err.message });
        await auditFailure(p.actor, letter0, err.bsreCode, err.detail ?? undefined);
        if (err.bsreCode === 'bsre_passphrase') await countWrongPassphrase(p.actor);
        if (err.bsreCode === 'bsre_status' || err.bsreCode === 'bsre_not_registered') clearStatusCache();
        throw err;
      }
    } else {
      try {
        signed = await id.transport.sign(unsigned, req);
      } catch (err) {
        if (err instanceof SigningError) {
          await auditFailure(p.actor, letter0, err.code);
          if (err.code === 'sign_passphrase') await countWrongPassphrase(p.actor);
          throw err;
        }
        await auditFailure(p.actor, letter0, 'gagal_teknis', (err as Error).message);
        throw new AppError('signing_failed', 'Penandatanganan gagal karena kesalahan teknis. Tidak ada yang ditandatangani; coba lagi atau hubungi admin.', 500);
      }
    }
    try {
      const done = await commit(number, unsigned, signed, signedAt, attemptId);
      await clearKey(throttleKey(p.actor.user.id));
      return done;
    } catch (err) {
      if (err instanceof NumberMoved) {
        if (attemptId) await settleAttempt(attemptId, { status: 'gagal', errorCode: 'nomor_bergeser', message: `Nomor ${number} dipakai surat lain selagi BSrE menandatangani; diulang dengan nomor berikutnya.` });
        continue;
      }
      if (attemptId) await settleAttempt(attemptId, { status: 'gagal', errorCode: 'gagal_simpan', message: (err as Error).message });
      if (!(err instanceof AppError)) await auditFailure(p.actor, letter0, 'gagal_simpan', (err as Error).message);
      throw err;
    }
  }
  await auditFailure(p.actor, letter0, 'nomor_bergeser');
  throw new ConflictError('Banyak surat ditandatangani bersamaan; coba lagi sebentar lagi.');
}
