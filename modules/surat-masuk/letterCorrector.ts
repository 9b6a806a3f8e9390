import { Agency, IncomingLetter, InboxItem } from '../../models';
import { tx } from '../../platform/db';
import { ConflictError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { parseLetterFields, searchTextOf, type LetterForm } from './letterFields';
import { indexLetterText } from './letterSearch';
import { letterSnapshot } from './letterRegistrar';
import type { Actor } from '../../platform/actor';

export interface CorrectProps { actor: Actor; letterId: number; form: LetterForm; reason: string; expectedVersion: number }

/**
 * letterCorrector: the secretariat corrects a registered letter's metadata, with a reason.
 * The agenda number never changes. The edit applies only if nobody changed the letter since
 * the form was loaded (version check); before, after and reason go into the audit event.
 * Changing the addressed position moves the letter's 'tujuan' inbox entry with it.
 */
export async function correctLetter(p: CorrectProps): Promise<IncomingLetter> {
  const { fields, errors } = await parseLetterFields(p.form);
  const reason = (p.reason ?? '').trim();
  if (!reason) errors.reason = 'Alasan koreksi wajib diisi.';
  else if (reason.length > 1000) errors.reason = 'Alasan koreksi maksimal 1000 karakter.';
  if (!fields || Object.keys(errors).length) throw new ValidationError(errors);

  return tx(async (t) => {
    const letter = await IncomingLetter.findByPk(p.letterId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!letter) throw new ValidationError({}, 'Surat tidak ditemukan.');
    if (letter.version !== p.expectedVersion) throw new ConflictError();
    const before = letterSnapshot(letter);
    let senderName = letter.senderName;
    let senderAgencyId = fields.senderAgencyId ?? letter.senderAgencyId;
    if (fields.newSender) {
      const ag = await Agency.create({ ...fields.newSender, headTitle: null, email: null, phone: null }, { transaction: t });
      await recordEvent(t, p.actor, { action: 'instansi.dibuat', entityType: 'agency', entityId: ag.id, after: ag.toJSON() });
      senderAgencyId = ag.id; senderName = ag.name;
    } else if (senderAgencyId !== letter.senderAgencyId) {
      senderName = (await Agency.findByPk(senderAgencyId, { transaction: t }))!.name;
    }
    const oldAddressed = letter.addressedPositionId;
    letter.set({
      senderAgencyId, senderName, senderNumber: fields.senderNumber, letterDate: fields.letterDate, receivedDate: fields.receivedDate,
      perihal: fields.perihal, sifat: fields.sifat, urgensi: fields.urgensi, klasifikasiCode: fields.klasifikasiCode,
      jenisNaskahCode: fields.jenisNaskahCode, lampiran: fields.lampiran, summary: fields.summary, addressedPositionId: fields.addressedPositionId,
    });
    const previousText = letter.searchText;
    letter.searchText = searchTextOf(letter);
    const after = letterSnapshot(letter);
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    if (!changed.length) throw new ValidationError({}, 'Tidak ada data yang berubah.');
    await letter.save({ transaction: t });
    if (letter.searchText !== previousText) await indexLetterText(t, letter.id, letter.searchText, previousText);
    if (oldAddressed !== fields.addressedPositionId) {
      const item = await InboxItem.findOne({ where: { letterId: letter.id, positionId: oldAddressed, kind: 'tujuan' }, transaction: t });
      const already = await InboxItem.findOne({ where: { letterId: letter.id, positionId: fields.addressedPositionId }, transaction: t });
      if (item && !already) await item.update({ positionId: fields.addressedPositionId, unread: true, readAt: null, readByUserId: null }, { transaction: t });
    }
    const pick = (o: Record<string, unknown>) => Object.fromEntries(changed.map((k) => [k, o[k]]));
    await recordEvent(t, p.actor, { action: 'surat_masuk.dikoreksi', entityType: 'incoming_letter', entityId: letter.id, before: pick(before), after: { ...pick(after), alasan: reason } });
    return letter;
  });
}
