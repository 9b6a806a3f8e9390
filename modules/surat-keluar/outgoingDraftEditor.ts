import type { Transaction } from 'sequelize';
import { OutgoingLetter, OutgoingParaf, OutgoingVersion } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { outgoingRights, chainPositions } from './policies/outgoing';
import { parseDraftFields, type DraftForm } from './outgoingFields';
import { validateChain, type ResolvedChain } from './parafChain';
import {
  addVersion, assertTransition, canonicalContent, contentOf, currentSteps, draftSubject, hashContent, lockDraft,
  parseContent, positionNames, routeChanges, routeInChain, saveDraft, voidStaleParafs, writeRecipients, type DraftContent,
} from './outgoingCommon';
import { templateBody, templateOrError } from './outgoingDraftCreator';
import type { Actor, Holding } from '../../platform/actor';

/** Fields of the content that the audit event and the version list name when they change. */
export const CONTENT_FIELD_LABEL: Record<string, string> = {
  perihal: 'Perihal', jenisNaskahCode: 'Jenis naskah', klasifikasiCode: 'Kode klasifikasi', sifat: 'Sifat', urgensi: 'Urgensi',
  lampiran: 'Lampiran', bodyHtml: 'Isi surat', kepada: 'Tujuan (Yth.)', tembusan: 'Tembusan', attachments: 'Berkas lampiran',
  signerPositionId: 'Penanda tangan', signingForm: 'Bentuk tanda tangan', principalPositionId: 'Atas nama', templateValues: 'Isian templat',
  templateKey: 'Templat', layout: 'Tata letak',
};

export function changedFields(a: DraftContent, b: DraftContent): (keyof DraftContent)[] {
  return (Object.keys(b) as (keyof DraftContent)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** The holding through which the actor may change the draft now, or a clear refusal. */
export async function editingHolding(actor: Actor, letter: OutgoingLetter, t?: Transaction): Promise<Holding | undefined> {
  const rights = outgoingRights(actor, letter, await chainPositions(letter.id, t));
  if (!rights.edit) {
    const holder = letter.currentHolderPositionId ? (await positionNames([letter.currentHolderPositionId], t)).get(letter.currentHolderPositionId) : null;
    throw new ForbiddenError(holder
      ? `Konsep ini sedang dipegang oleh ${holder}. Hanya pemegang konsep yang dapat mengubahnya.`
      : 'Konsep ini tidak dapat diubah lagi.');
  }
  return rights.holding;
}

export interface ContentChange { versionNo: number | null; voided: number[]; holderChanged: boolean }

/**
 * Make `next` the draft's content: a new numbered version with its hash (nothing when the
 * content is unchanged), the rows rewritten, every paraf given on another version voided, and
 * a draft in the chain routed back to the first verifier whose paraf was voided. Runs inside
 * the caller's transaction, on a locked row; audits and notifies.
 */
export async function applyContent(t: Transaction, letter: OutgoingLetter, actor: Actor, holding: Holding | undefined, next: DraftContent, summary: string)
  : Promise<ContentChange> {
  const hash = hashContent(next);
  if (hash === letter.currentHash) return { versionNo: null, voided: [], holderChanged: false };
  // The rows may already hold the change (attachments): compare with the last version saved.
  const prev = await OutgoingVersion.findOne({ where: { letterId: letter.id, versionNo: letter.currentVersionNo }, transaction: t });
  const before = prev ? parseContent(prev.content) : await contentOf(letter, t);
  const changed = changedFields(before, next);
  const v = await addVersion(t, letter, next, actor, holding, summary);
  await writeRecipients(t, letter.id, next);
  const voided = await voidStaleParafs(t, letter.id, hash);
  const changes: Partial<OutgoingLetter> = {
    templateValues: JSON.stringify(next.templateValues), jenisNaskahCode: next.jenisNaskahCode, klasifikasiCode: next.klasifikasiCode,
    perihal: next.perihal, sifat: next.sifat as OutgoingLetter['sifat'], urgensi: next.urgensi as OutgoingLetter['urgensi'], lampiran: next.lampiran,
    bodyHtml: next.bodyHtml, signerPositionId: next.signerPositionId, signingForm: next.signingForm, principalPositionId: next.principalPositionId,
    currentVersionNo: v.versionNo, currentHash: hash,
  };
  const oldHolder = letter.currentHolderPositionId;
  if (letter.status === 'dalam_paraf' || letter.status === 'siap_ttd') {
    // Route with the parafs as they stand after voiding; the signer may have changed too.
    letter.signerPositionId = next.signerPositionId;
    const route = await routeInChain(t, letter);
    if (route.status !== letter.status) assertTransition(letter, route.status, 'dikembalikan ke rantai paraf');
    Object.assign(changes, routeChanges(letter, route));
  }
  await saveDraft(t, letter, changes);
  const names = await positionNames(voided.map((s) => s.positionId), t);
  await recordEvent(t, actor, {
    action: 'surat_keluar.disunting', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: holding ? [holding.positionId] : [],
    before: { version: v.versionNo - 1 }, after: { version: v.versionNo, hash, fields: changed, summary, parafDibatalkan: voided.map((s) => names.get(s.positionId) ?? s.positionId) },
  });
  const holderChanged = letter.currentHolderPositionId !== oldHolder;
  if (holderChanged && letter.currentHolderPositionId) {
    await notifyPosition(t, letter.currentHolderPositionId, {
      kind: 'konsep_paraf', title: `Konsep diubah, perlu paraf ulang: ${draftSubject(letter)}`.slice(0, 300),
      body: `Konsep diubah menjadi versi ${v.versionNo}; paraf sebelumnya batal.`, url: `/surat-keluar/${letter.id}`,
      dedupeKey: `konsep:${letter.id}:${letter.lockVersion}`,
    }, actor.user.id);
  }
  return { versionNo: v.versionNo, voided: voided.map((s) => s.positionId), holderChanged };
}

/**
 * Replace the verifiers of a draft that is with its drafter. Steps up to the first change keep
 * their rows (and any paraf still valid); from there on parafs are voided and the new
 * verifiers wait. Returns whether anything changed.
 */
async function applyChain(t: Transaction, letter: OutgoingLetter, actor: Actor, holding: Holding | undefined, chain: ResolvedChain): Promise<boolean> {
  const steps = await currentSteps(letter.id, t);
  const old = steps.map((s) => s.positionId);
  const want = chain.verifierIds;
  let i = 0;
  while (i < old.length && i < want.length && old[i] === want[i]) i++;
  if (i === old.length && i === want.length) return false;
  const at = now();
  for (const s of steps.filter((x) => x.stepNo > i)) {
    if (s.status === 'paraf') await s.update({ status: 'batal', voidedAt: at }, { transaction: t });
    else await s.destroy({ transaction: t });
  }
  for (let k = i; k < want.length; k++) {
    await OutgoingParaf.create({
      letterId: letter.id, stepNo: k + 1, positionId: want[k], status: 'menunggu', versionNo: null, versionHash: null, note: null,
      actedByUserId: null, acting: null, actedAt: null, voidedAt: null, createdAt: at,
    }, { transaction: t });
  }
  const names = await positionNames([...old, ...want], t);
  await recordEvent(t, actor, {
    action: 'surat_keluar.rantai_paraf', entityType: 'outgoing_letter', entityId: letter.id, viaPositionIds: holding ? [holding.positionId] : [],
    before: { pemaraf: old.map((x) => names.get(x) ?? x) }, after: { pemaraf: want.map((x) => names.get(x) ?? x) },
  });
  return true;
}

export interface UpdateDraftProps {
  actor: Actor; letterId: number; form: DraftForm; expectedLockVersion: number;
  /** Write the body again from the template's fields (replacing the edited body). */
  regenerate: boolean;
}

/**
 * outgoingDraftEditor: the holder of a draft saves it. Every save that changes the content is
 * a new version (see applyContent); the drafter, while the draft is with them, also picks the
 * chain here. Refused when someone else holds the draft (403) or it changed since the form was
 * loaded (409). Returns the new version number, or null when nothing changed.
 */
export async function updateDraft(p: UpdateDraftProps): Promise<ContentChange & { chainChanged: boolean }> {
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0) throw new NotFoundError('Konsep surat tidak ditemukan.');
  const holding0 = await editingHolding(p.actor, letter0);
  const tpl = await templateOrError(letter0.templateKey);
  const { fields, errors } = await parseDraftFields(p.form, tpl);
  const rights = outgoingRights(p.actor, letter0, await chainPositions(letter0.id));
  let chain: ResolvedChain | undefined;
  if (rights.setChain) {
    const r = await validateChain(letter0.drafterPositionId, p.form, false);
    Object.assign(errors, r.errors);
    chain = r.chain;
  }
  if (!fields || Object.keys(errors).length) throw new ValidationError(errors);
  let body = fields.bodyHtml;
  if (p.regenerate) body = await templateBody(tpl.key, fields.parsedValues, letter0.replyToLetterId);

  return tx(async (t) => {
    const letter = await lockDraft(t, p.letterId, p.expectedLockVersion);
    const holding = (await editingHolding(p.actor, letter, t)) ?? holding0;
    const cur = await contentOf(letter, t);
    const next = canonicalContent({
      ...cur, templateValues: fields.templateValues, jenisNaskahCode: fields.jenisNaskahCode, klasifikasiCode: fields.klasifikasiCode,
      perihal: fields.perihal, sifat: fields.sifat, urgensi: fields.urgensi, lampiran: fields.lampiran, bodyHtml: body,
      kepada: fields.kepada, tembusan: fields.tembusan,
      ...(chain ? { signerPositionId: chain.signerId, signingForm: chain.signingForm, principalPositionId: chain.principalId } : {}),
    });
    const chainChanged = chain ? await applyChain(t, letter, p.actor, holding, chain) : false;
    const change = await applyContent(t, letter, p.actor, holding, next, p.regenerate ? 'Isi disusun ulang dari templat' : 'Konsep disunting');
    if (chainChanged && change.versionNo === null) await saveDraft(t, letter, {});
    return { ...change, chainChanged };
  });
}

