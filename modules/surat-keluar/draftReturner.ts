import { OutgoingLetter, OutgoingParaf } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { chainPositions, outgoingRights } from './policies/outgoing';
import { assertTransition, currentSteps, draftSnapshot, draftSubject, lockDraft, positionNames, saveDraft } from './outgoingCommon';
import { stepForActor } from './parafGiver';
import type { Actor, Holding } from '../../platform/actor';

export interface ReturnDraftProps { actor: Actor; letterId: number; note: string; versionHash: string }

/**
 * draftReturner ("Kembalikan"): the verifier whose turn it is (or the signer, once the draft is
 * ready to sign) sends it back to the drafter with a required note. The verifier's step keeps
 * the return as history and waits again; parafs already given stay valid while the content
 * stays the same (an edit voids them). One transaction, audited, the drafter notified.
 */
export async function returnDraft(p: ReturnDraftProps): Promise<void> {
  const note = (p.note ?? '').trim();
  if (!note) throw new ValidationError({ note: 'Tulis catatan: apa yang perlu diperbaiki pembuat konsep.' });
  if (note.length > 2000) throw new ValidationError({ note: 'Catatan maksimal 2000 karakter.' });
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0 || !outgoingRights(p.actor, letter0, await chainPositions(letter0.id)).view) throw new NotFoundError('Konsep surat tidak ditemukan.');
  await tx(async (t) => {
    const letter = await lockDraft(t, p.letterId);
    let holding: Holding;
    let stepNo: number | null = null;
    if (letter.status === 'siap_ttd') {
      const h = p.actor.holdings.find((x) => x.positionId === letter.signerPositionId);
      if (!h) throw new ForbiddenError('Hanya penanda tangan yang dapat mengembalikan konsep yang siap ditandatangani.');
      holding = h;
    } else {
      const steps = await currentSteps(letter.id, t);
      const r = await stepForActor(p.actor, letter, steps, t);
      holding = r.holding;
      stepNo = r.step.stepNo;
      const at = now();
      await r.step.update({
        status: 'dikembalikan', versionNo: letter.currentVersionNo, versionHash: letter.currentHash, note,
        actedByUserId: p.actor.user.id, acting: holding.kind === 'definitif' ? null : holding.kind, actedAt: at,
      }, { transaction: t });
      await OutgoingParaf.create({
        letterId: letter.id, stepNo: r.step.stepNo, positionId: r.step.positionId, status: 'menunggu', versionNo: null, versionHash: null, note: null,
        actedByUserId: null, acting: null, actedAt: null, voidedAt: null, createdAt: at,
      }, { transaction: t });
    }
    if (p.versionHash !== letter.currentHash) {
      throw new ConflictError(`Konsep sudah diubah sejak Anda membukanya (sekarang versi ${letter.currentVersionNo}). Baca versi terbaru dahulu.`);
    }
    assertTransition(letter, 'dikembalikan', 'dikembalikan');
    const before = draftSnapshot(letter);
    await saveDraft(t, letter, { status: 'dikembalikan', currentHolderPositionId: letter.drafterPositionId });
    const names = await positionNames([holding.positionId], t);
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.dikembalikan', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: [holding.positionId],
      before, after: { ...draftSnapshot(letter), langkah: stepNo, oleh: names.get(holding.positionId), versi: letter.currentVersionNo, catatan: note },
    });
    await notifyPosition(t, letter.drafterPositionId, {
      kind: 'konsep_dikembalikan', title: `Konsep dikembalikan oleh ${names.get(holding.positionId)}: ${draftSubject(letter)}`.slice(0, 300),
      // A confidential draft's note stays in the application (notifications may go out by e-mail).
      body: letter.sifat === 'rahasia' || letter.sifat === 'sangat_rahasia' ? null : note, url: `/surat-keluar/${letter.id}`, dedupeKey: `konsep:${letter.id}:${letter.lockVersion}`,
    }, p.actor.user.id);
  });
}
