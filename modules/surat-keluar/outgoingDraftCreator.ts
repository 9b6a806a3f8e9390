import { UniqueConstraintError } from 'sequelize';
import { IncomingLetter, OutgoingLetter, OutgoingParaf } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { sanitizeBody } from '../../lib/sanitizeBody';
import { recordEvent } from '../../platform/audit';
import { letterRights, chainOf } from '../surat-masuk';
import { TemplateError } from '../templat';
import { getTemplate, renderTemplateBody, type LetterTemplate } from '../templat';
import { parseDraftFields, type DraftForm } from './outgoingFields';
import { validateChain } from './parafChain';
import { addVersion, canonicalContent, draftSnapshot, hashContent, writeRecipients } from './outgoingCommon';
import { templateContextFor } from './outgoingDoc';
import type { Actor } from '../../platform/actor';

export interface CreateDraftProps {
  actor: Actor;
  /** The position the actor drafts as (one they hold). */
  viaPositionId: number;
  templateKey: string;
  /** The incoming letter answered ("Balas"), if any. */
  replyToLetterId: number | null;
  form: DraftForm;
  /** Generated when the form was shown; a second submit of the same form returns the first draft. */
  submissionKey: string | null;
}

/** The body a template writes from its values; a fault of the template is shown on the form, not as a 500. */
export async function templateBody(key: string, values: Record<string, unknown>, replyToLetterId: number | null): Promise<string> {
  try {
    return sanitizeBody(await renderTemplateBody(key, values, await templateContextFor(replyToLetterId)));
  } catch (err) {
    if (err instanceof TemplateError) throw new ValidationError({ templateKey: `${err.message} Hubungi admin untuk memperbaiki templat ini.` });
    throw err;
  }
}

/** A template by key, or a field error for the form. */
export async function templateOrError(key: string): Promise<LetterTemplate> {
  let tpl: LetterTemplate | null | undefined = null;
  try { tpl = key ? await getTemplate(key) : null; } catch { tpl = null; }
  if (!tpl) throw new ValidationError({ templateKey: 'Templat surat tidak dikenal; pilih salah satu dari daftar.' });
  return tpl;
}

/** A template offered for new drafts (an inactive one still serves the drafts made from it). */
export async function activeTemplateOrError(key: string): Promise<LetterTemplate> {
  const tpl = await templateOrError(key);
  if (!tpl.active) throw new ValidationError({ templateKey: `Templat "${tpl.name}" tidak lagi dipakai untuk konsep baru; pilih templat lain.` });
  return tpl;
}

/**
 * outgoingDraftCreator: start a draft, blank from a template or as a reply to an incoming
 * letter the actor may see. The body is written by the template from its fields (and, for a
 * reply, the reference to the letter answered), then sanitized. In one transaction: the draft
 * as version 1 with its hash, its recipients, the paraf chain as picked (each verifier
 * waiting), and the audit event. The draft is held by the drafter's position until submitted.
 */
export async function createDraft(p: CreateDraftProps): Promise<{ letter: OutgoingLetter; created: boolean }> {
  if (p.submissionKey) {
    const previous = await OutgoingLetter.findOne({ where: { submissionKey: p.submissionKey } });
    if (previous) return { letter: previous, created: false };
  }
  const holding = p.actor.holdings.find((h) => h.positionId === p.viaPositionId);
  if (!holding) throw new ForbiddenError('Konsep surat dibuat atas nama jabatan yang Anda pegang.');
  if (p.replyToLetterId) {
    const ref = await IncomingLetter.findByPk(p.replyToLetterId);
    if (!ref || !letterRights(p.actor, ref, await chainOf(ref.id)).view) throw new NotFoundError('Surat yang hendak dibalas tidak ditemukan.');
  }
  const tpl = await activeTemplateOrError(p.templateKey);
  const { fields, errors } = await parseDraftFields(p.form, tpl);
  const { chain, errors: chainErrors } = await validateChain(holding.positionId, p.form, false);
  Object.assign(errors, chainErrors);
  if (!fields || !chain || Object.keys(errors).length) throw new ValidationError(errors);

  const body = await templateBody(tpl.key, fields.parsedValues, p.replyToLetterId);
  const content = canonicalContent({
    templateKey: tpl.key, templateValues: fields.templateValues, layout: tpl.layout, jenisNaskahCode: fields.jenisNaskahCode,
    klasifikasiCode: fields.klasifikasiCode, perihal: fields.perihal, sifat: fields.sifat, urgensi: fields.urgensi, lampiran: fields.lampiran,
    bodyHtml: body, kepada: fields.kepada, tembusan: fields.tembusan, attachments: [],
    signerPositionId: chain.signerId, signingForm: chain.signingForm, principalPositionId: chain.principalId,
  });
  const hash = hashContent(content);
  try {
    const letter = await tx(async (t) => {
      const at = now();
      const letter = await OutgoingLetter.create({
        templateKey: tpl.key, templateValues: JSON.stringify(content.templateValues), layout: content.layout,
        jenisNaskahCode: content.jenisNaskahCode, klasifikasiCode: content.klasifikasiCode, perihal: content.perihal,
        sifat: fields.sifat, urgensi: fields.urgensi, lampiran: content.lampiran, bodyHtml: content.bodyHtml,
        replyToLetterId: p.replyToLetterId, drafterUserId: p.actor.user.id, drafterPositionId: holding.positionId,
        signerPositionId: chain.signerId, signingForm: chain.signingForm, principalPositionId: chain.principalId,
        status: 'konsep', currentHolderPositionId: holding.positionId, currentVersionNo: 0, currentHash: hash, reachedSignerAt: null,
        letterNumber: null, letterDate: null, submissionKey: p.submissionKey, createdAt: at, updatedAt: at,
      }, { transaction: t });
      await writeRecipients(t, letter.id, content);
      await addVersion(t, letter, content, p.actor, holding, p.replyToLetterId ? 'Konsep balasan dibuat' : 'Konsep dibuat');
      letter.currentVersionNo = 1;
      await letter.save({ transaction: t });
      for (const [i, positionId] of chain.verifierIds.entries()) {
        await OutgoingParaf.create({
          letterId: letter.id, stepNo: i + 1, positionId, status: 'menunggu', versionNo: null, versionHash: null, note: null,
          actedByUserId: null, acting: null, actedAt: null, voidedAt: null, createdAt: at,
        }, { transaction: t });
      }
      await recordEvent(t, p.actor, {
        action: 'surat_keluar.dibuat', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: [holding.positionId],
        after: { ...draftSnapshot(letter), template: tpl.key, replyTo: p.replyToLetterId, verifiers: chain.verifierIds },
      });
      return letter;
    });
    return { letter, created: true };
  } catch (err) {
    if (err instanceof UniqueConstraintError && p.submissionKey) {
      const won = await OutgoingLetter.findOne({ where: { submissionKey: p.submissionKey } });
      if (won) return { letter: won, created: false };
    }
    throw err;
  }
}
