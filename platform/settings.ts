import { z } from 'zod';
import { ValidationError } from './errors';
import { tx } from './db';
import { recordEvent } from './audit';
import type { Actor } from './actor';
import { Setting, Holiday } from '../models';
import { config } from '../config';
import { now } from './clock';
import type { WorkingCalendar } from '../lib/workingTime';
import { KOP_SCHEMA, LAYOUT_SCHEMA, DEFAULT_LAYOUT, defaultKopFor } from '../lib/kop';
import { NUMBERING_SCHEMA, DEFAULT_NUMBERING } from '../lib/numberingRules';

/**
 * Settings an admin can change at run time, stored as JSON in the `settings` table, each
 * validated by its schema with a default. Read through here, never from the table directly.
 */
/** The default letterhead, from ORG_REGION / ORG_NAME / ORG_ADDRESS. */
export const defaultKop = () => defaultKopFor(config());

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
  /**
   * Kop surat (letterhead) and page layout of outgoing letters: schemas, meaning and defaults in
   * lib/kop.ts; changed on /admin/kop-surat (modules/templat/kopUpdater.ts); read by templates through
   * modules/templat/kop.ts letterhead().
   */
  'surat.kop': KOP_SCHEMA.default(defaultKop),
  'surat.tata_letak': LAYOUT_SCHEMA.default(DEFAULT_LAYOUT),
  /** Outgoing-letter number formats per jenis naskah and their sequences (lib/numberingRules.ts; modules/surat-keluar/letterNumbering.ts). */
  'penomoran.surat_keluar': NUMBERING_SCHEMA.default(DEFAULT_NUMBERING),
  /** Lines printed under the TTE stamp of a signed letter (modules/ttd/letterSigner.ts). */
  'tte.catatan_kaki': z.array(z.string().max(300)).max(4).default([
    'Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE), BSSN.',
    'Sesuai UU No. 11 Tahun 2008 tentang ITE beserta perubahannya, tanda tangan elektronik memiliki kekuatan hukum dan akibat hukum yang sah.',
  ]),
  /**
   * Domain cases (issue #6): name rules (lib/domainNames.ts), the registrar's upload limits and
   * fee, and the expiry reminders. Facts from public registrar material, kept as data.
   */
  'domain.aturan_nama': z.object({
    reserved: z.array(z.string().regex(/^[a-z0-9-]{1,63}$/)).max(200),
    regionSuffixes: z.array(z.string().regex(/^[a-z]{2,10}$/)).max(10),
    parentDomain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/),
  }).default({
    reserved: ['www', 'mail', 'ns', 'ns1', 'ns2', 'ns3', 'smtp', 'imap', 'pop', 'ftp', 'admin', 'localhost', 'webmail', 'mx', 'dns', 'vpn', 'api-internal'],
    regionSuffixes: ['kab', 'kota', 'prov'],
    parentDomain: 'sindangrajakab.go.id',
  }),
  'domain.registrar': z.object({
    /** File types the registrar accepts per document. */
    allowedTypes: z.array(z.enum(['application/pdf', 'image/jpeg', 'image/png'])).min(1),
    /** Largest document the registrar accepts, in KB. */
    maxKb: z.number().int().min(10).max(100_000),
    /** Yearly fee in rupiah before PPN, and the PPN rate in percent. */
    feePerYear: z.number().int().min(0),
    ppnPercent: z.number().min(0).max(100),
  }).default({ allowedTypes: ['application/pdf', 'image/jpeg'], maxKb: 200, feePerYear: 50_000, ppnPercent: 11 }),
  /** Days before a domain's expiry when the Pejabat Domain is reminded. */
  'domain.pengingat_hari': z.array(z.number().int().min(1).max(365)).min(1).max(6).default([30, 14, 7]),
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

const DAY_NAMES = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'];
export { DAY_NAMES };

/**
 * settingsUpdater: an admin changes the disposition settings (working hours and days, allowed
 * targets, reminder lead, escalation to the superior). Validated together, saved and audited
 * in one transaction.
 */
export async function updateDispositionSettings(actor: Actor, f: Record<string, unknown>): Promise<void> {
  const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).map(Number);
  const e: Record<string, string> = {};
  const cal = SETTINGS['kalender.kerja'].safeParse({ days: list(f.days), start: String(f.start ?? ''), end: String(f.end ?? '') });
  if (!cal.success) {
    if (!list(f.days).length) e.days = 'Pilih minimal satu hari kerja.';
    else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(String(f.start)) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(f.end))) e.start = 'Jam kerja tidak valid (JJ:MM).';
    else e.start = 'Jam mulai harus sebelum jam selesai.';
  }
  const target = SETTINGS['disposisi.target'].safeParse(f.target);
  if (!target.success) e.target = 'Pilihan tujuan disposisi tidak dikenal.';
  const lead = SETTINGS['disposisi.pengingat_menit'].safeParse(Number(f.lead));
  if (!lead.success || !/^\d+$/.test(String(f.lead ?? ''))) e.lead = 'Waktu pengingat harus bilangan menit antara 0 dan 10080.';
  if (Object.keys(e).length) throw new ValidationError(e);
  const before = { kalender: await getSetting('kalender.kerja'), target: await getSetting('disposisi.target'), pengingat: await getSetting('disposisi.pengingat_menit'), eskalasi: await getSetting('disposisi.eskalasi_atasan') };
  await tx(async (t) => {
    const at = now();
    const put = (key: SettingKey, value: unknown) => Setting.upsert({ key, value: JSON.stringify(value), updatedAt: at }, { transaction: t });
    await put('kalender.kerja', cal.data);
    await put('disposisi.target', target.data);
    await put('disposisi.pengingat_menit', lead.data);
    await put('disposisi.eskalasi_atasan', f.escalate === '1');
    await recordEvent(t, actor, { action: 'pengaturan.diubah', entityType: 'pengaturan', entityId: 'disposisi', before,
      after: { kalender: cal.data, target: target.data, pengingat: lead.data, eskalasi: f.escalate === '1' } });
  });
}
