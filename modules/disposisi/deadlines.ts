import { Op } from 'sequelize';
import { SlaRule, type Urgensi } from '../../models';
import { addWorkingMinutes, slaMinutes, type WorkingCalendar } from '../../lib/workingTime';
import { workingCalendar } from '../../platform/settings';

/** A role's SOP step time (Mutu Baku) for a jenis naskah, falling back to the role's general rule. */
export async function slaFor(role: string, jenisNaskahCode: string | null): Promise<{ amount: number; unit: 'menit' | 'jam' | 'hari' } | null> {
  const rules = await SlaRule.findAll({ where: { role, [Op.or]: [{ jenisNaskahCode: null }, ...(jenisNaskahCode ? [{ jenisNaskahCode }] : [])] } });
  const rule = rules.find((r) => r.jenisNaskahCode === jenisNaskahCode) ?? rules.find((r) => r.jenisNaskahCode === null);
  return rule ? { amount: rule.amount, unit: rule.unit } : null;
}

// Urgent letters shorten the step time: "Sangat Segera" within a quarter of it, "Segera" half.
const URGENCY_FACTOR: Record<Urgensi, number> = { biasa: 1, segera: 0.5, sangat_segera: 0.25 };

/**
 * When a position of `role` must have acted on a letter that reached it at `from`: the SOP
 * step time for the role and jenis naskah, on the working calendar, shortened by urgency.
 */
export async function dueFor(role: string, jenisNaskahCode: string | null, from: Date, urgensi: Urgensi = 'biasa', cal?: WorkingCalendar): Promise<Date> {
  const calendar = cal ?? (await workingCalendar());
  const sla = (await slaFor(role, jenisNaskahCode)) ?? { amount: 1, unit: 'hari' as const };
  const minutes = Math.max(15, Math.round(slaMinutes(sla.amount, sla.unit, calendar) * URGENCY_FACTOR[urgensi]));
  return addWorkingMinutes(from, minutes, calendar);
}
