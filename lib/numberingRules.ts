import { z } from 'zod';
import { validateFormat } from './numbering';

/**
 * How outgoing letters are numbered: a format per jenis naskah (tokens {klasifikasi}, {seq[:n]},
 * {unit}, {month}, {roman}, {year}; lib/numbering.ts) with the scope of its sequence. Stored
 * through platform/settings.ts under 'penomoran.surat_keluar'; applied by modules/surat-keluar/letterNumbering.ts.
 */

/** tahun: one sequence per year; tahun_klasifikasi: one per year and kode klasifikasi. */
export const NUMBER_SCOPES = ['tahun', 'tahun_klasifikasi'] as const;
export type NumberScope = (typeof NUMBER_SCOPES)[number];
export const NUMBER_SCOPE_LABEL: Record<NumberScope, string> = {
  tahun: 'Per tahun', tahun_klasifikasi: 'Per tahun dan kode klasifikasi',
};

/** bersama: the jenis naskah draws from the agency's common sequence; sendiri: from its own. */
export const SEQUENCE_KINDS = ['bersama', 'sendiri'] as const;
export type SequenceKind = (typeof SEQUENCE_KINDS)[number];

/** Why a rule is not usable, in Indonesian, or null. */
export function ruleProblem(r: { format: string; scope: NumberScope }): string | null {
  const p = validateFormat(r.format);
  if (p) return `Format nomor: ${p}.`;
  if (r.scope === 'tahun_klasifikasi' && !r.format.includes('{klasifikasi}')) {
    return 'Urutan per kode klasifikasi memerlukan token {klasifikasi} dalam format, agar nomor tidak kembar.';
  }
  return null;
}

export const RULE_SCHEMA = z.object({
  format: z.string().trim().min(1).max(120),
  scope: z.enum(NUMBER_SCOPES),
  sequence: z.enum(SEQUENCE_KINDS),
}).refine((r) => ruleProblem(r) === null, { message: 'aturan penomoran tidak valid' });
export type NumberRule = z.infer<typeof RULE_SCHEMA>;

export const NUMBERING_SCHEMA = z.object({
  /** Used by every jenis naskah without a rule of its own. */
  default: RULE_SCHEMA,
  /** jenis naskah code -> its own rule. */
  perJenis: z.record(z.string().max(40), RULE_SCHEMA),
  /** What {unit} prints when the caller names no unit (the agency's code, e.g. "Diskominfo"). */
  unitCode: z.string().trim().max(40),
});
export type NumberingSettings = z.infer<typeof NUMBERING_SCHEMA>;

export const DEFAULT_NUMBERING: NumberingSettings = {
  default: { format: '{klasifikasi}/{seq}/{unit}/{year}', scope: 'tahun', sequence: 'bersama' },
  perJenis: {},
  unitCode: '',
};

/** The rule that numbers a jenis naskah. */
export const ruleFor = (s: NumberingSettings, jenisNaskahCode: string): NumberRule => s.perJenis[jenisNaskahCode] ?? s.default;

/**
 * The counter a number is drawn from. Jenis naskah on the common sequence share one counter
 * per year (and klasifikasi); a jenis naskah with its own sequence has its own.
 */
export function counterName(rule: NumberRule, p: { jenisNaskahCode: string; year: number; klasifikasiCode: string }): string {
  const who = rule.sequence === 'sendiri' ? `jenis=${p.jenisNaskahCode}` : 'bersama';
  const klas = rule.scope === 'tahun_klasifikasi' ? `:${p.klasifikasiCode}` : '';
  return `nomor-surat:${who}:${p.year}${klas}`;
}
