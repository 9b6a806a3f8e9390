import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Op } from 'sequelize';
import { LetterTemplateVersion, POSITION_ROLES } from '../../models';
import { NotFoundError } from '../../platform/errors';
import { parseIsoDate, today } from '../../platform/dates';
import { sanitizeBody } from '../../lib/sanitizeBody';
import { checkSyntax, runTemplate } from './templateSandbox';
import { ROOT } from '../../platform/paths';

/**
 * Letter templates: the BODY of an outgoing letter (the paragraphs between the "Yth." block and
 * the signature) made from a few fields and the letter being answered. The layout around it
 * (kop, number, date, Sifat/Lampiran/Hal, addressees, signature, tembusan) is
 * modules/templat/letterRender.ts's job.
 *
 * Templates shipped with Naskah are files, templates/surat/<key>.ejs (the body) with
 * <key>.json (metadata: name, jenis naskah, layout, default perihal and klasifikasi, the fields,
 * sample values and the preview context). An admin edits them, or adds new ones, in the browser
 * (routes/templat/templates.ts): every save is a new version in the letter_templates table and the
 * highest version wins over the file. Templates run in modules/templat/templateSandbox.ts: they see only
 * the data given here, and their output is escaped by default and sanitized after.
 */

export const FIELD_TYPES = ['text', 'textarea', 'date', 'number', 'select', 'domain'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const FIELD_TYPE_LABEL: Record<FieldType, string> = {
  text: 'Teks satu baris', textarea: 'Teks panjang', date: 'Tanggal', number: 'Angka', select: 'Pilihan', domain: 'Nama domain',
};

export interface TemplateField {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: string[];
  help?: string;
  /** Required only while another field has one of these values (e.g. the missing documents when the decision is "belum lengkap"). */
  requiredIf?: { field: string; values: string[] };
}

/** What the admin preview and `naskah template:preview` put around the body (all optional). */
export interface TemplatePreview {
  reference?: { senderName: string; senderNumber: string; letterDate: string; perihal: string } | null;
  applicantName?: string | null;
  perihal?: string;
  sifat?: string;
  lampiran?: string;
  addressees?: { name: string; place?: string | null }[];
  tembusan?: string[];
  /** The position whose holder signs the preview (default: the head of the agency). */
  signerRole?: (typeof POSITION_ROLES)[number];
}

export interface LetterTemplate {
  key: string;
  name: string;
  description: string;
  jenisNaskahCode: string;
  layout: 'surat' | 'nota_dinas';
  defaultPerihal: string;
  defaultKlasifikasi: string | null;
  fields: TemplateField[];
  sample: Record<string, unknown>;
  source: string;
  version: number;
  /** Shipped as files (an edited builtin stays builtin). */
  builtin: boolean;
  /** Offered when drafting; an inactive template still renders drafts made from it. */
  active: boolean;
  preview: TemplatePreview | null;
  /** When this version was saved in the browser; null for the shipped files. */
  savedAt: Date | null;
  savedById: number | null;
}

export interface TemplateContext {
  reference?: { senderName: string; senderNumber: string; letterDate: Date | null; perihal: string } | null;
  applicantName?: string | null;
  today: Date;
}

export const TEMPLATE_DIR = path.join(ROOT, 'templates', 'surat');
export const KEY_RE = /^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$/;
export const MAX_SOURCE = 60_000;

// ---------------------------------------------------------------- schemas (files and admin forms)

const FIELD_SCHEMA = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'nama isian: huruf, angka atau garis bawah, diawali huruf, paling panjang 40'),
  label: z.string().trim().min(1, 'label wajib diisi').max(120),
  type: z.enum(FIELD_TYPES, { message: `jenis isian harus salah satu dari ${FIELD_TYPES.join(', ')}` }),
  required: z.boolean().default(false),
  options: z.array(z.string().trim().min(1).max(120)).max(30).optional(),
  help: z.string().max(300).optional(),
  requiredIf: z.object({ field: z.string(), values: z.array(z.string()).min(1) }).optional(),
}).strict().refine((f) => f.type !== 'select' || (f.options?.length ?? 0) >= 1, { message: 'isian pilihan memerlukan options (daftar pilihan)' });

export const FIELDS_SCHEMA = z.array(FIELD_SCHEMA).max(40).superRefine((fields, ctx) => {
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) ctx.addIssue({ code: 'custom', message: `nama isian "${f.name}" dipakai dua kali` });
    names.add(f.name);
  }
  for (const f of fields) {
    if (f.requiredIf && !names.has(f.requiredIf.field)) ctx.addIssue({ code: 'custom', message: `requiredIf isian "${f.name}" merujuk isian "${f.requiredIf.field}" yang tidak ada` });
  }
});

const DATE_STR = z.string().refine((s) => parseIsoDate(s) !== null, 'tanggal harus berformat TTTT-BB-HH');
export const PREVIEW_SCHEMA = z.object({
  reference: z.object({ senderName: z.string().max(300), senderNumber: z.string().max(120), letterDate: DATE_STR, perihal: z.string().max(500) }).strict().nullable().optional(),
  applicantName: z.string().max(300).nullable().optional(),
  perihal: z.string().max(500).optional(),
  sifat: z.string().max(40).optional(),
  lampiran: z.string().max(120).optional(),
  addressees: z.array(z.object({ name: z.string().min(1).max(300), place: z.string().max(120).nullable().optional() }).strict()).max(20).optional(),
  tembusan: z.array(z.string().min(1).max(300)).max(20).optional(),
  signerRole: z.enum(POSITION_ROLES).optional(),
}).strict();

const META_SCHEMA = z.object({
  name: z.string().trim().min(1).max(150),
  description: z.string().max(2000).default(''),
  jenisNaskahCode: z.string().min(1).max(40),
  layout: z.enum(['surat', 'nota_dinas']),
  defaultPerihal: z.string().trim().min(1).max(500),
  defaultKlasifikasi: z.string().max(40).nullable().default(null),
  version: z.number().int().min(1).default(1),
  active: z.boolean().default(true),
  fields: FIELDS_SCHEMA,
  sample: z.record(z.string(), z.unknown()).default({}),
  preview: PREVIEW_SCHEMA.nullable().default(null),
}).strict();

/** A readable line from a zod error: "isian ke-2 (label): label wajib diisi". */
export function zodMessage(err: z.ZodError, what = ''): string {
  const i = err.issues[0];
  if (!i) return 'tidak sah';
  const where = i.path.map((p) => (typeof p === 'number' ? `ke-${p + 1}` : String(p))).join(' ');
  return `${what}${where ? `${where}: ` : ''}${i.message}`;
}

// ---------------------------------------------------------------- the shipped files

let builtins: Map<string, LetterTemplate> | null = null;

/** The templates shipped in templates/surat/ (read once; a broken file is a bug and throws). */
export function builtinTemplates(): Map<string, LetterTemplate> {
  if (builtins) return builtins;
  const out = new Map<string, LetterTemplate>();
  for (const f of fs.readdirSync(TEMPLATE_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const key = f.replace(/\.json$/, '');
    if (!KEY_RE.test(key)) throw new Error(`templates/surat/${f}: bad template key`);
    const parsed = META_SCHEMA.safeParse(JSON.parse(fs.readFileSync(path.join(TEMPLATE_DIR, f), 'utf8')));
    if (!parsed.success) throw new Error(`templates/surat/${f}: ${zodMessage(parsed.error)}`);
    const m = parsed.data;
    const source = fs.readFileSync(path.join(TEMPLATE_DIR, `${key}.ejs`), 'utf8');
    out.set(key, {
      key, name: m.name, description: m.description, jenisNaskahCode: m.jenisNaskahCode, layout: m.layout, defaultPerihal: m.defaultPerihal,
      defaultKlasifikasi: m.defaultKlasifikasi, fields: m.fields as TemplateField[], sample: m.sample, source, version: m.version,
      builtin: true, active: m.active, preview: m.preview as TemplatePreview | null, savedAt: null, savedById: null,
    });
  }
  builtins = out;
  return out;
}

// ---------------------------------------------------------------- reading

const json = <T>(s: string | null, fallback: T): T => { try { return s ? (JSON.parse(s) as T) : fallback; } catch { return fallback; } };

export function templateOfRow(r: LetterTemplateVersion): LetterTemplate {
  return {
    key: r.templateKey, name: r.name, description: r.description, jenisNaskahCode: r.jenisNaskahCode, layout: r.layout === 'nota_dinas' ? 'nota_dinas' : 'surat',
    defaultPerihal: r.defaultPerihal, defaultKlasifikasi: r.defaultKlasifikasi, fields: json<TemplateField[]>(r.fields, []), sample: json<Record<string, unknown>>(r.sample, {}),
    source: r.source, version: r.version, builtin: builtinTemplates().has(r.templateKey), active: !!r.active,
    preview: json<TemplatePreview | null>(r.preview, null), savedAt: r.createdAt, savedById: r.createdById,
  };
}

/** The latest saved version of every key. */
async function latestRows(): Promise<LetterTemplateVersion[]> {
  const rows = await LetterTemplateVersion.findAll({ attributes: ['templateKey', 'version'] });
  const top = new Map<string, number>();
  for (const r of rows) top.set(r.templateKey, Math.max(top.get(r.templateKey) ?? 0, r.version));
  if (!top.size) return [];
  return LetterTemplateVersion.findAll({ where: { [Op.or]: [...top].map(([templateKey, version]) => ({ templateKey, version })) } });
}

/** Every template, active or not, builtin or added (admin list). */
export async function listAllTemplates(): Promise<LetterTemplate[]> {
  const map = new Map(builtinTemplates());
  for (const r of await latestRows()) map.set(r.templateKey, templateOfRow(r));
  return [...map.values()].sort((a, b) => a.name.localeCompare(b.name, 'id'));
}

/** The templates offered when drafting (active ones), by name. */
export async function listTemplates(): Promise<LetterTemplate[]> {
  return (await listAllTemplates()).filter((t) => t.active);
}

/** The template in use for a key (its latest saved version, else the shipped file), or null. */
export async function getTemplate(key: string): Promise<LetterTemplate | null> {
  if (typeof key !== 'string' || !KEY_RE.test(key)) return null;
  const row = await LetterTemplateVersion.findOne({ where: { templateKey: key }, order: [['version', 'DESC']] });
  if (row) return templateOfRow(row);
  return builtinTemplates().get(key) ?? null;
}

/** One version of a template (the shipped file is the builtin's own version number). */
export async function getTemplateVersion(key: string, version: number): Promise<LetterTemplate | null> {
  if (!KEY_RE.test(key)) return null;
  const row = await LetterTemplateVersion.findOne({ where: { templateKey: key, version } });
  if (row) return templateOfRow(row);
  const b = builtinTemplates().get(key);
  return b && b.version === version ? b : null;
}

/** The saved versions of a key, newest first, plus the shipped file for a builtin. */
export async function templateHistory(key: string): Promise<{ version: number; savedAt: Date | null; savedById: number | null; file: boolean }[]> {
  const rows = await LetterTemplateVersion.findAll({ where: { templateKey: key }, attributes: ['version', 'createdAt', 'createdById'], order: [['version', 'DESC']] });
  const out = rows.map((r) => ({ version: r.version, savedAt: r.createdAt as Date | null, savedById: r.createdById, file: false }));
  const b = builtinTemplates().get(key);
  if (b) out.push({ version: b.version, savedAt: null, savedById: null, file: true });
  return out;
}

// ---------------------------------------------------------------- values

const DOMAIN_RE = /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,63}$/;
const MAX_TEXT = 500;
const MAX_TEXTAREA = 5_000;

/** Why a domain name is not acceptable, or null. */
export function domainProblem(v: string): string | null {
  if (!DOMAIN_RE.test(v)) return 'Nama domain tidak valid: huruf kecil, angka dan tanda hubung, bagian pertama 3–63 karakter, dipisah titik (contoh: layanan.sindangrajakab.go.id).';
  if (/--/.test(v.split('.')[0]) && !/^xn--/.test(v)) return 'Nama domain tidak boleh memuat dua tanda hubung berturut-turut.';
  return null;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return v.length ? str(v[v.length - 1]) : '';
  return '';
}

/**
 * The values of a template's fields from a form (or JSON): trimmed, typed (dates as
 * YYYY-MM-DD, numbers as numbers, domain names lower-case), and an Indonesian message per field
 * for anything missing or malformed. Optional empty fields come out as '' (null for dates and numbers).
 */
export function parseTemplateValues(tpl: LetterTemplate, input: Record<string, unknown>): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const raw = (name: string) => str((input ?? {})[name]).replace(/\r\n/g, '\n').trim();
  for (const f of tpl.fields) {
    const v = raw(f.name);
    const required = f.required || (!!f.requiredIf && f.requiredIf.values.includes(raw(f.requiredIf.field)));
    if (!v) {
      if (required) errors[f.name] = `${f.label} wajib diisi.`;
      values[f.name] = f.type === 'date' || f.type === 'number' ? null : '';
      continue;
    }
    switch (f.type) {
      case 'text':
        if (v.length > MAX_TEXT || /\n/.test(v)) errors[f.name] = `${f.label}: satu baris, paling banyak ${MAX_TEXT} karakter.`;
        values[f.name] = v;
        break;
      case 'textarea':
        if (v.length > MAX_TEXTAREA) errors[f.name] = `${f.label}: paling banyak ${MAX_TEXTAREA} karakter.`;
        values[f.name] = v;
        break;
      case 'date': {
        const d = parseIsoDate(v);
        if (!d) errors[f.name] = `${f.label}: tanggal tidak valid (format TTTT-BB-HH).`;
        values[f.name] = d;
        break;
      }
      case 'number': {
        const n = /^-?\d{1,15}(?:[.,]\d{1,6})?$/.test(v) ? Number(v.replace(',', '.')) : NaN;
        if (!Number.isFinite(n)) errors[f.name] = `${f.label}: harus berupa angka.`;
        values[f.name] = Number.isFinite(n) ? n : null;
        break;
      }
      case 'select':
        if (!(f.options ?? []).includes(v)) errors[f.name] = `${f.label}: pilih salah satu dari ${(f.options ?? []).join(', ')}.`;
        values[f.name] = v;
        break;
      case 'domain': {
        const d = v.toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
        const p = domainProblem(d);
        if (p) errors[f.name] = `${f.label}: ${p}`;
        values[f.name] = d;
        break;
      }
    }
  }
  return { values, errors };
}

// ---------------------------------------------------------------- rendering

/** The data a template sees: its values and the context, dates as YYYY-MM-DD in the office's zone. */
export function templateData(values: Record<string, unknown>, ctx: TemplateContext): Record<string, unknown> {
  const day = (d: Date | string | null | undefined): string | null => {
    if (!d) return null;
    if (typeof d === 'string') return parseIsoDate(d.slice(0, 10));
    return Number.isNaN(d.getTime()) ? null : today(d);
  };
  const r = ctx.reference;
  return {
    values: JSON.parse(JSON.stringify(values ?? {})) as unknown,
    reference: r ? { senderName: r.senderName ?? '', senderNumber: r.senderNumber ?? '', letterDate: day(r.letterDate), perihal: r.perihal ?? '' } : null,
    applicantName: ctx.applicantName ?? r?.senderName ?? null,
    today: day(ctx.today) ?? today(),
  };
}

/** Render a template object (saved or not) to sanitized body HTML. Throws TemplateError for a fault of the template. */
export async function renderTemplateObject(tpl: Pick<LetterTemplate, 'source'>, values: Record<string, unknown>, ctx: TemplateContext): Promise<string> {
  return sanitizeBody(await runTemplate(tpl.source, templateData(values, ctx)));
}

/**
 * The body of a letter from the template `key`, its field values (as parseTemplateValues
 * returned them) and the context, as sanitized HTML. NotFoundError for an unknown key;
 * TemplateError (422, with the line) when the template itself fails.
 */
export async function renderTemplateBody(key: string, values: Record<string, unknown>, ctx: TemplateContext): Promise<string> {
  const tpl = await getTemplate(key);
  if (!tpl) throw new NotFoundError('Templat surat tidak ditemukan.');
  return renderTemplateObject(tpl, values, ctx);
}

/** Syntax check of a template's source: null, or the line and an Indonesian message. Nothing runs. */
export function checkTemplateSource(source: string): { line: number; message: string } | null {
  return checkSyntax(source);
}
