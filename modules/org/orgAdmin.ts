import { Op, type Model, type ModelStatic } from 'sequelize';
import {
  Agency, Assignment, Position, Unit, User, DispositionInstruction, SlaRule, Holiday, JenisNaskah,
  AGENCY_KIND_LABEL, ASSIGNMENT_KIND_LABEL, POSITION_ROLE_LABEL, UNIT_KIND_LABEL,
} from '../../models';
import { tx } from '../../platform/db';
import { parseIsoDate } from '../../platform/dates';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { nikProblem, nipProblem } from './org';
import { hashPassword, passwordProblem } from './passwords';
import type { Actor } from '../../platform/actor';

/**
 * The organization's directories as data for the admin pages: units, positions, users,
 * assignments (definitive, Plt, Plh) and external agencies. Each entity declares its form
 * fields, its list columns and its own rules; one generic save command validates, writes
 * and audits, so every admin change goes through the same path.
 */

export type FieldType = 'text' | 'email' | 'tel' | 'number' | 'date' | 'select' | 'checkbox' | 'password' | 'textarea';
export interface Option { value: string; label: string }
export interface FieldSpec {
  name: string; label: string; type: FieldType; required?: boolean; max?: number; hint?: string;
  options?: () => Promise<Option[]>;
  /** Only on the create form (e.g. a user's first password is required; later it is optional). */
  createOnly?: boolean;
}
type Row = Model & { id: number; toJSON(): Record<string, unknown> };
export type RecordId = number | string;
export interface EntitySpec {
  key: string; title: string; singular: string; model: ModelStatic<Model>;
  fields: FieldSpec[];
  order: [string, 'ASC' | 'DESC'][];
  /** List columns; values computed from the row and the looked-up option labels. */
  columns: { label: string; value: (r: Record<string, unknown>, opt: (field: string, v: unknown) => string) => string }[];
  /** Entity rules beyond the field types; returns messages per field. */
  check?: (data: Record<string, unknown>, id: RecordId | null) => Promise<Record<string, string>>;
  /** Primary key attribute; 'id' (numeric) unless the table is keyed by a code or a date. */
  pk?: string;
}

const fromMap = (m: Record<string, string>): (() => Promise<Option[]>) => async () => Object.entries(m).map(([value, label]) => ({ value, label }));
const unitOptions = async (): Promise<Option[]> => (await Unit.findAll({ order: [['sortOrder', 'ASC'], ['name', 'ASC']] })).map((u) => ({ value: String(u.id), label: u.name }));
const positionOptions = async (): Promise<Option[]> =>
  (await Position.findAll({ order: [['rank', 'ASC'], ['name', 'ASC']] })).map((p) => ({ value: String(p.id), label: p.name }));
const userOptions = async (): Promise<Option[]> =>
  (await User.findAll({ where: { active: true }, order: [['name', 'ASC']] })).map((u) => ({ value: String(u.id), label: `${u.name}${u.nip ? ` (${u.nip})` : ''}` }));

async function unique(model: ModelStatic<Model>, field: string, value: unknown, id: RecordId | null): Promise<boolean> {
  if (value === null || value === undefined || value === '') return true;
  const where: Record<string | symbol, unknown> = { [field]: value };
  if (id) where.id = { [Op.ne]: id };
  return (await model.count({ where })) === 0;
}

export const ENTITIES: Record<string, EntitySpec> = {
  unit: {
    key: 'unit', title: 'Unit Kerja', singular: 'unit kerja', model: Unit, order: [['sortOrder', 'ASC'], ['name', 'ASC']],
    fields: [
      { name: 'name', label: 'Nama unit', type: 'text', required: true, max: 200 },
      { name: 'kind', label: 'Jenis', type: 'select', required: true, options: fromMap(UNIT_KIND_LABEL) },
      { name: 'code', label: 'Kode unit (untuk penomoran)', type: 'text', required: true, max: 40, hint: 'mis. Diskominfo, Sekr, Aptika' },
      { name: 'parentId', label: 'Di bawah unit', type: 'select', options: unitOptions },
      { name: 'sortOrder', label: 'Urutan', type: 'number' },
    ],
    columns: [
      { label: 'Nama', value: (r) => String(r.name) }, { label: 'Jenis', value: (r, o) => o('kind', r.kind) },
      { label: 'Kode', value: (r) => String(r.code) }, { label: 'Induk', value: (r, o) => o('parentId', r.parentId) },
    ],
    async check(d, id) {
      const e: Record<string, string> = {};
      if (id && d.parentId === id) e.parentId = 'Unit tidak dapat berada di bawah dirinya sendiri.';
      else if (id && d.parentId) {
        // Walk up from the new parent: meeting this unit again would close a loop.
        for (let p: number | null = d.parentId as number, hops = 0; p && hops < 50; hops++) {
          if (p === id) { e.parentId = 'Susunan unit tidak boleh melingkar.'; break; }
          p = (await Unit.findByPk(p))?.parentId ?? null;
        }
      }
      return e;
    },
  },
  jabatan: {
    key: 'jabatan', title: 'Jabatan', singular: 'jabatan', model: Position, order: [['rank', 'ASC'], ['name', 'ASC']],
    fields: [
      { name: 'name', label: 'Nama jabatan', type: 'text', required: true, max: 200, hint: 'mis. Kepala Seksi e-Government' },
      { name: 'unitId', label: 'Unit kerja', type: 'select', required: true, options: unitOptions },
      { name: 'role', label: 'Peran dalam sistem', type: 'select', required: true, options: fromMap(POSITION_ROLE_LABEL) },
      { name: 'superiorId', label: 'Atasan langsung', type: 'select', options: positionOptions },
      { name: 'rank', label: 'Tingkat (1 = tertinggi)', type: 'number', required: true },
      { name: 'eselon', label: 'Eselon', type: 'text', max: 10, hint: 'mis. II.b, III.a, IV.a; kosong untuk pelaksana' },
      { name: 'active', label: 'Aktif', type: 'checkbox' },
    ],
    columns: [
      { label: 'Jabatan', value: (r) => String(r.name) }, { label: 'Unit', value: (r, o) => o('unitId', r.unitId) },
      { label: 'Peran', value: (r, o) => o('role', r.role) }, { label: 'Atasan', value: (r, o) => o('superiorId', r.superiorId) },
      { label: 'Tingkat', value: (r) => String(r.rank) }, { label: 'Aktif', value: (r) => (r.active ? 'Ya' : 'Tidak') },
    ],
    async check(d, id) {
      const e: Record<string, string> = {};
      if (typeof d.rank === 'number' && (d.rank < 1 || d.rank > 20)) e.rank = 'Tingkat harus antara 1 dan 20.';
      if (id && d.superiorId === id) e.superiorId = 'Jabatan tidak dapat menjadi atasan dirinya sendiri.';
      else if (d.superiorId) {
        for (let p: number | null = d.superiorId as number, hops = 0; p && hops < 50; hops++) {
          if (id && p === id) { e.superiorId = 'Rantai atasan tidak boleh melingkar.'; break; }
          p = (await Position.findByPk(p))?.superiorId ?? null;
        }
      }
      return e;
    },
  },
  pengguna: {
    key: 'pengguna', title: 'Pengguna', singular: 'pengguna', model: User, order: [['name', 'ASC']],
    fields: [
      { name: 'name', label: 'Nama lengkap (dengan gelar)', type: 'text', required: true, max: 200 },
      { name: 'username', label: 'Nama pengguna', type: 'text', required: true, max: 60, hint: 'huruf kecil, angka, titik, garis bawah' },
      { name: 'nip', label: 'NIP', type: 'text', max: 18, hint: '18 digit; kosongkan untuk non-ASN' },
      { name: 'nik', label: 'NIK (untuk TTE BSrE)', type: 'password', max: 16, hint: '16 digit sesuai KTP; BSrE mengenali penanda tangan dari NIK. Tidak pernah ditampilkan; kosongkan bila tidak diubah.' },
      { name: 'pangkat', label: 'Pangkat', type: 'text', max: 60, hint: 'mis. Pembina Utama Muda' },
      { name: 'golongan', label: 'Golongan', type: 'text', max: 10, hint: 'mis. IV/c' },
      { name: 'email', label: 'E-mail', type: 'email', max: 200 },
      { name: 'phone', label: 'Telepon', type: 'tel', max: 30 },
      { name: 'password', label: 'Kata sandi', type: 'password', max: 200, hint: 'minimal 10 karakter, huruf dan angka; kosongkan bila tidak diubah' },
      { name: 'isAdmin', label: 'Administrator sistem', type: 'checkbox' },
      { name: 'active', label: 'Aktif (boleh masuk)', type: 'checkbox' },
    ],
    columns: [
      { label: 'Nama', value: (r) => String(r.name) }, { label: 'Pengguna', value: (r) => String(r.username) },
      { label: 'NIP', value: (r) => String(r.nip ?? '—') }, { label: 'Pangkat/gol.', value: (r) => [r.pangkat, r.golongan].filter(Boolean).join(', ') || '—' },
      { label: 'NIK TTE', value: (r) => (r.nik ? 'tercatat' : '—') },
      { label: 'Status', value: (r) => `${r.active ? 'Aktif' : 'Nonaktif'}${r.isAdmin ? ', admin' : ''}` },
    ],
    async check(d, id) {
      const e: Record<string, string> = {};
      if (d.nik) {
        const p = nikProblem(String(d.nik));
        if (p) e.nik = p;
        else if (!(await unique(User, 'nik', d.nik, id))) e.nik = 'NIK sudah tercatat untuk pengguna lain.';
      }
      const username = String(d.username ?? '');
      if (username && !/^[a-z0-9._]{3,60}$/.test(username)) e.username = 'Nama pengguna 3-60 karakter: huruf kecil, angka, titik, atau garis bawah.';
      else if (!(await unique(User, 'username', username, id))) e.username = 'Nama pengguna sudah dipakai.';
      if (d.nip) {
        const p = nipProblem(String(d.nip));
        if (p) e.nip = p;
        else if (!(await unique(User, 'nip', d.nip, id))) e.nip = 'NIP sudah terdaftar untuk pengguna lain.';
      }
      if (d.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(d.email))) e.email = 'Alamat e-mail tidak valid.';
      if (!id && !d.password) e.password = 'Kata sandi awal wajib diisi.';
      else if (d.password) { const p = passwordProblem(String(d.password)); if (p) e.password = p; }
      return e;
    },
  },
  penugasan: {
    key: 'penugasan', title: 'Penugasan Jabatan', singular: 'penugasan', model: Assignment, order: [['startDate', 'DESC'], ['id', 'DESC']],
    fields: [
      { name: 'userId', label: 'Pegawai', type: 'select', required: true, options: userOptions },
      { name: 'positionId', label: 'Jabatan', type: 'select', required: true, options: positionOptions },
      { name: 'kind', label: 'Jenis penugasan', type: 'select', required: true, options: fromMap(ASSIGNMENT_KIND_LABEL), hint: 'Plt/Plh untuk pejabat pelaksana tugas/harian' },
      { name: 'startDate', label: 'Mulai', type: 'date', required: true },
      { name: 'endDate', label: 'Sampai (kosong = tanpa batas)', type: 'date' },
      { name: 'decreeNumber', label: 'Nomor SK / Surat Perintah', type: 'text', max: 120 },
    ],
    columns: [
      { label: 'Pegawai', value: (r, o) => o('userId', r.userId) }, { label: 'Jabatan', value: (r, o) => o('positionId', r.positionId) },
      { label: 'Jenis', value: (r, o) => o('kind', r.kind) }, { label: 'Mulai', value: (r) => String(r.startDate) },
      { label: 'Sampai', value: (r) => String(r.endDate ?? '—') },
    ],
    async check(d, id) {
      const e: Record<string, string> = {};
      if (d.startDate && d.endDate && String(d.endDate) < String(d.startDate)) e.endDate = 'Tanggal selesai tidak boleh sebelum tanggal mulai.';
      if (d.kind !== 'definitif' && !d.endDate) e.endDate = 'Penugasan Plt/Plh harus punya tanggal selesai.';
      if (d.kind === 'definitif' && d.positionId && d.startDate && !e.endDate) {
        // One definitive holder per position at a time; acting officials may overlap it.
        const overlap = await Assignment.findOne({
          where: {
            positionId: d.positionId as number, kind: 'definitif', ...(id ? { id: { [Op.ne]: id } } : {}),
            [Op.and]: [
              { [Op.or]: [{ endDate: null }, { endDate: { [Op.gte]: d.startDate as string } }] },
              ...(d.endDate ? [{ startDate: { [Op.lte]: d.endDate as string } }] : []),
            ],
          },
        });
        if (overlap) e.positionId = 'Jabatan ini sudah punya pejabat definitif pada rentang tanggal tersebut. Akhiri penugasan lama terlebih dahulu, atau gunakan Plt/Plh.';
      }
      return e;
    },
  },
  instansi: {
    key: 'instansi', title: 'Direktori Instansi', singular: 'instansi', model: Agency, order: [['name', 'ASC']],
    fields: [
      { name: 'name', label: 'Nama instansi', type: 'text', required: true, max: 255 },
      { name: 'kind', label: 'Jenis', type: 'select', required: true, options: fromMap(AGENCY_KIND_LABEL) },
      { name: 'headTitle', label: 'Jabatan pimpinan (untuk alamat surat)', type: 'text', max: 200, hint: 'mis. Kepala Dinas Pendidikan' },
      { name: 'address', label: 'Alamat', type: 'textarea', max: 500 },
      { name: 'city', label: 'Kota/Kabupaten', type: 'text', max: 100 },
      { name: 'email', label: 'E-mail', type: 'email', max: 200 },
      { name: 'phone', label: 'Telepon', type: 'tel', max: 30 },
      { name: 'active', label: 'Aktif', type: 'checkbox' },
    ],
    columns: [
      { label: 'Nama', value: (r) => String(r.name) }, { label: 'Jenis', value: (r, o) => o('kind', r.kind) },
      { label: 'Kota', value: (r) => String(r.city ?? '—') }, { label: 'E-mail', value: (r) => String(r.email ?? '—') },
    ],
    async check(d, id) {
      const e: Record<string, string> = {};
      if (d.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(d.email))) e.email = 'Alamat e-mail tidak valid.';
      if (d.name && !(await unique(Agency, 'name', d.name, id))) e.name = 'Instansi dengan nama ini sudah ada di direktori.';
      return e;
    },
  },
  instruksi: {
    key: 'instruksi', title: 'Instruksi Disposisi', singular: 'instruksi', model: DispositionInstruction, pk: 'code', order: [['sortOrder', 'ASC']],
    fields: [
      { name: 'code', label: 'Kode', type: 'text', required: true, max: 40, createOnly: true, hint: 'huruf kecil dan garis bawah, mis. tindak_lanjuti; tidak dapat diubah' },
      { name: 'label', label: 'Teks instruksi', type: 'text', required: true, max: 120 },
      { name: 'sortOrder', label: 'Urutan', type: 'number' },
      { name: 'active', label: 'Aktif (muncul di formulir disposisi)', type: 'checkbox' },
    ],
    columns: [{ label: 'Instruksi', value: (r) => String(r.label) }, { label: 'Kode', value: (r) => String(r.code) }, { label: 'Aktif', value: (r) => (r.active ? 'Ya' : 'Tidak') }],
    async check(d): Promise<Record<string, string>> { return d.code && !/^[a-z0-9_]{2,40}$/.test(String(d.code)) ? { code: 'Kode 2-40 karakter: huruf kecil, angka, garis bawah.' } : {}; },
  },
  mutu_baku: {
    key: 'mutu_baku', title: 'Mutu Baku (waktu SOP)', singular: 'aturan waktu', model: SlaRule, order: [['role', 'ASC'], ['jenisNaskahCode', 'ASC']],
    fields: [
      { name: 'role', label: 'Peran penerima', type: 'select', required: true, options: fromMap(POSITION_ROLE_LABEL) },
      { name: 'jenisNaskahCode', label: 'Khusus jenis naskah (kosong = semua)', type: 'select', options: async () => (await JenisNaskah.findAll({ order: [['sortOrder', 'ASC']] })).map((j) => ({ value: j.code, label: j.name })) },
      { name: 'amount', label: 'Waktu', type: 'number', required: true },
      { name: 'unit', label: 'Satuan', type: 'select', required: true, options: async () => [{ value: 'menit', label: 'menit' }, { value: 'jam', label: 'jam kerja' }, { value: 'hari', label: 'hari kerja' }] },
    ],
    columns: [
      { label: 'Peran', value: (r, o) => o('role', r.role) }, { label: 'Jenis naskah', value: (r, o) => (r.jenisNaskahCode ? o('jenisNaskahCode', r.jenisNaskahCode) : 'semua') },
      { label: 'Waktu', value: (r) => `${r.amount} ${r.unit === 'jam' ? 'jam kerja' : r.unit === 'hari' ? 'hari kerja' : 'menit'}` },
    ],
    async check(d, id) {
      const e: Record<string, string> = {};
      if (typeof d.amount === 'number' && (d.amount < 1 || d.amount > 1000)) e.amount = 'Waktu harus antara 1 dan 1000.';
      const same = await SlaRule.findOne({ where: { role: d.role as string, jenisNaskahCode: (d.jenisNaskahCode as string | null) ?? null } });
      if (same && same.id !== id) e.role = 'Sudah ada aturan untuk peran dan jenis naskah ini; ubah aturan itu.';
      return e;
    },
  },
  hari_libur: {
    key: 'hari_libur', title: 'Hari Libur', singular: 'hari libur', model: Holiday, pk: 'date', order: [['date', 'DESC']],
    fields: [
      { name: 'date', label: 'Tanggal', type: 'date', required: true, createOnly: true },
      { name: 'name', label: 'Keterangan', type: 'text', required: true, max: 200, hint: 'mis. Hari Raya Natal, cuti bersama' },
    ],
    columns: [{ label: 'Tanggal', value: (r) => String(r.date) }, { label: 'Keterangan', value: (r) => String(r.name) }],
  },
};

export function entitySpec(key: string): EntitySpec {
  const s = Object.hasOwn(ENTITIES, key) ? ENTITIES[key] : undefined;
  if (!s) throw new NotFoundError();
  return s;
}

/** Option labels for every select field of an entity, for lists and forms. */
export async function optionsOf(spec: EntitySpec): Promise<Record<string, Option[]>> {
  const out: Record<string, Option[]> = {};
  for (const f of spec.fields) if (f.options) out[f.name] = await f.options();
  return out;
}

/** Parse posted strings by field type; unknown keys are ignored. */
async function parse(spec: EntitySpec, form: Record<string, unknown>, id: RecordId | null)
  : Promise<{ data: Record<string, unknown>; errors: Record<string, string> }> {
  const data: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of spec.fields) {
    if (f.createOnly && id !== null) continue;
    const raw = typeof form[f.name] === 'string' ? (form[f.name] as string).replace(/\r\n/g, '\n').trim() : '';
    if (f.type === 'checkbox') { data[f.name] = form[f.name] === '1' || form[f.name] === 'on'; continue; }
    if (!raw) {
      if (f.required) errors[f.name] = `${f.label} wajib diisi.`;
      data[f.name] = null;
      continue;
    }
    if (f.max && raw.length > f.max) { errors[f.name] = `${f.label} maksimal ${f.max} karakter.`; continue; }
    if (f.type === 'number') {
      if (!/^-?\d{1,6}$/.test(raw)) { errors[f.name] = `${f.label} harus berupa bilangan bulat.`; continue; }
      data[f.name] = Number(raw);
    } else if (f.type === 'date') {
      const d = parseIsoDate(raw);
      if (!d) { errors[f.name] = `${f.label}: tanggal tidak valid (TTTT-BB-HH).`; continue; }
      data[f.name] = d;
    } else if (f.type === 'select') {
      const opts = f.options ? await f.options() : [];
      if (!opts.some((o) => o.value === raw)) { errors[f.name] = `${f.label}: pilihan tidak dikenal.`; continue; }
      data[f.name] = /^\d+$/.test(raw) && f.name.endsWith('Id') ? Number(raw) : raw;
    } else {
      data[f.name] = raw;
    }
  }
  // The record's own rules read the parsed fields: they run only once every field is valid
  // (an unknown option would otherwise reach the database as undefined).
  if (spec.check && !Object.keys(errors).length) Object.assign(errors, await spec.check(data, id));
  return { data, errors };
}

const SECRET_FIELDS = new Set(['password', 'passwordHash', 'nik']);
const scrub = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !SECRET_FIELDS.has(k)));

/**
 * adminRecordSaver: create (id null) or update one directory record from the admin forms.
 * Validates field types and the entity's rules, then writes and audits in one transaction.
 * A user's password is hashed (argon2id) and never audited.
 */
export async function saveRecord(actor: Actor, key: string, id: RecordId | null, form: Record<string, unknown>): Promise<Row> {
  const spec = entitySpec(key);
  const { data, errors } = await parse(spec, form, id);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  if (key === 'pengguna') {
    const pw = data.password as string | null;
    delete data.password;
    if (pw) data.passwordHash = await hashPassword(pw);
    // The NIK is never shown: an empty field keeps the one on record.
    const nik = data.nik as string | null | undefined;
    delete data.nik;
    if (nik) data.nik = nik;
    if (id === actor.user.id && (!data.active || !data.isAdmin)) {
      throw new ValidationError({ active: 'Anda tidak dapat menonaktifkan atau mencabut hak admin akun Anda sendiri.' });
    }
  }
  return tx(async (t) => {
    if (id) {
      const row = (await spec.model.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE })) as Row | null;
      if (!row) throw new NotFoundError();
      const before = scrub(row.toJSON());
      row.set(data);
      await row.save({ transaction: t });
      await recordEvent(t, actor, { action: `${key}.diubah`, entityType: key, entityId: String(id), before, after: scrub(row.toJSON()) });
      return row;
    }
    const pk = spec.pk ?? 'id';
    if (pk !== 'id' && (await spec.model.findByPk(data[pk] as string, { transaction: t }))) {
      throw new ValidationError({ [pk]: 'Sudah ada data dengan kode/tanggal ini.' });
    }
    const row = (await spec.model.create(data, { transaction: t })) as Row;
    await recordEvent(t, actor, { action: `${key}.dibuat`, entityType: key, entityId: String(row.get(pk)), after: scrub(row.toJSON()) });
    return row;
  });
}

/** Form values (strings) of an existing record, for the edit page. */
export function formValuesOf(spec: EntitySpec, row: Model): Record<string, string> {
  const j = row.toJSON() as Record<string, unknown>;
  const v: Record<string, string> = {};
  for (const f of spec.fields) {
    if (f.type === 'password') { v[f.name] = ''; continue; }
    const x = j[f.name];
    v[f.name] = f.type === 'checkbox' ? (x ? '1' : '') : x === null || x === undefined ? '' : String(x);
  }
  return v;
}
