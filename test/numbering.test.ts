import { expect } from 'chai';
import { AuditEvent, LetterNumber } from '../models';
import { tx } from '../platform/db';
import { setSetting } from '../platform/settings';
import { DEFAULT_NUMBERING } from '../lib/numberingRules';
import { systemActor } from '../platform/actor';
import {
  assignLetterNumber, cancelLetterNumber, prepareLetterNumber, recordManualNumber, takeLetterNumber,
} from '../modules/surat-keluar/letterNumbering';
import { signIn, csrfOf, textOf } from './helpers/app';
import { actorOf } from './helpers/factories';

// Each test numbers letters in a year of its own, so the counters never meet another test's.
const sys = systemActor('uji penomoran');
const assign = (year: number, o: { jenis?: string; klas?: string; month?: string; unit?: string } = {}) =>
  assignLetterNumber({ actor: sys, jenisNaskahCode: o.jenis ?? 'surat_dinas', klasifikasiCode: o.klas ?? '000.5.6.2', letterDate: `${year}-${o.month ?? '03'}-15`, unitCode: o.unit });

describe('Outgoing-letter numbering', () => {
  afterEach(async () => { await setSetting('penomoran.surat_keluar', DEFAULT_NUMBERING); });

  it('numbers from the configured format: klasifikasi, sequence, unit code, Roman or numeric month, year', async () => {
    const a = await assign(2031);
    expect(a.number).to.equal('000.5.6.2/1/Diskominfo/2031');
    expect((await assign(2031, { klas: '400.14.2.1' })).number, 'one sequence per year by default').to.equal('400.14.2.1/2/Diskominfo/2031');
    await setSetting('penomoran.surat_keluar', {
      default: { format: '{klasifikasi}/{seq:3}/{unit}/{roman}/{year}', scope: 'tahun', sequence: 'bersama' },
      perJenis: { nota_dinas: { format: 'ND-{seq:2}/{unit}/{month}/{year}', scope: 'tahun', sequence: 'sendiri' } },
      unitCode: '',
    });
    expect((await assign(2031, { month: '11' })).number).to.equal('000.5.6.2/003/Diskominfo/XI/2031');
    expect((await assign(2031, { jenis: 'nota_dinas', unit: 'Aptika' })).number, 'own sequence, caller\'s unit').to.equal('ND-01/Aptika/03/2031');
    expect((await assign(2031, { jenis: 'undangan' })).number, 'the common sequence goes on').to.equal('000.5.6.2/004/Diskominfo/III/2031');
    expect((await assign(2032)).number, 'a new year starts at 1').to.equal('000.5.6.2/001/Diskominfo/III/2032');

    // Per year and klasifikasi: each code counts on its own.
    await setSetting('penomoran.surat_keluar', { ...DEFAULT_NUMBERING, default: { format: '{klasifikasi}/{seq}/{unit}/{year}', scope: 'tahun_klasifikasi', sequence: 'bersama' }, unitCode: 'Kominfo' });
    expect((await assign(2033, { klas: '000.5.6.2' })).number).to.equal('000.5.6.2/1/Kominfo/2033');
    expect((await assign(2033, { klas: '400.14.2.1' })).number).to.equal('400.14.2.1/1/Kominfo/2033');
    expect((await assign(2033, { klas: '000.5.6.2' })).number).to.equal('000.5.6.2/2/Kominfo/2033');

    const ev = await AuditEvent.findOne({ where: { action: 'nomor_surat.diberikan', entityId: String(a.id) } });
    expect(ev?.data('after')).to.include({ nomor: '000.5.6.2/1/Diskominfo/2031', sumber: 'sistem' });
  });

  it('gives 50 concurrent signings 50 distinct consecutive numbers', async function () {
    this.timeout(60_000);
    const got = await Promise.all(Array.from({ length: 50 }, () => assign(2040)));
    const numbers = got.map((n) => n.number);
    expect(new Set(numbers).size).to.equal(50);
    expect(got.map((n) => n.seq).sort((x, y) => x! - y!)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await LetterNumber.count({ where: { year: 2040 } })).to.equal(50);
  });

  it('gives a number back when the signing transaction fails: nothing was issued', async () => {
    const first = await assign(2034);
    const prepared = await prepareLetterNumber({ actor: sys, jenisNaskahCode: 'surat_dinas', klasifikasiCode: '000.5.6.2', letterDate: '2034-03-15' });
    let inside = '';
    await tx(async (t) => {
      inside = (await takeLetterNumber(t, prepared)).number;
      throw new Error('signing failed');
    }).catch((e: Error) => expect(e.message).to.equal('signing failed'));
    expect(inside).to.equal('000.5.6.2/2/Diskominfo/2034');
    expect(await LetterNumber.count({ where: { number: inside } })).to.equal(0);
    expect((await assign(2034)).number).to.equal(inside);
    expect(first.seq).to.equal(1);
  });

  it('keeps a cancelled number on record and never gives it again; a manual number is passed over', async () => {
    const kasubbag = await actorOf('sekretariat');
    const one = await assign(2035);
    const two = await assign(2035);
    await cancelLetterNumber({ actor: kasubbag, id: two.id, reason: 'Surat batal dikirim', expectedVersion: two.version });
    const cancelled = (await LetterNumber.findByPk(two.id))!;
    expect(cancelled.status).to.equal('dibatalkan');
    expect(cancelled.cancelReason).to.equal('Surat batal dikirim');
    expect(await AuditEvent.count({ where: { action: 'nomor_surat.dibatalkan', entityId: String(two.id) } })).to.equal(1);
    // A number typed by hand on a paper letter, ahead of the sequence.
    await recordManualNumber(kasubbag, { number: '000.5.6.2/4/Diskominfo/2035', jenisNaskah: 'surat_dinas', klasifikasi: '000.5.6.2', letterDate: '2035-03-16', perihal: 'Surat kertas', reason: 'Sistem padam saat rapat' });
    const three = await assign(2035);
    const next = await assign(2035);
    expect([one.number, three.number, next.number]).to.deep.equal(['000.5.6.2/1/Diskominfo/2035', '000.5.6.2/3/Diskominfo/2035', '000.5.6.2/5/Diskominfo/2035']);
    const ev = await AuditEvent.findOne({ where: { action: 'nomor_surat.diberikan', entityId: String(next.id) } });
    expect(ev?.data('after')?.dilewati).to.deep.equal(['000.5.6.2/4/Diskominfo/2035']);
    // The cancelled number is not reused by the system, even after its sequence value was passed.
    expect(await LetterNumber.count({ where: { number: two.number } })).to.equal(1);
  });

  it('records a manual number only with a reason; a standing number is refused; a cancelled one needs confirmation', async () => {
    const sek = await signIn('sekretariat');
    const token = await csrfOf(sek, '/nomor-surat/manual');
    const base = { _csrf: token, number: '000.5.6.2/77/Diskominfo/2036', jenisNaskah: 'surat_dinas', klasifikasi: '000.5.6.2', letterDate: '2036-02-03', perihal: 'Undangan rapat SPBE' };
    const noReason = await sek.post('/nomor-surat/manual').type('form').send({ ...base, reason: '  ' });
    expect(noReason.status).to.equal(422);
    expect(textOf(noReason.text)).to.include('Alasan pencatatan nomor manual wajib diisi.');
    expect(noReason.text, 'typed values kept').to.include('000.5.6.2/77/Diskominfo/2036');
    const badDate = await sek.post('/nomor-surat/manual').type('form').send({ ...base, letterDate: '2036-02-30', reason: 'x' });
    expect(textOf(badDate.text)).to.include('Tanggal surat tidak valid');
    const ok = await sek.post('/nomor-surat/manual').type('form').send({ ...base, reason: 'Diberikan manual saat gangguan jaringan' });
    expect(ok.status, ok.text.slice(0, 300)).to.equal(303);
    const page = await sek.get(ok.headers.location);
    expect(textOf(page.text)).to.include('000.5.6.2/77/Diskominfo/2036').and.include('Manual').and.include('Diberikan manual saat gangguan jaringan');
    const dup = await sek.post('/nomor-surat/manual').type('form').send({ ...base, reason: 'lagi' });
    expect(dup.status).to.equal(422);
    expect(textOf(dup.text)).to.include('sudah dipakai');

    // Cancel it through the page, then record it again: only with the confirmation.
    const id = Number(ok.headers.location.split('/').pop());
    const version = /name="version" value="(\d+)"/.exec(page.text)![1];
    const stale = await sek.post(`/nomor-surat/${id}/batal`).type('form').send({ _csrf: token, version: String(Number(version) + 1), reason: 'x' });
    expect(stale.status).to.equal(409);
    expect(textOf(stale.text)).to.include('sudah diubah orang lain');
    const noWhy = await sek.post(`/nomor-surat/${id}/batal`).type('form').send({ _csrf: token, version, reason: '' });
    expect(textOf(noWhy.text)).to.include('Alasan pembatalan wajib diisi.');
    const cancel = await sek.post(`/nomor-surat/${id}/batal`).type('form').send({ _csrf: token, version, reason: 'Salah ketik tanggal' });
    expect(cancel.status).to.equal(303);
    const after = textOf((await sek.get(`/nomor-surat/${id}`)).text);
    expect(after).to.include('Dibatalkan').and.include('Salah ketik tanggal');
    const again = await sek.post(`/nomor-surat/${id}/batal`).type('form').send({ _csrf: token, version: String(Number(version) + 1), reason: 'lagi' });
    expect(again.status).to.equal(409);
    expect(textOf(again.text)).to.include('sudah dibatalkan sebelumnya');

    const unconfirmed = await sek.post('/nomor-surat/manual').type('form').send({ ...base, reason: 'Dipakai lagi untuk surat pengganti' });
    expect(unconfirmed.status).to.equal(422);
    expect(textOf(unconfirmed.text)).to.include('pernah dibatalkan').and.include('Pakai kembali nomor yang dibatalkan');
    const confirmed = await sek.post('/nomor-surat/manual').type('form').send({ ...base, reason: 'Dipakai lagi untuk surat pengganti', reuse: '1' });
    expect(confirmed.status).to.equal(303);
    const rows = await LetterNumber.findAll({ where: { number: base.number }, order: [['id', 'ASC']] });
    expect(rows.map((r) => r.status)).to.deep.equal(['dibatalkan', 'aktif']);
    expect(rows[1].reusesId).to.equal(rows[0].id);

    // The register lists both, the cancelled one marked.
    const reg = await sek.get('/nomor-surat?tahun=2036');
    expect(reg.status).to.equal(200);
    const regText = textOf(reg.text);
    expect(regText).to.include('Register Nomor Surat Keluar 2036').and.include('Undangan rapat SPBE').and.include('Dibatalkan').and.include('Salah ketik tanggal');
  });

  it('lets only the secretariat and admins keep the register; the Sekretaris may read it', async () => {
    const n = await assign(2037);
    const kadis = await signIn('kadis');
    for (const url of ['/nomor-surat', `/nomor-surat/${n.id}`, '/nomor-surat/manual', '/admin/penomoran']) expect((await kadis.get(url)).status, url).to.equal(403);
    const token = await csrfOf(kadis, '/profil');
    expect((await kadis.post(`/nomor-surat/${n.id}/batal`).type('form').send({ _csrf: token, version: '0', reason: 'x' })).status).to.equal(403);
    const sekretaris = await signIn('sekretaris');
    const page = await sekretaris.get(`/nomor-surat/${n.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.not.include('data-testid="cancel-form"');
    const t2 = await csrfOf(sekretaris, '/profil');
    expect((await sekretaris.post(`/nomor-surat/${n.id}/batal`).type('form').send({ _csrf: t2, version: '0', reason: 'x' })).status).to.equal(403);
    expect((await LetterNumber.findByPk(n.id))!.status).to.equal('aktif');
    const home = await (await signIn('sekretariat')).get('/surat-masuk');
    expect(textOf(home.text)).to.include('Nomor Surat Keluar');
  });

  it('an admin sets the formats per jenis naskah, with examples; a bad format is refused with its reason', async () => {
    const admin = await signIn('admin');
    const token = await csrfOf(admin, '/admin/penomoran');
    const page = await admin.get('/admin/penomoran');
    expect(textOf(page.text)).to.include('Penomoran Surat Keluar').and.include('Nota Dinas');
    const base = { _csrf: token, default_format: '{klasifikasi}/{seq:3}/{unit}/{year}', default_scope: 'tahun', default_sequence: 'bersama', unitCode: '' };
    const unknown = await admin.post('/admin/penomoran').type('form').send({ ...base, default_format: '{klasifikasi}/{seq}/{nomor}/{year}' });
    expect(unknown.status).to.equal(422);
    expect(textOf(unknown.text)).to.include('token tidak dikenal: nomor');
    expect(unknown.text, 'typed value kept').to.include('{klasifikasi}/{seq}/{nomor}/{year}');
    const noKlas = await admin.post('/admin/penomoran').type('form').send({ ...base, own_nota_dinas: '1', j_nota_dinas_format: 'ND/{seq}/{year}', j_nota_dinas_scope: 'tahun_klasifikasi', j_nota_dinas_sequence: 'sendiri' });
    expect(noKlas.status).to.equal(422);
    expect(textOf(noKlas.text)).to.include('memerlukan token {klasifikasi}');
    // The refused form keeps the chosen scope selected.
    expect(/<select id="j_nota_dinas_scope"[\s\S]*?<\/select>/.exec(noKlas.text)![0]).to.match(/<option value="tahun_klasifikasi" selected>/);
    const noSeq = await admin.post('/admin/penomoran').type('form').send({ ...base, default_format: '{klasifikasi}/{year}' });
    expect(textOf(noSeq.text)).to.include('format harus memuat {seq}');
    const badUnit = await admin.post('/admin/penomoran').type('form').send({ ...base, unitCode: 'Dis kominfo' });
    expect(textOf(badUnit.text)).to.include('tanpa spasi');

    const ok = await admin.post('/admin/penomoran').type('form').send({
      ...base, unitCode: 'Diskominfo', own_nota_dinas: '1', j_nota_dinas_format: '{klasifikasi}/{seq}/ND/{roman}/{year}', j_nota_dinas_scope: 'tahun_klasifikasi', j_nota_dinas_sequence: 'sendiri',
      // Filled in but not chosen: ignored.
      j_undangan_format: 'UND/{seq}', j_undangan_scope: 'tahun', j_undangan_sequence: 'sendiri',
    });
    expect(ok.status, ok.text.slice(0, 400)).to.equal(303);
    const saved = await admin.get('/admin/penomoran');
    expect(saved.text).to.match(/data-testid="example-default">000\.5\.6\.2\/\d{3}\/Diskominfo\/\d{4}</);
    expect(saved.text).to.match(/data-testid="example-nota_dinas">000\.5\.6\.2\/\d+\/ND\/[IVX]+\/\d{4}</);
    expect((await assign(2038, { jenis: 'nota_dinas', month: '07' })).number).to.equal('000.5.6.2/1/ND/VII/2038');
    expect((await assign(2038, { jenis: 'undangan' })).number).to.equal('000.5.6.2/001/Diskominfo/2038');
    expect(await AuditEvent.count({ where: { action: 'pengaturan.diubah', entityId: 'penomoran' } })).to.be.greaterThan(0);
  });

  it('answers malformed requests with a page, never a 500', async () => {
    const sek = await signIn('sekretariat');
    const token = await csrfOf(sek, '/nomor-surat/manual');
    for (const url of ['/nomor-surat/abc', '/nomor-surat/99999999', '/nomor-surat/0']) expect((await sek.get(url)).status, url).to.equal(404);
    expect((await sek.get('/nomor-surat?tahun=abc&sebelum=-1')).status).to.equal(200);
    const arrays = await sek.post('/nomor-surat/manual').type('form').send(`_csrf=${encodeURIComponent(token)}&number=a&number=b&reason=x&reason=y&jenisNaskah=surat_dinas&klasifikasi=000.5.6.2&letterDate=2036-01-01`);
    expect(arrays.status).to.equal(422);
    expect(textOf(arrays.text)).to.include('Nomor surat wajib diisi.');
    const script = await sek.post('/nomor-surat/manual').type('form').send({ _csrf: token, number: '<script>x</script>', jenisNaskah: 'surat_dinas', klasifikasi: '000.5.6.2', letterDate: '2036-01-01', reason: 'x' });
    expect(textOf(script.text)).to.include('karakter yang tidak diperbolehkan');
    expect(script.text).to.not.include('<script>x</script>');
    expect((await sek.post('/nomor-surat/99999999/batal').type('form').send({ _csrf: token })).status).to.equal(404);
    const n = await assign(2036, { month: '12' });
    const noVersion = await sek.post(`/nomor-surat/${n.id}/batal`).type('form').send({ _csrf: token, reason: 'x' });
    expect(noVersion.status).to.equal(409);
    const admin = await signIn('admin');
    const t2 = await csrfOf(admin, '/admin/penomoran');
    const weird = await admin.post('/admin/penomoran').type('form').send(`_csrf=${encodeURIComponent(t2)}&default_format=a&default_format=b&default_scope=zzz`);
    expect(weird.status).to.equal(422);
    expect(textOf(weird.text)).to.include('Pilih cakupan urutan.');
  });

  it('refuses unknown jenis naskah or klasifikasi and bad dates without touching a counter', async () => {
    for (const bad of [{ jenisNaskahCode: 'tidak_ada' }, { klasifikasiCode: '999.9' }, { letterDate: '2039-13-01' }]) {
      const err = await assignLetterNumber({ actor: sys, jenisNaskahCode: 'surat_dinas', klasifikasiCode: '000.5.6.2', letterDate: '2039-01-05', ...bad }).then(() => null, (e: Error) => e);
      expect((err as { code?: string } | null)?.code, JSON.stringify(bad)).to.equal('validation');
    }
    expect((await assign(2039)).seq).to.equal(1);
  });
});
