import type { Transaction } from 'sequelize';
import { Disposition, DispositionInstruction, InboxItem, Position, LETTER_TRANSITIONS, CONFIDENTIAL, SIFAT_LABEL, type IncomingLetter, type LetterStatus } from '../../models';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { now } from '../../platform/clock';

/** A disposition row locked for update, refused when another user changed it since the form was shown. */
export async function lockDisposition(t: Transaction, id: number, expectedVersion: number): Promise<Disposition> {
  const d = await Disposition.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
  if (!d) throw new NotFoundError('Disposisi tidak ditemukan.');
  if (d.version !== expectedVersion) {
    throw new ConflictError('Disposisi ini baru saja diubah oleh pengguna lain. Halaman sudah dimuat ulang dengan keadaan terbaru; periksa lalu ulangi bila masih perlu.');
  }
  return d;
}

/** Apply a change and bump the version, guarding against a concurrent writer. */
export async function saveDisposition(t: Transaction, d: Disposition, changes: Partial<Disposition>): Promise<void> {
  const expected = d.version;
  const [n] = await Disposition.update({ ...changes, version: expected + 1, updatedAt: now() } as never, { where: { id: d.id, version: expected }, transaction: t });
  if (n !== 1) throw new ConflictError('Disposisi ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu ulangi.');
  d.set({ ...changes, version: expected + 1 } as never);
}

export function assertStatus(d: Disposition, allowed: readonly string[], what: string): void {
  if (!allowed.includes(d.status)) {
    const why = d.status === 'ditarik' ? 'sudah ditarik oleh pengirimnya' : d.status === 'selesai' ? 'sudah selesai' : `berstatus ${d.status}`;
    throw new ConflictError(`Disposisi ini ${why}, sehingga tidak dapat ${what}.`);
  }
}

export function moveLetter(letter: IncomingLetter, to: LetterStatus): boolean {
  if (letter.status === to) return false;
  if (!LETTER_TRANSITIONS[letter.status as LetterStatus].includes(to)) {
    throw new ConflictError(`Surat berstatus "${letter.status}" tidak dapat diubah menjadi "${to}".`);
  }
  letter.status = to;
  return true;
}

/** Validate instruction codes against the configured list; returns the clean list. */
export async function cleanInstructions(codes: string[], note: string): Promise<string[]> {
  const known = new Set((await DispositionInstruction.findAll({ where: { active: true } })).map((i) => i.code));
  const clean = [...new Set(codes.filter((c) => known.has(c)))];
  if (codes.some((c) => !known.has(c))) throw new ValidationError({ instructions: 'Ada instruksi yang tidak dikenal.' });
  if (!clean.length && !note.trim()) throw new ValidationError({ instructions: 'Pilih minimal satu instruksi, atau tulis instruksi sendiri.' });
  return clean;
}

/** Mark the position's inbox item for the letter done (it acted), when nothing else keeps it open. */
export async function settleInboxItem(t: Transaction, letterId: number, positionId: number): Promise<void> {
  const stillOpen = await Disposition.count({ where: { letterId, toPositionId: positionId, status: ['terkirim', 'dibaca', 'diproses'] }, transaction: t });
  if (!stillOpen) await InboxItem.update({ doneAt: now() }, { where: { letterId, positionId, doneAt: null }, transaction: t });
}

export const dispositionSnapshot = (d: Disposition) => ({
  id: d.id, letterId: d.letterId, parentId: d.parentId, from: d.fromPositionId, to: d.toPositionId, instructions: d.instructionCodes(),
  note: d.note, priority: d.priority, dueAt: d.dueAt instanceof Date ? d.dueAt.toISOString() : d.dueAt, status: d.status, version: d.version,
});

export async function positionName(id: number, t?: Transaction): Promise<string> {
  return (await Position.findByPk(id, { transaction: t }))?.name ?? `jabatan #${id}`;
}

/** How a letter is named in notifications and e-mails: never the subject of a confidential one. */
export function letterSubject(letter: IncomingLetter): string {
  return CONFIDENTIAL.includes(letter.sifat) ? `surat nomor agenda ${letter.agendaNumber} (${SIFAT_LABEL[letter.sifat]})` : letter.perihal;
}
