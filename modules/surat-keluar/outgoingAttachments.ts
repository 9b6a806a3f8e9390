import { Blob, OutgoingAttachment } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { config } from '../../config';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { blobStore } from '../../platform/blobstore';
import { contentOf, lockDraft } from './outgoingCommon';
import { applyContent, editingHolding, type ContentChange } from './outgoingDraftEditor';
import type { Actor } from '../../platform/actor';
import type { StoredUpload } from '../../platform/uploads';

export type AttachmentChange =
  | { kind: 'add'; files: StoredUpload[] }
  | { kind: 'remove'; attachmentId: number }
  | { kind: 'append'; attachmentId: number; append: boolean };

export interface ChangeAttachmentsProps { actor: Actor; letterId: number; expectedLockVersion: number; change: AttachmentChange }

/**
 * outgoingAttachments: the holder of a draft adds lampiran files (already checked by their
 * bytes and stored), removes one, or marks a PDF to be appended to the letter's PDF. The files
 * are part of the content, so each change is a new version and voids parafs given on earlier
 * ones (see applyContent). One transaction, audited.
 */
export async function changeAttachments(p: ChangeAttachmentsProps): Promise<ContentChange> {
  const c = p.change;
  if (c.kind === 'add') {
    if (!c.files.length) throw new ValidationError({ lampiranFiles: 'Pilih berkas yang hendak dilampirkan.' });
    for (const f of c.files) {
      if (!(await blobStore().exists(f.sha256))) throw new ValidationError({ lampiranFiles: `Berkas "${f.originalName}" sudah tidak tersedia; unggah ulang.` });
    }
  }
  return tx(async (t) => {
    const letter = await lockDraft(t, p.letterId, p.expectedLockVersion);
    const holding = await editingHolding(p.actor, letter, t);
    const rows = await OutgoingAttachment.findAll({ where: { letterId: letter.id }, order: [['sortOrder', 'ASC'], ['id', 'ASC']], transaction: t });
    let summary: string;
    if (c.kind === 'add') {
      if (rows.length + c.files.length > config().maxUploadFiles) {
        throw new ValidationError({ lampiranFiles: `Paling banyak ${config().maxUploadFiles} berkas lampiran per surat.` });
      }
      let order = rows.reduce((m, r) => Math.max(m, r.sortOrder), 0);
      for (const f of c.files) {
        await Blob.findOrCreate({ where: { sha256: f.sha256 }, defaults: { sha256: f.sha256, size: f.size, mime: f.mime }, transaction: t });
        await OutgoingAttachment.create({
          letterId: letter.id, blobSha: f.sha256, originalName: f.originalName, mime: f.mime, size: f.size,
          appendToPdf: false, sortOrder: ++order, addedByUserId: p.actor.user.id, createdAt: now(),
        }, { transaction: t });
      }
      summary = `Lampiran ditambahkan: ${c.files.map((f) => f.originalName).join(', ')}`;
    } else {
      const row = rows.find((r) => r.id === c.attachmentId);
      if (!row) throw new NotFoundError('Berkas lampiran tidak ditemukan pada konsep ini.');
      if (c.kind === 'remove') {
        await row.destroy({ transaction: t });
        summary = `Lampiran dihapus: ${row.originalName}`;
      } else {
        if (c.append && row.mime !== 'application/pdf') throw new ValidationError({ lampiranFiles: 'Hanya berkas PDF yang dapat disatukan dengan PDF surat.' });
        await row.update({ appendToPdf: c.append }, { transaction: t });
        summary = `${row.originalName} ${c.append ? 'disatukan dengan' : 'tidak lagi disatukan dengan'} PDF surat`;
      }
    }
    const next = await contentOf(letter, t);
    return applyContent(t, letter, p.actor, holding, next, summary);
  });
}
