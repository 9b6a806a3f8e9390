import { z } from 'zod';
import { Setting, Holiday } from '../models';
import { config } from '../config';
import { now } from '../lib/clock';
import type { WorkingCalendar } from '../lib/workingTime';

/**
 * Settings an admin can change at run time, stored as JSON in the `settings` table, each
 * validated by its schema with a default. Read through here, never from the table directly.
 */
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
export const SETTINGS = {
  'kalender.kerja': z.object({ days: z.array(z.number().int().min(1).max(7)).min(1), start: time, end: time })
    .refine((v) => v.start < v.end, 'jam mulai harus sebelum jam selesai')
    .default({ days: [1, 2, 3, 4, 5], start: '07:30', end: '16:00' }),
  /** hierarki: direct subordinates and positions inside the disposer's unit; bebas: any position. */
  'disposisi.target': z.enum(['hierarki', 'bebas']).default('hierarki'),
  /** Minutes before the deadline when the recipient is reminded. */
  'disposisi.pengingat_menit': z.number().int().min(0).max(7 * 24 * 60).default(60),
  /** Escalate a late disposition to the disposer's superior too, not only the disposer. */
  'disposisi.eskalasi_atasan': z.boolean().default(false),
} as const;
export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]>;

export async function getSetting<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
  const row = await Setting.findByPk(key);
  const schema = SETTINGS[key] as unknown as z.ZodType<SettingValue<K>>;
  if (row) {
    try { const v = schema.safeParse(JSON.parse(row.value)); if (v.success) return v.data; } catch { /* fall back to the default */ }
  }
  return schema.parse(undefined);
}

export async function setSetting<K extends SettingKey>(key: K, value: unknown): Promise<SettingValue<K>> {
  const v = (SETTINGS[key] as unknown as z.ZodType<SettingValue<K>>).parse(value);
  await Setting.upsert({ key, value: JSON.stringify(v), updatedAt: now() });
  return v;
}

/** The working calendar with its holidays, as the deadline calculations need it. */
export async function workingCalendar(): Promise<WorkingCalendar> {
  const c = await getSetting('kalender.kerja');
  const holidays = new Set((await Holiday.findAll({ attributes: ['date'] })).map((h) => h.date));
  return { ...c, timezone: config().timezone, holidays };
}
