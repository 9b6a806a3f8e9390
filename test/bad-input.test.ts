import fsp from 'node:fs/promises';
import zlib from 'node:zlib';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { Agency, Assignment, Blob, IncomingLetter, InboxItem, LetterFile, Position, Unit, User } from '../models';
import { config } from '../config';
import { blobStore } from '../platform/blobstore';
import { today } from '../platform/dates';
import { signIn, textOf as pageText, type Agent } from './helpers/app';
import { actorOf, buildAgency, buildLetter, buildNip, buildPosition, buildUnit, buildUser, pdfBytes, positionByRole, uniq } from './helpers/factories';

/**
 * Bad input across the forms and uploads: each case must get a clear Indonesian message
 * on the page it came from (or a 403/404), never a 500 or a stack trace, and must leave
 * nothing half-saved.
 */

// ---- helpers ----

/** Plain text of a page, with EJS's numeric quote entity decoded too. */
const textOf = (html: string): string => pageText(html).replace(/&#34;/g, '"');

/** A date `days` away from today (in the configured zone), as YYYY-MM-DD. */
const dayFromToday = (days: number): string => new Date(Date.parse(`${today()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A real 1x1 PNG, built here so the test needs no fixture file. */
function pngBytes(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); ihdr.writeUInt32BE(1, 4); ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.from([0, 0xff, 0x80, 0x00]))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** No 500, no stack trace, no raw error text in the body. */
function expectNoCrash(res: Response): void {
  expect(res.status, res.text?.slice(0, 400)).to.not.equal(500);
  const body = res.text ?? '';
  expect(body).to.not.match(/\b(Error|TypeError|SequelizeDatabaseError|SequelizeValidationError):/);
  expect(body).to.not.match(/^\s*at\s+\S.*:\d+:\d+\)?\s*$/m);
  expect(body).to.not.match(/node_modules|\/work\/|\.ts:\d+/);
}

/** Row counts of everything a bad submission might leave behind. */
async function counts(): Promise<Record<string, number>> {
  const [letters, files, inbox, blobs, agencies, users, units, positions, assignments] = await Promise.all([
    IncomingLetter.count(), LetterFile.count(), InboxItem.count(), Blob.count(), Agency.count(), User.count(), Unit.count(), Position.count(), Assignment.count(),
  ]);
  return { letters, files, inbox, blobs, agencies, users, units, positions, assignments };
}

/** Upload temporaries left in the blob store's tmp directory. */
const tmpFiles = async (): Promise<string[]> => (await fsp.readdir(blobStore().tmpDir())).sort();

/** Run `fn` and check that no row was added anywhere and no upload temporary was left behind. */
async function expectNothingSaved<T>(fn: () => Promise<T>): Promise<T> {
  const before = await counts();
  const tmpBefore = await tmpFiles();
  const out = await fn();
  expect(await counts(), 'rows were saved by a rejected submission').to.deep.equal(before);
  expect(await tmpFiles(), 'upload temporaries left behind').to.deep.equal(tmpBefore);
  return out;
}

type Upload = { field: string; data: Buffer; name: string };

/** The registration form as the browser posts it: multipart, CSRF token in the URL (unless `csrf` overrides it). */
async function postLetter(agent: Agent, fields: Record<string, string>, files: Upload[], csrf?: string | null): Promise<Response> {
  const page = await agent.get('/surat-masuk/baru');
  const key = /name="submissionKey" value="([0-9a-f]{32})"/.exec(page.text)![1];
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const t = csrf === undefined ? token : csrf;
  const req = agent.post(t === null ? '/surat-masuk' : `/surat-masuk?_csrf=${encodeURIComponent(t)}`);
  for (const [k, v] of Object.entries({ submissionKey: key, ...fields })) req.field(k, v);
  for (const f of files) req.attach(f.field, f.data, f.name);
  return req;
}

async function validFields(o: Record<string, string> = {}): Promise<Record<string, string>> {
  const agency = await buildAgency();
  return {
    senderNumber: uniq('400.14/'), letterDate: today(), receivedDate: today(), senderAgencyId: String(agency.id),
    perihal: uniq('Permohonan Uji Masukan '), sifat: 'biasa', urgensi: 'biasa', klasifikasi: '400.14.2.1',
    jenisNaskah: 'surat_permohonan', lampiran: '', summary: '', addressedPositionId: String((await positionByRole('kepala')).id), ...o,
  };
}

const scan = (): Upload => ({ field: 'scan', data: pdfBytes(), name: 'scan.pdf' });

// ---- the registration form ----

interface FormCase {
  name: string;
  fields?: (f: Record<string, string>) => Record<string, string>;
  files?: () => Upload[];
  status: number;
  /** The field whose error is shown next to it (field-error id), if any. */
  field?: string;
  message: string | RegExp;
}

const formCases: FormCase[] = [
  { name: 'an empty (0 byte) scan', files: () => [{ field: 'scan', data: Buffer.alloc(0), name: 'kosong.pdf' }], status: 422, field: 'scan', message: 'Berkas "kosong.pdf" kosong (0 byte).' },
  { name: 'a text file named .pdf (wrong magic bytes)', files: () => [{ field: 'scan', data: Buffer.from('Ini bukan PDF, hanya teks biasa.\n'.repeat(20)), name: 'surat.pdf' }], status: 422, field: 'scan', message: 'Berkas "surat.pdf" bukan PDF, JPEG, atau PNG (diperiksa dari isinya, bukan dari namanya).' },
  { name: 'an HTML page named .pdf as an attachment', files: () => [scan(), { field: 'lampiranFiles', data: Buffer.from('<html><script>alert(1)</script></html>'), name: 'lampiran.pdf' }], status: 422, field: 'lampiranFiles', message: 'bukan PDF, JPEG, atau PNG' },
  { name: 'no scan at all', files: () => [], status: 422, field: 'scan', message: 'Pindaian (scan) surat wajib diunggah (PDF, JPEG, atau PNG).' },
  { name: 'too many files (scan + 11 attachments)', files: () => [scan(), ...Array.from({ length: config().maxUploadFiles + 1 }, (_, i) => ({ field: 'lampiranFiles', data: pdfBytes(), name: `l${i}.pdf` }))], status: 400, message: /Terlalu banyak berkas\. Paling banyak \d+ berkas lampiran sekaligus\./ },
  { name: 'two files in the single scan field', files: () => [scan(), scan()], status: 400, message: 'terlalu banyak berkas pada satu kolom' },
  { name: 'a file in an unknown field', files: () => [scan(), { field: 'lainnya', data: pdfBytes(), name: 'x.pdf' }], status: 400, message: 'Berkas dikirim melalui kolom yang tidak dikenal' },
  { name: 'an impossible letter date (2026-02-30)', fields: (f) => ({ ...f, letterDate: '2026-02-30' }), status: 422, field: 'letterDate', message: 'Tanggal surat tidak valid (gunakan format TTTT-BB-HH, mis. 2026-11-20).' },
  { name: 'a letter date in words ("kemarin")', fields: (f) => ({ ...f, letterDate: 'kemarin' }), status: 422, field: 'letterDate', message: 'Tanggal surat tidak valid' },
  { name: 'a missing letter date', fields: (f) => ({ ...f, letterDate: '' }), status: 422, field: 'letterDate', message: 'Tanggal surat wajib diisi.' },
  { name: 'a letter date in the future', fields: (f) => ({ ...f, letterDate: dayFromToday(1), receivedDate: today() }), status: 422, field: 'letterDate', message: 'Tanggal surat tidak boleh setelah hari ini.' },
  { name: 'a received date in the future', fields: (f) => ({ ...f, receivedDate: dayFromToday(3) }), status: 422, field: 'receivedDate', message: 'Tanggal diterima tidak boleh setelah hari ini.' },
  { name: 'a letter date after the received date', fields: (f) => ({ ...f, letterDate: today(), receivedDate: dayFromToday(-2) }), status: 422, field: 'letterDate', message: 'Tanggal surat tidak boleh setelah tanggal diterima.' },
  { name: 'a missing perihal', fields: (f) => ({ ...f, perihal: '   ' }), status: 422, field: 'perihal', message: 'Perihal wajib diisi.' },
  { name: 'a perihal of 501 characters', fields: (f) => ({ ...f, perihal: 'P'.repeat(501) }), status: 422, field: 'perihal', message: 'Perihal maksimal 500 karakter.' },
  { name: 'a sender number of 121 characters', fields: (f) => ({ ...f, senderNumber: '9'.repeat(121) }), status: 422, field: 'senderNumber', message: 'Nomor surat maksimal 120 karakter.' },
  { name: 'an unknown klasifikasi code', fields: (f) => ({ ...f, klasifikasi: '999.99.99' }), status: 422, field: 'klasifikasi', message: 'Kode klasifikasi "999.99.99" tidak ada dalam daftar.' },
  { name: 'a klasifikasi that is not a code', fields: (f) => ({ ...f, klasifikasi: 'domain' }), status: 422, field: 'klasifikasi', message: 'Kode klasifikasi "domain" tidak ada dalam daftar.' },
  { name: 'an unknown jenis naskah', fields: (f) => ({ ...f, jenisNaskah: 'surat_cinta' }), status: 422, field: 'jenisNaskah', message: 'Jenis naskah tidak dikenal.' },
  { name: 'an unknown sender id', fields: (f) => ({ ...f, senderAgencyId: '999999999' }), status: 422, field: 'senderAgencyId', message: 'Pengirim tidak ditemukan di direktori instansi.' },
  { name: 'a sender id that is not a number', fields: (f) => ({ ...f, senderAgencyId: "1 OR 1=1; DROP TABLE agencies" }), status: 422, field: 'senderAgencyId', message: 'Pengirim tidak ditemukan di direktori instansi.' },
  { name: 'no sender at all', fields: (f) => ({ ...f, senderAgencyId: '' }), status: 422, field: 'senderAgencyId', message: 'Pilih pengirim dari direktori, atau isi nama instansi pengirim baru.' },
  { name: 'a new sender of an unknown kind (no agency created)', fields: (f) => ({ ...f, senderAgencyId: 'baru', newSenderName: uniq('Desa Tanpa Jenis '), newSenderKind: 'kerajaan' }), status: 422, field: 'newSenderKind', message: 'Jenis instansi tidak dikenal.' },
  { name: 'an unknown addressed position', fields: (f) => ({ ...f, addressedPositionId: '99999999' }), status: 422, field: 'addressedPositionId', message: 'Pilih jabatan tujuan surat.' },
  { name: 'a bad sifat value', fields: (f) => ({ ...f, sifat: 'top_secret' }), status: 422, field: 'sifat', message: 'Sifat surat tidak dikenal.' },
  { name: 'a bad urgensi value', fields: (f) => ({ ...f, urgensi: 'kilat' }), status: 422, field: 'urgensi', message: 'Urgensi tidak dikenal.' },
];

describe('Bad input: registration form (POST /surat-masuk)', () => {
  let clerk: Agent;
  before(async () => { clerk = await signIn('sekretariat'); });

  for (const c of formCases) {
    it(`refuses ${c.name} with a message on the form, keeping what was typed`, async () => {
      const base = await validFields();
      const fields = c.fields ? c.fields(base) : base;
      const files = c.files ? c.files() : [scan()];
      const res = await expectNothingSaved(() => postLetter(clerk, fields, files));
      expectNoCrash(res);
      expect(res.status, textOf(res.text).slice(0, 500)).to.equal(c.status);
      expect(res.text).to.include('data-testid="letter-form"'); // the same page, not an error page
      const text = textOf(res.text);
      if (typeof c.message === 'string') expect(text).to.include(c.message); else expect(text).to.match(c.message);
      if (c.field) {
        const shown = new RegExp(`id="err-${c.field}"[^>]*>([^<]*)<`).exec(res.text);
        expect(shown, `no message next to ${c.field}`).to.not.equal(null);
      }
      // The user's other typed values are still in the form.
      if (c.name.includes('perihal')) expect(res.text).to.include(`value="${fields.senderNumber}"`);
      else expect(res.text).to.include(`value="${fields.perihal}"`);
      expect(res.text).to.include(`value="${fields.senderNumber}"`);
    });
  }

  it('refuses an oversize scan (over MAX_UPLOAD_MB) with the limit in the message, keeping what was typed', async function () {
    this.timeout(60_000);
    const fields = await validFields();
    const big = Buffer.alloc(Math.max(21 * 1024 * 1024, config().maxUploadBytes + 1024 * 1024), 0x20);
    pdfBytes().copy(big); // a PDF header: the size, not the type, is what is wrong
    const res = await expectNothingSaved(() => postLetter(clerk, fields, [{ field: 'scan', data: big, name: 'besar.pdf' }]));
    expectNoCrash(res);
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.match(/Berkas terlalu besar\. Ukuran maksimal \d+ MB per berkas\. Data lain belum disimpan/);
    expect(res.text).to.include(`value="${fields.perihal}"`);
  });

  it('refuses a form without its submission key', async () => {
    const fields = await validFields();
    const res = await expectNothingSaved(async () => {
      const token = /name="_csrf" value="([^"]+)"/.exec((await clerk.get('/surat-masuk/baru')).text)![1];
      const req = clerk.post(`/surat-masuk?_csrf=${encodeURIComponent(token)}`);
      for (const [k, v] of Object.entries(fields)) req.field(k, v);
      return req.attach('scan', pdfBytes(), 'a.pdf');
    });
    expectNoCrash(res);
    expect(res.status).to.equal(400);
    expect(textOf(res.text)).to.include('Formulir tidak lengkap (kunci pengiriman hilang). Isi ulang formulir ini.');
    expect(res.text).to.include(`value="${fields.perihal}"`);
  });

  it('shows every problem at once: a bad file and bad metadata together', async () => {
    const fields = await validFields({ perihal: '', klasifikasi: '12345' });
    const res = await expectNothingSaved(() => postLetter(clerk, fields, [{ field: 'scan', data: Buffer.alloc(0), name: 'nol.pdf' }]));
    expectNoCrash(res);
    expect(res.status).to.equal(422);
    const text = textOf(res.text);
    for (const m of ['kosong (0 byte)', 'Perihal wajib diisi.', 'Kode klasifikasi "12345" tidak ada dalam daftar.']) expect(text).to.include(m);
  });
});

describe('Bad input: file names and types (accepted by content)', () => {
  async function registerWith(file: Upload) {
    const clerk = await signIn('sekretariat');
    const fields = await validFields();
    const res = await postLetter(clerk, fields, [file]);
    expectNoCrash(res);
    expect(res.status, textOf(res.text).slice(0, 500)).to.equal(303);
    const letter = await IncomingLetter.findOne({ where: { perihal: fields.perihal } });
    const files = await LetterFile.findAll({ where: { letterId: letter!.id } });
    expect(files).to.have.length(1);
    return files[0];
  }

  it('takes a PDF named .png as a PDF (by its magic bytes) and corrects the stored name to .pdf', async () => {
    const f = await registerWith({ field: 'scan', data: pdfBytes(), name: 'pindaian surat.png' });
    expect(f.mime).to.equal('application/pdf');
    expect(f.originalName).to.equal('pindaian surat.pdf');
  });

  it('takes a PNG named .pdf as a PNG, stored as .png', async () => {
    const f = await registerWith({ field: 'scan', data: pngBytes(), name: 'foto surat.pdf' });
    expect(f.mime).to.equal('image/png');
    expect(f.originalName).to.equal('foto surat.png');
  });

  it('strips directories from a path-traversal file name (../../etc/passwd.pdf)', async () => {
    const f = await registerWith({ field: 'scan', data: pdfBytes(), name: '../../etc/passwd.pdf' });
    expect(f.originalName).to.equal('passwd.pdf');
    expect(f.originalName).to.not.match(/[/\\]/);
    const g = await registerWith({ field: 'scan', data: pdfBytes(), name: '..\\..\\windows\\system32\\surat.pdf' });
    expect(g.originalName).to.equal('surat.pdf');
  });

  it('truncates a 500-character file name, keeping the extension', async () => {
    const f = await registerWith({ field: 'scan', data: pdfBytes(), name: `${'n'.repeat(496)}.pdf` });
    expect(f.originalName.length).to.be.at.most(180);
    expect(f.originalName).to.match(/^n+\.pdf$/);
  });
});

// ---- the admin forms ----

async function adminPost(agent: Agent, entity: string, fields: Record<string, string>, id?: number): Promise<Response> {
  const page = await agent.get(id ? `/admin/${entity}/${id}` : `/admin/${entity}/baru`);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  return agent.post(id ? `/admin/${entity}/${id}` : `/admin/${entity}`).type('form').send({ _csrf: token, ...fields });
}

/** A 422 re-render of the admin form with `message` next to `field`. */
function expectAdminFormError(res: Response, field: string, message: string): void {
  expectNoCrash(res);
  expect(res.status, textOf(res.text).slice(0, 400)).to.equal(422);
  const shown = new RegExp(`id="err-${field}"[^>]*>([^<]*)<`).exec(res.text);
  expect(shown, `no message next to ${field}`).to.not.equal(null);
  expect(textOf(shown![1])).to.include(message);
}

describe('Bad input: admin user form (/admin/pengguna)', () => {
  let admin: Agent;
  before(async () => { admin = await signIn('admin'); });
  const base = () => ({ name: uniq('Pegawai Baru '), username: uniq('pegawai.'), nip: buildNip(), password: 'RahasiaKuat2026', active: '1' });

  const cases: { name: string; o: Record<string, string>; field: string; message: string }[] = [
    { name: 'a NIP of 17 digits', o: { nip: '19900101201501100' }, field: 'nip', message: 'NIP harus 18 digit (terisi 17 digit).' },
    { name: 'a NIP with letters', o: { nip: '19900101201501A001' }, field: 'nip', message: 'NIP hanya boleh berisi angka.' },
    { name: 'a NIP with an impossible birth date (month 13)', o: { nip: '199013012015011001' }, field: 'nip', message: 'NIP tidak valid: 8 digit pertama harus tanggal lahir (TTTTBBHH).' },
    { name: 'a NIP with an impossible birth date (30 February)', o: { nip: '199002302015011001' }, field: 'nip', message: 'NIP tidak valid: 8 digit pertama harus tanggal lahir' },
    { name: 'a NIP with a bad sex digit', o: { nip: '199001012015013001' }, field: 'nip', message: 'digit ke-15 (jenis kelamin) harus 1 atau 2' },
    { name: 'a username already taken', o: { username: 'kadis' }, field: 'username', message: 'Nama pengguna sudah dipakai.' },
    { name: 'a username with capitals and spaces', o: { username: 'Budi Santoso' }, field: 'username', message: 'Nama pengguna 3-60 karakter: huruf kecil, angka, titik, atau garis bawah.' },
    { name: 'a weak (short) password', o: { password: 'abc123' }, field: 'password', message: 'Kata sandi minimal 10 karakter.' },
    { name: 'a password without digits', o: { password: 'katasandipanjang' }, field: 'password', message: 'Kata sandi harus memuat huruf dan angka.' },
    { name: 'no first password', o: { password: '' }, field: 'password', message: 'Kata sandi awal wajib diisi.' },
    { name: 'an invalid e-mail', o: { email: 'bukan-email' }, field: 'email', message: 'Alamat e-mail tidak valid.' },
    { name: 'a missing name', o: { name: '' }, field: 'name', message: 'Nama lengkap (dengan gelar) wajib diisi.' },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}, keeping the other values and never echoing the password`, async () => {
      const fields = { ...base(), ...c.o };
      const res = await expectNothingSaved(() => adminPost(admin, 'pengguna', fields));
      expectAdminFormError(res, c.field, c.message);
      if (fields.name) expect(res.text).to.include(`value="${fields.name}"`);
      if (c.field !== 'username') expect(res.text).to.include(`value="${fields.username}"`);
      if (fields.password) expect(res.text).to.not.include(fields.password);
    });
  }

  it('refuses a NIP already registered to another user', async () => {
    const other = await buildUser();
    const res = await expectNothingSaved(() => adminPost(admin, 'pengguna', { ...base(), nip: other.nip! }));
    expectAdminFormError(res, 'nip', 'NIP sudah terdaftar untuk pengguna lain.');
  });

  it('refuses to change a user to a taken username, leaving the record unchanged', async () => {
    const u = await buildUser();
    const before = (await User.findByPk(u.id))!.toJSON();
    const res = await adminPost(admin, 'pengguna', { name: 'Nama Diubah', username: 'sekretaris', nip: u.nip!, password: '', active: '1' }, u.id);
    expectAdminFormError(res, 'username', 'Nama pengguna sudah dipakai.');
    expect((await User.findByPk(u.id))!.toJSON()).to.deep.equal(before);
  });
});

describe('Bad input: admin assignment, unit, position and agency forms', () => {
  let admin: Agent;
  before(async () => { admin = await signIn('admin'); });

  it('refuses a Plt assignment without an end date', async () => {
    const u = await buildUser({ positionId: null });
    const pos = await buildPosition();
    const res = await expectNothingSaved(() => adminPost(admin, 'penugasan', { userId: String(u.id), positionId: String(pos.id), kind: 'plt', startDate: today(), endDate: '', decreeNumber: 'SPT/1' }));
    expectAdminFormError(res, 'endDate', 'Penugasan Plt/Plh harus punya tanggal selesai.');
    expect(res.text).to.include('value="SPT/1"');
  });

  it('refuses an assignment ending before it starts', async () => {
    const u = await buildUser({ positionId: null });
    const pos = await buildPosition();
    const res = await expectNothingSaved(() => adminPost(admin, 'penugasan', { userId: String(u.id), positionId: String(pos.id), kind: 'plh', startDate: '2026-03-10', endDate: '2026-03-01' }));
    expectAdminFormError(res, 'endDate', 'Tanggal selesai tidak boleh sebelum tanggal mulai.');
  });

  it('refuses an assignment with an impossible date and an unknown user', async () => {
    const pos = await buildPosition();
    const res = await expectNothingSaved(() => adminPost(admin, 'penugasan', { userId: '99999999', positionId: String(pos.id), kind: 'definitif', startDate: '2026-02-30' }));
    expectAdminFormError(res, 'startDate', 'Mulai: tanggal tidak valid (TTTT-BB-HH).');
    expectAdminFormError(res, 'userId', 'Pegawai: pilihan tidak dikenal.');
  });

  it('refuses a second definitive holder of the same position', async () => {
    const pos = await buildPosition();
    await buildUser({ positionId: pos.id });
    const u = await buildUser({ positionId: null });
    const res = await expectNothingSaved(() => adminPost(admin, 'penugasan', { userId: String(u.id), positionId: String(pos.id), kind: 'definitif', startDate: today() }));
    expectAdminFormError(res, 'positionId', 'Jabatan ini sudah punya pejabat definitif');
  });

  it('refuses a unit of an unknown kind', async () => {
    const name = uniq('Bidang Uji ');
    const res = await expectNothingSaved(() => adminPost(admin, 'unit', { name, kind: 'kementerian', code: 'UJI' }));
    expectAdminFormError(res, 'kind', 'Jenis: pilihan tidak dikenal.');
    expect(res.text).to.include(`value="${name}"`);
  });

  it('refuses to put a unit under its own child (a loop), leaving it unchanged', async () => {
    const parent = await buildUnit({ kind: 'bidang' });
    const child = await buildUnit({ parentId: parent.id });
    const res = await adminPost(admin, 'unit', { name: parent.name, kind: 'bidang', code: parent.code, parentId: String(child.id) }, parent.id);
    expectAdminFormError(res, 'parentId', 'Susunan unit tidak boleh melingkar.');
    expect((await Unit.findByPk(parent.id))!.parentId).to.equal(null);
  });

  it('refuses a position with a rank out of range and a non-numeric rank', async () => {
    const unit = await buildUnit();
    const base = { name: uniq('Jabatan Uji '), unitId: String(unit.id), role: 'staf', active: '1' };
    expectAdminFormError(await expectNothingSaved(() => adminPost(admin, 'jabatan', { ...base, rank: '99' })), 'rank', 'Tingkat harus antara 1 dan 20.');
    expectAdminFormError(await expectNothingSaved(() => adminPost(admin, 'jabatan', { ...base, rank: 'satu' })), 'rank', 'Tingkat (1 = tertinggi) harus berupa bilangan bulat.');
  });

  it('refuses an agency whose name is already in the directory (no Agency row added)', async () => {
    const ag = await buildAgency();
    const res = await expectNothingSaved(() => adminPost(admin, 'instansi', { name: ag.name, kind: 'skpd', city: 'Kota Uji' }));
    expectAdminFormError(res, 'name', 'Instansi dengan nama ini sudah ada di direktori.');
    expect(res.text).to.include('value="Kota Uji"');
  });
});

// ---- unknown ids and other people's letters ----

describe('Bad input: unknown ids and letters outside the reader\'s reach', () => {
  const notFound: { who: string; url: string }[] = [
    { who: 'sekretariat', url: '/surat-masuk/999999999' },
    { who: 'sekretariat', url: '/surat-masuk/abc' },
    { who: 'sekretariat', url: '/surat-masuk/99999999999999999999' },
    { who: 'sekretariat', url: '/surat-masuk/-1' },
    { who: 'sekretariat', url: '/surat-masuk/999999999/koreksi' },
    { who: 'sekretariat', url: '/berkas/999999' },
    { who: 'sekretariat', url: '/berkas/..%2F..%2Fetc%2Fpasswd' },
    { who: 'admin', url: '/admin/unit/99999999' },
    { who: 'admin', url: '/admin/unit/abc' },
    { who: 'admin', url: '/admin/nope' },
    { who: 'admin', url: '/admin/nope/baru' },
    { who: 'admin', url: '/admin/__proto__' },
    { who: 'kadis', url: '/tidak-ada-halaman-ini' },
  ];
  for (const c of notFound) {
    it(`answers 404 with an Indonesian message for ${c.url} (${c.who})`, async () => {
      const a = await signIn(c.who);
      const res = await a.get(c.url);
      expectNoCrash(res);
      expect(res.status).to.equal(404);
      expect(textOf(res.text)).to.match(/tidak ditemukan/i);
    });
  }

  it('answers 404 to a save of an unknown admin record, saving nothing', async () => {
    const admin = await signIn('admin');
    const token = /name="_csrf" value="([^"]+)"/.exec((await admin.get('/admin/unit/baru')).text)![1];
    const res = await expectNothingSaved(() => admin.post('/admin/unit/99999999').type('form').send({ _csrf: token, name: uniq('Unit '), kind: 'seksi', code: 'X' }));
    expectNoCrash(res);
    expect(res.status).to.equal(404);
    expect(textOf(res.text)).to.match(/tidak ditemukan/i);
  });

  it('answers 404 when a staff member of another section opens a letter not addressed to them, and its scan', async () => {
    const kasiIdc = (await actorOf('kasi.idc')).holdings[0].positionId;
    const letter = await buildLetter({ addressedPositionId: kasiIdc, perihal: uniq('Surat Seksi IDC ') });
    const file = await LetterFile.findOne({ where: { letterId: letter.id } });
    const staff = await signIn('staf.egov1');
    const res = await staff.get(`/surat-masuk/${letter.id}`);
    expectNoCrash(res);
    expect(res.status).to.equal(404);
    expect(textOf(res.text)).to.include('tidak ditemukan');
    expect(res.text).to.not.include(letter.perihal);
    const f = await staff.get(`/berkas/${file!.id}`);
    expect(f.status).to.equal(404);
    expect(f.headers['content-type']).to.match(/text\/html/);
    // Nor may they correct it.
    expect((await staff.get(`/surat-masuk/${letter.id}/koreksi`)).status).to.equal(404);
  });

  it('answers 404 when the secretariat opens a confidential (rahasia) letter outside its chain, and its scan', async () => {
    const letter = await buildLetter({ sifat: 'rahasia', perihal: uniq('Rahasia Negara ') });
    const file = await LetterFile.findOne({ where: { letterId: letter.id } });
    const clerk = await signIn('sekretariat');
    const res = await clerk.get(`/surat-masuk/${letter.id}`);
    expectNoCrash(res);
    expect(res.status).to.equal(404);
    expect(textOf(res.text)).to.include('tidak ditemukan');
    expect(res.text).to.not.include(letter.perihal);
    const f = await clerk.get(`/berkas/${file!.id}`);
    expectNoCrash(f);
    expect(f.status).to.equal(404);
    expect(f.headers['content-type']).to.not.match(/pdf/);
    expect((await clerk.get(`/berkas/${file!.id}?unduh=1`)).status).to.equal(404);
    // Correcting it is as unknown as reading it, and the attempt changes nothing.
    const before = (await IncomingLetter.findByPk(letter.id))!.toJSON();
    const token = /name="_csrf" value="([^"]+)"/.exec((await clerk.get('/surat-masuk/baru')).text)![1];
    const post = await clerk.post(`/surat-masuk/${letter.id}/koreksi`).type('form').send({ _csrf: token, perihal: 'Bocor', reason: 'x', version: '0' });
    expect(post.status).to.equal(404);
    expect((await IncomingLetter.findByPk(letter.id))!.toJSON()).to.deep.equal(before);
  });
});

// ---- CSRF ----

describe('Bad input: missing or wrong CSRF token', () => {
  const expectExpiredForm = (res: Response) => {
    expectNoCrash(res);
    expect(res.status).to.equal(403);
    expect(textOf(res.text)).to.include('Formulir kedaluwarsa atau tidak sah');
    expect(textOf(res.text)).to.include('Tidak ada data yang disimpan.');
  };

  for (const [label, token] of [['missing', null], ['wrong', 'token-palsu-123']] as const) {
    it(`refuses POST /surat-masuk with a ${label} token, saving nothing`, async () => {
      const clerk = await signIn('sekretariat');
      const fields = await validFields();
      const res = await expectNothingSaved(() => postLetter(clerk, fields, [scan()], token));
      expectExpiredForm(res);
      expect(await IncomingLetter.count({ where: { perihal: fields.perihal } })).to.equal(0);
    });

    it(`refuses POST /admin/unit with a ${label} token, saving nothing`, async () => {
      const admin = await signIn('admin');
      const name = uniq('Unit Tanpa Token ');
      const res = await expectNothingSaved(() => admin.post('/admin/unit').type('form').send({ ...(token ? { _csrf: token } : {}), name, kind: 'seksi', code: 'TT' }));
      expectExpiredForm(res);
      expect(await Unit.count({ where: { name } })).to.equal(0);
    });

    it(`refuses POST /keluar with a ${label} token, keeping the session`, async () => {
      const kadis = await signIn('kadis');
      const res = await kadis.post('/keluar').type('form').send(token ? { _csrf: token } : {});
      expectExpiredForm(res);
      const still = await kadis.get('/kotak-masuk');
      expect(still.status).to.equal(200);
      expect(still.text).to.include('action="/keluar"');
    });
  }

  it('refuses a token from another session', async () => {
    const a = await signIn('admin');
    const b = await signIn('admin');
    const tokenOfA = /name="_csrf" value="([^"]+)"/.exec((await a.get('/admin/unit/baru')).text)![1];
    const res = await expectNothingSaved(() => b.post('/admin/unit').type('form').send({ _csrf: tokenOfA, name: uniq('Unit '), kind: 'seksi', code: 'X' }));
    expectExpiredForm(res);
  });
});

describe('Bad input: bodies a form route does not take (JSON, charsets, encodings, parameter floods)', () => {
  let admin: Agent;
  let kadis: Agent;
  let letterId: number;
  before(async () => { admin = await signIn('admin'); kadis = await signIn('kadis'); letterId = (await buildLetter()).id; });
  const tokenOf = async (a: Agent, url: string) => /name="_csrf" value="([^"]+)"/.exec((await a.get(url)).text)![1];
  const routes = () => [
    { who: () => admin, page: '/admin/unit', post: '/admin/unit' },
    { who: () => admin, page: '/admin/mutu_baku', post: '/admin/mutu_baku' },
    { who: () => kadis, page: `/surat-masuk/${letterId}`, post: `/surat-masuk/${letterId}/disposisi` },
    { who: () => kadis, page: `/surat-masuk/${letterId}`, post: `/surat-masuk/${letterId}/tutup` },
    { who: () => kadis, page: '/profil', post: '/keluar-semua-perangkat-tidak-ada' },
  ];

  it('answers a JSON body on form routes with 415 and an Indonesian message, saving nothing', async () => {
    for (const r of routes()) {
      const token = await tokenOf(r.who(), r.page);
      const res = await r.who().post(r.post).set('x-csrf-token', token).set('content-type', 'application/json').send(JSON.stringify({ _csrf: token, name: 'x', kind: 'bidang' }));
      expect(res.status, `${r.post}: ${res.text.slice(0, 200)}`).to.equal(415);
      expect(pageText(res.text)).to.include('Tidak ada data yang disimpan');
      expect(res.text).to.not.match(/at .*\.ts:\d+/);
    }
    const unauth = await (await signIn('sekretariat')).post('/masuk').set('content-type', 'application/json').send('{"login":"kadis","password":"x"}');
    expect(unauth.status).to.equal(415);
  });

  it('answers an unknown charset and an unknown content encoding with 415, a parameter flood with 413', async () => {
    const token = await tokenOf(admin, '/admin/unit');
    const charset = await admin.post('/admin/unit').set('content-type', 'application/x-www-form-urlencoded; charset=x-klingon').send(`_csrf=${encodeURIComponent(token)}&name=a`);
    expect(charset.status).to.equal(415);
    expect(pageText(charset.text)).to.include('Set karakter isian tidak didukung');
    const encoding = await admin.post('/admin/unit').set('content-type', 'application/x-www-form-urlencoded').set('content-encoding', 'br-unknown').send(`_csrf=${encodeURIComponent(token)}&name=a`);
    expect(encoding.status).to.equal(415);
    expect(pageText(encoding.text)).to.include('Pengodean isian');
    const flood = Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&');
    const many = await admin.post('/admin/unit').set('content-type', 'application/x-www-form-urlencoded').send(`_csrf=${encodeURIComponent(token)}&${flood}`);
    expect(many.status).to.equal(413);
    expect(pageText(many.text)).to.include('terlalu banyak');
  });

  it('refuses an unknown role on the SLA form (/admin/mutu_baku) as a field error, not a 500', async () => {
    const token = await tokenOf(admin, '/admin/mutu_baku');
    const res = await admin.post('/admin/mutu_baku').type('form').send({ _csrf: token, role: 'raja', jenisNaskahCode: '', amount: '2', unit: 'jam' });
    expect(res.status).to.equal(422);
    expect(pageText(res.text)).to.include('Peran penerima: pilihan tidak dikenal.');
  });
});
