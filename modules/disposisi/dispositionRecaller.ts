import { Disposition, InboxItem, IncomingLetter } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ForbiddenError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { recallHolding } from './policies/disposition';
import { assertStatus, lockDisposition, saveDisposition } from './dispositionCommon';
import type { Actor } from '../../platform/actor';

/**
 * dispositionRecaller: the disposer takes a disposition back while the recipient has not yet
 * read it (a mistaken target, say). It stays in the tree marked "ditarik" with the reason; the
 * letter leaves the recipient's inbox unless something else keeps it there.
 */
export async function recallDisposition(p: { actor: Actor; dispositionId: number; expectedVersion: number; reason: string }): Promise<Disposition> {
  const reason = (p.reason ?? '').trim();
  if (!reason) throw new ValidationError({ reason: 'Tuliskan alasan penarikan disposisi.' });
  if (reason.length > 500) throw new ValidationError({ reason: 'Alasan maksimal 500 karakter.' });
  return tx(async (t) => {
    const d = await lockDisposition(t, p.dispositionId, p.expectedVersion);
    if (!p.actor.holdings.some((h) => h.positionId === d.fromPositionId)) throw new ForbiddenError('Hanya pengirim disposisi yang dapat menariknya.');
    if (d.status === 'dibaca' || d.status === 'diproses') throw new ValidationError({ reason: 'Disposisi sudah dibaca penerima, sehingga tidak dapat ditarik lagi.' });
    assertStatus(d, ['terkirim'], 'ditarik');
    if (!recallHolding(p.actor, d)) throw new ForbiddenError('Hanya pengirim disposisi yang dapat menariknya.');
    await saveDisposition(t, d, { status: 'ditarik', recalledAt: now(), recallReason: reason });
    const letter = await IncomingLetter.findByPk(d.letterId, { transaction: t });
    const keeps = (await Disposition.count({ where: { letterId: d.letterId, toPositionId: d.toPositionId, status: ['terkirim', 'dibaca', 'diproses'] }, transaction: t })) > 0
      || letter?.addressedPositionId === d.toPositionId;
    if (!keeps) await InboxItem.destroy({ where: { letterId: d.letterId, positionId: d.toPositionId, kind: 'disposisi' }, transaction: t });
    await recordEvent(t, p.actor, {
      action: 'disposisi.ditarik', entityType: 'incoming_letter', entityId: d.letterId,
      before: { disposition: d.id, status: 'terkirim' }, after: { disposition: d.id, status: 'ditarik', alasan: reason }, viaPositionIds: [d.fromPositionId],
    });
    return d;
  });
}
