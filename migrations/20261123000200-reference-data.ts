import type { QueryInterface } from 'sequelize';

// Reference data every installation needs: a starting list of archive classification codes
// (Kode Klasifikasi Arsip, Permendagri 83/2022) relevant to a Dinas Kominfo, and the kinds of
// official documents (jenis naskah). Both are editable data afterwards. Immutable once merged.
type Ctx = { context: QueryInterface };

export const KLASIFIKASI: [string, string][] = [
  ['000', 'Umum'],
  ['000.1', 'Ketatausahaan dan Kerumahtanggaan'],
  ['000.1.1', 'Telekomunikasi'],
  ['000.1.2', 'Perjalanan Dinas'],
  ['000.1.5', 'Rapat Dinas'],
  ['000.1.6', 'Upacara dan Acara Kedinasan'],
  ['000.2', 'Perlengkapan'],
  ['000.3', 'Pengadaan Barang dan Jasa'],
  ['000.4', 'Perpustakaan'],
  ['000.5', 'Kearsipan'],
  ['000.5.6', 'Pengelolaan Arsip Dinamis'],
  ['000.5.6.2', 'Tata Naskah Dinas'],
  ['000.6', 'Persandian'],
  ['000.7', 'Perencanaan Pembangunan'],
  ['000.8', 'Organisasi dan Tata Laksana'],
  ['000.9', 'Penelitian, Pengkajian, dan Pengembangan'],
  ['100', 'Pemerintahan'],
  ['100.3', 'Hubungan Antarlembaga dan Kerja Sama'],
  ['400', 'Kesejahteraan Rakyat'],
  ['400.14', 'Komunikasi dan Informatika'],
  ['400.14.1', 'Informasi dan Komunikasi Publik'],
  ['400.14.1.1', 'Kehumasan dan Peliputan'],
  ['400.14.1.2', 'Layanan Informasi Publik (PPID)'],
  ['400.14.2', 'Aplikasi Informatika dan e-Government (SPBE)'],
  ['400.14.2.1', 'Nama Domain dan Subdomain'],
  ['400.14.2.2', 'Pengembangan dan Integrasi Aplikasi'],
  ['400.14.2.3', 'Hosting dan Pusat Data (Data Center)'],
  ['400.14.2.4', 'Infrastruktur Jaringan dan Internet'],
  ['400.14.3', 'Statistik Sektoral dan Satu Data'],
  ['400.14.4', 'Persandian dan Keamanan Informasi'],
  ['700', 'Pengawasan'],
  ['800', 'Kepegawaian'],
  ['800.1', 'Pengadaan dan Pengembangan Pegawai'],
  ['800.2', 'Pendidikan dan Pelatihan Pegawai'],
  ['900', 'Keuangan'],
  ['900.1', 'Anggaran'],
];

export const JENIS_NASKAH: [string, string][] = [
  ['surat_permohonan', 'Surat Permohonan'],
  ['surat_dinas', 'Surat Dinas'],
  ['undangan', 'Surat Undangan'],
  ['nota_dinas', 'Nota Dinas'],
  ['pemberitahuan', 'Surat Pemberitahuan'],
  ['surat_edaran', 'Surat Edaran'],
  ['surat_pengantar', 'Surat Pengantar'],
  ['surat_balasan', 'Surat Balasan'],
  ['laporan', 'Laporan'],
  ['berita_acara', 'Berita Acara'],
  ['surat_keputusan', 'Keputusan'],
  ['surat_tugas', 'Surat Perintah / Surat Tugas'],
  ['lainnya', 'Lainnya'],
];

export async function up({ context: q }: Ctx): Promise<void> {
  await q.bulkInsert('klasifikasi', KLASIFIKASI.map(([code, name]) => ({ code, name, active: true })));
  await q.bulkInsert('jenis_naskah', JENIS_NASKAH.map(([code, name], i) => ({ code, name, sort_order: i + 1 })));
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.bulkDelete('jenis_naskah', { code: JENIS_NASKAH.map(([c]) => c) });
  await q.bulkDelete('klasifikasi', { code: KLASIFIKASI.map(([c]) => c) });
}
