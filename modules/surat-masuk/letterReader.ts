import { Op } from 'sequelize';
import { Disposition, InboxItem, Notification, type IncomingLetter } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { recordEvent } from '../../platform/audit';
import { type Actor, positionIds } from '../../platform/actor';

/**
 * letterReader: the first time a holder opens a letter, mark it read for each of their
 * positions that has it unread, with the time and the reader, and audit it. Later openings
 * change nothing, so the first read time stays what the disposer sees.
 */
export async function markRead(actor: Actor, letter: Pick<IncomingLetter, 'id'>): Promise<number> {
  // Opening the letter answers its notifications too.
  const unanswered = await Notification.findAll({ where: { userId: actor.user.id, letterId: letter.id, readAt: null }, attributes: ['id'] });
  if (unanswered.length) await Notification.update({ readAt: now() }, { where: { id: unanswered.map((n) => n.id), readAt: null } });
  const mine = positionIds(actor);
  if (!mine.length) return 0;
  const unread = await InboxItem.findAll({ where: { letterId: letter.id, positionId: { [Op.in]: mine }, unread: true } });
  if (!unread.length) return 0;
  return tx(async (t) => {
    const at = now();
    const [n] = await InboxItem.update({ unread: false, readAt: at, readByUserId: actor.user.id },
      { where: { id: unread.map((u) => u.id), unread: true }, transaction: t });
    if (n) {
      // Dispositions to these positions that were still unread are read now, too.
      const positions = unread.map((u) => u.positionId);
      const ds = await Disposition.findAll({ where: { letterId: letter.id, toPositionId: positions, status: 'terkirim' }, transaction: t });
      for (const d of ds) {
        await Disposition.update({ status: 'dibaca', readAt: at, readByUserId: actor.user.id, version: d.version + 1 },
          { where: { id: d.id, status: 'terkirim' }, transaction: t });
      }
      await recordEvent(t, actor, {
        action: 'surat_masuk.dibaca', entityType: 'incoming_letter', entityId: letter.id,
        after: { positions, readAt: at.toISOString(), dispositions: ds.map((d) => d.id) }, viaPositionIds: positions,
      });
    }
    return n;
  });
}
