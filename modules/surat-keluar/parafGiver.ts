import type { Transaction } from 'sequelize';
import { OutgoingLetter } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { chainPositions, outgoingRights } from './policies/outgoing';
import { assertTransition, currentSteps, draftSnapshot, draftSubject, lockDraft, routeChanges, nextStep, positionNames, routeInChain, saveDraft } from './outgoingCommon';
import type { Actor, Holding } from '../../platform/actor';
import type { OutgoingParaf } from '../../models';

export interface ParafProps {
  actor: Actor; letterId: number;
  /** The hash of the version the verifier read: a paraf is given on exactly that content. */
  versionHash: string;
  note?: string;
}

/**
 * The verifier step the actor acts on now, or a refusal saying why not: not in the chain
 * (403), not their turn yet or already given (409), the draft not in paraf (409).
 */
export async function stepForActor(actor: Actor, letter: OutgoingLetter, steps: OutgoingParaf[], t?: Transaction): Promise<{ step: OutgoingParaf; holding: Holding }> {
  const mine = new Map(actor.holdings.map((h) => [h.positionId, h]));
  const own = steps.filter((s) => mine.has(s.positionId));
  if (!own.length) {
    const isSigner = letter.signerPositionId && mine.has(letter.signerPositionId);
    throw new ForbiddenError(isSigner
      ? 'Penanda tangan tidak memberi paraf; konsep akan sampai kepada Anda setelah semua paraf diberikan.'
      : 'Anda tidak termasuk dalam rantai paraf konsep ini.');
  }
  if (letter.status !== 'dalam_paraf') {
    throw new ConflictError(letter.status === 'siap_ttd' ? 'Semua paraf sudah diberikan; konsep ini menunggu tanda tangan.' : 'Konsep ini tidak sedang menunggu paraf.');
  }
  const next = nextStep(steps);
  const mineNow = next && mine.has(next.positionId) ? next : undefined;
  if (!mineNow) {
    const waiting = own.find((s) => s.status === 'menunggu');
    if (!waiting) throw new ConflictError('Anda sudah memberi paraf pada versi konsep ini.');
    const names = await positionNames([next?.positionId], t);
    throw new ConflictError(`Belum giliran Anda: konsep ini masih menunggu paraf ${names.get(next?.positionId ?? 0) ?? 'pemaraf sebelumnya'}.`);
  }
  return { step: mineNow, holding: mine.get(mineNow.positionId)! };
}

/**
 * parafGiver: the verifier whose turn it is gives paraf on the version they read. The paraf
 * is bound to that version's hash; the draft moves to the next verifier, or to the signer
 * ("siap_ttd") after the last. Out of order, outside the chain, or on a version that changed
 * since it was read: refused. One transaction, audited, the next holder notified.
 */
export async function giveParaf(p: ParafProps): Promise<{ status: OutgoingLetter['status']; holderName: string }> {
  const note = (p.note ?? '').trim();
  if (note.length > 1000) throw new ValidationError({ note: 'Catatan paraf maksimal 1000 karakter.' });
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0 || !outgoingRights(p.actor, letter0, await chainPositions(letter0.id)).view) throw new NotFoundError('Konsep surat tidak ditemukan.');
  return tx(async (t) => {
    const letter = await lockDraft(t, p.letterId);
    const { step, holding } = await stepForActor(p.actor, letter, await currentSteps(letter.id, t), t);
    if (p.versionHash !== letter.currentHash) {
      throw new ConflictError(`Konsep sudah diubah sejak Anda membukanya (sekarang versi ${letter.currentVersionNo}). Baca versi terbaru, lalu beri paraf.`);
    }
    const at = now();
    await step.update({
      status: 'paraf', versionNo: letter.currentVersionNo, versionHash: letter.currentHash, note: note || null,
      actedByUserId: p.actor.user.id, acting: holding.kind === 'definitif' ? null : holding.kind, actedAt: at,
    }, { transaction: t });
    const route = await routeInChain(t, letter);
    assertTransition(letter, route.status, 'diteruskan');
    const before = draftSnapshot(letter);
    await saveDraft(t, letter, routeChanges(letter, route));
    const names = await positionNames([step.positionId, route.holder], t);
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.paraf', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: [step.positionId],
      before, after: { ...draftSnapshot(letter), langkah: step.stepNo, pemaraf: names.get(step.positionId), versi: step.versionNo, hash: step.versionHash, catatan: note || null },
    });
    if (route.holder) {
      await notifyPosition(t, route.holder, route.status === 'siap_ttd'
        ? { kind: 'konsep_siap_ttd', title: `Siap ditandatangani: ${draftSubject(letter)}`.slice(0, 300), body: 'Semua paraf sudah diberikan.', url: `/surat-keluar/${letter.id}`, dedupeKey: `konsep:${letter.id}:${letter.lockVersion}` }
        : { kind: 'konsep_paraf', title: `Konsep menunggu paraf Anda: ${draftSubject(letter)}`.slice(0, 300), body: `Sudah diparaf ${names.get(step.positionId)}.`, url: `/surat-keluar/${letter.id}`, dedupeKey: `konsep:${letter.id}:${letter.lockVersion}` },
      p.actor.user.id);
    }
    return { status: letter.status, holderName: names.get(route.holder ?? 0) ?? '' };
  });
}
