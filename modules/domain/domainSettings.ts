import { tx } from '../../platform/db';
import { ForbiddenError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { Setting } from '../../models';
import { now } from '../../platform/clock';
import { getSetting, SETTINGS } from '../../platform/settings';
import type { Actor } from '../../platform/actor';

/** The domain settings as the admin form shows them. */
export interface DomainSettingsForm {
  reserved: string; regionSuffixes: string; parentDomain: string;
  allowedTypes: string[]; maxKb: string; feePerYear: string; ppnPercent: string; reminderDays: string;
}

const list = (s: string): string[] => s.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);

export async function domainSettingsForm(): Promise<DomainSettingsForm> {
  const [names, reg, days] = await Promise.all([getSetting('domain.aturan_nama'), getSetting('domain.registrar'), getSetting('domain.pengingat_hari')]);
  return {
    reserved: names.reserved.join(', '), regionSuffixes: names.regionSuffixes.join(', '), parentDomain: names.parentDomain,
    allowedTypes: reg.allowedTypes, maxKb: String(reg.maxKb), feePerYear: String(reg.feePerYear), ppnPercent: String(reg.ppnPercent), reminderDays: days.join(', '),
  };
}

/**
 * domainSettings.updateDomainSettings: the admin changes the name rules (reserved labels, the
 * region's suffixes, the parent of subdomains), the registrar's upload limits and fee, and the
 * expiry reminder days. Every field checked with its own message; saved together and audited.
 */
export async function updateDomainSettings(actor: Actor, f: DomainSettingsForm): Promise<void> {
  if (!actor.user.isAdmin) throw new ForbiddenError('Hanya admin yang dapat mengubah pengaturan domain.');
  const e: Record<string, string> = {};
  const reserved = list(f.reserved);
  if (reserved.some((r) => !/^[a-z0-9-]{1,63}$/.test(r))) e.reserved = 'Nama cadangan hanya huruf kecil, angka dan tanda hubung, dipisah koma.';
  if (reserved.length > 200) e.reserved = 'Paling banyak 200 nama cadangan.';
  const regionSuffixes = list(f.regionSuffixes);
  if (regionSuffixes.some((r) => !/^[a-z]{2,10}$/.test(r))) e.regionSuffixes = 'Akhiran wilayah 2-10 huruf kecil, dipisah koma (mis. kab, kota, prov).';
  const parentDomain = f.parentDomain.trim().toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(parentDomain) || parentDomain.length > 253) e.parentDomain = 'Domain induk tidak valid (contoh: sindangrajakab.go.id).';
  const allowedTypes = f.allowedTypes.filter((t) => ['application/pdf', 'image/jpeg', 'image/png'].includes(t));
  if (!allowedTypes.length) e.allowedTypes = 'Pilih minimal satu jenis berkas yang diterima registrar.';
  const int = (v: string, k: string, min: number, max: number, msg: string): number => {
    const n = /^\d{1,9}$/.test(v.trim().replace(/\./g, '')) ? Number(v.trim().replace(/\./g, '')) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) e[k] = msg;
    return n;
  };
  const maxKb = int(f.maxKb, 'maxKb', 10, 100_000, 'Batas ukuran 10-100000 KB.');
  const feePerYear = int(f.feePerYear, 'feePerYear', 0, 100_000_000, 'Biaya per tahun dalam rupiah (angka).');
  const ppnRaw = f.ppnPercent.trim();
  const ppn = /^\d{1,3}([.,]\d{1,2})?$/.test(ppnRaw) ? Number(ppnRaw.replace(',', '.')) : NaN;
  if (!Number.isFinite(ppn) || ppn < 0 || ppn > 100) e.ppnPercent = 'PPN dalam persen, 0-100 (mis. 11).';
  const days = list(f.reminderDays).map(Number);
  if (!days.length || days.length > 6 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) e.reminderDays = 'Hari pengingat: 1-6 angka 1-365, dipisah koma (mis. 30, 14, 7).';
  if (Object.keys(e).length) throw new ValidationError(e);
  const names = SETTINGS['domain.aturan_nama'].parse({ reserved: [...new Set(reserved)], regionSuffixes: [...new Set(regionSuffixes)], parentDomain });
  const reg = SETTINGS['domain.registrar'].parse({ allowedTypes, maxKb, feePerYear, ppnPercent: ppn });
  const reminder = SETTINGS['domain.pengingat_hari'].parse([...new Set(days)].sort((a, b) => b - a));
  const before = { nama: await getSetting('domain.aturan_nama'), registrar: await getSetting('domain.registrar'), pengingat: await getSetting('domain.pengingat_hari') };
  await tx(async (t) => {
    const at = now();
    const put = (key: string, value: unknown) => Setting.upsert({ key, value: JSON.stringify(value), updatedAt: at }, { transaction: t });
    await put('domain.aturan_nama', names);
    await put('domain.registrar', reg);
    await put('domain.pengingat_hari', reminder);
    await recordEvent(t, actor, { action: 'domain.pengaturan_diubah', entityType: 'setting', entityId: 'domain', before, after: { nama: names, registrar: reg, pengingat: reminder } });
  });
}
