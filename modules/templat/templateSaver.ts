import { UniqueConstraintError } from 'sequelize';
import { JenisNaskah, Klasifikasi, LetterTemplateVersion } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ConflictError, ValidationError } from '../../platform/errors';
import { TemplateError } from './templateSandbox';
import { recordEvent } from '../../platform/audit';
import type { Actor } from '../../platform/actor';
import {
  FIELDS_SCHEMA, KEY_RE, MAX_SOURCE, PREVIEW_SCHEMA, builtinTemplates, checkTemplateSource, getTemplate, parseTemplateValues,
  renderTemplateObject, zodMessage, type LetterTemplate, type TemplateField, type TemplatePreview,
} from './letterTemplates';

/**
 * templateSaver: an admin adds a letter template or saves a new version of one, from the form
 * on /admin/templat. Everything is checked before anything is written: the metadata, the
 * fields and sample data (JSON), the source's syntax (refused with the line and message), and
 * a trial render with the sample data in the sandbox, so a saved template always renders. The
 * version written is the next after the one the form was loaded from (a stale form is refused,
 * never applied over someone else's edit) and the save is audited in the same transaction.
 */

/** The form of the admin page, as posted (every value a string). */
export interface TemplateForm {
  key?: unknown; name?: unknown; description?: unknown; jenisNaskahCode?: unknown; layout?: unknown;
  defaultPerihal?: unknown; defaultKlasifikasi?: unknown; fields?: unknown; sample?: unknown; preview?: unknown;
  source?: unknown; active?: unknown;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? s(v[v.length - 1]) : '');
const jsonText = (v: unknown): string => JSON.stringify(v, null, 2);

/** The form's values for a template (to fill the edit page). */
export function formOfTemplate(t: LetterTemplate): Record<string, string> {
  return {
    key: t.key, name: t.name, description: t.description, jenisNaskahCode: t.jenisNaskahCode, layout: t.layout, defaultPerihal: t.defaultPerihal,
    defaultKlasifikasi: t.defaultKlasifikasi ?? '', fields: jsonText(t.fields), sample: jsonText(t.sample), preview: t.preview ? jsonText(t.preview) : '',
    source: t.source, active: t.active ? '1' : '',
  };
}

function parseJson(text: string, field: string, label: string, errors: Record<string, string>): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    errors[field] = `${label} bukan JSON yang sah: ${(err as Error).message}`;
    return undefined;
  }
}

/**
 * A template from the form, checked. `key` is the template's key for an edit, or null for a new
 * template (then taken from the form and checked for shape and uniqueness). Throws
 * ValidationError (field -> Indonesian message) for anything wrong, the source's problems with
 * their line.
 */
export async function templateFromForm(f: TemplateForm, key: string | null, opts: { checkKeyFree?: boolean } = {}): Promise<LetterTemplate> {
  const errors: Record<string, string> = {};
  const k = key ?? s(f.key).trim().toLowerCase();
  if (key === null) {
    if (!KEY_RE.test(k)) errors.key = 'Kunci templat: 3–60 huruf kecil, angka atau tanda hubung (contoh: balasan-undangan-rapat).';
    else if (opts.checkKeyFree !== false && (builtinTemplates().has(k) || (await LetterTemplateVersion.count({ where: { templateKey: k } })) > 0)) {
      errors.key = 'Kunci ini sudah dipakai templat lain.';
    }
  }
  const name = s(f.name).trim();
  if (!name) errors.name = 'Nama templat wajib diisi.';
  else if (name.length > 150) errors.name = 'Nama templat paling banyak 150 karakter.';
  const description = s(f.description).trim();
  if (description.length > 2000) errors.description = 'Keterangan paling banyak 2000 karakter.';
  const jenis = s(f.jenisNaskahCode).trim();
  if (!jenis || !(await JenisNaskah.findByPk(jenis))) errors.jenisNaskahCode = 'Pilih jenis naskah dari daftar.';
  const layout = s(f.layout);
  if (layout !== 'surat' && layout !== 'nota_dinas') errors.layout = 'Pilih tata letak: Surat atau Nota Dinas.';
  const defaultPerihal = s(f.defaultPerihal).trim();
  if (!defaultPerihal) errors.defaultPerihal = 'Perihal baku wajib diisi.';
  else if (defaultPerihal.length > 500) errors.defaultPerihal = 'Perihal baku paling banyak 500 karakter.';
  const klas = s(f.defaultKlasifikasi).trim();
  if (klas && !(await Klasifikasi.findByPk(klas))) errors.defaultKlasifikasi = 'Kode klasifikasi tidak dikenal.';

  let fields: TemplateField[] = [];
  const rawFields = parseJson(s(f.fields).trim() || '[]', 'fields', 'Daftar isian', errors);
  if (rawFields !== undefined) {
    const p = FIELDS_SCHEMA.safeParse(rawFields);
    if (p.success) fields = p.data as TemplateField[];
    else errors.fields = `Daftar isian tidak sah: ${zodMessage(p.error, 'isian ')}`;
  }
  let sample: Record<string, unknown> = {};
  const rawSample = parseJson(s(f.sample).trim() || '{}', 'sample', 'Contoh data', errors);
  if (rawSample !== undefined) {
    if (!rawSample || typeof rawSample !== 'object' || Array.isArray(rawSample)) errors.sample = 'Contoh data harus berupa objek JSON: { "namaIsian": "nilai", ... }.';
    else sample = rawSample as Record<string, unknown>;
  }
  let preview: TemplatePreview | null = null;
  if (s(f.preview).trim()) {
    const rawPreview = parseJson(s(f.preview).trim(), 'preview', 'Konteks pratinjau', errors);
    if (rawPreview !== undefined) {
      const p = PREVIEW_SCHEMA.safeParse(rawPreview);
      if (p.success) preview = p.data as TemplatePreview;
      else errors.preview = `Konteks pratinjau tidak sah: ${zodMessage(p.error)}`;
    }
  }
  const source = s(f.source).replace(/\r\n/g, '\n');
  if (!source.trim()) errors.source = 'Isi templat wajib diisi.';
  else if (source.length > MAX_SOURCE) errors.source = `Isi templat paling banyak ${MAX_SOURCE} karakter.`;
  else {
    const problem = checkTemplateSource(source);
    if (problem) errors.source = `Baris ${problem.line}: ${problem.message}`;
  }

  const tpl: LetterTemplate = {
    key: k, name, description, jenisNaskahCode: jenis, layout: layout === 'nota_dinas' ? 'nota_dinas' : 'surat', defaultPerihal,
    defaultKlasifikasi: klas || null, fields, sample, source, version: 0, builtin: builtinTemplates().has(k), active: s(f.active) === '1',
    preview, savedAt: null, savedById: null,
  };
  if (!errors.fields && !errors.sample) {
    const v = parseTemplateValues(tpl, sample);
    const bad = Object.values(v.errors);
    if (bad.length) errors.sample = `Contoh data tidak memenuhi daftar isian: ${bad.join(' ')}`;
    else if (!errors.source) {
      // A trial render with the sample: a template that fails at run time is refused like a syntax error.
      try {
        await renderTemplateObject(tpl, v.values, { reference: preview?.reference ? { ...preview.reference, letterDate: new Date(`${preview.reference.letterDate}T00:00:00Z`) } : null, applicantName: preview?.applicantName ?? null, today: now() });
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        errors.source = `Baris ${err.problem.line}: ${err.problem.message}`;
      }
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return tpl;
}

export interface SaveTemplateProps {
  actor: Actor;
  /** null: a new template (its key from the form). */
  key: string | null;
  form: TemplateForm;
  /** The version the form was loaded from (0 for a new template). */
  expectedVersion: number;
}

const snapshot = (t: LetterTemplate) => ({
  version: t.version, name: t.name, jenisNaskahCode: t.jenisNaskahCode, layout: t.layout, defaultPerihal: t.defaultPerihal,
  defaultKlasifikasi: t.defaultKlasifikasi, active: t.active, fields: t.fields.map((f) => f.name), sourceLength: t.source.length,
});

/** Add a template or save the next version of one. Returns the saved template. */
export async function saveTemplate(p: SaveTemplateProps): Promise<LetterTemplate> {
  const current = p.key ? await getTemplate(p.key) : null;
  if (p.key && !current) throw new ValidationError({}, 'Templat tidak ditemukan.');
  const tpl = await templateFromForm(p.form, p.key);
  const version = (current?.version ?? 0) + 1;
  try {
    await tx(async (t) => {
      const latest = await LetterTemplateVersion.max<number, LetterTemplateVersion>('version', { where: { templateKey: tpl.key }, transaction: t });
      const inUse = Math.max(latest ?? 0, builtinTemplates().get(tpl.key)?.version ?? 0);
      if (inUse !== p.expectedVersion) throw new ConflictError('Templat ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman, lalu ulangi perubahan Anda.');
      await LetterTemplateVersion.create({
        templateKey: tpl.key, version, name: tpl.name, description: tpl.description, jenisNaskahCode: tpl.jenisNaskahCode, layout: tpl.layout,
        defaultPerihal: tpl.defaultPerihal, defaultKlasifikasi: tpl.defaultKlasifikasi, fields: JSON.stringify(tpl.fields), sample: JSON.stringify(tpl.sample),
        preview: tpl.preview ? JSON.stringify(tpl.preview) : null, source: tpl.source, active: tpl.active, createdById: p.actor.user.id, createdAt: now(),
      }, { transaction: t });
      await recordEvent(t, p.actor, {
        action: current ? 'templat.diubah' : 'templat.dibuat', entityType: 'letter_template', entityId: tpl.key,
        before: current ? snapshot(current) : undefined, after: snapshot({ ...tpl, version }),
      });
    });
  } catch (err) {
    // Two saves of the same version at once: the unique (key, version) index lets one through.
    if (err instanceof UniqueConstraintError) throw new ConflictError();
    throw err;
  }
  return (await getTemplate(tpl.key))!;
}
