import { Op, type InferAttributes, type WhereOptions } from 'sequelize';
import { Disposition, IncomingLetter, OPEN_DISPOSITION, Position, SIFAT_LABEL, DISPOSITION_STATUS_LABEL } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { tanggalJam } from '../../platform/dates';
import { getSetting } from '../../platform/settings';
import { notifyPosition, notifyPositionOrSuperior } from '../../platform/notifier';
import { recordEvent } from '../../platform/audit';
import { systemActor } from '../../platform/actor';
import { deliverPendingEmails } from '../../platform/mailer';
import { dispositionSnapshot, positionName } from './dispositionCommon';

const BATCH = 100;
type Where = WhereOptions<InferAttributes<Disposition>>;

/** Open dispositions matching `where`, walked in id order a batch at a time. */
async function* candidates(where: Where): AsyncGenerator<number> {
  let after = 0;
  for (;;) {
    const rows = await Disposition.findAll({
      attributes: ['id'], where: { ...where, status: OPEN_DISPOSITION as string[], id: { [Op.gt]: after } } as Where,
      order: [['id', 'ASC']], limit: BATCH,
    });
    for (const r of rows) yield r.id;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1].id;
  }
}

/** What a notification may say about the letter: its subject, except for classified letters (the text also goes out by e-mail). */
const aboutLetter = (l: IncomingLetter): string =>
  l.sifat === 'rahasia' || l.sifat === 'sangat_rahasia' ? `surat ${l.agendaNumber} (${SIFAT_LABEL[l.sifat]})` : `${l.perihal} (${l.agendaNumber})`;


/**
 * The deadline sweep, run by the scheduler. For every open disposition (terkirim, dibaca,
 * diproses):
 *  - reminder: once now() is within the reminder lead (setting 'disposisi.pengingat_menit')
 *    before its deadline, the holders of the recipient position are reminded once;
 *  - overdue: once the deadline has passed, the recipient is told, the disposer position's
 *    holders get an escalation (and, with the setting 'disposisi.eskalasi_atasan', the
 *    holders of the disposer's superior position too), and an audit event
 *    'disposisi.lewat_tenggat' is written by the system.
 * Each disposition is handled in its own transaction that re-reads it under a row lock and
 * sets remindedAt / escalatedAt with the notifications, so concurrent or repeated sweeps do
 * nothing twice; the notifications' dedupe keys (pengingat:, lewat:, eskalasi: + id) keep
 * them unique per user even if a flag were lost. The flags are system bookkeeping: they do
 * not bump the disposition's version (a user's open form stays valid) nor its updatedAt.
 * Queued e-mails are delivered after the transactions commit. One disposition failing is
 * logged and does not stop the others.
 */
export async function sweepDeadlines(): Promise<{ reminded: number; escalated: number }> {
  const leadMs = (await getSetting('disposisi.pengingat_menit')) * 60_000;
  const toSuperior = await getSetting('disposisi.eskalasi_atasan');
  const at = now();
  let reminded = 0;
  let escalated = 0;

  if (leadMs > 0) {
    const window: Where = { remindedAt: null, escalatedAt: null, dueAt: { [Op.gt]: at, [Op.lte]: new Date(at.getTime() + leadMs) } };
    for await (const id of candidates(window)) {
      try { if (await remind(id, leadMs)) reminded++; } catch (err) { logFailure('pengingat', id, err); }
    }
  }
  for await (const id of candidates({ escalatedAt: null, dueAt: { [Op.lte]: at } })) {
    try { if (await escalate(id, toSuperior)) escalated++; } catch (err) { logFailure('eskalasi', id, err); }
  }

  try { await deliverPendingEmails(); } catch (err) { console.error(`[${new Date().toISOString()}] pengiriman e-mail gagal:`, err); }
  return { reminded, escalated };
}

function logFailure(what: string, id: number, err: unknown): void {
  console.error(`[${new Date().toISOString()}] ${what} disposisi #${id} gagal:`, err);
}

async function remind(id: number, leadMs: number): Promise<boolean> {
  return tx(async (t) => {
    const d = await Disposition.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
    const at = now();
    if (!d || !d.isOpen() || d.remindedAt || d.escalatedAt) return false;
    const due = new Date(d.dueAt).getTime();
    if (at.getTime() >= due || at.getTime() < due - leadMs) return false;
    const letter = await IncomingLetter.findByPk(d.letterId, { transaction: t });
    if (!letter) return false;
    const from = await positionName(d.fromPositionId, t);
    await notifyPosition(t, d.toPositionId, {
      kind: 'pengingat_tenggat', title: `Pengingat tenggat disposisi: ${aboutLetter(letter)}`,
      body: `Disposisi dari ${from} harus ditindaklanjuti sebelum ${tanggalJam(d.dueAt)}.`,
      url: `/surat-masuk/${letter.id}`, letterId: letter.id, dispositionId: d.id, dedupeKey: `pengingat:${d.id}`,
    });
    const [n] = await Disposition.update({ remindedAt: at }, { where: { id: d.id, remindedAt: null }, transaction: t, silent: true });
    return n === 1;
  });
}

async function escalate(id: number, toSuperior: boolean): Promise<boolean> {
  return tx(async (t) => {
    const d = await Disposition.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
    const at = now();
    if (!d || !d.isOpen() || d.escalatedAt || new Date(d.dueAt).getTime() > at.getTime()) return false;
    const letter = await IncomingLetter.findByPk(d.letterId, { transaction: t });
    if (!letter) return false;
    const [fromPos, toName] = [await Position.findByPk(d.fromPositionId, { transaction: t }), await positionName(d.toPositionId, t)];
    const fromName = fromPos?.name ?? `jabatan #${d.fromPositionId}`;
    const about = aboutLetter(letter);
    const due = tanggalJam(d.dueAt);
    const url = `/surat-masuk/${letter.id}`;
    const common = { url, letterId: letter.id, dispositionId: d.id };
    await notifyPosition(t, d.toPositionId, {
      ...common, kind: 'lewat_tenggat', title: `Disposisi lewat tenggat: ${about}`,
      body: `Tenggat disposisi dari ${fromName} (${due}) sudah lewat. Segera tindak lanjuti atau laporkan kendalanya.`,
      dedupeKey: `lewat:${d.id}`,
    });
    const escalation = {
      ...common, kind: 'eskalasi', title: `Disposisi ke ${toName} lewat tenggat`,
      body: `Disposisi dari ${fromName} kepada ${toName} atas ${about} melewati tenggat ${due} dengan status "${DISPOSITION_STATUS_LABEL[d.status]}".`,
      // One key for the disposer and the superior: someone holding both is told once.
      dedupeKey: `eskalasi:${d.id}`,
    };
    // A disposer who has since left (the position is vacant) is replaced by the nearest superior holder.
    const disposerNotified = await notifyPositionOrSuperior(t, d.fromPositionId, escalation);
    if (toSuperior && fromPos?.superiorId) await notifyPosition(t, fromPos.superiorId, escalation);
    const [n] = await Disposition.update({ escalatedAt: at }, { where: { id: d.id, escalatedAt: null }, transaction: t, silent: true });
    if (n !== 1) return false;
    await recordEvent(t, systemActor('penjadwal'), {
      action: 'disposisi.lewat_tenggat', entityType: 'incoming_letter', entityId: letter.id,
      after: { ...dispositionSnapshot(d), escalatedAt: at.toISOString(), superiorNotified: !!(toSuperior && fromPos?.superiorId),
        escalatedToPositionId: disposerNotified },
    });
    return true;
  });
}
