import { JenisNaskah, Setting } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ValidationError } from '../../platform/errors';
import { NUMBER_SCOPES, SEQUENCE_KINDS, ruleProblem, NUMBERING_SCHEMA, type NumberRule, type NumberingSettings } from '../../lib/numberingRules';
import { recordEvent } from '../../platform/audit';
import type { Actor } from '../../platform/actor';
import { getSetting } from '../../platform/settings';

const str = (v: unknown): string => (typeof v === 'string' ? v : '').trim();

/** Parse one rule from the form fields `<prefix>format`, `<prefix>scope`, `<prefix>sequence`. */
function ruleFrom(f: Record<string, unknown>, prefix: string, e: Record<string, string>): NumberRule | null {
  const format = str(f[`${prefix}format`]);
  const scope = str(f[`${prefix}scope`]);
  const sequence = str(f[`${prefix}sequence`]) || 'bersama';
  let bad = false;
  if (!format) { e[`${prefix}format`] = 'Format nomor wajib diisi, mis. {klasifikasi}/{seq}/{unit}/{year}.'; bad = true; }
  else if (format.length > 120) { e[`${prefix}format`] = 'Format nomor paling panjang 120 karakter.'; bad = true; }
  if (!(NUMBER_SCOPES as readonly string[]).includes(scope)) { e[`${prefix}scope`] = 'Pilih cakupan urutan.'; bad = true; }
  if (!(SEQUENCE_KINDS as readonly string[]).includes(sequence)) { e[`${prefix}sequence`] = 'Pilih urutan bersama atau sendiri.'; bad = true; }
  if (bad) return null;
  const rule = { format, scope, sequence } as NumberRule;
  const problem = ruleProblem(rule);
  if (problem) { e[`${prefix}format`] = problem; return null; }
  return rule;
}

/**
 * numberingSettingsUpdater: an admin sets the outgoing-letter number format (the default and,
 * where a jenis naskah differs, its own), the scope of each sequence and the unit code. Numbers
 * already given never change; the next signing uses the new rule. Saved and audited together.
 */
export async function updateNumberingSettings(actor: Actor, f: Record<string, unknown>): Promise<NumberingSettings> {
  const e: Record<string, string> = {};
  const def = ruleFrom(f, 'default_', e);
  const perJenis: Record<string, NumberRule> = {};
  for (const j of await JenisNaskah.findAll({ order: [['sortOrder', 'ASC']] })) {
    if (f[`own_${j.code}`] !== '1') continue;
    const r = ruleFrom(f, `j_${j.code}_`, e);
    if (r) perJenis[j.code] = r;
  }
  const unitCode = str(f.unitCode);
  if (unitCode.length > 40 || /[\s/{}]/.test(unitCode)) e.unitCode = 'Kode unit paling panjang 40 karakter, tanpa spasi, garis miring, atau kurung kurawal.';
  if (Object.keys(e).length || !def) throw new ValidationError(e);
  const next = NUMBERING_SCHEMA.parse({ default: def, perJenis, unitCode });
  const before = await getSetting('penomoran.surat_keluar');
  await tx(async (t) => {
    await Setting.upsert({ key: 'penomoran.surat_keluar', value: JSON.stringify(next), updatedAt: now() }, { transaction: t });
    await recordEvent(t, actor, { action: 'pengaturan.diubah', entityType: 'pengaturan', entityId: 'penomoran', before, after: next });
  });
  return next;
}
