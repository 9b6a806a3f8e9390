import { Op } from 'sequelize';
import { OutgoingLetter, SigningAttempt, SigningCertificate, SigningServiceStatus, User } from '../../models';
import { config } from '../../config';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { tanggal, tanggalJam } from '../../platform/dates';
import { notifyPosition, notifyUsers } from '../../platform/notifier';
import { BsreClient, BsreError, BSRE_STATUS_TEXT, type BsreStatus, type StatusResult } from './bsre/client';
import { bsreClient } from './bsre/transport';

/**
 * Certificate status before it matters: whether a signer can sign today, told to the drafter
 * when a draft names a signer and to the signer before any passphrase is typed.
 * - Local P12 (SIGNING_TRANSPORT=local): the active certificate's validity; a warning from 30 and
 *   from 7 days before it expires (also as a notification, `warnExpiringCertificates`).
 * - BSrE: the user's NIK (validated, never shown) and BSrE's status for it (only ISSUE signs),
 *   asked at most every BSRE_STATUS_CACHE_SECONDS; while BSrE is unreachable the status is
 *   "unknown" with the reason, and the scheduler asks again (`checkSigningService`).
 */
export interface CertStatus {
  source: 'local' | 'bsre';
  /** ok: can sign; warn: can sign, but expires soon; error: cannot sign; unknown: BSrE not reachable. */
  tone: 'ok' | 'warn' | 'error' | 'unknown';
  usable: boolean;
  text: string;
  validTo?: Date | null;
  daysLeft?: number | null;
  bsreStatus?: string | null;
}

const DAY = 86_400_000;
export const EXPIRY_WARN_DAYS = [30, 7] as const;

const cache = new Map<string, { at: number; r: StatusResult }>();
export function clearStatusCache(): void { cache.clear(); }

/** Short timeouts: a status check must never hold a page up for long. */
function statusClient(c: BsreClient): BsreClient {
  return new BsreClient({ ...c.o, timeoutMs: Math.min(c.o.timeoutMs, 5000), connectTimeoutMs: Math.min(c.o.timeoutMs, 3000) });
}

export async function serviceState(service = 'bsre'): Promise<SigningServiceStatus | null> {
  return SigningServiceStatus.findByPk(service);
}

/** Record that the service answered (true) or not (false, with why). Returns whether it just came back. */
export async function markService(reachable: boolean, reason: string | null, service = 'bsre'): Promise<boolean> {
  const at = now();
  const cur = await SigningServiceStatus.findByPk(service);
  if (!cur) {
    await SigningServiceStatus.create({ service, reachable, reason: reachable ? null : reason, downSince: reachable ? null : at, checkedAt: at }).catch(async () => {
      await SigningServiceStatus.update({ reachable, reason: reachable ? null : reason, checkedAt: at }, { where: { service } });
    });
    return false;
  }
  const cameBack = reachable && !cur.reachable;
  await SigningServiceStatus.update({
    reachable, reason: reachable ? null : reason, checkedAt: at, downSince: reachable ? null : (cur.reachable ? at : cur.downSince),
  }, { where: { service } });
  return cameBack;
}

/** BSrE's status for a NIK (cached). Throws BsreError when BSrE cannot be asked. */
export async function bsreStatusOf(nik: string, fresh = false): Promise<StatusResult> {
  const client = bsreClient();
  if (!client) throw new Error('BSrE is not configured');
  const hit = cache.get(nik);
  const ttl = config().bsre?.statusCacheMs ?? 0;
  if (!fresh && hit && now().getTime() - hit.at < ttl) return hit.r;
  try {
    const r = await statusClient(client).status(nik);
    cache.set(nik, { at: now().getTime(), r });
    void markService(true, null).then((back) => (back ? announceRecovery() : 0)).catch(() => undefined);
    return r;
  } catch (err) {
    if (err instanceof BsreError && err.bsreCode === 'bsre_unreachable') await markService(false, err.detail ?? err.message);
    throw err;
  }
}

function unknownStatus(reason: string, since: Date | null): CertStatus {
  return { source: 'bsre', tone: 'unknown', usable: false, text: `Layanan TTE BSrE tidak dapat dihubungi${since ? ` sejak ${tanggalJam(since)}` : ''} (${reason}). Naskah memeriksanya lagi secara berkala; Anda diberi tahu saat layanan pulih.` };
}

/** Whether the user can sign today, and what to tell them (or the drafter) if not. */
export async function signerCertificateStatus(userId: number, opts: { fresh?: boolean } = {}): Promise<CertStatus> {
  if (config().signingTransport === 'bsre' && bsreClient()) {
    const u = await User.findByPk(userId, { attributes: ['id', 'nik'] });
    if (!u?.nik) return { source: 'bsre', tone: 'error', usable: false, text: 'NIK penanda tangan belum tercatat di Naskah, padahal BSrE mengenali penanda tangan dari NIK. Minta admin mengisi NIK pada data pengguna.' };
    const svc = await serviceState();
    if (svc && !svc.reachable && !opts.fresh && now().getTime() - svc.checkedAt.getTime() < 60_000) return unknownStatus(svc.reason ?? 'tidak ada jawaban', svc.downSince);
    try {
      const r = await bsreStatusOf(u.nik, opts.fresh);
      if (r.status === 'ISSUE') return { source: 'bsre', tone: 'ok', usable: true, text: BSRE_STATUS_TEXT.ISSUE, bsreStatus: r.status };
      const text = BSRE_STATUS_TEXT[r.status as BsreStatus] ?? `Status sertifikat BSrE: ${r.status}. Hanya sertifikat berstatus ISSUE yang dapat menandatangani.`;
      return { source: 'bsre', tone: 'error', usable: false, text, bsreStatus: r.status };
    } catch (err) {
      if (err instanceof BsreError && err.bsreCode === 'bsre_unreachable') {
        const s = await serviceState();
        return unknownStatus(err.detail ?? 'tidak ada jawaban', s?.downSince ?? null);
      }
      if (err instanceof BsreError) return { source: 'bsre', tone: 'error', usable: false, text: err.message };
      throw err;
    }
  }
  const cert = await SigningCertificate.findOne({ where: { userId, active: true }, order: [['uploadedAt', 'DESC'], ['id', 'DESC']] });
  if (!cert) return { source: 'local', tone: 'error', usable: false, text: 'Belum ada sertifikat elektronik (P12) di Naskah untuk penanda tangan ini. Minta admin mengimpornya sebelum surat ditandatangani.' };
  const at = now().getTime();
  if (cert.validFrom.getTime() > at) return { source: 'local', tone: 'error', usable: false, text: `Sertifikat elektronik baru berlaku mulai ${tanggal(cert.validFrom)}.`, validTo: cert.validTo };
  const daysLeft = Math.floor((cert.validTo.getTime() - at) / DAY);
  if (cert.validTo.getTime() < at) return { source: 'local', tone: 'error', usable: false, text: `Sertifikat elektronik sudah kedaluwarsa sejak ${tanggal(cert.validTo)}. Minta admin mengimpor sertifikat yang berlaku.`, validTo: cert.validTo, daysLeft };
  if (daysLeft <= EXPIRY_WARN_DAYS[0]) {
    return { source: 'local', tone: 'warn', usable: true, validTo: cert.validTo, daysLeft,
      text: `Sertifikat elektronik berakhir ${tanggal(cert.validTo)} (${daysLeft <= 0 ? 'hari ini' : `${daysLeft} hari lagi`}). Ajukan perpanjangan sekarang agar surat tidak tertahan.` };
  }
  return { source: 'local', tone: 'ok', usable: true, text: `Sertifikat elektronik berlaku sampai ${tanggal(cert.validTo)}.`, validTo: cert.validTo, daysLeft };
}

/** Scheduler: notify holders of local certificates 30 and 7 days before they expire (once each). */
export async function warnExpiringCertificates(): Promise<number> {
  if (config().signingTransport !== 'local') return 0;
  const at = now().getTime();
  const certs = await SigningCertificate.findAll({ where: { active: true, validTo: { [Op.gt]: new Date(at), [Op.lte]: new Date(at + EXPIRY_WARN_DAYS[0] * DAY) } } });
  let n = 0;
  for (const c of certs) {
    const days = Math.floor((c.validTo.getTime() - at) / DAY);
    const mark = days <= EXPIRY_WARN_DAYS[1] ? EXPIRY_WARN_DAYS[1] : EXPIRY_WARN_DAYS[0];
    const u = await User.findByPk(c.userId);
    if (!u) continue;
    n += await tx((t) => notifyUsers(t, [u], {
      kind: 'sertifikat_berakhir', title: `Sertifikat elektronik Anda berakhir ${tanggal(c.validTo)}`,
      body: `Tinggal ${days} hari. Ajukan perpanjangan dan minta admin mengimpor sertifikat baru agar surat tidak tertahan.`, url: '/notifikasi',
      dedupeKey: `sertifikat:${c.id}:${mark}`,
    }));
  }
  return n;
}

/** Letters waiting for a signature that failed because the service was down. */
async function lettersHeldByOutage(): Promise<OutgoingLetter[]> {
  const failed = await SigningAttempt.findAll({ where: { status: 'gagal', errorCode: 'bsre_unreachable' }, attributes: ['letterId'], group: ['letterId'] });
  if (!failed.length) return [];
  return OutgoingLetter.findAll({ where: { id: failed.map((a) => a.letterId), status: 'siap_ttd' } });
}

/** Tell the signers and drafters of held letters that signing works again. */
export async function announceRecovery(): Promise<number> {
  const letters = await lettersHeldByOutage();
  const svc = await serviceState();
  const stamp = (svc?.checkedAt ?? now()).toISOString().slice(0, 16);
  let n = 0;
  for (const l of letters) {
    n += await tx(async (t) => {
      const note = { kind: 'tte_pulih', title: `Layanan TTE pulih: ${l.perihal}`.slice(0, 300), body: 'Surat dapat ditandatangani lagi; ketik passphrase sekali lagi.', url: `/surat-keluar/${l.id}`, letterId: null, dedupeKey: `tte-pulih:${l.id}:${stamp}` };
      let k = 0;
      if (l.signerPositionId) k += await notifyPosition(t, l.signerPositionId, note);
      if (l.drafterPositionId && l.drafterPositionId !== l.signerPositionId) k += await notifyPosition(t, l.drafterPositionId, note);
      return k;
    });
  }
  return n;
}

/** Scheduler: while BSrE is known to be down, ask again; when it answers, announce it. */
export async function checkSigningService(): Promise<'tidak_dipakai' | 'tersedia' | 'pulih' | 'terputus'> {
  const client = bsreClient();
  if (config().signingTransport !== 'bsre' || !client) return 'tidak_dipakai';
  const svc = await serviceState();
  if (svc?.reachable !== false) return 'tersedia';
  const probe = await User.findOne({ where: { nik: { [Op.ne]: null } }, attributes: ['nik'] });
  try {
    await statusClient(client).status(probe?.nik ?? '0000000000000000');
  } catch (err) {
    if (err instanceof BsreError && err.bsreCode === 'bsre_unreachable') { await markService(false, err.detail ?? err.message); return 'terputus'; }
    // Any other answer (even an error about the NIK) means the service is there.
  }
  clearStatusCache();
  const back = await markService(true, null);
  if (back) await announceRecovery();
  return 'pulih';
}
