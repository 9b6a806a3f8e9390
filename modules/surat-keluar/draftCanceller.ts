import { OutgoingLetter, OutgoingParaf } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { chainPositions, outgoingRights } from './policies/outgoing';
import { assertTransition, draftSnapshot, draftSubject, lockDraft, saveDraft } from './outgoingCommon';
import type { Actor } from '../../platform/actor';

export interface CancelDraftProps { actor: Actor; letterId: number; reason: string; expectedLockVersion: number }

/**
 * draftCanceller ("Batalkan konsep"): the drafter withdraws a draft that will not be sent, at
 * any point before it is signed, with a reason. Waiting paraf steps are voided, the draft leaves
 * the lists (its page and history stay, marked "Dibatalkan"), and whoever held it is told.
 * One transaction, audited.
 */
export async function cancelDraft(p: CancelDraftProps): Promise<void> {
  const reason = (p.reason ?? '').trim();
  if (!reason) throw new ValidationError({ reason: 'Tulis alasan pembatalan konsep.' });
  if (reason.length > 1000) throw new ValidationError({ reason: 'Alasan maksimal 1000 karakter.' });
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0) throw new NotFoundError('Konsep surat tidak ditemukan.');
  const rights = outgoingRights(p.actor, letter0, await chainPositions(letter0.id));
  if (!rights.view) throw new NotFoundError('Konsep surat tidak ditemukan.');
  await tx(async (t) => {
    const letter = await lockDraft(t, p.letterId, p.expectedLockVersion);
    assertTransition(letter, 'dibatalkan', 'dibatalkan');
    if (!outgoingRights(p.actor, letter, await chainPositions(letter.id, t)).cancel) {
      throw new ForbiddenError('Hanya pembuat konsep yang dapat membatalkannya.');
    }
    const at = now();
    const heldBy = letter.currentHolderPositionId;
    const before = draftSnapshot(letter);
    await OutgoingParaf.update({ status: 'batal', voidedAt: at }, { where: { letterId: letter.id, status: 'menunggu' }, transaction: t });
    await saveDraft(t, letter, { status: 'dibatalkan', currentHolderPositionId: null });
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.dibatalkan', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: [letter.drafterPositionId],
      before, after: { ...draftSnapshot(letter), alasan: reason },
    });
    if (heldBy && heldBy !== letter.drafterPositionId) {
      await notifyPosition(t, heldBy, {
        kind: 'konsep_dibatalkan', title: `Konsep dibatalkan oleh pembuatnya: ${draftSubject(letter)}`.slice(0, 300),
        body: letter.sifat === 'rahasia' || letter.sifat === 'sangat_rahasia' ? null : reason, url: `/surat-keluar/${letter.id}`,
        dedupeKey: `konsep-batal:${letter.id}`,
      }, p.actor.user.id);
    }
  });
}
