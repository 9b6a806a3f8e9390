import { Disposition, IncomingLetter, InboxItem } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { canCloseLetter } from '../disposisi';
import { moveLetter, saveDisposition, letterSubject } from '../disposisi';
import type { Actor } from '../../platform/actor';

/**
 * letterCloser: the holder of the addressed position closes the whole letter, as "selesai"
 * (handled) or "diarsipkan" (filed). Dispositions still open are completed with the closing
 * note, every inbox item is settled, and the recipients are told.
 */
export async function closeLetter(p: { actor: Actor; letterId: number; mode: string; note: string; expectedVersion: number }): Promise<IncomingLetter> {
  const mode = p.mode === 'arsipkan' ? 'diarsipkan' : p.mode === 'selesai' ? 'selesai' : null;
  if (!mode) throw new ValidationError({ mode: 'Pilih "Selesai" atau "Arsipkan".' });
  const note = (p.note ?? '').trim();
  if (note.length > 1000) throw new ValidationError({ note: 'Catatan maksimal 1000 karakter.' });
  return tx(async (t) => {
    const letter = await IncomingLetter.findByPk(p.letterId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!letter) throw new NotFoundError();
    if (letter.version !== p.expectedVersion) throw new ConflictError('Surat ini baru saja diubah oleh pengguna lain. Periksa keadaan terbaru lalu ulangi.');
    if (!canCloseLetter(p.actor, letter)) throw new ForbiddenError('Hanya pejabat yang dituju surat ini yang dapat menutupnya.');
    const before = letter.status;
    moveLetter(letter, mode);
    await letter.save({ transaction: t });
    const at = now();
    const open = await Disposition.findAll({ where: { letterId: letter.id, status: ['terkirim', 'dibaca', 'diproses'] }, transaction: t });
    const closing = `Surat ditutup (${mode === 'selesai' ? 'selesai' : 'diarsipkan'}) oleh ${p.actor.user.name}${note ? `: ${note}` : '.'}`;
    for (const d of open) {
      await saveDisposition(t, d, { status: 'selesai', completedAt: at, completedByUserId: p.actor.user.id, result: closing });
      await notifyPosition(t, d.toPositionId, {
        kind: 'surat_ditutup', title: `Surat ditutup: ${letterSubject(letter)}`.slice(0, 300), body: closing, url: `/surat-masuk/${letter.id}`,
        letterId: letter.id, dispositionId: d.id, dedupeKey: `tutup:${letter.id}:${d.id}`,
      }, p.actor.user.id);
    }
    await InboxItem.update({ doneAt: at }, { where: { letterId: letter.id, doneAt: null }, transaction: t });
    await recordEvent(t, p.actor, {
      action: mode === 'selesai' ? 'surat_masuk.selesai' : 'surat_masuk.diarsipkan', entityType: 'incoming_letter', entityId: letter.id,
      before: { status: before }, after: { status: letter.status, catatan: note || null, disposisiDitutup: open.map((d) => d.id) },
      viaPositionIds: [letter.addressedPositionId],
    });
    return letter;
  });
}
