import { OutgoingLetter, OutgoingRecipient, OutgoingAttachment } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { lockDraft, saveDraft, draftSnapshot, contentOf, hashContent, addVersion } from '../surat-keluar';
import { outgoingRights, chainPositions } from '../surat-keluar';
import type { Actor } from '../../platform/actor';

/** The signer of a signed letter: who signed it, or whoever holds the signer position now. */
export function maySignerAct(actor: Actor, l: OutgoingLetter): boolean {
  return (l.status === 'ditandatangani' || l.status === 'dikirim')
    && (l.signedByUserId === actor.user.id || (!!l.signerPositionId && actor.holdings.some((h) => h.positionId === l.signerPositionId)));
}

async function load(actor: Actor, letterId: number, reason: string): Promise<string> {
  const l = await OutgoingLetter.findByPk(letterId);
  if (!l || !outgoingRights(actor, l, await chainPositions(l.id)).view) throw new NotFoundError('Surat tidak ditemukan.');
  if (!maySignerAct(actor, l)) throw new ForbiddenError('Hanya penanda tangan surat yang dapat mencabut atau menggantinya.');
  const r = (reason ?? '').trim();
  if (r.length < 5) throw new ValidationError({ reason: 'Tuliskan alasannya (paling sedikit 5 karakter).' });
  if (r.length > 1000) throw new ValidationError({ reason: 'Alasan maksimal 1000 karakter.' });
  return r;
}

/**
 * letterRevoker: the signer revokes a signed letter with a reason. The letter and its PDFs stay
 * on record; the public verification page says from then on that it was revoked (and why not:
 * the reason is internal). One transaction, audited.
 */
export async function revokeLetter(p: { actor: Actor; letterId: number; reason: string }): Promise<OutgoingLetter> {
  const reason = await load(p.actor, p.letterId, p.reason);
  return tx(async (t) => {
    const l = await lockDraft(t, p.letterId);
    if (l.revokedAt) throw new ConflictError('Surat ini sudah dicabut.');
    if (l.replacedById) throw new ConflictError('Surat ini sudah diganti dengan surat lain.');
    const before = { ...draftSnapshot(l), revokedAt: null };
    await saveDraft(t, l, { revokedAt: now(), revokedByUserId: p.actor.user.id, revokeReason: reason });
    await recordEvent(t, p.actor, { action: 'surat_keluar.dicabut', entityType: 'outgoing_letter', entityId: l.id, before, after: { ...draftSnapshot(l), nomor: l.letterNumber, alasan: reason } });
    return l;
  });
}

/**
 * Replace a signed letter: a new draft is opened with the same content (held by the signer's
 * position, which may edit it, pick verifiers and submit it as usual) and names the letter it
 * replaces. The old letter stays valid until the replacement is signed; from then on the
 * verification page says it was replaced and by which number (modules/ttd/letterSigner.ts).
 */
export async function replaceLetter(p: { actor: Actor; letterId: number; reason: string }): Promise<OutgoingLetter> {
  const reason = await load(p.actor, p.letterId, p.reason);
  return tx(async (t) => {
    const old = await lockDraft(t, p.letterId);
    if (old.revokedAt) throw new ConflictError('Surat ini sudah dicabut.');
    if (old.replacedById) throw new ConflictError('Surat ini sudah diganti dengan surat lain.');
    if (await OutgoingLetter.findOne({ where: { replacesId: old.id, status: ['konsep', 'dalam_paraf', 'dikembalikan', 'siap_ttd'] }, transaction: t })) {
      throw new ConflictError('Konsep pengganti surat ini sudah ada.');
    }
    const holding = p.actor.holdings.find((h) => h.positionId === old.signerPositionId) ?? p.actor.holdings[0];
    if (!holding) throw new ForbiddenError('Anda tidak memegang jabatan untuk membuat konsep pengganti.');
    const content = await contentOf(old, t);
    const at = now();
    const draft = await OutgoingLetter.create({
      templateKey: old.templateKey, templateValues: old.templateValues, layout: old.layout, jenisNaskahCode: old.jenisNaskahCode, klasifikasiCode: old.klasifikasiCode,
      perihal: old.perihal, sifat: old.sifat, urgensi: old.urgensi, lampiran: old.lampiran, bodyHtml: old.bodyHtml, replyToLetterId: old.replyToLetterId,
      drafterUserId: p.actor.user.id, drafterPositionId: holding.positionId, signerPositionId: old.signerPositionId, signingForm: old.signingForm,
      principalPositionId: old.principalPositionId, status: 'konsep', currentHolderPositionId: holding.positionId, currentVersionNo: 1,
      currentHash: hashContent(content), reachedSignerAt: null, letterNumber: null, letterDate: null, submissionKey: null, replacesId: old.id,
      createdAt: at, updatedAt: at,
    }, { transaction: t });
    const recips = await OutgoingRecipient.findAll({ where: { letterId: old.id }, transaction: t });
    if (recips.length) await OutgoingRecipient.bulkCreate(recips.map((r) => ({ ...r.get({ plain: true }), id: undefined, letterId: draft.id })) as never, { transaction: t });
    const atts = await OutgoingAttachment.findAll({ where: { letterId: old.id }, transaction: t });
    if (atts.length) await OutgoingAttachment.bulkCreate(atts.map((a) => ({ ...a.get({ plain: true }), id: undefined, letterId: draft.id, createdAt: at })) as never, { transaction: t });
    draft.currentVersionNo = 0;
    await addVersion(t, draft, content, p.actor, holding, `Pengganti surat ${old.letterNumber}`);
    draft.currentVersionNo = 1;
    await saveDraft(t, old, { replaceReason: reason });
    await recordEvent(t, p.actor, { action: 'surat_keluar.pengganti_dibuat', entityType: 'outgoing_letter', entityId: old.id, after: { id: old.id, nomor: old.letterNumber, penggantiId: draft.id, alasan: reason } });
    return draft;
  });
}
