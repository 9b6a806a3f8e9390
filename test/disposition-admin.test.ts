import { expect } from 'chai';
import { AuditEvent, DispositionInstruction, Holiday, Position, SlaRule } from '../models';
import { getSetting, setSetting } from '../platform/settings';
import { allowedTargets } from '../modules/disposisi/dispositionTargets';
import { slaFor } from '../modules/disposisi/deadlines';
import { signIn, csrfOf, textOf } from './helpers/app';
import { buildLetter, uniq } from './helpers/factories';

describe('Administration of dispositions: instructions, SOP times, holidays, settings', () => {
  it('adds a standard instruction that then appears in the disposition form', async () => {
    const admin = await signIn('admin');
    const code = `uji_${uniq().toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
    const token = await csrfOf(admin, '/admin/instruksi/baru');
    const res = await admin.post('/admin/instruksi').type('form').send({ _csrf: token, code, label: 'Telaah dan beri saran', sortOrder: '50', active: '1' });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect((await DispositionInstruction.findByPk(code))?.label).to.equal('Telaah dan beri saran');
    const bad = await admin.post('/admin/instruksi').type('form').send({ _csrf: token, code: 'Bukan Kode!', label: 'x' });
    expect(textOf(bad.text)).to.include('Kode 2-40 karakter');
    const dup = await admin.post('/admin/instruksi').type('form').send({ _csrf: token, code, label: 'lagi' });
    expect(textOf(dup.text)).to.include('Sudah ada data dengan kode/tanggal ini.');
    // Editing keeps the code; the label changes.
    const edit = await admin.post(`/admin/instruksi/${code}`).type('form').send({ _csrf: token, label: 'Telaah dan sarankan', sortOrder: '50', active: '1' });
    expect(edit.status).to.equal(303);
    expect((await DispositionInstruction.findByPk(code))?.label).to.equal('Telaah dan sarankan');
    const letter = await buildLetter();
    const page = await (await signIn('kadis')).get(`/surat-masuk/${letter.id}`);
    expect(textOf(page.text)).to.include('Telaah dan sarankan');
    await DispositionInstruction.update({ active: false }, { where: { code } });
  });

  it('sets an SOP time per role and jenis naskah, and holidays, used by the deadline', async () => {
    const admin = await signIn('admin');
    const token = await csrfOf(admin, '/admin/mutu_baku/baru');
    const res = await admin.post('/admin/mutu_baku').type('form').send({ _csrf: token, role: 'kabid', jenisNaskahCode: 'undangan', amount: '2', unit: 'jam' });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(await slaFor('kabid', 'undangan')).to.deep.equal({ amount: 2, unit: 'jam' });
    expect(await slaFor('kabid', 'surat_permohonan')).to.deep.equal({ amount: 1, unit: 'hari' });
    const dup = await admin.post('/admin/mutu_baku').type('form').send({ _csrf: token, role: 'kabid', jenisNaskahCode: 'undangan', amount: '3', unit: 'jam' });
    expect(textOf(dup.text)).to.include('Sudah ada aturan untuk peran dan jenis naskah ini');
    const zero = await admin.post('/admin/mutu_baku').type('form').send({ _csrf: token, role: 'kasi', jenisNaskahCode: 'undangan', amount: '0', unit: 'jam' });
    expect(textOf(zero.text)).to.include('Waktu harus antara 1 dan 1000.');
    await SlaRule.destroy({ where: { role: 'kabid', jenisNaskahCode: 'undangan' } });

    const hol = await admin.post('/admin/hari_libur').type('form').send({ _csrf: token, date: '2031-12-25', name: 'Hari Raya Natal' });
    expect(hol.status).to.equal(303);
    expect((await Holiday.findByPk('2031-12-25'))?.name).to.equal('Hari Raya Natal');
    const badDate = await admin.post('/admin/hari_libur').type('form').send({ _csrf: token, date: '2031-02-30', name: 'x' });
    expect(textOf(badDate.text)).to.include('tanggal tidak valid');
    await Holiday.destroy({ where: { date: '2031-12-25' } });
  });

  it('changes the disposition settings with validation, audited; free targets widen the choice', async () => {
    const admin = await signIn('admin');
    const token = await csrfOf(admin, '/admin/pengaturan');
    const bad = await admin.post('/admin/pengaturan').type('form').send({ _csrf: token, start: '16:00', end: '07:30', target: 'hierarki', lead: '60', days: ['1', '2'] });
    expect(bad.status).to.equal(422);
    expect(textOf(bad.text)).to.include('Jam mulai harus sebelum jam selesai.');
    const noDays = await admin.post('/admin/pengaturan').type('form').send({ _csrf: token, start: '07:30', end: '16:00', target: 'hierarki', lead: '60' });
    expect(textOf(noDays.text)).to.include('Pilih minimal satu hari kerja.');
    const kasi = (await Position.findOne({ where: { name: 'Kepala Seksi e-Government' } }))!;
    const before = (await allowedTargets(kasi)).map((p) => p.name);
    expect(before).to.not.include('Kepala Seksi Infrastruktur dan Data Center');
    try {
      const ok = await admin.post('/admin/pengaturan').type('form').send({ _csrf: token, start: '08:00', end: '16:00', target: 'bebas', lead: '30', escalate: '1', days: ['1', '2', '3', '4', '5'] });
      expect(ok.status).to.equal(303);
      expect(await getSetting('kalender.kerja')).to.deep.equal({ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' });
      expect(await getSetting('disposisi.eskalasi_atasan')).to.equal(true);
      expect((await allowedTargets(kasi)).map((p) => p.name)).to.include('Kepala Seksi Infrastruktur dan Data Center');
      expect(await AuditEvent.count({ where: { action: 'pengaturan.diubah' } })).to.be.greaterThan(0);
    } finally {
      await setSetting('kalender.kerja', { days: [1, 2, 3, 4, 5], start: '07:30', end: '16:00' });
      await setSetting('disposisi.target', 'hierarki');
      await setSetting('disposisi.pengingat_menit', 60);
      await setSetting('disposisi.eskalasi_atasan', false);
    }
  });

  it('is for administrators only', async () => {
    const kadis = await signIn('kadis');
    for (const url of ['/admin/pengaturan', '/admin/instruksi', '/admin/mutu_baku', '/admin/hari_libur']) expect((await kadis.get(url)).status, url).to.equal(403);
  });
});

describe('Malformed requests around dispositions get a message or 4xx, never a 500', () => {
  it('answers garbage ids, fields and parameters with 4xx and no stack trace', async () => {
    const letter = await buildLetter();
    const kadis = await signIn('kadis');
    const token = await csrfOf(kadis, `/surat-masuk/${letter.id}`);
    const posts: [string, Record<string, unknown>][] = [
      [`/surat-masuk/${letter.id}/disposisi`, { via: 'abc', targets: 'x', instructions: 'tindak_lanjuti' }],
      [`/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), targets: ['99999999'], instructions: 'tindak_lanjuti', priority: 'kilat' }],
      [`/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), targets: '1', instructions: 'tindak_lanjuti', dueAt: '9999-99-99T99:99' }],
      [`/surat-masuk/${letter.id}/tutup`, { mode: 'hapus', version: 'x' }],
      ['/disposisi/abc/tarik', { version: '0', reason: 'x' }],
      ['/disposisi/99999999/laporan', { version: '0', body: 'x' }],
      ['/notifikasi/abc/baca', {}],
      ['/admin/hari_libur/..%2F..', { name: 'x' }],
    ];
    for (const [url, body] of posts) {
      const res = await kadis.post(url).type('form').send({ _csrf: token, ...body });
      expect(res.status, url).to.be.within(300, 499);
      expect(res.text, url).to.not.match(/\n\s+at .+\(.+:\d+:\d+\)/);
    }
    const bad = await kadis.post(`/surat-masuk/${letter.id}/disposisi`).type('form').send({ _csrf: token, via: String(letter.addressedPositionId), targets: '1', instructions: 'tindak_lanjuti', priority: 'kilat' });
    expect(textOf(bad.text)).to.include('Prioritas tidak dikenal.');
    for (const url of ['/dasbor?dari=kemarin&sampai=2026-02-30', '/notifikasi?sebelum=abc', '/surat-masuk/abc/lembar-disposisi.pdf', '/berkas-laporan/abc']) {
      const res = await kadis.get(url);
      expect(res.status, url).to.not.equal(500);
    }
  });
});
