import crypto from 'node:crypto';
import { expect } from 'chai';
import { Agency, AuditEvent, OutgoingAttachment, OutgoingLetter, OutgoingRecipient, OutgoingVersion } from '../models';
import { signIn, csrfOf, textOf } from './helpers/app';
import { actorOf, buildAgency, buildLetter, pdfBytes, uniq } from './helpers/factories';
import { createDraftVia, draftOf, demoChain, formFields, postOn } from './helpers/outgoing';
import { serializeContent, parseContent } from '../modules/surat-keluar/outgoingCommon';
import { pdfPageCount } from '../modules/templat/letterRender';
import { verifyChain } from '../platform/audit';

/**
 * Drafts of outgoing letters (issue #4): "Balas" from an incoming letter and "Konsep baru"
 * from a template, the fields, the body through the sanitizer, every save a version with its
 * hash, the version comparison, attachments, previews, and who may see and edit a draft.
 */
describe('Surat Keluar: drafts and versions', function () {
  this.timeout(60_000);

  async function replyDraft(login = 'staf.egov1', overrides: Record<string, string | string[]> = {}) {
    const agency = await buildAgency({ name: uniq('Dinas Kesehatan Uji ') });
    await agency.update({ headTitle: `Kepala ${agency.name}` });
    // Addressed to the drafter's own position, so the letter is theirs to answer.
    const via = (await actorOf(login)).holdings[0].positionId;
    const letter = await buildLetter({ perihal: `Permohonan Subdomain ${uniq('simrs')}.sindangrajakab.go.id`, senderAgencyId: agency.id, klasifikasi: '400.14.2.1', addressedPositionId: via });
    const agent = await signIn(login);
    const made = await createDraftVia(agent, { balas: letter.id }, overrides);
    return { agent, letter, agency, ...made };
  }

  it('"Balas" on the letter page opens a draft prefilled from the incoming letter, with the reference sentence in the body', async () => {
    const agency = await buildAgency({ name: uniq('Dinas Pendidikan Uji ') });
    await agency.update({ headTitle: `Kepala ${agency.name}` });
    const letter = await buildLetter({ perihal: `Permohonan Subdomain ${uniq('sekolah')}.sindangrajakab.go.id`, senderAgencyId: agency.id, klasifikasi: '400.14.2.1' });
    const sekr = await signIn('sekretariat');
    const show = await sekr.get(`/surat-masuk/${letter.id}`);
    expect(show.text).to.include(`href="/surat-keluar/baru?balas=${letter.id}"`);

    const agent = await signIn('sekretariat');
    const page = await agent.get(`/surat-keluar/baru?balas=${letter.id}`);
    expect(page.status).to.equal(200);
    const text = textOf(page.text);
    expect(text).to.include(`Membalas surat ${letter.senderName} Nomor ${letter.senderNumber}`);
    const f = formFields(page.text);
    expect(f.kepada).to.deep.equal([`a:${agency.id}`, '', '']);
    expect(f.perihal).to.equal(`Balasan atas ${letter.perihal}`);
    expect(f.klasifikasi).to.equal('400.14.2.1');
    expect(f.templateKey).to.equal('balasan-subdomain');
    const domain = /(\S+\.sindangrajakab\.go\.id)/.exec(letter.perihal)![1];
    expect(f.f_subdomain).to.equal(domain);

    const res = await agent.post('/surat-keluar').type('form').send({ ...f, f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    expect(draft.status).to.equal('konsep');
    expect(draft.replyToLetterId).to.equal(letter.id);
    expect(draft.currentVersionNo).to.equal(1);
    expect(draft.bodyHtml).to.include(letter.senderNumber).and.include(domain);
    const rcpt = await OutgoingRecipient.findAll({ where: { letterId: draft.id } });
    expect(rcpt.map((r) => [r.kind, r.targetType, r.agencyId, r.name])).to.deep.equal([['kepada', 'agency', agency.id, `Kepala ${agency.name}`]]);
    const shown = await agent.get(`/surat-keluar/${draft.id}`);
    expect(textOf(shown.text)).to.include('Konsep surat dibuat (versi 1)').and.include(`Yth. Kepala ${agency.name}`).and.include(letter.agendaNumber);
  });

  it('a draft starts blank from any template; version 1 is the content snapshot with its SHA-256', async () => {
    const agent = await signIn('kasi.egov');
    const list = await agent.get('/surat-keluar/baru');
    expect(list.status).to.equal(200);
    expect(list.text).to.include('value="balasan-subdomain"').and.include('value="pengantar-sekda-domain"');
    const { kabid } = await demoChain();
    const { res } = await createDraftVia(agent, { template: 'balasan-subdomain' }, {
      perihal: 'Pemberitahuan Subdomain Aktif', klasifikasi: '400.14.2.1 — Nama Domain dan Subdomain', kepada: [`p:${kabid.id}`, '', ''],
      kepadaText: ['', 'Camat Uji Coba', ''], f_subdomain: 'uji.sindangrajakab.go.id', f_keputusan: 'aktif', f_tanggalAktif: '2026-11-21',
    });
    const draft = await draftOf(res);
    const v1 = await OutgoingVersion.findOne({ where: { letterId: draft.id, versionNo: 1 } });
    expect(v1!.hash).to.equal(crypto.createHash('sha256').update(v1!.content).digest('hex'));
    expect(v1!.hash).to.equal(draft.currentHash);
    const c = parseContent(v1!.content);
    expect(serializeContent(c)).to.equal(v1!.content);
    expect(c.kepada.map((r) => r.name)).to.deep.equal([kabid.name, 'Camat Uji Coba']);
    expect(c.klasifikasiCode).to.equal('400.14.2.1');
    expect(draft.replyToLetterId).to.equal(null);
    const ev = await AuditEvent.findOne({ where: { entityType: 'outgoing_letter', entityId: String(draft.id), action: 'surat_keluar.dibuat' } });
    expect(ev).to.not.equal(null);
  });

  it('a second submit of the same form gives the same draft', async () => {
    const agent = await signIn('staf.egov2');
    const { res, fields } = await createDraftVia(agent, { template: 'balasan-subdomain' }, { kepadaText: ['Dinas Uji Ganda', '', ''], f_subdomain: 'ganda.sindangrajakab.go.id', f_keputusan: 'aktif', f_tanggalAktif: '2026-11-21', klasifikasi: '400.14.2.1' });
    const first = await draftOf(res);
    const again = await agent.post('/surat-keluar').type('form').send(fields);
    expect((await draftOf(again)).id).to.equal(first.id);
    expect(await OutgoingLetter.count({ where: { submissionKey: String(fields.submissionKey) } })).to.equal(1);
  });

  it('bad input re-renders the form with messages next to the fields and the input kept; nothing is saved', async () => {
    const before = await OutgoingLetter.count();
    const agent = await signIn('staf.egov1');
    const { res } = await createDraftVia(agent, { template: 'balasan-subdomain' }, {
      perihal: '', klasifikasi: '999.99 tidak ada', kepada: ['x:1', '', ''], kepadaText: ['Teks tetap ada', '', ''],
      f_subdomain: 'bukan domain!', f_keputusan: 'aktif', sifat: 'super_rahasia', verifiers: ['abc', '', ''],
    });
    expect(res.status).to.equal(422);
    const t = textOf(res.text);
    expect(t).to.include('Perihal wajib diisi.').and.include('Kode klasifikasi "999.99 tidak ada" tidak ada dalam daftar.')
      .and.include('Pilihan tujuan surat tidak valid.').and.include('Sifat surat tidak dikenal.').and.include('Pilihan pemaraf tidak valid.')
      .and.include('Nama domain tidak valid');
    expect(res.text).to.include('value="Teks tetap ada"').and.include('value="bukan domain!"');
    expect(await OutgoingLetter.count()).to.equal(before);
    // An unknown template and a missing submission key: a form error, never a 500.
    const token = await csrfOf(agent, '/surat-keluar/baru');
    const bad = await agent.post('/surat-keluar').type('form').send({ _csrf: token, templateKey: '../../etc/passwd', perihal: 'x', via: 'abc' });
    expect(bad.status).to.be.oneOf([403, 422]);
  });

  it('the body goes through the allowlist: script, iframe, style and event attributes are removed; lists, tables and bold stay', async () => {
    const { res } = await replyDraft('staf.egov1', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    const agent = await signIn('staf.egov1');
    const edit = await agent.get(`/surat-keluar/${draft.id}/ubah`);
    expect(edit.status).to.equal(200);
    const f = formFields(edit.text);
    const body = '<p onclick="alert(1)">Dengan <b>hormat</b>,<script>alert(2)</script></p><iframe src="http://evil.example/"></iframe>'
      + '<style>p{color:red}</style><p style="color:red;text-align:justify">Isi <img src="file:///etc/passwd"> surat.</p>'
      + '<ul><li>satu</li></ul><table><tr><td colspan="2" onmouseover="x()">sel</td></tr></table><a href="javascript:alert(3)">tautan</a>';
    const saved = await agent.post(`/surat-keluar/${draft.id}/ubah`).type('form').send({ ...f, bodyHtml: body });
    expect(saved.status, saved.text.slice(0, 600)).to.equal(303);
    await draft.reload();
    expect(draft.currentVersionNo).to.equal(2);
    const h = draft.bodyHtml;
    expect(h).to.not.match(/script|iframe|onclick|onmouseover|<style|color:red|<img|file:|javascript:|evil\.example/i);
    expect(h).to.include('<b>hormat</b>').and.include('<ul><li>satu</li></ul>').and.include('colspan="2"').and.include('text-align:justify').and.include('tautan');
  });

  it('every save is a numbered version; an unchanged save adds none; the comparison page shows the word diff and the changed fields', async () => {
    const { res, agent } = await replyDraft('staf.egov1', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    const f1 = formFields((await agent.get(`/surat-keluar/${draft.id}/ubah`)).text);
    const same = await agent.post(`/surat-keluar/${draft.id}/ubah`).type('form').send(f1);
    expect(same.status).to.equal(303);
    expect(textOf((await agent.get(`/surat-keluar/${draft.id}`)).text)).to.include('Tidak ada perubahan; versi tidak bertambah.');
    expect(await OutgoingVersion.count({ where: { letterId: draft.id } })).to.equal(1);

    const v2 = await agent.post(`/surat-keluar/${draft.id}/ubah`).type('form')
      .send({ ...f1, bodyHtml: '<p>Dengan hormat, kami sampaikan bahwa subdomain telah aktif.</p>', sifat: 'terbatas' });
    expect(v2.status).to.equal(303);
    const f2 = formFields((await agent.get(`/surat-keluar/${draft.id}/ubah`)).text);
    const v3 = await agent.post(`/surat-keluar/${draft.id}/ubah`).type('form')
      .send({ ...f2, bodyHtml: '<p>Dengan hormat, kami sampaikan bahwa subdomain Saudara telah aktif sejak hari ini.</p>', lampiran: '1 (satu) berkas' });
    expect(v3.status).to.equal(303);
    await draft.reload();
    expect(draft.currentVersionNo).to.equal(3);
    const versions = await OutgoingVersion.findAll({ where: { letterId: draft.id }, order: [['versionNo', 'ASC']] });
    expect(versions.map((v) => v.versionNo)).to.deep.equal([1, 2, 3]);
    expect(new Set(versions.map((v) => v.hash)).size).to.equal(3);
    const edits = await AuditEvent.count({ where: { entityType: 'outgoing_letter', entityId: String(draft.id), action: 'surat_keluar.disunting' } });
    expect(edits).to.equal(2);

    const cmp = await agent.get(`/surat-keluar/${draft.id}/versi?dari=2&ke=3`);
    expect(cmp.status).to.equal(200);
    expect(cmp.text).to.include('<ins>Saudara </ins>').and.include('<ins>sejak hari ini</ins>');
    const t = textOf(cmp.text);
    expect(t).to.include('Lampiran — 1 (satu) berkas');
    expect(t).to.not.include('Sifat Terbatas Terbatas');
    const cmp13 = textOf((await agent.get(`/surat-keluar/${draft.id}/versi?dari=1&ke=3`)).text);
    expect(cmp13).to.include('Sifat Biasa Terbatas');
    expect((await agent.get(`/surat-keluar/${draft.id}/versi?dari=1&ke=99`)).status).to.equal(404);
  });

  it('a stale form is refused with 409 and the user\'s text kept; another user may not edit a draft they do not hold', async () => {
    const { res, agent } = await replyDraft('staf.egov1', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    const f = formFields((await agent.get(`/surat-keluar/${draft.id}/ubah`)).text);
    const other = await signIn('staf.egov1');
    const f2 = formFields((await other.get(`/surat-keluar/${draft.id}/ubah`)).text);
    expect((await other.post(`/surat-keluar/${draft.id}/ubah`).type('form').send({ ...f2, perihal: 'Perubahan di tab lain' })).status).to.equal(303);
    const stale = await agent.post(`/surat-keluar/${draft.id}/ubah`).type('form').send({ ...f, perihal: 'Perubahan yang tertimpa?' });
    expect(stale.status).to.equal(409);
    expect(textOf(stale.text)).to.include('baru saja diubah oleh pengguna lain').and.include('Isian Anda masih ada di bawah');
    expect(stale.text).to.include('value="Perubahan yang tertimpa?"');
    await draft.reload();
    expect(draft.perihal).to.equal('Perubahan di tab lain');

    // The Kasi (in the default chain, so may see it) may not edit while the drafter holds it.
    const kasi = await signIn('kasi.egov');
    expect((await kasi.get(`/surat-keluar/${draft.id}`)).status).to.equal(200);
    expect((await kasi.get(`/surat-keluar/${draft.id}/ubah`)).status).to.equal(403);
    const token = await csrfOf(kasi, `/surat-keluar/${draft.id}`);
    const r = await kasi.post(`/surat-keluar/${draft.id}/ubah`).type('form').send({ ...f2, _csrf: token, lockVersion: String(draft.lockVersion), perihal: 'Diubah Kasi' });
    expect(r.status).to.equal(403);
    expect(textOf(r.text)).to.include('hanya pemegangnya yang dapat mengubahnya');
    // Someone outside the draft does not learn it exists.
    const idc = await signIn('kasi.idc');
    expect((await idc.get(`/surat-keluar/${draft.id}`)).status).to.equal(404);
    expect((await idc.get(`/surat-keluar/${draft.id}/pratinjau`)).status).to.equal(404);
    expect((await idc.get(`/surat-keluar/${draft.id}/versi`)).status).to.equal(404);
    expect((await idc.get('/surat-keluar/999999999')).status).to.equal(404);
  });

  it('replying to a letter the user may not see is a 404', async () => {
    const letter = await buildLetter({ sifat: 'rahasia' });
    const agent = await signIn('staf.idc1');
    expect((await agent.get(`/surat-keluar/baru?balas=${letter.id}`)).status).to.equal(404);
    expect((await agent.get('/surat-keluar/baru?balas=abc')).status).to.equal(404);
    const admin = await signIn('admin');
    expect((await admin.get('/surat-keluar/baru')).status).to.equal(403);
  });

  it('attachments: PDFs and images checked by their bytes; a PDF can be appended to the letter PDF; each change is a version', async () => {
    const { res, agent } = await replyDraft('staf.egov1', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    const token = await csrfOf(agent, `/surat-keluar/${draft.id}`);
    const fake = await agent.post(`/surat-keluar/${draft.id}/lampiran?_csrf=${encodeURIComponent(token)}`)
      .field('lockVersion', String(draft.lockVersion)).attach('lampiranFiles', Buffer.from('MZ not a pdf'), 'lampiran.pdf');
    expect(fake.status).to.equal(422);
    expect(textOf(fake.text)).to.include('bukan PDF, JPEG, atau PNG');
    expect(await OutgoingAttachment.count({ where: { letterId: draft.id } })).to.equal(0);

    const up = await agent.post(`/surat-keluar/${draft.id}/lampiran?_csrf=${encodeURIComponent(token)}`)
      .field('lockVersion', String(draft.lockVersion)).attach('lampiranFiles', pdfBytes('Lampiran teknis'), 'Berita Acara.pdf');
    expect(up.status, up.text.slice(0, 500)).to.equal(303);
    const att = await OutgoingAttachment.findOne({ where: { letterId: draft.id } });
    expect(att!.originalName).to.equal('Berita Acara.pdf');
    await draft.reload();
    expect(draft.currentVersionNo).to.equal(2);
    const plain = await agent.get(`/surat-keluar/${draft.id}/pratinjau.pdf`);
    expect(plain.status).to.equal(200);
    const pagesAlone = pdfPageCount(plain.body as Buffer);

    const ap = await postOn(agent, draft.id, `/lampiran/${att!.id}/satukan`, { lockVersion: String(draft.lockVersion), append: '1' });
    expect(ap.status).to.equal(303);
    await draft.reload();
    expect(draft.currentVersionNo).to.equal(3);
    const pdf = await agent.get(`/surat-keluar/${draft.id}/pratinjau.pdf`);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    expect(pdfPageCount(pdf.body as Buffer)).to.equal(pagesAlone + 1);
    const dl = await agent.get(`/surat-keluar/${draft.id}/lampiran/${att!.id}?unduh=1`);
    expect(dl.status).to.equal(200);
    expect(dl.headers['content-disposition']).to.include('attachment');
    // A stale lock version: refused, nothing changed.
    const stale = await postOn(agent, draft.id, `/lampiran/${att!.id}/hapus`, { lockVersion: '0' });
    expect(stale.status).to.equal(303);
    expect(await OutgoingAttachment.count({ where: { letterId: draft.id } })).to.equal(1);
    const del = await postOn(agent, draft.id, `/lampiran/${att!.id}/hapus`, { lockVersion: String(draft.lockVersion) });
    expect(del.status).to.equal(303);
    expect(await OutgoingAttachment.count({ where: { letterId: draft.id } })).to.equal(0);
    const cmp = textOf((await agent.get(`/surat-keluar/${draft.id}/versi?dari=2&ke=3`)).text);
    expect(cmp).to.include('Berkas lampiran Berita Acara.pdf Berita Acara.pdf (disatukan dengan PDF)');
  });

  it('HTML and PDF previews carry the KONSEP watermark; the HTML preview runs under a CSP that loads nothing', async () => {
    const { res, agent } = await replyDraft('staf.egov1', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    const html = await agent.get(`/surat-keluar/${draft.id}/pratinjau`);
    expect(html.status).to.equal(200);
    expect(html.text).to.include('KONSEP');
    expect(html.headers['content-security-policy']).to.include("default-src 'none'");
    const v1 = await agent.get(`/surat-keluar/${draft.id}/pratinjau?versi=1`);
    expect(v1.status).to.equal(200);
    expect((await agent.get(`/surat-keluar/${draft.id}/pratinjau?versi=7`)).status).to.equal(404);
    const pdf = await agent.get(`/surat-keluar/${draft.id}/pratinjau.pdf`).buffer(true);
    expect(pdf.status).to.equal(200);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).to.equal('%PDF-');
  });

  it('the lists: "Konsep saya" shows the user\'s drafts', async () => {
    const { res, agent } = await replyDraft('staf.egov2', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    const page = await agent.get('/surat-keluar?tab=konsep');
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`data-draft-id="${draft.id}"`);
    const other = await signIn('staf.idc1');
    expect((await other.get('/surat-keluar?tab=konsep')).text).to.not.include(`data-draft-id="${draft.id}"`);
    expect((await other.get('/surat-keluar?tab=tidak-ada')).status).to.equal(200);
  });

  it('malformed requests get a clear 4xx or a form message, never a 500', async () => {
    const { res, agent } = await replyDraft('staf.egov1', { f_keputusan: 'aktif', f_tanggalAktif: '2026-11-20' });
    const draft = await draftOf(res);
    for (const url of [`/surat-keluar/${draft.id}/versi?dari=abc&ke=-1`, `/surat-keluar/${draft.id}/pratinjau?versi=x`, `/surat-keluar/${draft.id}/versi`]) {
      expect((await agent.get(url)).status, url).to.equal(200);
    }
    for (const url of [`/surat-keluar/${draft.id}/lampiran/abc`, `/surat-keluar/${draft.id}/lampiran/99999`, '/surat-keluar/abc', '/surat-keluar/0/ubah']) {
      expect((await agent.get(url)).status, url).to.equal(404);
    }
    const posts: [string, Record<string, string | string[]>, number][] = [
      ['/paraf', {}, 403], ['/kembalikan', { note: 'x' }, 403], ['/ajukan', { lockVersion: 'x' }, 303],
      ['/lampiran/abc/hapus', { lockVersion: String(draft.lockVersion) }, 404], ['/lampiran/1/satukan', { lockVersion: 'zz', append: 'maybe' }, 303],
      ['/ubah', { lockVersion: String(draft.lockVersion), perihal: ['a', 'b'] as unknown as string, kepada: 'p:abc' }, 422],
    ];
    for (const [path, body, status] of posts) {
      const r = await postOn(agent, draft.id, path, body);
      expect(r.status, `${path}: ${textOf(r.text).slice(0, 300)}`).to.equal(status);
    }
    // A multipart post without files, and one without the CSRF token.
    const token = await csrfOf(agent, `/surat-keluar/${draft.id}`);
    const none = await agent.post(`/surat-keluar/${draft.id}/lampiran?_csrf=${encodeURIComponent(token)}`).field('lockVersion', String(draft.lockVersion));
    expect(none.status).to.equal(422);
    expect(textOf(none.text)).to.include('Pilih berkas yang hendak dilampirkan.');
    const noCsrf = await agent.post(`/surat-keluar/${draft.id}/paraf`).type('form').send({ versionHash: draft.currentHash });
    expect(noCsrf.status).to.equal(403);
  });

  it('the audit chain stays intact', async () => {
    const { problems } = await verifyChain();
    expect(problems).to.deep.equal([]);
    expect(await Agency.count()).to.be.greaterThan(0);
  });
});
