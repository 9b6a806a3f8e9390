import { Op, type Transaction } from 'sequelize';
import { OutgoingLetter, SigningAttempt, type SigningAttemptStatus } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ConflictError } from '../../platform/errors';
import { tanggalJam } from '../../platform/dates';
import { recordEvent } from '../../platform/audit';
import { systemActor } from '../../platform/actor';

/**
 * The record of each call to a remote signing service (BSrE), so that a timeout or a crash after
 * the request left can never give a letter two numbers or two signed files, or lose a signed file:
 * - `openAttempt` writes the attempt (berjalan) before the call, under the letter's row lock, and
 *   refuses a second one while one is open (two tabs, two clicks, a bulk run and a single signing);
 * - the caller settles it: berhasil (with the signed file), gagal (with BSrE's code), or
 *   tidak_pasti (the request left, no answer in time: Naskah keeps listening until settleBy);
 * - `sweepAttempts` (scheduler) closes attempts still open after settleBy: no answer came, no
 *   signed file reached Naskah and no number was taken, so the letter may be signed again.
 */
export const OPEN_STATUSES: SigningAttemptStatus[] = ['berjalan', 'tidak_pasti'];

export async function openAttempt(a: { letterId: number; kind: 'ttd' | 'pengesahan'; userId: number; transport: string; plannedNumber: string | null; batchId?: string | null; settleMs: number }): Promise<SigningAttempt> {
  return tx(async (t) => {
    await OutgoingLetter.findByPk(a.letterId, { transaction: t, lock: t.LOCK.UPDATE, attributes: ['id'] });
    const open = await SigningAttempt.findOne({ where: { letterId: a.letterId, kind: a.kind, status: OPEN_STATUSES }, transaction: t });
    if (open) {
      throw new ConflictError(open.status === 'berjalan'
        ? `Surat ini sedang ditandatangani (dimulai ${tanggalJam(open.startedAt)}). Tunggu hasilnya; jangan menandatangani dua kali.`
        : `Hasil penandatanganan ${tanggalJam(open.startedAt)} belum diketahui: BSrE belum menjawab. Naskah menunggu jawabannya sampai ${tanggalJam(open.settleBy)}; setelah itu surat dapat ditandatangani lagi.`);
    }
    const at = now();
    return SigningAttempt.create({
      letterId: a.letterId, kind: a.kind, userId: a.userId, transport: a.transport, batchId: a.batchId ?? null, plannedNumber: a.plannedNumber,
      status: 'berjalan', startedAt: at, settleBy: new Date(at.getTime() + a.settleMs),
    }, { transaction: t });
  });
}

export interface Settlement { status: SigningAttemptStatus; errorCode?: string | null; message?: string | null; signedBlobSha?: string | null }

/** Settle an attempt that is still open (a late settlement of a closed one is ignored). Returns whether it changed. */
export async function settleAttempt(id: number, s: Settlement, t?: Transaction): Promise<boolean> {
  const final = s.status === 'berhasil' || s.status === 'gagal';
  const [n] = await SigningAttempt.update({
    status: s.status, errorCode: s.errorCode ?? null, message: s.message?.slice(0, 500) ?? null,
    ...(s.signedBlobSha ? { signedBlobSha: s.signedBlobSha } : {}), ...(final ? { finishedAt: now() } : {}),
  }, { where: { id, status: OPEN_STATUSES }, transaction: t });
  return n > 0;
}

/** Close attempts nobody answered by their deadline (also those a crash left open). */
export async function sweepAttempts(): Promise<number> {
  const stale = await SigningAttempt.findAll({ where: { status: OPEN_STATUSES, settleBy: { [Op.lt]: now() } } });
  let n = 0;
  for (const a of stale) {
    await tx(async (t) => {
      const changed = await settleAttempt(a.id, {
        status: 'gagal', errorCode: 'tanpa_jawaban',
        message: 'BSrE tidak menjawab sampai batas waktu; tidak ada berkas bertanda tangan yang diterima dan nomor surat tidak terpakai. Surat dapat ditandatangani lagi.',
      }, t);
      if (!changed) return;
      n++;
      await recordEvent(t, systemActor('penjadwal'), { action: 'surat_keluar.ttd_tanpa_jawaban', entityType: 'outgoing_letter', entityId: a.letterId, after: { id: a.letterId, percobaan: a.id, nomorRencana: a.plannedNumber } });
    });
  }
  return n;
}

/** The latest attempt of a letter (for its page). */
export async function latestAttempt(letterId: number, kind: 'ttd' | 'pengesahan' = 'ttd'): Promise<SigningAttempt | null> {
  return SigningAttempt.findOne({ where: { letterId, kind }, order: [['id', 'DESC']] });
}
