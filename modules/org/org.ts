export { holdingsOf, holdersOf } from '../../platform/assignments';

export { positionLabels } from './orgDirectory';

/** NIP: 18 digits; birth date (8), appointment year-month (6), sex (1: 1/2), serial (3). */
export function nipProblem(nip: string): string | null {
  if (!/^\d+$/.test(nip)) return 'NIP hanya boleh berisi angka.';
  if (nip.length !== 18) return `NIP harus 18 digit (terisi ${nip.length} digit).`;
  const y = +nip.slice(0, 4), m = +nip.slice(4, 6), d = +nip.slice(6, 8);
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1940 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return 'NIP tidak valid: 8 digit pertama harus tanggal lahir (TTTTBBHH).';
  const ay = +nip.slice(8, 12), am = +nip.slice(12, 14);
  if (ay < y + 17 || am < 1 || am > 12) return 'NIP tidak valid: digit 9-14 harus tahun dan bulan pengangkatan (TTTTBB).';
  if (!['1', '2'].includes(nip[14])) return 'NIP tidak valid: digit ke-15 (jenis kelamin) harus 1 atau 2.';
  return null;
}

/**
 * Problems with a NIK (Nomor Induk Kependudukan, 16 digits): province code 11-94, birth date
 * DDMMYY with 40 added to the day for women, a serial that is not 0000. Null when it looks right.
 */
export function nikProblem(nik: string): string | null {
  if (!/^\d+$/.test(nik)) return 'NIK hanya boleh berisi angka.';
  if (nik.length !== 16) return `NIK harus 16 digit (terisi ${nik.length} digit).`;
  const prov = +nik.slice(0, 2);
  if (prov < 11 || prov > 94) return 'NIK tidak valid: dua digit pertama (kode provinsi) harus 11 sampai 94.';
  let d = +nik.slice(6, 8);
  if (d > 40) d -= 40;
  const m = +nik.slice(8, 10);
  if (d < 1 || d > 31 || m < 1 || m > 12) return 'NIK tidak valid: digit ke-7 sampai ke-12 harus tanggal lahir (HHBBTT; hari ditambah 40 untuk perempuan).';
  if (nik.slice(12) === '0000') return 'NIK tidak valid: empat digit terakhir tidak boleh 0000.';
  return null;
}
