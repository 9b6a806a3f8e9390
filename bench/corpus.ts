import type { AgencyKind, Sifat, Urgensi } from '../models';

/**
 * Synthetic but realistic incoming letters for the load benchmark: senders from a regional
 * government (SKPD, kecamatan, desa, vertical agencies), subjects built from templates a
 * Dinas Kominfo actually receives, varied by application, village, topic, place and year.
 * The texts follow from the seed; read and closed states follow the letters' age on the day of the run.
 */

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const between = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const DESA_PREFIX = ['Suka', 'Mekar', 'Cipta', 'Karya', 'Sinar', 'Bojong', 'Pasir', 'Tanjung', 'Sindang', 'Wangun', 'Giri', 'Negla', 'Cika', 'Pada'];
const DESA_SUFFIX = ['mulya', 'jaya', 'sari', 'asih', 'makmur', 'wangi', 'galih', 'rahayu', 'laksana', 'harja', 'resmi', 'tani'];
/** 168 village names, none a prefix of another. */
export const DESA = DESA_PREFIX.flatMap((p) => DESA_SUFFIX.map((s) => `${p}${s}`));

export const KECAMATAN = ['Cibodas', 'Sukaluyu', 'Cikalong', 'Pamarican', 'Cisaat', 'Warungkiara', 'Jampang', 'Cireunghas', 'Gunungguruh', 'Parungkuda',
  'Cicantayan', 'Kadudampit', 'Caringin', 'Nagrak', 'Cibadak', 'Cikembar', 'Lengkong', 'Surade', 'Kalapanunggal', 'Bantargadung'];

const SKPD: [string, string, string][] = [
  ['Dinas Pekerjaan Umum dan Penataan Ruang', 'Kepala Dinas PUPR', 'DPUPR'],
  ['Dinas Sosial', 'Kepala Dinas Sosial', 'Dinsos'],
  ['Dinas Perhubungan', 'Kepala Dinas Perhubungan', 'Dishub'],
  ['Satuan Polisi Pamong Praja', 'Kepala Satpol PP', 'SatpolPP'],
  ['Badan Penanggulangan Bencana Daerah', 'Kepala Pelaksana BPBD', 'BPBD'],
  ['Inspektorat Daerah', 'Inspektur Daerah', 'Itda'],
  ['Badan Pengelolaan Keuangan dan Aset Daerah', 'Kepala BPKAD', 'BPKAD'],
  ['Badan Pendapatan Daerah', 'Kepala Bapenda', 'Bapenda'],
  ['Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu', 'Kepala DPMPTSP', 'DPMPTSP'],
  ['Dinas Lingkungan Hidup', 'Kepala Dinas Lingkungan Hidup', 'DLH'],
  ['Dinas Pertanian dan Ketahanan Pangan', 'Kepala Dinas Pertanian', 'Distan'],
  ['Dinas Pemberdayaan Masyarakat dan Desa', 'Kepala DPMD', 'DPMD'],
  ['Dinas Koperasi, Usaha Kecil dan Menengah', 'Kepala Dinas KUKM', 'DiskopUKM'],
  ['Dinas Pariwisata, Pemuda dan Olahraga', 'Kepala Disparpora', 'Disparpora'],
  ['Dinas Perpustakaan dan Kearsipan', 'Kepala Dispusip', 'Dispusip'],
  ['Sekretariat DPRD', 'Sekretaris DPRD', 'Setwan'],
];
const VERTIKAL: [string, string, string][] = [
  ['Kepolisian Resor Sindangraja', 'Kepala Polres', 'Polres'],
  ['Komando Distrik Militer 0622/Sindangraja', 'Komandan Kodim', 'Kodim'],
  ['Kantor Kementerian Agama Kabupaten Sindangraja', 'Kepala Kantor Kemenag', 'Kemenag'],
  ['Pengadilan Negeri Sindangraja', 'Ketua Pengadilan Negeri', 'PN'],
];

export interface AgencySeed { name: string; kind: AgencyKind; headTitle: string; code: string; place: string | null }

/** Agencies added on top of the demo directory (which has 12): about 90 more senders. */
export function extraAgencies(r: Rand): AgencySeed[] {
  const out: AgencySeed[] = [];
  for (const k of KECAMATAN) out.push({ name: `Kecamatan ${k}`, kind: 'kecamatan', headTitle: `Camat ${k}`, code: `Kec.${k.slice(0, 3)}`, place: k });
  const desa = [...DESA].sort(() => r() - 0.5).slice(0, 50);
  for (const d of desa) out.push({ name: `Pemerintah Desa ${d}`, kind: 'desa', headTitle: `Kepala Desa ${d}`, code: `Ds.${d.slice(0, 4)}`, place: d });
  for (const [name, head, code] of SKPD) out.push({ name, kind: 'skpd', headTitle: head, code, place: null });
  for (const [name, head, code] of VERTIKAL) out.push({ name, kind: 'instansi_vertikal', headTitle: head, code, place: null });
  return out;
}

const APLIKASI = ['SIMRS', 'SIMPUS', 'SIPD', 'SIMDA', 'e-Kinerja', 'SRIKANDI', 'SATUSEHAT', 'Dapodik', 'SIAK Terpusat', 'e-Planning',
  'e-Budgeting', 'SIMPEG', 'LPSE', 'SiRUP', 'Siskeudes', 'JDIH', 'PPID Online', 'SP4N LAPOR', 'Simbada', 'e-Retribusi',
  'SiCantik', 'Command Center', 'CCTV Kota', 'Antrean Online', 'e-Arsip', 'Sipkada', 'Simonev', 'e-Musrenbang', 'e-Pajak Daerah', 'SIBENCANA',
  'Posyandu Digital', 'Perpustakaan Digital', 'Sistem Informasi Desa', 'Sistem Informasi Sekolah', 'Portal Satu Data', 'Tanda Tangan Elektronik',
  'Surel Dinas', 'Kanal Pengaduan', 'Geoportal Tata Ruang', 'e-Presensi'];

const TOPIK = ['Evaluasi SPBE', 'Satu Data Indonesia', 'Keamanan Informasi', 'Percepatan Penurunan Stunting', 'Transformasi Digital',
  'Smart City', 'Penyusunan RKPD', 'Pengelolaan Pengaduan Masyarakat', 'Keterbukaan Informasi Publik', 'Penanggulangan Bencana',
  'Pengendalian Inflasi Daerah', 'Reformasi Birokrasi', 'Zona Integritas', 'Mal Pelayanan Publik', 'Pengelolaan Arsip Dinamis',
  'Sertifikat Elektronik', 'Integrasi Layanan Kependudukan', 'Pemilihan Kepala Desa Serentak', 'Sensus Pertanian', 'Jaringan Intra Pemerintah',
  'Penyusunan Renstra', 'Pengadaan Barang dan Jasa', 'Manajemen Risiko SPBE', 'Literasi Digital', 'Hari Jadi Kabupaten',
  'Kabupaten Sehat', 'Pengelolaan Media Sosial', 'Kampung Digital', 'Desa Cerdas', 'Pemutakhiran Data Terpadu Kesejahteraan Sosial'];

const ACARA = ['Hari Guru Nasional', 'Hari Jadi Kabupaten', 'Peringatan Hari Kemerdekaan', 'Festival Budaya Daerah', 'Pekan Olahraga Pelajar',
  'Bulan Bakti Gotong Royong', 'Pameran Pembangunan', 'Musyawarah Perencanaan Pembangunan', 'Peresmian Jembatan Desa', 'Jambore Kader Posyandu',
  'Lomba Desa Tingkat Kabupaten', 'Vaksinasi Massal', 'Gerakan Tanam Pohon', 'Pasar Murah Ramadan', 'Apel Siaga Bencana'];

const PELATIHAN = ['Pelatihan Literasi Digital bagi ASN', 'Bimbingan Teknis Pengelola Website', 'Pelatihan Keamanan Siber Dasar', 'Bimbingan Teknis Satu Data',
  'Pelatihan Pengelolaan Media Sosial', 'Sosialisasi Tanda Tangan Elektronik', 'Pelatihan Operator Aplikasi', 'Bimbingan Teknis Tata Naskah Dinas Elektronik'];

const LOKASI = ['Gedung Rawat Inap', 'Kantor Kecamatan', 'Puskesmas', 'Balai Desa', 'Gedung Serbaguna', 'Ruang Command Center', 'Kantor Pelayanan Terpadu',
  'Aula Pendopo', 'Gedung Arsip', 'Terminal Bus', 'Pasar Induk', 'Alun-Alun'];

const RUANG = ['Ruang Rapat Setda', 'Aula Bappeda', 'Ruang Rapat Bupati', 'Pendopo Kabupaten', 'Gedung Serbaguna', 'Ruang Rapat Diskominfo', 'Aula Kecamatan'];
const HARI = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat'];
const ROMAN_Q = ['I', 'II', 'III', 'IV'];
const PEGAWAI = ['Pegawai Baru', 'Operator Desa', 'Guru Honorer', 'Tenaga Kesehatan', 'Pejabat Fungsional', 'Petugas Pelayanan'];

export interface LetterText {
  perihal: string; summary: string; jenis: string; klas: string; sifat: Sifat; urgensi: Urgensi; lampiran: string | null;
}

type Template = (r: Rand, a: AgencySeed, year: number) => Omit<LetterText, 'sifat' | 'urgensi' | 'lampiran'> & { sifat?: Sifat; urgensi?: Urgensi };

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
const desaOf = (r: Rand, a: AgencySeed) => (a.kind === 'desa' && a.place ? a.place : pick(r, DESA));
const kecOf = (r: Rand, a: AgencySeed) => (a.kind === 'kecamatan' && a.place ? a.place : pick(r, KECAMATAN));
const hour = (r: Rand) => `${String(between(r, 8, 14)).padStart(2, '0')}.${pick(r, ['00', '30'])}`;

const TEMPLATES: [number, Template][] = [
  [8, (r, a) => { const app = pick(r, APLIKASI); return { jenis: 'surat_permohonan', klas: '400.14.2.1',
    perihal: `Permohonan Subdomain ${slug(app)}.${slug(a.code)}.sindangrajakab.go.id`,
    summary: r() < 0.6 ? `Permohonan pembuatan subdomain untuk layanan ${app}, beserta hosting ${between(r, 2, 50)} GB.` : '' }; }],
  [7, (r, a) => { const d = desaOf(r, a); return { jenis: 'surat_permohonan', klas: '400.14.2.1',
    perihal: `Permohonan Pendaftaran Nama Domain ${slug(d)}.desa.id`,
    summary: r() < 0.7 ? `Desa ${d} Kecamatan ${kecOf(r, a)} memohon fasilitasi pendaftaran domain .desa.id untuk website desa; dilampiri SK Kepala Desa.` : '' }; }],
  [3, (r, a) => { const d = desaOf(r, a); return { jenis: 'surat_pengantar', klas: '400.14.2.1',
    perihal: `Penyampaian Berkas Perbaikan Permohonan Domain ${slug(d)}.desa.id`,
    summary: r() < 0.5 ? 'Perbaikan: surat kuasa dan SK Pejabat Pengelola Nama Domain.' : '' }; }],
  [8, (r, _a, y) => { const t = pick(r, TOPIK); return { jenis: 'undangan', klas: '000.1.5', urgensi: r() < 0.4 ? 'segera' : 'biasa',
    perihal: `Undangan Rapat Koordinasi ${t} Tahun ${y}`,
    summary: r() < 0.8 ? `Rapat koordinasi ${t.toLowerCase()}, hari ${pick(r, HARI)} pukul ${hour(r)} WIB di ${pick(r, RUANG)}.` : '' }; }],
  [6, (r) => { const x = pick(r, APLIKASI); let y = pick(r, APLIKASI); if (y === x) y = 'Portal Satu Data'; return { jenis: 'surat_permohonan', klas: '400.14.2.2',
    perihal: `Permohonan Integrasi ${x} dengan ${y}`,
    summary: r() < 0.6 ? `Permohonan integrasi web service antara ${x} dan ${y} melalui layanan interoperabilitas daerah.` : '' }; }],
  [6, (r) => { const app = pick(r, APLIKASI); return { jenis: 'surat_permohonan', klas: '400.14.2.3',
    perihal: `Permohonan Hosting Aplikasi ${app}`,
    summary: r() < 0.7 ? `Kebutuhan server ${pick(r, [2, 4, 8])} vCPU, ${pick(r, [4, 8, 16, 32])} GB RAM, ${pick(r, [50, 100, 200, 500])} GB disk; ${pick(r, ['PHP 8 dan MariaDB', 'Node.js dan PostgreSQL', 'Java dan Oracle', 'Python dan MariaDB'])}.` : '' }; }],
  [5, (r, a) => { const l = pick(r, LOKASI); return { jenis: 'pemberitahuan', klas: '400.14.2.4', urgensi: r() < 0.5 ? 'sangat_segera' : 'segera',
    perihal: `Laporan Gangguan Akses Internet di ${l} ${a.place ?? kecOf(r, a)}`,
    summary: r() < 0.6 ? `Akses internet terputus sejak ${pick(r, ['pagi', 'siang', 'kemarin sore', 'dua hari lalu'])}; mohon penanganan segera.` : '' }; }],
  [5, (r, a) => { const t = pick(r, TOPIK); return { jenis: 'surat_permohonan', klas: '400.14.3',
    perihal: `Permohonan Data Statistik Sektoral ${t}`,
    summary: r() < 0.5 ? `Data ${t.toLowerCase()} tahun ${between(r, 2019, 2025)} untuk penyusunan dokumen perencanaan ${a.name}.` : '' }; }],
  [4, (r) => { const p = pick(r, PELATIHAN); return { jenis: 'surat_permohonan', klas: '800.2',
    perihal: `Permohonan Narasumber ${p}`,
    summary: r() < 0.5 ? `Narasumber untuk ${between(r, 1, 4)} sesi, peserta ${between(r, 20, 120)} orang.` : '' }; }],
  [3, (r) => { const t = pick(r, TOPIK); return { jenis: 'surat_edaran', klas: '400.14.2',
    perihal: `Penyampaian Surat Edaran Bupati tentang ${t}`,
    summary: r() < 0.4 ? `Surat edaran untuk ditindaklanjuti oleh seluruh perangkat daerah.` : '' }; }],
  [2, (r) => { const app = pick(r, APLIKASI); return { jenis: 'laporan', klas: '400.14.4', sifat: r() < 0.5 ? 'rahasia' : 'terbatas', urgensi: 'sangat_segera',
    perihal: `Laporan Insiden Keamanan pada ${app}`,
    summary: r() < 0.8 ? `Indikasi ${pick(r, ['defacement', 'akses tidak sah', 'serangan DDoS', 'kebocoran kredensial', 'malware'])} pada ${app}; rincian teknis terlampir.` : '' }; }],
  [4, (r, a) => ({ jenis: 'surat_permohonan', klas: '400.14.2.4',
    perihal: `Permohonan Pemasangan Jaringan Internet ${pick(r, LOKASI)} ${a.place ?? kecOf(r, a)}`,
    summary: r() < 0.5 ? `Kebutuhan ${between(r, 1, 20)} titik akses untuk pelayanan masyarakat.` : '' })],
  [3, (r, a) => ({ jenis: 'surat_permohonan', klas: '400.14.2.4', urgensi: 'segera',
    perihal: `Permohonan Penambahan Kapasitas Bandwidth ${a.name}`,
    summary: r() < 0.6 ? `Penambahan bandwidth dari ${pick(r, [20, 50, 100])} Mbps menjadi ${pick(r, [200, 300, 500])} Mbps.` : '' })],
  [3, (r, _a, y) => ({ jenis: 'pemberitahuan', klas: '800',
    perihal: `Pemberitahuan Jadwal ${pick(r, ['Pemutakhiran Data Pegawai', 'Uji Kompetensi Jabatan Fungsional', 'Penilaian Kinerja Pegawai', 'Pelantikan Pejabat', 'Seleksi Terbuka JPT Pratama'])} Tahun ${y}`,
    summary: '' })],
  [4, (r, _a, y) => { const e = pick(r, ACARA); return { jenis: 'surat_permohonan', klas: '400.14.1.1', urgensi: r() < 0.5 ? 'segera' : 'biasa',
    perihal: `Permohonan Peliputan Kegiatan ${e} Tahun ${y}`,
    summary: r() < 0.6 ? `Peliputan dan publikasi kegiatan ${e.toLowerCase()} di kanal media sosial pemerintah daerah.` : '' }; }],
  [3, (r) => { const app = pick(r, APLIKASI); return { jenis: 'surat_permohonan', klas: '400.14.4', urgensi: 'segera',
    perihal: `Permohonan Perpanjangan Sertifikat SSL ${app}`, summary: '' }; }],
  [4, (r) => { const app = pick(r, APLIKASI); return { jenis: 'surat_permohonan', klas: '400.14.2.2',
    perihal: `Permohonan Akun ${app} bagi ${pick(r, PEGAWAI)}`,
    summary: r() < 0.5 ? `Sebanyak ${between(r, 1, 40)} akun; daftar nama dan NIP terlampir.` : '' }; }],
  [3, (r, a, y) => ({ jenis: 'laporan', klas: '000.7',
    perihal: `Laporan Realisasi Kegiatan Triwulan ${pick(r, ROMAN_Q)} Tahun ${y}`,
    summary: r() < 0.5 ? `Laporan realisasi fisik dan keuangan ${a.name}.` : '' })],
  [2, (r, _a, y) => ({ jenis: 'undangan', klas: '000.1.6',
    perihal: `Undangan Upacara ${pick(r, ['Hari Kesadaran Nasional', 'Hari Kemerdekaan RI', 'Hari Jadi Kabupaten', 'Hari Pahlawan', 'Hari Sumpah Pemuda'])} Tahun ${y}`,
    summary: '' })],
  [3, (r) => { const t = pick(r, TOPIK); return { jenis: 'surat_permohonan', klas: '400.14.1.2',
    perihal: `Permohonan Informasi Publik tentang ${t}`,
    summary: r() < 0.5 ? `Pemohon informasi meminta salinan dokumen ${t.toLowerCase()}.` : '' }; }],
  [2, (r) => ({ jenis: 'berita_acara', klas: '000.3',
    perihal: `Berita Acara Serah Terima ${pick(r, ['Perangkat Jaringan', 'Server Aplikasi', 'Komputer Operator', 'Perangkat CCTV', 'Lisensi Perangkat Lunak'])}`,
    summary: '' })],
  [2, (r, a) => ({ jenis: 'surat_permohonan', klas: '000.1.2',
    perihal: `Permohonan Pendampingan Teknis ke ${a.place ? `Desa ${a.place}` : `Kecamatan ${kecOf(r, a)}`}`,
    summary: r() < 0.5 ? `Pendampingan operator ${pick(r, APLIKASI)} selama ${between(r, 1, 5)} hari.` : '' })],
  [2, (r) => ({ jenis: 'nota_dinas', klas: '000.1', sifat: r() < 0.3 ? 'terbatas' : 'biasa',
    perihal: `Nota Dinas tentang ${pick(r, ['Penggunaan Kendaraan Dinas', 'Jadwal Piket Pelayanan', 'Penghematan Energi', 'Pengamanan Aset', 'Penggunaan Surel Resmi'])}`,
    summary: '' })],
];
const TEMPLATE_TOTAL = TEMPLATES.reduce((s, [w]) => s + w, 0);

/** The text of one letter from `agency`, received in `year`. */
export function letterText(r: Rand, agency: AgencySeed, year: number): LetterText {
  let x = r() * TEMPLATE_TOTAL;
  let tpl = TEMPLATES[0][1];
  for (const [w, t] of TEMPLATES) { if ((x -= w) < 0) { tpl = t; break; } }
  const t = tpl(r, agency, year);
  const sr = r();
  const sifat: Sifat = t.sifat ?? (sr < 0.93 ? 'biasa' : sr < 0.98 ? 'terbatas' : sr < 0.995 ? 'rahasia' : 'sangat_rahasia');
  const ur = r();
  const urgensi: Urgensi = t.urgensi ?? (ur < 0.82 ? 'biasa' : ur < 0.96 ? 'segera' : 'sangat_segera');
  return { perihal: t.perihal, summary: t.summary, jenis: t.jenis, klas: t.klas, sifat, urgensi, lampiran: r() < 0.45 ? `${pick(r, ['1 (satu)', '2 (dua)', '3 (tiga)'])} berkas` : null };
}

/** Words the search benchmark may use; the run picks the one whose share of letters is nearest 0.5%. */
export const SEARCH_CANDIDATES = ['siskeudes', 'dapodik', 'simpus', 'srikandi', 'satusehat', 'simbada', 'sicantik', 'jdih', 'stunting', 'inflasi',
  'cisaat', 'cikembar', 'surade', 'sensus'];

export const STAFF_POSITIONS = ['Pranata Komputer Ahli Muda', 'Pranata Komputer Terampil', 'Analis Data dan Informasi', 'Pengelola Sistem dan Jaringan',
  'Pranata Hubungan Masyarakat', 'Statistisi Ahli Pertama', 'Sandiman Ahli Pertama', 'Pengelola Layanan Informasi Publik', 'Pengadministrasi Umum',
  'Pengelola Keuangan', 'Analis Kepegawaian', 'Pengelola Barang Milik Daerah', 'Pengelola Situs Web', 'Analis Keamanan Informasi',
  'Pengembang Aplikasi', 'Teknisi Pusat Data', 'Pengelola Media Sosial', 'Operator Layanan Aduan', 'Penyusun Program dan Anggaran',
  'Pengelola Kearsipan', 'Pranata Komputer Ahli Pertama (Satu Data)', 'Pengelola Jaringan Intra Pemerintah', 'Verifikator Nama Domain',
  'Pengelola Command Center', 'Penata Kelola Sistem Informasi', 'Analis Kebijakan'];

const FIRST = ['Ahmad', 'Budi', 'Citra', 'Dewi', 'Eko', 'Fitri', 'Gilang', 'Hana', 'Irfan', 'Joko', 'Kartika', 'Lukman', 'Maya', 'Nanda', 'Oki', 'Putri',
  'Rahmat', 'Siti', 'Taufik', 'Utami', 'Vina', 'Wahyu', 'Yayan', 'Zaenal', 'Asep', 'Neneng'];
const LAST = ['Hidayat', 'Kurniawan', 'Lestari', 'Saputra', 'Rahayu', 'Permana', 'Nugraha', 'Wulandari', 'Firmansyah', 'Suryana', 'Kusuma', 'Maulana', 'Sari'];
export const personName = (r: Rand): string => `${pick(r, FIRST)} ${pick(r, LAST)}`;
