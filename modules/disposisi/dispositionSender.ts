import { CONFIDENTIAL, Disposition, IncomingLetter, InboxItem, Position, PRIORITIES, type Priority } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { parseLocalDateTime, tanggalJam } from '../../platform/dates';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { dueFor } from './deadlines';
import { holdingsOnLetter } from './policies/disposition';
import { allowedTargets } from './dispositionTargets';
import { cleanInstructions, dispositionSnapshot, letterSubject, moveLetter, saveDisposition } from './dispositionCommon';
import type { Actor } from '../../platform/actor';

export interface DisposeForm {
  targets: string[]; instructions: string[]; note: string; priority: string;
  /** datetime-local in the office's zone; empty = the SOP step time of each recipient's role. */
  dueAt: string;
}

export interface DisposeProps { actor: Actor; letterId: number; viaPositionId: number; form: DisposeForm }

/**
 * dispositionSender: the current holder of a letter disposes it to one or more positions
 * below them, with instructions, a deadline and a priority. The disposer's paraf (who, which
 * position, when, acting or not) is the disposition row itself. In one transaction: check the
 * holder and the allowed targets, create one disposition per recipient, put the letter in
 * their inboxes, move the holder's own item or disposition forward, notify, audit.
 */
export async function sendDispositions(p: DisposeProps): Promise<Disposition[]> {
  const errors: Record<string, string> = {};
  const note = (p.form.note ?? '').trim();
  if (note.length > 2000) errors.note = 'Catatan disposisi maksimal 2000 karakter.';
  const targetIds = [...new Set((p.form.targets ?? []).map(Number).filter((n) => Number.isInteger(n) && n > 0))];
  if (!targetIds.length) errors.targets = 'Pilih minimal satu penerima disposisi.';
  if ((p.form.targets ?? []).length !== targetIds.length && !errors.targets) errors.targets = 'Daftar penerima tidak valid.';
  const priority = (p.form.priority || 'biasa') as Priority;
  if (!PRIORITIES.includes(priority)) errors.priority = 'Prioritas tidak dikenal.';
  let due: Date | null = null;
  if (p.form.dueAt) {
    due = parseLocalDateTime(p.form.dueAt);
    if (!due) errors.dueAt = 'Tenggat tidak valid (isi tanggal dan jam).';
    else if (due.getTime() <= now().getTime()) errors.dueAt = `Tenggat ${tanggalJam(due)} sudah lewat; pilih waktu yang akan datang.`;
  }
  let instructions: string[] = [];
  try { instructions = await cleanInstructions(p.form.instructions ?? [], note); } catch (e) {
    if (e instanceof ValidationError) Object.assign(errors, e.fields); else throw e;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const created = await tx(async (t) => {
    const letter = await IncomingLetter.findByPk(p.letterId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!letter) throw new NotFoundError('Surat tidak ditemukan.');
    const holding = (await holdingsOnLetter(p.actor, letter)).find((h) => h.positionId === p.viaPositionId);
    if (!holding) throw new ForbiddenError('Hanya pemegang surat saat ini yang dapat mendisposisikannya.');
    const from = await Position.findByPk(holding.positionId, { transaction: t });
    if (!from) throw new NotFoundError();
    const allowed = new Map((await allowedTargets(from)).map((x) => [x.id, x]));
    const bad = targetIds.filter((id) => !allowed.has(id));
    if (bad.length) {
      const names = (await Position.findAll({ where: { id: bad }, transaction: t })).map((x) => x.name);
      throw new ValidationError({ targets: `${names.join(', ') || 'Jabatan yang dipilih'} bukan tujuan disposisi yang diizinkan untuk ${from.name}.` });
    }
    // The disposition this holder received (if any) becomes the parent of the new ones.
    const parent = await Disposition.findOne({
      where: { letterId: letter.id, toPositionId: from.id, status: ['terkirim', 'dibaca', 'diproses'] }, order: [['id', 'DESC']], transaction: t,
    });
    const dupes = await Disposition.findAll({ where: { letterId: letter.id, fromPositionId: from.id, toPositionId: targetIds, status: ['terkirim', 'dibaca', 'diproses'] }, transaction: t });
    if (dupes.length) {
      throw new ValidationError({ targets: `Surat ini sudah didisposisikan ke ${dupes.map((d) => allowed.get(d.toPositionId)?.name).join(', ')} dan belum selesai.` });
    }
    const at = now();
    const out: Disposition[] = [];
    for (const id of targetIds) {
      const target = allowed.get(id)!;
      const dueAt = due ?? await dueFor(target.role, letter.jenisNaskahCode, at, priority);
      const d = await Disposition.create({
        letterId: letter.id, parentId: parent?.id ?? null, fromPositionId: from.id, fromUserId: p.actor.user.id,
        fromActing: holding.kind === 'definitif' ? null : holding.kind, toPositionId: id, instructions: JSON.stringify(instructions),
        note: note || null, priority, dueAt, status: 'terkirim', readAt: null, readByUserId: null, completedAt: null, completedByUserId: null,
        completedActing: null, result: null, recalledAt: null, recallReason: null, remindedAt: null, escalatedAt: null, createdAt: at, updatedAt: at,
      }, { transaction: t });
      const item = await InboxItem.findOne({ where: { letterId: letter.id, positionId: id }, transaction: t });
      if (item) await item.update({ kind: item.kind === 'tujuan' ? 'tujuan' : 'disposisi', unread: true, readAt: null, readByUserId: null, receivedAt: at, dueAt, doneAt: null }, { transaction: t });
      else await InboxItem.create({ letterId: letter.id, positionId: id, kind: 'disposisi', receivedAt: at, readAt: null, readByUserId: null, dueAt, doneAt: null }, { transaction: t });
      await notifyPosition(t, id, {
        kind: 'disposisi_baru', title: `Disposisi dari ${from.name}: ${letterSubject(letter)}`.slice(0, 300),
        body: `Tenggat ${tanggalJam(dueAt)}.${note && !CONFIDENTIAL.includes(letter.sifat) ? ` Catatan: ${note}` : ''}`, url: `/surat-masuk/${letter.id}`,
        letterId: letter.id, dispositionId: d.id, dedupeKey: `disposisi:${d.id}`,
      });
      await recordEvent(t, p.actor, { action: 'disposisi.dikirim', entityType: 'incoming_letter', entityId: letter.id, after: dispositionSnapshot(d), viaPositionIds: [from.id] });
      out.push(d);
    }
    if (parent && (parent.status === 'terkirim' || parent.status === 'dibaca')) {
      await saveDisposition(t, parent, { status: 'diproses', ...(parent.readAt ? {} : { readAt: at, readByUserId: p.actor.user.id }) });
    }
    if (from.id === letter.addressedPositionId) {
      await InboxItem.update({ doneAt: at }, { where: { letterId: letter.id, positionId: from.id, kind: 'tujuan', doneAt: null }, transaction: t });
    }
    if (letter.status === 'baru' && moveLetter(letter, 'didisposisi')) await letter.save({ transaction: t });
    return out;
  });
  return created;
}
