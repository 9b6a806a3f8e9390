import crypto from 'node:crypto';
import { Agency, Assignment, Position, Unit, User, type AgencyKind, type PositionRole, type UnitKind } from '../models';
import { tx } from '../platform/db';
import { blobStore } from '../platform/blobstore';
import { clock, setClock, FixedClock, now } from '../platform/clock';
import { today } from '../platform/dates';
import { config } from '../config';
import { hashPassword } from '../modules/org';
import { holdingsOf } from '../modules/org';
import { recordEvent } from '../platform/audit';
import { systemActor, type Actor } from '../platform/actor';
import { registerLetter } from '../modules/surat-masuk';
import { markRead } from '../modules/surat-masuk';
import { Disposition, IncomingLetter } from '../models';
import { sendDispositions } from '../modules/disposisi';
import { reportOnDisposition } from '../modules/disposisi';
import { closeLetter } from '../modules/surat-masuk';
import { samplePdf } from './samplePdf';
import { workingCalendar } from '../platform/settings';
import { addWorkingMinutes } from '../lib/workingTime';
import { seedDemoOutgoing } from './demoOutgoing';
import { seedDemoDomain } from './demoDomain';

/**
 * The demo organization: a Dinas Komunikasi dan Informatika of the fictional Kabupaten
 * Sindangraja, one login per role, ten external agencies and a few dozen incoming letters in
 * various states. Every person and agency here is fictional.
 */

export const DEMO_PASSWORD = 'naskah2026';
export const REGION = 'Kabupaten Sindangraja';

interface PersonSeed { username: string; name: string; nip: string | null; pangkat: string | null; golongan: string | null; role: string }
interface PositionSeed { key: string; name: string; unit: string; role: PositionRole; rank: number; eselon: string | null; superior: string | null; holders: PersonSeed[] }

const UNITS: { key: string; name: string; kind: UnitKind; code: string; parent: string | null }[] = [
  { key: 'dinas', name: 'Dinas Komunikasi dan Informatika', kind: 'dinas', code: 'Diskominfo', parent: null },
  { key: 'sekr', name: 'Sekretariat', kind: 'sekretariat', code: 'Sekr', parent: 'dinas' },
  { key: 'umpeg', name: 'Subbagian Umum dan Kepegawaian', kind: 'subbagian', code: 'Umpeg', parent: 'sekr' },
  { key: 'aptika', name: 'Bidang Aplikasi Informatika', kind: 'bidang', code: 'Aptika', parent: 'dinas' },
  { key: 'egov', name: 'Seksi e-Government', kind: 'seksi', code: 'Egov', parent: 'aptika' },
  { key: 'idc', name: 'Seksi Infrastruktur dan Data Center', kind: 'seksi', code: 'IDC', parent: 'aptika' },
];

/** A demo NIK (Kab. Sindangraja = 32.07.12) with the birth date of the NIP, +40 on the day for women. */
export function demoNik(nip: string | null, serial: number): string | null {
  if (!nip) return null;
  const day = +nip.slice(6, 8) + (nip[14] === '2' ? 40 : 0);
  return `320712${String(day).padStart(2, '0')}${nip.slice(4, 6)}${nip.slice(2, 4)}${String(serial).padStart(4, '0')}`;
}

const p = (username: string, name: string, nip: string | null, pangkat: string | null, golongan: string | null, role: string): PersonSeed =>
  ({ username, name, nip, pangkat, golongan, role });

const POSITIONS: PositionSeed[] = [
  { key: 'kadis', name: 'Kepala Dinas Komunikasi dan Informatika', unit: 'dinas', role: 'kepala', rank: 1, eselon: 'II.b', superior: null,
    holders: [p('kadis', 'Dr. Hendra Wiratama, S.Kom., M.T.', '197204112000031003', 'Pembina Utama Muda', 'IV/c', 'Kepala Dinas')] },
  { key: 'sekretaris', name: 'Sekretaris Dinas', unit: 'sekr', role: 'sekretaris', rank: 2, eselon: 'III.a', superior: 'kadis',
    holders: [p('sekretaris', 'Ratna Kusumawardani, S.Sos., M.Si.', '197809232003122004', 'Pembina', 'IV/a', 'Sekretaris Dinas')] },
  { key: 'kasubbag', name: 'Kepala Subbagian Umum dan Kepegawaian', unit: 'umpeg', role: 'kasubbag', rank: 3, eselon: 'IV.a', superior: 'sekretaris',
    holders: [p('kasubbag', 'Agus Priyono, S.E.', '198103152006041012', 'Penata Tingkat I', 'III/d', 'Kasubbag Umum dan Kepegawaian')] },
  { key: 'agendaris', name: 'Pengadministrasi Persuratan', unit: 'umpeg', role: 'sekretariat', rank: 5, eselon: null, superior: 'kasubbag',
    holders: [p('sekretariat', 'Sri Lestari Handayani', '198906072014022003', 'Pengatur', 'II/c', 'Sekretariat (agendaris)')] },
  { key: 'arsiparis', name: 'Arsiparis', unit: 'umpeg', role: 'sekretariat', rank: 5, eselon: null, superior: 'kasubbag',
    holders: [p('arsiparis', 'Dwi Puspitasari, A.Md.', '199204182019032011', 'Pengatur Tingkat I', 'II/d', 'Sekretariat (arsiparis)')] },
  { key: 'kabid', name: 'Kepala Bidang Aplikasi Informatika', unit: 'aptika', role: 'kabid', rank: 2, eselon: 'III.b', superior: 'kadis',
    holders: [p('kabid', 'Yudi Setiawan, S.T., M.Kom.', '197911202005011007', 'Pembina', 'IV/a', 'Kepala Bidang Aptika')] },
  { key: 'kasi_egov', name: 'Kepala Seksi e-Government', unit: 'egov', role: 'kasi', rank: 3, eselon: 'IV.a', superior: 'kabid',
    holders: [p('kasi.egov', 'Nurul Hidayah, S.Kom., M.T.I.', '198507142010012019', 'Penata Tingkat I', 'III/d', 'Kepala Seksi e-Government')] },
  { key: 'kasi_idc', name: 'Kepala Seksi Infrastruktur dan Data Center', unit: 'idc', role: 'kasi', rank: 3, eselon: 'IV.a', superior: 'kabid',
    holders: [p('kasi.idc', 'Bayu Adi Nugroho, S.T.', '198302282009031004', 'Penata Tingkat I', 'III/d', 'Kepala Seksi Infrastruktur dan DC')] },
  { key: 'domain', name: 'Pejabat Pengelola Nama Domain', unit: 'egov', role: 'pejabat_domain', rank: 4, eselon: null, superior: 'kasi_egov',
    holders: [p('domain', 'Fajar Ramadhan, S.Kom.', '199001262015031002', 'Penata', 'III/c', 'Pejabat Domain')] },
  { key: 'egov1', name: 'Pranata Komputer Ahli Pertama (e-Government)', unit: 'egov', role: 'staf', rank: 4, eselon: null, superior: 'kasi_egov',
    holders: [p('staf.egov1', 'Anisa Rahmawati, S.Kom.', '199503092020122005', 'Penata Muda Tingkat I', 'III/b', 'Staf e-Government')] },
  { key: 'egov2', name: 'Analis Sistem Informasi (e-Government)', unit: 'egov', role: 'staf', rank: 4, eselon: null, superior: 'kasi_egov',
    holders: [p('staf.egov2', 'Rizky Maulana Putra, S.T.', '199610302022031006', 'Penata Muda', 'III/a', 'Staf e-Government')] },
  { key: 'operator', name: 'Pengelola Data Center', unit: 'idc', role: 'operator_dc', rank: 4, eselon: null, superior: 'kasi_idc',
    holders: [p('operator.dc', 'Teguh Santoso, A.Md.T.', '199108172017081001', 'Pengatur Tingkat I', 'II/d', 'Operator Data Center')] },
  { key: 'idc1', name: 'Pranata Komputer Ahli Pertama (Jaringan)', unit: 'idc', role: 'staf', rank: 4, eselon: null, superior: 'kasi_idc',
    holders: [p('staf.idc1', 'Galih Prasetyo, S.Kom.', '199406112019031008', 'Penata Muda Tingkat I', 'III/b', 'Staf Infrastruktur')] },
  { key: 'idc2', name: 'Teknisi Jaringan', unit: 'idc', role: 'staf', rank: 5, eselon: null, superior: 'kasi_idc',
    holders: [p('staf.idc2', 'Wulan Septiani, A.Md.', '199709232021012002', 'Pengatur', 'II/c', 'Staf Infrastruktur')] },
];

export const DEMO_USERS: { username: string; role: string }[] = [
  ...POSITIONS.flatMap((x) => x.holders.map((h) => ({ username: h.username, role: h.role }))),
  { username: 'admin', role: 'Administrator sistem (tanpa jabatan)' },
];

export const DEMO_AGENCIES: { name: string; kind: AgencyKind; headTitle: string; address: string; email: string; code: string }[] = [
  { name: `Sekretariat Daerah ${REGION}`, kind: 'setda', headTitle: 'Sekretaris Daerah', address: 'Jl. Alun-Alun Utara No. 1', email: 'setda@sindangrajakab.go.id', code: 'Setda' },
  { name: 'Dinas Pendidikan dan Kebudayaan', kind: 'skpd', headTitle: 'Kepala Dinas Pendidikan dan Kebudayaan', address: 'Jl. Pendidikan No. 12', email: 'disdikbud@sindangrajakab.go.id', code: 'Disdikbud' },
  { name: 'Dinas Kesehatan', kind: 'skpd', headTitle: 'Kepala Dinas Kesehatan', address: 'Jl. Dr. Sutomo No. 5', email: 'dinkes@sindangrajakab.go.id', code: 'Dinkes' },
  { name: 'Dinas Kependudukan dan Pencatatan Sipil', kind: 'skpd', headTitle: 'Kepala Dinas Kependudukan dan Pencatatan Sipil', address: 'Jl. Veteran No. 21', email: 'disdukcapil@sindangrajakab.go.id', code: 'Disdukcapil' },
  { name: 'Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah', kind: 'skpd', headTitle: 'Kepala Bappeda', address: 'Jl. Pemuda No. 3', email: 'bappeda@sindangrajakab.go.id', code: 'Bappeda' },
  { name: 'Badan Kepegawaian dan Pengembangan Sumber Daya Manusia', kind: 'skpd', headTitle: 'Kepala BKPSDM', address: 'Jl. Pemuda No. 7', email: 'bkpsdm@sindangrajakab.go.id', code: 'BKPSDM' },
  { name: 'RSUD Sindangraja', kind: 'skpd', headTitle: 'Direktur RSUD Sindangraja', address: 'Jl. Rumah Sakit No. 1', email: 'rsud@sindangrajakab.go.id', code: 'RSUD' },
  { name: 'Kecamatan Cibodas', kind: 'kecamatan', headTitle: 'Camat Cibodas', address: 'Jl. Raya Cibodas No. 45', email: 'kec.cibodas@sindangrajakab.go.id', code: 'Kec.Cbd' },
  { name: 'Kecamatan Sukaluyu', kind: 'kecamatan', headTitle: 'Camat Sukaluyu', address: 'Jl. Raya Sukaluyu No. 2', email: 'kec.sukaluyu@sindangrajakab.go.id', code: 'Kec.Skl' },
  { name: 'Pemerintah Desa Mekarjaya', kind: 'desa', headTitle: 'Kepala Desa Mekarjaya', address: 'Jl. Desa Mekarjaya No. 1, Kecamatan Cibodas', email: 'desa.mekarjaya@gmail.com', code: 'Ds.Mkj' },
  { name: 'Pemerintah Desa Sukamulya', kind: 'desa', headTitle: 'Kepala Desa Sukamulya', address: 'Dusun Krajan RT 01/RW 02, Kecamatan Sukaluyu', email: 'pemdes.sukamulya@gmail.com', code: 'Ds.Skm' },
  { name: 'Badan Pusat Statistik Kabupaten Sindangraja', kind: 'instansi_vertikal', headTitle: 'Kepala BPS Kabupaten Sindangraja', address: 'Jl. Statistik No. 8', email: 'bps3299@bps.go.id', code: 'BPS' },
];

/** Letters of the demo: [agency index, days ago, perihal, jenis, klasifikasi, sifat, urgensi, read?, summary]. */
const LETTERS: [number, number, string, string, string, 'biasa' | 'terbatas' | 'rahasia', 'biasa' | 'segera' | 'sangat_segera', boolean, string][] = [
  [1, 41, 'Permohonan Subdomain disdikbud.sindangrajakab.go.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', true, 'Permohonan pembuatan subdomain untuk portal layanan pendidikan, beserta hosting 10 GB.'],
  [9, 38, 'Permohonan Pendaftaran Nama Domain mekarjaya.desa.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', true, 'Desa Mekarjaya memohon fasilitasi pendaftaran domain .desa.id untuk website desa.'],
  [0, 35, 'Undangan Rapat Koordinasi Evaluasi SPBE Tahun 2026', 'undangan', '000.1.5', 'biasa', 'segera', true, 'Rapat koordinasi persiapan evaluasi SPBE, Senin pukul 09.00 WIB di Ruang Rapat Setda.'],
  [3, 33, 'Permohonan Integrasi Data Kependudukan dengan Aplikasi Layanan Publik', 'surat_permohonan', '400.14.2.2', 'terbatas', 'biasa', true, 'Permohonan integrasi web service NIK untuk aplikasi perizinan.'],
  [2, 30, 'Permohonan Hosting Aplikasi Sistem Informasi Puskesmas', 'surat_permohonan', '400.14.2.3', 'biasa', 'biasa', true, 'Kebutuhan server 4 vCPU, 8 GB RAM, 100 GB disk; PHP 8 dan MariaDB.'],
  [6, 28, 'Laporan Gangguan Akses Internet di Gedung Rawat Inap', 'pemberitahuan', '400.14.2.4', 'biasa', 'sangat_segera', true, 'Akses internet terputus sejak pagi; mohon penanganan segera.'],
  [4, 26, 'Permohonan Data Statistik Sektoral Bidang Kominfo', 'surat_permohonan', '400.14.3', 'biasa', 'biasa', true, 'Data jumlah menara telekomunikasi dan titik wifi publik untuk dokumen RKPD.'],
  [5, 24, 'Permohonan Narasumber Pelatihan Literasi Digital bagi ASN', 'surat_permohonan', '800.2', 'biasa', 'biasa', true, 'Narasumber materi keamanan siber dasar, 2 sesi.'],
  [7, 22, 'Permohonan Subdomain kec-cibodas.sindangrajakab.go.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', true, 'Subdomain untuk website kecamatan, tanpa hosting (menggunakan CMS bersama).'],
  [11, 21, 'Permohonan Rekomendasi Penggunaan Data Statistik Sektoral', 'surat_permohonan', '400.14.3', 'biasa', 'biasa', true, ''],
  [0, 20, 'Penyampaian Surat Edaran Bupati tentang Penggunaan Aplikasi Umum', 'surat_edaran', '400.14.2', 'biasa', 'biasa', true, 'Surat edaran penggunaan aplikasi naskah dinas elektronik dan surel resmi .go.id.'],
  [10, 19, 'Permohonan Pendaftaran Nama Domain sukamulya.desa.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', true, 'Dilampiri SK Kepala Desa dan fotokopi KTP pengelola.'],
  [1, 18, 'Permohonan Reset Akun Surel Dinas Pendidikan', 'surat_permohonan', '400.14.2.2', 'biasa', 'segera', true, ''],
  [3, 17, 'Undangan Sosialisasi Identitas Kependudukan Digital', 'undangan', '000.1.5', 'biasa', 'biasa', true, 'Sosialisasi IKD bagi perangkat daerah, Kamis pukul 13.00 WIB.'],
  [6, 16, 'Permohonan Penambahan Kapasitas Bandwidth', 'surat_permohonan', '400.14.2.4', 'biasa', 'segera', true, 'Penambahan bandwidth dari 100 Mbps menjadi 200 Mbps untuk SIMRS.'],
  [0, 15, 'Laporan Insiden Keamanan pada Website Resmi Pemerintah Daerah', 'laporan', '400.14.4', 'rahasia', 'sangat_segera', true, 'Indikasi defacement pada salah satu subdomain; rincian teknis terlampir.'],
  [8, 14, 'Permohonan Pemasangan Jaringan Internet Kantor Kecamatan', 'surat_permohonan', '400.14.2.4', 'biasa', 'biasa', true, ''],
  [2, 13, 'Permohonan Perubahan Data Subdomain dinkes.sindangrajakab.go.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', true, 'Perubahan alamat IP server karena migrasi ke data center.'],
  [4, 12, 'Undangan Musyawarah Perencanaan Pembangunan Sektoral', 'undangan', '000.7', 'biasa', 'biasa', true, ''],
  [5, 11, 'Pemberitahuan Jadwal Pemutakhiran Data Pegawai', 'pemberitahuan', '800', 'biasa', 'biasa', true, ''],
  [11, 10, 'Permohonan Penyediaan Tautan Portal Satu Data', 'surat_permohonan', '400.14.3', 'biasa', 'biasa', true, ''],
  [1, 9, 'Permohonan Peliputan Kegiatan Hari Guru Nasional', 'surat_permohonan', '400.14.1.1', 'biasa', 'segera', true, 'Peliputan dan publikasi di kanal media sosial pemerintah daerah.'],
  [7, 8, 'Permohonan Hosting Aplikasi Pelayanan Administrasi Terpadu Kecamatan', 'surat_permohonan', '400.14.2.3', 'biasa', 'biasa', false, ''],
  [0, 7, 'Permohonan Penandatanganan Surat Permohonan Domain Desa', 'nota_dinas', '400.14.2.1', 'biasa', 'biasa', true, ''],
  [9, 6, 'Penyampaian Berkas Perbaikan Permohonan Domain mekarjaya.desa.id', 'surat_pengantar', '400.14.2.1', 'biasa', 'biasa', false, 'Perbaikan: surat kuasa dan SK Pejabat Pengelola Nama Domain.'],
  [3, 5, 'Permohonan Perpanjangan Sertifikat SSL Aplikasi Layanan Kependudukan', 'surat_permohonan', '400.14.4', 'biasa', 'segera', false, ''],
  [6, 4, 'Permohonan Subdomain simrs.sindangrajakab.go.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', false, 'Subdomain untuk SIMRS beserta hosting di data center daerah.'],
  [2, 3, 'Undangan Rapat Pembahasan Integrasi Aplikasi SATUSEHAT', 'undangan', '000.1.5', 'biasa', 'segera', false, ''],
  [8, 3, 'Permohonan Pelatihan Pengelola Website Kecamatan', 'surat_permohonan', '800.2', 'biasa', 'biasa', false, ''],
  [4, 2, 'Permohonan Data Titik Wifi Publik untuk Peta Tematik', 'surat_permohonan', '400.14.3', 'biasa', 'biasa', false, ''],
  [0, 2, 'Laporan Hasil Pemantauan Keamanan Jaringan Triwulan III', 'laporan', '400.14.4', 'rahasia', 'biasa', false, 'Ringkasan kerentanan dan rekomendasi perbaikan; terbatas untuk pimpinan.'],
  [5, 1, 'Permohonan Akun Aplikasi Naskah Dinas Elektronik bagi Pegawai Baru', 'surat_permohonan', '400.14.2.2', 'biasa', 'biasa', false, ''],
  [1, 1, 'Permohonan Penghapusan Subdomain ppdb-lama.sindangrajakab.go.id', 'surat_permohonan', '400.14.2.1', 'biasa', 'biasa', false, 'Aplikasi PPDB lama sudah tidak digunakan.'],
  [10, 0, 'Permohonan Bimbingan Teknis Website Desa', 'surat_permohonan', '400.14.2', 'biasa', 'biasa', false, ''],
  [6, 0, 'Pemberitahuan Pemadaman Listrik Terjadwal Gedung RSUD', 'pemberitahuan', '400.14.2.4', 'biasa', 'sangat_segera', false, ''],
];

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
const BULAN = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

/** Seed the organization, the users (password DEMO_PASSWORD) and, unless `letters` is false, the letters. */
export async function seedDemo(opts: { letters?: boolean } = {}): Promise<void> {
  const pwHash = await hashPassword(DEMO_PASSWORD);
  const orgName = config().orgName;
  const sys = systemActor('seed');
  const ids = await tx(async (t) => {
    const unitIds: Record<string, number> = {};
    let order = 0;
    for (const u of UNITS) {
      const row = await Unit.create({ name: u.name, kind: u.kind, code: u.code, parentId: u.parent ? unitIds[u.parent] : null, sortOrder: ++order }, { transaction: t });
      unitIds[u.key] = row.id;
    }
    const posIds: Record<string, number> = {};
    const userIds: Record<string, number> = {};
    const start = `${new Date().getFullYear() - 2}-01-02`;
    for (const ps of POSITIONS) {
      const pos = await Position.create({ name: ps.name, unitId: unitIds[ps.unit], role: ps.role, rank: ps.rank, eselon: ps.eselon, superiorId: ps.superior ? posIds[ps.superior] : null }, { transaction: t });
      posIds[ps.key] = pos.id;
      for (const h of ps.holders) {
        const user = await User.create({ username: h.username, name: h.name, nip: h.nip, nik: demoNik(h.nip, Object.keys(userIds).length + 1), pangkat: h.pangkat, golongan: h.golongan,
          email: `${h.username.replace(/\./g, '')}@sindangrajakab.go.id`, phone: null, passwordHash: pwHash }, { transaction: t });
        userIds[h.username] = user.id;
        await Assignment.create({ userId: user.id, positionId: pos.id, kind: 'definitif', startDate: start, endDate: null, decreeNumber: `800.1.3.3/${100 + user.id}/BKPSDM/${start.slice(0, 4)}` }, { transaction: t });
      }
    }
    // History of acting officials: the Sekretaris was Plh Kepala Dinas during last year's leave.
    const y = new Date().getFullYear() - 1;
    await Assignment.create({ userId: userIds.sekretaris, positionId: posIds.kadis, kind: 'plh', startDate: `${y}-07-01`, endDate: `${y}-07-12`, decreeNumber: `800.1.11.1/45/Diskominfo/${y}` }, { transaction: t });
    const admin = await User.create({ username: 'admin', name: 'Administrator Sistem', nip: null, pangkat: null, golongan: null, email: 'admin@sindangrajakab.go.id', phone: null, passwordHash: pwHash, isAdmin: true }, { transaction: t });
    userIds.admin = admin.id;
    const agencyIds: number[] = [];
    for (const a of DEMO_AGENCIES) {
      const row = await Agency.create({ name: a.name, kind: a.kind, headTitle: a.headTitle, address: a.address, city: REGION, email: a.email, phone: null }, { transaction: t });
      agencyIds.push(row.id);
    }
    await recordEvent(t, sys, { action: 'seed.demo', entityType: 'system', entityId: 'demo', after: { organization: orgName, units: UNITS.length, positions: POSITIONS.length, users: DEMO_USERS.length, agencies: DEMO_AGENCIES.length } });
    return { unitIds, posIds, userIds, agencyIds };
  });
  if (opts.letters === false) return;
  await seedLetters(ids.userIds, ids.agencyIds, ids.posIds.kadis);
  await seedDemoOutgoing();
  await seedDemoDomain();
}

/**
 * Move a demo letter down the hierarchy the way the office would have by now: older letters
 * are disposed, worked on, reported and completed; recent ones are still in progress (and
 * some late), so every screen has something real to show.
 */
async function seedDispositions(letterId: number, klas: string, jenis: string, daysAgo: number, base: Date, clock: FixedClock, u: Record<string, Actor>): Promise<void> {
  const hour = 3_600_000;
  // Officials work office hours: each step is measured on the working calendar.
  const cal = await workingCalendar();
  const step = async (ms: number) => {
    clock.set(addWorkingMinutes(clock.now(), ms / 60_000, cal));
    if (clock.now() > base) clock.set(new Date(base.getTime() - 60_000));
  };
  const letter = async () => (await IncomingLetter.findByPk(letterId)) as IncomingLetter;
  const send = async (who: string, to: string, instructions: string[], note = '') => {
    const actor = u[who];
    const target = await Position.findOne({ where: { id: u[to].holdings[0].positionId } });
    const l = await letter();
    const open = await Disposition.findOne({ where: { letterId, toPositionId: actor.holdings[0].positionId, status: ['terkirim', 'dibaca', 'diproses'] } });
    const via = open ? open.toPositionId : l.addressedPositionId;
    return (await sendDispositions({ actor, letterId, viaPositionId: via, form: { targets: [String(target!.id)], instructions, note, priority: 'biasa', dueAt: '' } }))[0];
  };
  const read = async (who: string) => markRead(u[who], await letter());
  const finish = async (who: string, d: Disposition, body: string, complete: boolean) => {
    const fresh = (await Disposition.findByPk(d.id)) as Disposition;
    await reportOnDisposition({ actor: u[who], dispositionId: d.id, expectedVersion: fresh.version, body, files: [], complete });
  };
  const aptika = klas.startsWith('400.14.2') || klas.startsWith('400.14.4');
  await step(20 * 60_000);
  if (!aptika) {
    const d = await send('kadis', 'sekretaris', jenis === 'undangan' ? ['hadiri', 'untuk_diketahui'] : ['tindak_lanjuti'], jenis === 'undangan' ? 'Mohon diwakili dan laporkan hasilnya.' : '');
    if (daysAgo < 3) return;
    await step(3 * hour); await read('sekretaris');
    if (daysAgo < 6) return;
    await step(20 * hour); await finish('sekretaris', d, jenis === 'undangan' ? 'Sudah dihadiri; notulen terlampir di arsip Sekretariat.' : 'Sudah ditindaklanjuti bersama Subbagian Umum.', true);
    if (daysAgo > 12) { const l = await letter(); await closeLetter({ actor: u.kadis, letterId, mode: 'selesai', note: '', expectedVersion: l.version }); }
    return;
  }
  const domain = klas === '400.14.2.1';
  const infra = klas === '400.14.2.3' || klas === '400.14.2.4';
  const kasi = infra ? 'kasi.idc' : 'kasi.egov';
  const staff = domain ? 'domain' : infra ? (klas === '400.14.2.3' ? 'operator.dc' : 'staf.idc1') : 'staf.egov1';
  const d1 = await send('kadis', 'kabid', ['pelajari_laporkan', 'koordinasikan'], domain ? 'Cek kelengkapan berkas sesuai SOP domain.' : '');
  if (daysAgo < 3) return;
  await step(2 * hour); await read('kabid');
  await step(hour);
  const d2 = await send('kabid', kasi, ['tindak_lanjuti'], domain ? 'Verifikasi nama dan ketersediaan.' : '');
  if (daysAgo < 4) return;
  await step(4 * hour); await read(kasi);
  await step(2 * hour);
  const d3 = await send(kasi, staff, domain ? ['verifikasi_kelengkapan', 'siapkan_jawaban'] : ['tindak_lanjuti', 'pelajari_laporkan']);
  if (daysAgo < 7) return; // still with the staff member (some past the deadline)
  await step(5 * hour); await read(staff);
  await step(20 * hour);
  await finish(staff, d3, domain ? 'Nama tersedia dan berkas lengkap; konsep surat balasan sudah disiapkan.' : infra ? 'Sudah dikerjakan di data center; hasil uji terlampir di catatan teknis.' : 'Sudah diperiksa dan ditindaklanjuti.', daysAgo >= 10);
  if (daysAgo < 12) return;
  await step(6 * hour); await finish(kasi, d2, 'Hasil staf sudah diperiksa; sesuai.', true);
  await step(5 * hour); await finish('kabid', d1, 'Selesai ditindaklanjuti oleh Seksi.', true);
  if (daysAgo > 20) { await step(2 * hour); const l = await letter(); await closeLetter({ actor: u.kadis, letterId, mode: 'selesai', note: 'Balasan sudah dikirim.', expectedVersion: l.version }); }
}

async function actorFor(userId: number): Promise<Actor> {
  const user = await User.findByPk(userId);
  if (!user) throw new Error(`seed: user ${userId} missing`);
  return { user, holdings: await holdingsOf(user.id), ip: null };
}

async function seedLetters(userIds: Record<string, number>, agencyIds: number[], kadisPositionId: number): Promise<void> {
  const saved = clock();
  const base = now();
  try {
    const clerk = await actorFor(userIds.sekretariat);
    const kadis = await actorFor(userIds.kadis);
    const users: Record<string, Actor> = {};
    for (const u of ['kadis', 'sekretaris', 'kabid', 'kasi.egov', 'kasi.idc', 'domain', 'operator.dc', 'staf.egov1', 'staf.idc1', 'kasubbag']) users[u] = await actorFor(userIds[u]);
    let serial = 0;
    for (const [ai, daysAgo, perihal, jenis, klas, sifat, urgensi, read, summary] of LETTERS) {
      serial++;
      const ag = DEMO_AGENCIES[ai];
      // Registered mid-morning on a working day, `daysAgo` days back.
      const at = new Date(base.getTime() - daysAgo * 86_400_000);
      at.setUTCHours(1 + (serial % 5), 10 + ((serial * 7) % 45), 0, 0); // 08:10-12:55 WIB
      if (at > base) at.setTime(base.getTime() - 60_000 * (serial + 1));
      const fixed = new FixedClock(at);
      setClock(fixed);
      const letterDate = new Date(at.getTime() - (1 + (serial % 4)) * 86_400_000);
      const ld = today(letterDate);
      const month = letterDate.getUTCMonth();
      const senderNumber = `${klas}/${String(40 + serial * 13).padStart(3, '0')}/${ag.code}/${ROMAN[month]}/${ld.slice(0, 4)}`;
      const scan = samplePdf({
        agencyLines: [`PEMERINTAH ${REGION.toUpperCase()}`, ag.name.toUpperCase()], address: `${ag.address}, ${REGION} · ${ag.email}`,
        place: REGION.replace('Kabupaten ', ''), date: `${+ld.slice(8, 10)} ${BULAN[month]} ${ld.slice(0, 4)}`, number: senderNumber,
        sifat: sifat === 'biasa' ? 'Biasa' : sifat === 'terbatas' ? 'Terbatas' : 'Rahasia', lampiran: summary ? '1 (satu) berkas' : '-', hal: perihal,
        to: ['Kepala Dinas Komunikasi dan Informatika', REGION, 'di Tempat'],
        body: [
          'Dengan hormat,',
          `Sehubungan dengan kebutuhan penyelenggaraan pemerintahan berbasis elektronik di lingkungan ${ag.name}, bersama ini kami sampaikan ${perihal.charAt(0).toLowerCase()}${perihal.slice(1)}.`,
          summary || 'Adapun rincian kebutuhan sebagaimana terlampir.',
          'Demikian surat ini kami sampaikan. Atas perhatian dan kerja sama Bapak, kami ucapkan terima kasih.',
        ],
        signerTitle: ag.headTitle, signerName: 'NAMA PEJABAT (FIKTIF)', signerNip: '19700101' + '199503' + '1' + String(serial).padStart(3, '0'),
      });
      const blob = await blobStore().putBuffer(scan);
      const { letter } = await registerLetter({
        actor: clerk, submissionKey: crypto.randomBytes(16).toString('hex'), confirmDuplicate: true,
        files: [{ ...blob, mime: 'application/pdf', originalName: `scan-${ag.code.toLowerCase()}-${serial}.pdf`, kind: 'scan' }],
        form: {
          senderNumber, letterDate: ld, receivedDate: today(at), senderAgencyId: String(agencyIds[ai]), perihal, sifat, urgensi,
          klasifikasi: klas, jenisNaskah: jenis, lampiran: summary ? '1 (satu) berkas' : '', summary, addressedPositionId: String(kadisPositionId),
        },
      });
      if (read) {
        fixed.advance((urgensi === 'sangat_segera' ? 0.3 : 2.5 + (serial % 5)) * 3_600_000);
        await markRead(kadis, await IncomingLetter.findByPk(letter.id) as IncomingLetter);
        if (daysAgo >= 2) await seedDispositions(letter.id, klas, jenis, daysAgo, base, fixed, users);
      }
    }
  } finally {
    setClock(saved);
  }
}
