import { Blob, Setting } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ValidationError } from '../../platform/errors';
import {
  FONT_NAMES, KOP_SCHEMA, LAYOUT_SCHEMA, MAX_MARGIN_CM, MIN_MARGIN_CM, type KopSurat, type TataLetak,
} from '../../lib/kop';
import { recordEvent } from '../../platform/audit';
import type { Actor } from '../../platform/actor';
import { getSetting } from '../../platform/settings';

/** An emblem upload already in the blob store (checked by its bytes). */
export interface EmblemUpload { sha256: string; size: number; mime: 'image/png' | 'image/jpeg' }

export interface KopUpdateProps {
  actor: Actor;
  /** The form as posted (strings). */
  form: Record<string, unknown>;
  /** A new emblem; `'hapus'` goes back to the built-in one; undefined keeps the current one. */
  emblem?: EmblemUpload | 'hapus';
}

export const MAX_EMBLEM_BYTES = 1024 * 1024;

const str = (v: unknown): string => (typeof v === 'string' ? v : '').trim();
/** "2,5" and "2.5" are both 2.5 (Indonesian decimals use a comma). */
const decimal = (v: unknown): number => {
  const s = str(v).replace(',', '.');
  return /^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
};

// Common abbreviations a kop must not use (Tata Naskah Dinas: the names are written in full).
const ABBREVIATIONS = /\b(KAB|PEMKAB|PEMKOT|PEMPROV|PROV|DISKOMINFO|DISKOMINFOTIK|KOMINFO|DINKOMINFO|JL|NO)\b\.?/;

const MARGIN_LABEL = { top: 'atas', right: 'kanan', bottom: 'bawah', left: 'kiri' } as const;
const NOT_URL = /[\s<>"']/;

/** Parse and check the kop and layout form; every problem is reported at once, by field. */
export function parseKopForm(f: Record<string, unknown>, emblemSha: string | null): { kop: KopSurat; layout: TataLetak } {
  const e: Record<string, string> = {};
  const lines: string[] = [];
  for (const i of [1, 2, 3]) {
    const raw = str(f[`line${i}`]).replace(/\s+/g, ' ');
    if (!raw) continue;
    const up = raw.toLocaleUpperCase('id-ID');
    if (up.length > 90) e[`line${i}`] = 'Baris kop paling panjang 90 karakter.';
    else if (ABBREVIATIONS.test(up)) e[`line${i}`] = 'Tulis nama pemerintah daerah dan perangkat daerah lengkap, tanpa singkatan (Tata Naskah Dinas).';
    lines.push(up);
  }
  if (!lines.length) e.line1 = 'Isi minimal satu baris nama, mis. PEMERINTAH KABUPATEN ... dan DINAS ....';
  const address = str(f.address);
  if (!address) e.address = 'Alamat kantor wajib diisi.';
  else if (address.length > 200) e.address = 'Alamat paling panjang 200 karakter.';
  const postalCode = str(f.postalCode);
  if (postalCode && !/^\d{5}$/.test(postalCode)) e.postalCode = 'Kode pos terdiri atas 5 angka.';
  const phone = str(f.phone);
  const fax = str(f.fax);
  for (const [k, v] of [['phone', phone], ['fax', fax]] as const) {
    if (v && (!/^[0-9()+\-.,/ ]+$/.test(v) || v.length > 60 || !/\d{3}/.test(v.replace(/\D/g, '')))) {
      e[k] = 'Nomor hanya boleh berisi angka, spasi, tanda kurung, +, - atau /, mis. (0263) 123456.';
    }
  }
  let website = str(f.website);
  if (website) {
    website = website.replace(/^https?:\/\//i, '').replace(/\/$/, '');
    if (NOT_URL.test(website) || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(\/\S*)?$/i.test(website) || website.length > 120) {
      e.website = 'Alamat laman tidak valid, mis. diskominfo.sindangrajakab.go.id.';
    }
  }
  const email = str(f.email);
  if (email && (email.length > 120 || !/^[^\s@<>"']+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(email))) e.email = 'Alamat pos-el tidak valid, mis. diskominfo@sindangrajakab.go.id.';
  const city = str(f.city);
  if (!city) e.city = 'Tempat (nama kota) penulisan tanggal surat wajib diisi.';
  else if (city.length > 60) e.city = 'Tempat paling panjang 60 karakter.';

  const paper = str(f.paper);
  if (paper !== 'F4' && paper !== 'A4') e.paper = 'Pilih ukuran kertas F4 atau A4.';
  const margins = { top: 0, right: 0, bottom: 0, left: 0 };
  for (const side of ['top', 'right', 'bottom', 'left'] as const) {
    const v = decimal(f[`margin_${side}`]);
    if (Number.isNaN(v)) e[`margin_${side}`] = `Batas ${MARGIN_LABEL[side]} harus berupa angka dalam cm, mis. 2,5.`;
    else if (v < MIN_MARGIN_CM[side]) e[`margin_${side}`] = `Batas ${MARGIN_LABEL[side]} minimal ${String(MIN_MARGIN_CM[side]).replace('.', ',')} cm${side === 'top' ? '' : ' (Tata Naskah Dinas)'}.`;
    else if (v > MAX_MARGIN_CM) e[`margin_${side}`] = `Batas ${MARGIN_LABEL[side]} paling besar ${MAX_MARGIN_CM} cm.`;
    margins[side] = v;
  }
  const font = str(f.font);
  if (!(FONT_NAMES as readonly string[]).includes(font)) e.font = 'Pilih salah satu huruf yang tersedia.';
  const fontSizePt = decimal(f.fontSizePt);
  if (Number.isNaN(fontSizePt) || fontSizePt < 10 || fontSizePt > 14) e.fontSizePt = 'Ukuran huruf antara 10 dan 14 pt (Tata Naskah Dinas: 12).';
  const lineSpacing = decimal(f.lineSpacing);
  if (Number.isNaN(lineSpacing) || lineSpacing < 1 || lineSpacing > 1.5) e.lineSpacing = 'Spasi baris antara 1 dan 1,5.';
  if (Object.keys(e).length) throw new ValidationError(e);

  const kop = KOP_SCHEMA.parse({ lines, address, postalCode, phone, fax, website, email, city, emblemSha });
  const layout = LAYOUT_SCHEMA.parse({ paper, margins, font, fontSizePt, lineSpacing, parafMarks: f.parafMarks === '1' });
  return { kop, layout };
}

/**
 * kopUpdater: an admin changes the letterhead (emblem, name lines, address, phone, website,
 * e-mail, place) and the page layout of outgoing letters (paper, margins, font, size, spacing,
 * paraf marks). Checked against Tata Naskah Dinas, saved and audited in one transaction; a new
 * emblem is listed in `blobs` so the blob sweep keeps it.
 */
export async function updateKop(p: KopUpdateProps): Promise<{ kop: KopSurat; layout: TataLetak }> {
  const before = { kop: await getSetting('surat.kop'), layout: await getSetting('surat.tata_letak') };
  if (p.emblem && p.emblem !== 'hapus' && p.emblem.size > MAX_EMBLEM_BYTES) {
    throw new ValidationError({ emblem: 'Berkas lambang paling besar 1 MB; lambang dicetak kecil, cukup gambar sekitar 300 piksel.' });
  }
  const emblemSha = p.emblem === 'hapus' ? null : p.emblem ? p.emblem.sha256 : before.kop.emblemSha;
  const { kop, layout } = parseKopForm(p.form, emblemSha);
  await tx(async (t) => {
    const at = now();
    if (p.emblem && p.emblem !== 'hapus') {
      await Blob.findOrCreate({ where: { sha256: p.emblem.sha256 }, defaults: { sha256: p.emblem.sha256, size: p.emblem.size, mime: p.emblem.mime }, transaction: t });
    }
    await Setting.upsert({ key: 'surat.kop', value: JSON.stringify(kop), updatedAt: at }, { transaction: t });
    await Setting.upsert({ key: 'surat.tata_letak', value: JSON.stringify(layout), updatedAt: at }, { transaction: t });
    await recordEvent(t, p.actor, { action: 'pengaturan.diubah', entityType: 'pengaturan', entityId: 'kop_surat', before, after: { kop, layout } });
  });
  return { kop, layout };
}
