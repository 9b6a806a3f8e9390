import { Op } from 'sequelize';
import { DomainCase, DomainRegistryEntry, Position } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { tanggal, tanggalJam, today } from '../../platform/dates';
import { recordEvent } from '../../platform/audit';
import { systemActor } from '../../platform/actor';
import { getSetting } from '../../platform/settings';
import { notifyPosition, notifyPositionOrSuperior } from '../../platform/notifier';
import { caseEvent, stepOf } from './domainCommon';
import { definitionOf } from './domainCaseTypes';

const dayMs = 86_400_000;
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs);

/**
 * The domain sweep, run by the scheduler with the disposition deadlines:
 *  - a case step past its SOP time is flagged once: the case's Pejabat Domain is told (the
 *    nearest superior holder when the position is vacant) and the escalation goes to the
 *    Pejabat Domain's superior, like a late disposition; history and audit record it;
 *  - each active domain is reminded to the Pejabat Domain positions 30, 14 and 7 days (setting
 *    'domain.pengingat_hari') before it expires, each threshold once.
 * Each case and entry in its own transaction with a row lock, so repeated sweeps do nothing twice.
 */
export async function sweepDomainCases(): Promise<{ late: number; reminded: number }> {
  const at = now();
  let late = 0;
  let reminded = 0;
  const lateIds = await DomainCase.findAll({ attributes: ['id'], where: { status: 'berjalan', stepLateNotifiedAt: null, stepDueAt: { [Op.lte]: at } }, limit: 500 });
  for (const { id } of lateIds) {
    try { if (await flagLate(id)) late++; } catch (err) { console.error(`[${at.toISOString()}] tenggat kasus domain #${id} gagal:`, err); }
  }
  const days = [...(await getSetting('domain.pengingat_hari'))].sort((a, b) => b - a);
  const horizon = new Date(at.getTime() + days[0] * dayMs).toISOString().slice(0, 10);
  const expiring = await DomainRegistryEntry.findAll({ attributes: ['id'], where: { status: 'aktif', expiresAt: { [Op.ne]: null, [Op.lte]: horizon } }, limit: 1000 });
  for (const { id } of expiring) {
    try { if (await remindExpiry(id, days)) reminded++; } catch (err) { console.error(`[${at.toISOString()}] pengingat domain #${id} gagal:`, err); }
  }
  return { late, reminded };
}

async function flagLate(id: number): Promise<boolean> {
  return tx(async (t) => {
    const c = await DomainCase.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
    const at = now();
    if (!c || c.status !== 'berjalan' || c.stepLateNotifiedAt || !c.stepDueAt || c.stepDueAt > at) return false;
    const def = await definitionOf(c.typeVersionId);
    const step = stepOf(def, c.currentStepKey);
    const n = {
      kind: 'domain_terlambat', title: `Kasus domain ${c.requestedName} melewati waktu SOP`.slice(0, 300),
      body: `Langkah "${step?.label ?? '-'}" (SOP ${step ? `${step.sop.amount} ${step.sop.unit}` : '-'}) seharusnya selesai ${tanggalJam(c.stepDueAt)}.`,
      url: `/domain/kasus/${c.id}`, dedupeKey: `domain-lewat:${c.id}:${c.currentStepKey}:${c.lockVersion}`,
    };
    const notified = await notifyPositionOrSuperior(t, c.pejabatPositionId, n);
    const pos = await Position.findByPk(c.pejabatPositionId, { transaction: t, attributes: ['id', 'superiorId'] });
    if (pos?.superiorId) await notifyPosition(t, pos.superiorId, { ...n, kind: 'eskalasi', dedupeKey: `domain-eskalasi:${c.id}:${c.currentStepKey}:${c.lockVersion}` });
    const [count] = await DomainCase.update({ stepLateNotifiedAt: at }, { where: { id: c.id, stepLateNotifiedAt: null }, transaction: t, silent: true });
    if (count !== 1) return false;
    await caseEvent(t, c, systemActor('penjadwal'), undefined, { action: 'terlambat', note: `Langkah "${step?.label ?? '-'}" melewati waktu SOP; atasan Pejabat Domain diberi tahu.` });
    await recordEvent(t, systemActor('penjadwal'), {
      action: 'domain.lewat_sop', entityType: 'domain_case', entityId: c.id,
      after: { langkah: c.currentStepKey, tenggat: c.stepDueAt.toISOString(), diberitahu: notified, atasan: pos?.superiorId ?? null },
    });
    return true;
  });
}

async function remindExpiry(id: number, days: number[]): Promise<boolean> {
  return tx(async (t) => {
    const e = await DomainRegistryEntry.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
    if (!e || e.status !== 'aktif' || !e.expiresAt) return false;
    const left = daysBetween(today(), e.expiresAt);
    const due = days.filter((d) => left <= d && (e.lastReminderDays === null || d < e.lastReminderDays));
    if (!due.length) return false;
    const threshold = Math.min(...due);
    const pejabat = await Position.findAll({ where: { role: 'pejabat_domain', active: true }, attributes: ['id'], transaction: t });
    for (const p of pejabat) {
      await notifyPositionOrSuperior(t, p.id, {
        kind: 'domain_kedaluwarsa', title: `Nama domain ${e.fqdn} berakhir ${left <= 0 ? 'hari ini atau sudah lewat' : `dalam ${left} hari`}`.slice(0, 300),
        body: `Masa aktif ${e.fqdn} berakhir ${tanggal(e.expiresAt)}. Perpanjang dan bayar sebelum tanggal itu agar tidak disuspensi registrar.`,
        url: `/domain/registri/${e.id}`, dedupeKey: `domain-kedaluwarsa:${e.id}:${e.expiresAt}:${threshold}`,
      });
    }
    await DomainRegistryEntry.update({ lastReminderDays: threshold }, { where: { id: e.id }, transaction: t, silent: true });
    await recordEvent(t, systemActor('penjadwal'), { action: 'domain.pengingat_kedaluwarsa', entityType: 'domain_registry', entityId: e.id, after: { fqdn: e.fqdn, kedaluwarsa: e.expiresAt, sisaHari: left, ambang: threshold } });
    return true;
  });
}
