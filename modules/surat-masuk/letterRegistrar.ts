import { UniqueConstraintError } from 'sequelize';
import { Agency, Blob, IncomingLetter, InboxItem, LetterFile } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { config } from '../../config';
import { formatNumber } from '../../lib/numbering';
import { AppError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { nextValue } from '../../platform/sequences';
import { parseLetterFields, searchTextOf, type LetterForm } from './letterFields';
import { indexLetterText } from './letterSearch';
import type { Actor } from '../../platform/actor';
import type { StoredUpload } from '../../platform/uploads';
import { dueFor } from '../disposisi';
import { blobStore } from '../../platform/blobstore';
import { Position } from '../../models';

/** The same sender already sent a letter with this number: the user must confirm. */
export class DuplicateLetterWarning extends AppError {
  constructor(public existing: IncomingLetter[]) {
    super('duplicate_letter', 'Surat dengan pengirim dan nomor yang sama sudah terdaftar.', 409);
  }
}

export interface RegisterProps {
  actor: Actor;
  form: LetterForm;
  /** Files already in the blob store (checked by their bytes), from this or an earlier attempt. */
  files: StoredUpload[];
  /** Generated when the form was shown; a second submit of the same form returns the first letter. */
  submissionKey: string;
  confirmDuplicate: boolean;
}

/**
 * letterRegistrar: register an incoming letter. Validates the metadata, refuses a second
 * copy of the same sender's number unless confirmed, then in one transaction takes the next
 * agenda number of the year, creates the letter, its files and the addressed position's
 * inbox item, and writes the audit event. The files are already durable in the blob store,
 * so a crash at any point leaves at most an orphan blob, never a letter without its scan.
 * Returns `{ letter, created: false }` when the same submission was registered before.
 */
export async function registerLetter(p: RegisterProps): Promise<{ letter: IncomingLetter; created: boolean }> {
  const previous = await IncomingLetter.findOne({ where: { submissionKey: p.submissionKey } });
  if (previous) return { letter: previous, created: false };

  const { fields, errors } = await parseLetterFields(p.form);
  if (!p.files.some((f) => f.kind === 'scan')) errors.scan = 'Pindaian (scan) surat wajib diunggah (PDF, JPEG, atau PNG).';
  if (p.files.length > config().maxUploadFiles + 1) errors.lampiranFiles = `Paling banyak ${config().maxUploadFiles} berkas lampiran.`;
  // An upload kept from an earlier attempt may have been swept meanwhile: ask for it again
  // rather than save a letter that points to nothing.
  for (const f of p.files) {
    if (!(await blobStore().exists(f.sha256))) {
      const field = f.kind === 'scan' ? 'scan' : 'lampiranFiles';
      errors[field] = `Berkas "${f.originalName}" yang diunggah sebelumnya sudah tidak tersedia; unggah ulang.`;
    }
  }
  if (!fields || Object.keys(errors).length) throw new ValidationError(errors);

  if (fields.senderAgencyId && !p.confirmDuplicate) {
    const same = await IncomingLetter.findAll({ where: { senderAgencyId: fields.senderAgencyId, senderNumber: fields.senderNumber }, limit: 5, order: [['id', 'DESC']] });
    if (same.length) throw new DuplicateLetterWarning(same);
  }

  // Everything read outside the transaction is read before it: a transaction waiting on the
  // agenda counter must never need a second pooled connection (50 at once would starve the pool).
  const addressedRole = (await Position.findByPk(fields.addressedPositionId))?.role ?? 'kepala';
  const received = now();
  const dueAt = await dueFor(addressedRole, fields.jenisNaskahCode, received, fields.urgensi);

  try {
    const letter = await tx(async (t) => {
      let senderAgencyId = fields.senderAgencyId;
      let senderName: string;
      if (fields.newSender) {
        const ag = await Agency.create({ ...fields.newSender, headTitle: null, email: null, phone: null }, { transaction: t });
        await recordEvent(t, p.actor, { action: 'instansi.dibuat', entityType: 'agency', entityId: ag.id, after: ag.toJSON() });
        senderAgencyId = ag.id;
        senderName = ag.name;
      } else {
        senderName = (await Agency.findByPk(senderAgencyId!, { transaction: t }))!.name;
      }
      const year = Number(fields.receivedDate.slice(0, 4));
      const month = Number(fields.receivedDate.slice(5, 7));
      const seq = await nextValue(t, `agenda-surat-masuk:${year}`);
      const agendaNumber = formatNumber(config().agendaFormat, { seq, year, month });
      const at = now();
      const letter = await IncomingLetter.create({
        agendaYear: year, agendaSeq: seq, agendaNumber,
        senderAgencyId: senderAgencyId!, senderName, senderNumber: fields.senderNumber,
        letterDate: fields.letterDate, receivedDate: fields.receivedDate, perihal: fields.perihal,
        sifat: fields.sifat, urgensi: fields.urgensi, klasifikasiCode: fields.klasifikasiCode, jenisNaskahCode: fields.jenisNaskahCode,
        lampiran: fields.lampiran, summary: fields.summary, addressedPositionId: fields.addressedPositionId,
        searchText: searchTextOf({ ...fields, senderName, agendaNumber }),
        submissionKey: p.submissionKey, createdById: p.actor.user.id,
      }, { transaction: t });
      await indexLetterText(t, letter.id, letter.searchText);
      for (const f of p.files) {
        await Blob.findOrCreate({ where: { sha256: f.sha256 }, defaults: { sha256: f.sha256, size: f.size, mime: f.mime }, transaction: t });
        await LetterFile.create({ letterId: letter.id, blobSha: f.sha256, kind: f.kind, originalName: f.originalName, mime: f.mime, size: f.size }, { transaction: t });
      }
      await InboxItem.create({
        letterId: letter.id, positionId: fields.addressedPositionId, kind: 'tujuan', receivedAt: at,
        readAt: null, readByUserId: null, dueAt, doneAt: null,
      }, { transaction: t });
      await recordEvent(t, p.actor, {
        action: 'surat_masuk.diregistrasi', entityType: 'incoming_letter', entityId: letter.id,
        after: { ...letterSnapshot(letter), files: p.files.map((f) => ({ kind: f.kind, name: f.originalName, sha256: f.sha256 })) },
      });
      return letter;
    });
    return { letter, created: true };
  } catch (err) {
    // Two submits of the same form raced: the first one won, the second shows it.
    if (err instanceof UniqueConstraintError) {
      const won = await IncomingLetter.findOne({ where: { submissionKey: p.submissionKey } });
      if (won) return { letter: won, created: false };
    }
    throw err;
  }
}

/** The metadata fields that the audit log records before and after a change. */
export function letterSnapshot(l: IncomingLetter): Record<string, unknown> {
  const { agendaNumber, senderAgencyId, senderName, senderNumber, letterDate, receivedDate, perihal, sifat, urgensi, klasifikasiCode,
    jenisNaskahCode, lampiran, summary, addressedPositionId, status } = l;
  return { agendaNumber, senderAgencyId, senderName, senderNumber, letterDate, receivedDate, perihal, sifat, urgensi, klasifikasiCode,
    jenisNaskahCode, lampiran, summary, addressedPositionId, status };
}
