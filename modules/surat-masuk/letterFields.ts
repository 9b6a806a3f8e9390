import { Agency, JenisNaskah, Klasifikasi, Position, SIFAT, URGENSI, AGENCY_KINDS, type Sifat, type Urgensi, type AgencyKind } from '../../models';
import { parseIsoDate, today } from '../../platform/dates';

/** Raw form fields of the registration and correction forms (strings as posted). */
export type LetterForm = Partial<Record<
  'senderNumber' | 'letterDate' | 'receivedDate' | 'senderAgencyId' | 'newSenderName' | 'newSenderKind' | 'newSenderAddress' | 'newSenderCity' |
  'perihal' | 'sifat' | 'urgensi' | 'klasifikasi' | 'jenisNaskah' | 'lampiran' | 'summary' | 'addressedPositionId', string>>;

export interface LetterFields {
  senderNumber: string; letterDate: string; receivedDate: string;
  senderAgencyId: number | null; newSender: { name: string; kind: AgencyKind; address: string | null; city: string | null } | null;
  perihal: string; sifat: Sifat; urgensi: Urgensi; klasifikasiCode: string; jenisNaskahCode: string;
  lampiran: string | null; summary: string | null; addressedPositionId: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.replace(/\r\n/g, '\n').trim() : '');

/**
 * Perihal, sifat, urgensi and kode klasifikasi: the fields every letter form has (incoming
 * registration and outgoing drafts), checked the same way; messages go into `e`.
 */
export async function parseCommonFields(f: { perihal?: unknown; sifat?: unknown; urgensi?: unknown; klasifikasi?: unknown }, e: Record<string, string>)
  : Promise<{ perihal: string; sifat: Sifat; urgensi: Urgensi; klasifikasiCode: string }> {
  const perihal = str(f.perihal);
  if (!perihal) e.perihal = 'Perihal wajib diisi.';
  else if (perihal.length > 500) e.perihal = 'Perihal maksimal 500 karakter.';

  const sifat = str(f.sifat) || 'biasa';
  if (!(SIFAT as readonly string[]).includes(sifat)) e.sifat = 'Sifat surat tidak dikenal.';
  const urgensi = str(f.urgensi) || 'biasa';
  if (!(URGENSI as readonly string[]).includes(urgensi)) e.urgensi = 'Urgensi tidak dikenal.';

  const kRaw = str(f.klasifikasi);
  const kCode = /^[0-9]+(?:\.[0-9]+)*/.exec(kRaw)?.[0] ?? '';
  if (!kRaw) e.klasifikasi = 'Kode klasifikasi wajib dipilih.';
  else if (!kCode || !(await Klasifikasi.findByPk(kCode))) e.klasifikasi = `Kode klasifikasi "${kRaw.slice(0, 40)}" tidak ada dalam daftar.`;
  return { perihal, sifat: sifat as Sifat, urgensi: urgensi as Urgensi, klasifikasiCode: kCode };
}

/**
 * Validate the letter's metadata against the directories. Returns the clean fields or a
 * message per field, in Indonesian, for the form to show next to each input.
 */
export async function parseLetterFields(f: LetterForm, opts: { requireSender: boolean } = { requireSender: true })
  : Promise<{ fields?: LetterFields; errors: Record<string, string> }> {
  const e: Record<string, string> = {};
  const senderNumber = str(f.senderNumber);
  if (!senderNumber) e.senderNumber = 'Nomor surat pengirim wajib diisi.';
  else if (senderNumber.length > 120) e.senderNumber = 'Nomor surat maksimal 120 karakter.';

  const letterDate = parseIsoDate(f.letterDate);
  const receivedDate = parseIsoDate(f.receivedDate || today());
  const t = today();
  if (!str(f.letterDate)) e.letterDate = 'Tanggal surat wajib diisi.';
  else if (!letterDate) e.letterDate = 'Tanggal surat tidak valid (gunakan format TTTT-BB-HH, mis. 2026-11-20).';
  if (!receivedDate) e.receivedDate = 'Tanggal diterima tidak valid (gunakan format TTTT-BB-HH).';
  else if (receivedDate > t) e.receivedDate = 'Tanggal diterima tidak boleh setelah hari ini.';
  if (letterDate && letterDate > t) e.letterDate = 'Tanggal surat tidak boleh setelah hari ini.';
  else if (letterDate && receivedDate && letterDate > receivedDate) e.letterDate = 'Tanggal surat tidak boleh setelah tanggal diterima.';

  let senderAgencyId: number | null = null;
  let newSender: LetterFields['newSender'] = null;
  const sid = str(f.senderAgencyId);
  const newName = str(f.newSenderName);
  if (sid && sid !== 'baru') {
    const n = Number(sid);
    const ag = Number.isInteger(n) && n > 0 ? await Agency.findByPk(n) : null;
    if (!ag) e.senderAgencyId = 'Pengirim tidak ditemukan di direktori instansi.';
    else senderAgencyId = ag.id;
  } else if (newName) {
    const kind = str(f.newSenderKind) || 'skpd';
    if (newName.length > 255) e.newSenderName = 'Nama instansi maksimal 255 karakter.';
    else if (!(AGENCY_KINDS as readonly string[]).includes(kind)) e.newSenderKind = 'Jenis instansi tidak dikenal.';
    else newSender = { name: newName, kind: kind as AgencyKind, address: str(f.newSenderAddress).slice(0, 500) || null, city: str(f.newSenderCity).slice(0, 100) || null };
  } else if (opts.requireSender) {
    e.senderAgencyId = 'Pilih pengirim dari direktori, atau isi nama instansi pengirim baru.';
  }

  const { perihal, sifat, urgensi, klasifikasiCode: kCode } = await parseCommonFields(f, e);

  const jCode = str(f.jenisNaskah);
  if (!jCode) e.jenisNaskah = 'Jenis naskah wajib dipilih.';
  else if (!(await JenisNaskah.findByPk(jCode.slice(0, 40)))) e.jenisNaskah = 'Jenis naskah tidak dikenal.';

  const lampiran = str(f.lampiran);
  if (lampiran.length > 200) e.lampiran = 'Keterangan lampiran maksimal 200 karakter.';
  const summary = str(f.summary);
  if (summary.length > 5000) e.summary = 'Ringkasan maksimal 5000 karakter.';

  const pid = Number(str(f.addressedPositionId));
  const pos = Number.isInteger(pid) && pid > 0 ? await Position.findByPk(pid) : null;
  if (!pos || !pos.active) e.addressedPositionId = 'Pilih jabatan tujuan surat.';

  if (Object.keys(e).length) return { errors: e };
  return {
    errors: e,
    fields: {
      senderNumber, letterDate: letterDate!, receivedDate: receivedDate!, senderAgencyId, newSender, perihal,
      sifat, urgensi, klasifikasiCode: kCode, jenisNaskahCode: jCode,
      lampiran: lampiran || null, summary: summary || null, addressedPositionId: pos!.id,
    },
  };
}

export const searchTextOf = (l: { perihal: string; senderName: string; senderNumber: string; agendaNumber: string; summary: string | null }): string =>
  [l.agendaNumber, l.senderNumber, l.senderName, l.perihal, l.summary ?? ''].join(' \n').toLowerCase();
