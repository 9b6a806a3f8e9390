import { OutgoingLetter } from '../../models';
import { tx } from '../../platform/db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { outgoingRights, chainPositions } from './policies/outgoing';
import { completenessErrors } from './outgoingFields';
import { validateChain } from './parafChain';
import { assertTransition, contentOf, currentSteps, draftSnapshot, draftSubject, lockDraft, routeChanges, positionNames, routeInChain, saveDraft } from './outgoingCommon';
import type { Actor } from '../../platform/actor';

export interface SubmitDraftProps { actor: Actor; letterId: number; expectedLockVersion: number }

/**
 * draftSubmitter ("Ajukan"): the drafter sends a complete draft into its paraf chain. It goes
 * to the first verifier without a valid paraf (after a return, parafs still bound to the
 * current version stand), or straight to the signer when every paraf is in or there are no
 * verifiers. The chain is checked again as it stands today (a Plt signing form needs a Plt).
 * One transaction: status, holder, audit, notification of the new holder.
 */
export async function submitDraft(p: SubmitDraftProps): Promise<{ status: OutgoingLetter['status']; holderName: string }> {
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0) throw new NotFoundError('Konsep surat tidak ditemukan.');
  const rights = outgoingRights(p.actor, letter0, await chainPositions(letter0.id));
  if (!rights.submit) {
    if (letter0.status === 'konsep' || letter0.status === 'dikembalikan') throw new ForbiddenError('Hanya pembuat konsep yang dapat mengajukan konsep ini.');
    throw new ConflictError('Konsep ini sudah diajukan dan sedang dalam proses paraf atau tanda tangan.');
  }
  const content = await contentOf(letter0);
  const steps = await currentSteps(letter0.id);
  const errors = completenessErrors(content);
  const { errors: chainErrors } = await validateChain(letter0.drafterPositionId, {
    verifiers: steps.map((s) => String(s.positionId)), signer: content.signerPositionId ? String(content.signerPositionId) : '', signingForm: content.signingForm ?? '',
  }, true);
  Object.assign(errors, chainErrors);
  if (Object.keys(errors).length) throw new ValidationError(errors, 'Konsep belum dapat diajukan. Lengkapi isian yang ditandai.');

  return tx(async (t) => {
    const letter = await lockDraft(t, p.letterId, p.expectedLockVersion);
    const route = await routeInChain(t, letter);
    assertTransition(letter, route.status, 'diajukan');
    const before = draftSnapshot(letter);
    await saveDraft(t, letter, routeChanges(letter, route));
    const holderName = (await positionNames([route.holder], t)).get(route.holder ?? 0) ?? '';
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.diajukan', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: [letter.drafterPositionId],
      before, after: { ...draftSnapshot(letter), kepada: holderName },
    });
    if (route.holder) {
      await notifyPosition(t, route.holder, route.status === 'siap_ttd'
        ? { kind: 'konsep_siap_ttd', title: `Siap ditandatangani: ${draftSubject(letter)}`.slice(0, 300), url: `/surat-keluar/${letter.id}`, dedupeKey: `konsep:${letter.id}:${letter.lockVersion}` }
        : { kind: 'konsep_paraf', title: `Konsep menunggu paraf Anda: ${draftSubject(letter)}`.slice(0, 300), body: `Versi ${letter.currentVersionNo}.`, url: `/surat-keluar/${letter.id}`, dedupeKey: `konsep:${letter.id}:${letter.lockVersion}` },
      p.actor.user.id);
    }
    return { status: letter.status, holderName };
  });
}
