import { IncomingLetter, OutgoingAttachment, OutgoingParaf, OutgoingVersion, Position, User, SIFAT_LABEL, type OutgoingLetter, type Sifat } from '../../models';
import { blobStore } from '../../platform/blobstore';
import { now } from '../../platform/clock';
import { NotFoundError } from '../../platform/errors';
import { holdersOf } from '../org';
import { contentOf, hashContent, parseContent, type DraftContent } from './outgoingCommon';
import { renderLetterHtml, renderLetterPdf, appendPdfAttachments, type LetterDoc } from '../templat';
import type { TemplateContext } from '../templat';
import { parafInitials } from '../disposisi';
import { directoryUser } from '../org';

/**
 * A draft as the letter renderer (modules/templat/letterRender.ts) sees it: the content of one
 * version, the signer's name block from who holds the signer's position, the paraf marks given
 * on exactly that version, and the "KONSEP" watermark until it is signed.
 */

/** What a template may say about the letter being answered: the reference sentence's facts. */
export async function templateContextFor(replyToLetterId: number | null): Promise<TemplateContext> {
  const ref = replyToLetterId ? await IncomingLetter.findByPk(replyToLetterId) : null;
  return {
    reference: ref ? { senderName: ref.senderName, senderNumber: ref.senderNumber, letterDate: ref.letterDate ? new Date(`${ref.letterDate}T00:00:00Z`) : null, perihal: ref.perihal } : null,
    applicantName: ref?.senderName ?? null,
    today: now(),
  };
}

const pangkatOf = (u: User): string | null => (u.pangkat ? (u.golongan ? `${u.pangkat} (${u.golongan})` : u.pangkat) : u.golongan);

/** The signer block: who holds the signer's position in the chosen form. */
async function signerBlock(c: DraftContent): Promise<LetterDoc['signer']> {
  const form = c.signingForm ?? 'biasa';
  if (!c.signerPositionId) return { name: '(penanda tangan belum dipilih)', nip: null, pangkat: null, title: '', form };
  const [pos, principal, holders] = await Promise.all([
    Position.findByPk(c.signerPositionId),
    c.principalPositionId ? Position.findByPk(c.principalPositionId) : null,
    holdersOf(c.signerPositionId),
  ]);
  const wanted = form === 'plt' || form === 'plh' ? form : 'definitif';
  const h = holders.find((x) => x.kind === wanted) ?? holders[0];
  return {
    name: h?.user.name ?? '(jabatan lowong)', nip: h?.user.nip ?? null, pangkat: h ? pangkatOf(h.user) : null,
    title: pos?.name ?? '', form, principalTitle: principal?.name ?? null,
  };
}

/** Paraf marks given on the version with this hash, in chain order. */
async function parafMarks(letterId: number, hash: string): Promise<LetterDoc['parafs']> {
  const rows = await OutgoingParaf.findAll({ where: { letterId, status: 'paraf', versionHash: hash }, order: [['stepNo', 'ASC']] });
  if (!rows.length) return [];
  const [users, positions] = await Promise.all([
    User.findAll({ where: { id: rows.map((r) => r.actedByUserId!).filter(Boolean) }, attributes: ['id', 'name'] }),
    Position.findAll({ where: { id: rows.map((r) => r.positionId) }, attributes: ['id', 'name'] }),
  ]);
  const un = new Map(users.map((u) => [u.id, u.name]));
  const pn = new Map(positions.map((p) => [p.id, p.name]));
  return rows.map((r) => ({ name: un.get(r.actedByUserId ?? 0) ?? '', title: `${r.acting === 'plt' ? 'Plt. ' : r.acting === 'plh' ? 'Plh. ' : ''}${pn.get(r.positionId) ?? ''}`, at: r.actedAt ?? r.createdAt }));
}

export async function letterDocOf(letter: OutgoingLetter, c: DraftContent, hash: string): Promise<LetterDoc> {
  const signed = !!letter.letterNumber && (letter.status === 'ditandatangani' || letter.status === 'dikirim');
  return {
    layout: c.layout,
    number: signed ? letter.letterNumber : null,
    date: signed && letter.letterDate ? new Date(`${letter.letterDate}T00:00:00Z`) : null,
    sifat: SIFAT_LABEL[c.sifat as Sifat] ?? c.sifat,
    lampiran: c.lampiran ?? '-',
    perihal: c.perihal,
    addressees: c.kepada.map((r) => ({ name: r.name, place: r.place })),
    bodyHtml: c.bodyHtml,
    signer: await signerBlock(c),
    parafs: await parafMarks(letter.id, hash),
    tembusan: c.tembusan.map((r) => r.name),
    from: c.signerPositionId ? (await Position.findByPk(c.signerPositionId))?.name ?? null : null,
    watermark: signed ? null : 'KONSEP',
    stamp: null,
    drafterParaf: parafInitials((await directoryUser(letter.drafterUserId))?.name ?? ''),
  };
}

/** The content and hash of a version of the draft (the current one when versionNo is not given). */
export async function versionContent(letter: OutgoingLetter, versionNo?: number | null): Promise<{ content: DraftContent; hash: string; versionNo: number }> {
  if (!versionNo || versionNo === letter.currentVersionNo) {
    const content = await contentOf(letter);
    return { content, hash: hashContent(content), versionNo: letter.currentVersionNo };
  }
  const v = await OutgoingVersion.findOne({ where: { letterId: letter.id, versionNo } });
  if (!v) throw new NotFoundError('Versi konsep tidak ditemukan.');
  return { content: parseContent(v.content), hash: v.hash, versionNo: v.versionNo };
}

export async function draftHtml(letter: OutgoingLetter, versionNo?: number | null): Promise<string> {
  const { content, hash } = await versionContent(letter, versionNo);
  return renderLetterHtml(await letterDocOf(letter, content, hash));
}

async function blobBytes(sha: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of blobStore().open(sha)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The PDF of a version of the draft, with its PDF attachments marked "lampirkan" appended. */
export async function draftPdf(letter: OutgoingLetter, versionNo?: number | null): Promise<Buffer> {
  const { content, hash } = await versionContent(letter, versionNo);
  const pdf = await renderLetterPdf(await letterDocOf(letter, content, hash));
  const appended = content.attachments.filter((a) => a.appendToPdf && a.mime === 'application/pdf');
  if (!appended.length) return pdf;
  return appendPdfAttachments(pdf, await Promise.all(appended.map((a) => blobBytes(a.sha256))));
}

export const attachmentOf = (letterId: number, id: number) => OutgoingAttachment.findOne({ where: { id, letterId } });
