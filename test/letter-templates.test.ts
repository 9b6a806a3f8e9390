import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import supertest from 'supertest';
import { AuditEvent, JenisNaskah, Klasifikasi, LetterTemplateVersion } from '../models';
import { closePdfRenderer, setPdfRenderer } from '../platform/pdfRenderer';
import { bodyToText, sanitizeBody } from '../lib/sanitizeBody';
import { TemplateError, runTemplate, sandboxRestarts } from '../modules/templat/templateSandbox';
import {
  builtinTemplates, checkTemplateSource, getTemplate, listTemplates, parseTemplateValues, renderTemplateBody, type TemplateContext,
} from '../modules/templat/letterTemplates';
import { app, csrfOf, signIn, textOf, type Agent } from './helpers/app';
import { uniq } from './helpers/factories';
import { childEnv, describeRun, naskah } from './fixtures/proc';

/**
 * Letter templates: the shipped ones (metadata, every branch of their wording), field values,
 * the body sanitizer, the sandbox templates run in (no process, require, files, network; a
 * runaway template costs nothing), the admin pages (versions, refusal of a broken template
 * with its line, preview, admin only) and `naskah template:preview`.
 */

const pdfText = (pdf: Buffer): string => execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
const squash = (s: string): string => s.replace(/\s+/g, '');
const ctx = (over: Partial<TemplateContext> = {}): TemplateContext => ({
  reference: { senderName: 'Dinas Pariwisata dan Kebudayaan', senderNumber: '400.14.2.1/217/Disparbud/XI/2026', letterDate: new Date('2026-11-16T00:00:00Z'), perihal: 'Permohonan Nama Domain' },
  applicantName: 'Dinas Pariwisata dan Kebudayaan', today: new Date('2026-11-24T03:00:00Z'), ...over,
});
const text = async (key: string, values: Record<string, unknown>, c: TemplateContext = ctx()): Promise<string> => {
  const tpl = (await getTemplate(key))!;
  const parsed = parseTemplateValues(tpl, { ...tpl.sample, ...values });
  expect(parsed.errors, `${key} values`).to.deep.equal({});
  return bodyToText(await renderTemplateBody(key, parsed.values, c));
};

describe('Letter templates', function () {
  this.timeout(120_000);

  describe('shipped templates', () => {
    it('are valid: jenis naskah and klasifikasi exist, the sample fits the fields, the source compiles', async () => {
      const all = [...builtinTemplates().values()];
      expect(all.length).to.be.at.least(6);
      for (const t of all) {
        expect(await JenisNaskah.findByPk(t.jenisNaskahCode), `${t.key}: jenis ${t.jenisNaskahCode}`).to.not.equal(null);
        if (t.defaultKlasifikasi) expect(await Klasifikasi.findByPk(t.defaultKlasifikasi), `${t.key}: klasifikasi`).to.not.equal(null);
        expect(parseTemplateValues(t, t.sample).errors, `${t.key}: sample`).to.deep.equal({});
        expect(checkTemplateSource(t.source), `${t.key}: source`).to.equal(null);
        expect(t.description.length, `${t.key}: description`).to.be.greaterThan(20);
      }
      expect((await listTemplates()).map((t) => t.key)).to.include.members(all.map((t) => t.key));
    });

    it('Surat Balasan .go.id: approved, documents incomplete (listing what is missing) and rejected', async () => {
      const ok = await text('balasan-domain-go-id', { keputusan: 'disetujui', tanggalAktif: '2026-11-20' });
      expect(ok).to.include('Menindaklanjuti surat Saudara Nomor 400.14.2.1/217/Disparbud/XI/2026 tanggal 16 November 2026 perihal Permohonan Nama Domain')
        .and.include('pariwisatasindangraja.go.id telah disetujui').and.include('telah aktif sejak tanggal 20 November 2026').and.include('wajib diperpanjang setiap tahun');
      expect(ok).to.not.include('belum lengkap');
      const incomplete = await text('balasan-domain-go-id', { keputusan: 'berkas belum lengkap', kekurangan: '1. Surat kuasa\n- Kartu ASN penanggung jawab', batasHari: 7 });
      expect(incomplete).to.include('belum lengkap').and.include('1. Surat kuasa;').and.include('2. Kartu ASN penanggung jawab;').and.include('paling lambat 7 (tujuh) hari kerja').and.include('200 KB');
      const rejected = await text('balasan-domain-go-id', { keputusan: 'ditolak', alasan: 'Satu instansi hanya dapat memiliki satu nama domain .go.id.', saran: 'Kami sarankan subdomain pariwisata.sindangrajakab.go.id.' });
      expect(rejected).to.include('tidak dapat kami proses lebih lanjut').and.include('Satu instansi hanya dapat memiliki satu nama domain .go.id.').and.include('pariwisata.sindangrajakab.go.id');
      const noReference = await text('balasan-domain-go-id', { keputusan: 'disetujui', tanggalAktif: '2026-11-20' }, ctx({ reference: null }));
      expect(noReference).to.match(/^Sehubungan dengan permohonan nama domain pariwisatasindangraja\.go\.id yang Saudara ajukan/);
    });

    it('Surat Balasan subdomain (active / rejected with another name), hosting (approved / rejected), Surat Pengantar to the Sekda, Nota Dinas, Surat Dinas', async () => {
      expect(await text('balasan-subdomain', {})).to.include('perizinan.sindangrajakab.go.id untuk aplikasi Sistem Informasi Perizinan Terpadu telah kami buat dan aktif sejak tanggal 23 November 2026');
      const no = await text('balasan-subdomain', { keputusan: 'ditolak', alasan: 'Nama sudah dipakai perangkat daerah lain.', usulanNama: 'perizinan-dpmptsp.sindangrajakab.go.id' });
      expect(no).to.include('belum dapat kami setujui').and.include('Nama sudah dipakai perangkat daerah lain.').and.include('perizinan-dpmptsp.sindangrajakab.go.id');
      expect(await text('balasan-hosting', {})).to.include('disetujui dengan alokasi').and.include('1. Mesin virtual 2 vCPU dengan memori 4 GB;').and.include('1 Desember 2026').and.include('Berita Acara Pemasangan Aplikasi di Hosting');
      expect(await text('balasan-hosting', { keputusan: 'ditolak', alasan: 'Kapasitas server penuh sampai Januari 2027.' })).to.include('belum dapat kami setujui').and.include('Kapasitas server penuh');
      const sekda = await text('pengantar-sekda-domain', {});
      expect(sekda).to.include('yang diajukan oleh Dinas Pariwisata dan Kebudayaan melalui surat Nomor 400.14.2.1/217/Disparbud/XI/2026')
        .and.include('ditandatangani oleh Sekretaris Daerah').and.include('No. | Naskah yang Disampaikan | Banyaknya | Keterangan')
        .and.include('1. | Konsep surat permohonan nama domain pariwisatasindangraja.go.id | 1 (satu) lembar | untuk ditandatangani').and.include('domain.go.id');
      const nota = await text('nota-dinas', {});
      expect(nota).to.include('Menindaklanjuti disposisi atas surat Dinas Pariwisata dan Kebudayaan').and.include('1. surat permohonan belum ditandatangani oleh Sekretaris Daerah;').and.include('mohon arahan');
      const dinas = await text('surat-dinas', {}, ctx({ reference: null }));
      expect(dinas).to.match(/^Dalam rangka peningkatan keandalan layanan/);
      expect(dinas).to.include('1. hari, tanggal: Sabtu, 5 Desember 2026;').and.include('Demikian disampaikan');
    });

    it('print what users typed as text, never as markup', async () => {
      const html = await renderTemplateBody('surat-dinas', { pembuka: '<script>alert(1)</script> <b>tebal</b> & "kutip"', isi: '<img src=x onerror=alert(1)>', penutup: '' }, ctx());
      expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;tebal&lt;/b&gt; &amp; "kutip"').and.include('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).to.not.match(/<script|<img|<b>/);
    });
  });

  describe('field values', () => {
    it('types and checks every kind of field, with Indonesian messages next to each', async () => {
      const tpl = (await getTemplate('balasan-domain-go-id'))!;
      const r = parseTemplateValues(tpl, { namaDomain: 'Bukan Domain!', keputusan: 'mungkin', tanggalAktif: '2026-02-30', batasHari: 'lima' });
      expect(r.errors).to.deep.equal({
        namaDomain: 'Nama domain yang dimohon: Nama domain tidak valid: huruf kecil, angka dan tanda hubung, bagian pertama 3–63 karakter, dipisah titik (contoh: layanan.sindangrajakab.go.id).',
        keputusan: 'Keputusan: pilih salah satu dari disetujui, berkas belum lengkap, ditolak.',
        tanggalAktif: 'Tanggal domain aktif: tanggal tidak valid (format TTTT-BB-HH).',
        batasHari: 'Batas waktu melengkapi berkas (hari kerja): harus berupa angka.',
      });
      // Required only for the decision that needs it.
      expect(parseTemplateValues(tpl, { namaDomain: 'ab.go.id', keputusan: 'ditolak' }).errors).to.deep.equal({
        namaDomain: 'Nama domain yang dimohon: Nama domain tidak valid: huruf kecil, angka dan tanda hubung, bagian pertama 3–63 karakter, dipisah titik (contoh: layanan.sindangrajakab.go.id).',
        alasan: 'Alasan penolakan wajib diisi.',
      });
      const ok = parseTemplateValues(tpl, { namaDomain: ' HTTPS://PariwisataSindangraja.go.id/ ', keputusan: 'berkas belum lengkap', kekurangan: 'a\r\nb', batasHari: '5', extra: 'diabaikan' });
      expect(ok.errors).to.deep.equal({});
      expect(ok.values).to.deep.include({ namaDomain: 'pariwisatasindangraja.go.id', kekurangan: 'a\nb', batasHari: 5, tanggalAktif: null, alasan: '' });
      expect(ok.values).to.not.have.property('extra');
      expect(parseTemplateValues(tpl, {}).errors).to.deep.equal({ namaDomain: 'Nama domain yang dimohon wajib diisi.', keputusan: 'Keputusan wajib diisi.' });
    });
  });

  describe('body sanitizer', () => {
    it('drops script, iframe, style, object, images, links and event attributes, keeps paragraphs, lists, bold, italic and tables', () => {
      const dirty = '<p onclick="steal()" class="x" style="color:red;text-align:center">Halo <script>alert(1)</script><b>tebal</b> <i>miring</i> <u>garis</u> <strong>kuat</strong> <em>em</em>'
        + '<a href="javascript:alert(1)">tautan</a> <a href="http://contoh.go.id">situs</a></p>'
        + '<iframe src="https://x.example">isi iframe</iframe><style>p { display: none }</style><object data="x.swf">obj</object><embed src="y">'
        + '<img src="http://127.0.0.1/x.png" onerror="alert(1)"><img src="data:image/png;base64,AAAA">'
        + '<ol type="a" onmouseover="x()"><li>satu</li><li>dua</li></ol><ul><li>butir</li></ul><br>'
        + '<table border="1" onload="x()"><thead><tr><th colspan="2">Kepala</th></tr></thead><tbody><tr><td rowspan="2" style="background:url(http://x)">A</td><td colspan="x">B</td></tr></tbody></table>'
        + '<svg onload="alert(1)"><text>svg</text></svg><form action="/x"><input name="a"><button>kirim</button></form><h2>Judul</h2><div>blok</div>';
      const clean = sanitizeBody(dirty);
      expect(clean).to.equal('<p style="text-align:center">Halo <b>tebal</b> <i>miring</i> <u>garis</u> <strong>kuat</strong> <em>em</em>tautan situs</p>'
        + '<ol type="a"><li>satu</li><li>dua</li></ol><ul><li>butir</li></ul><br />'
        + '<table><thead><tr><th colspan="2">Kepala</th></tr></thead><tbody><tr><td rowspan="2">A</td><td>B</td></tr></tbody></table><p>Judul</p><p>blok</p>');
      expect(sanitizeBody(clean)).to.equal(clean);
      expect(sanitizeBody('')).to.equal('');
      expect(bodyToText(dirty)).to.equal('Halo tebal miring garis kuat emtautan situs\n\na. satu\nb. dua\n\n- butir\n\nKepala\nA | B\n\nJudul\n\nblok');
    });
  });

  describe('sandbox', () => {
    const run = (src: string, data: Record<string, unknown> = { values: { a: 'x' } }) => runTemplate(src, data).then((h) => ({ ok: true as const, h }), (e: unknown) => ({ ok: false as const, e }));
    const fault = async (src: string, line: number, msg: RegExp) => {
      const r = await run(src);
      expect(r.ok, `${src} should fail`).to.equal(false);
      const e = (r as { e: unknown }).e;
      expect(e, src).to.be.instanceOf(TemplateError);
      expect((e as TemplateError).problem.line, src).to.equal(line);
      expect((e as TemplateError).problem.message, src).to.match(msg);
    };

    it('gives a template its data and helpers, and nothing of the server: no process, require, fs, eval, include or escape through constructors', async () => {
      const r = await run('<%= values.a %> <%= tanggal("2026-08-17") %> <%= terbilang(1250000) %> <%= rupiah(50000) %> <%= typeof process %> <%= typeof require %> <%= typeof module %> <%= typeof globalThis.fetch %>');
      expect(r).to.deep.equal({ ok: true, h: 'x 17 Agustus 2026 satu juta dua ratus lima puluh ribu Rp50.000,00 undefined undefined undefined undefined' });
      await fault('baris satu\n<%= process.env.SESSION_SECRET %>', 2, /variabel "process" tidak dikenal/);
      await fault('<% const fs = require("fs") %>', 1, /variabel "require" tidak dikenal/);
      await fault('\n\n<%= this.constructor.constructor("return process")().pid %>', 3, /eval \/ new Function tidak diizinkan/);
      await fault('<%= values.constructor.constructor("return process")() %>', 1, /eval \/ new Function tidak diizinkan/);
      await fault('<%= eval("1 + 1") %>', 1, /eval \/ new Function tidak diizinkan/);
      await fault('<%- include("/etc/passwd") %>', 1, /include tidak tersedia/);
      // A dynamic import only rejects inside the sandbox; nothing is loaded and the server lives on.
      const imp = await run('<% import("node:fs").then((fs) => fs.readFileSync("/etc/passwd")); %>sesudah');
      expect(imp).to.deep.equal({ ok: true, h: 'sesudah' });
    });

    it('survives runaway templates: endless loops, unhandled rejections, huge output and memory exhaustion', async () => {
      await fault('<% while (true) {} %>', 1, /lebih dari 1000 milidetik/);
      await fault('<% Promise.resolve().then(() => { for (;;) {} }) %>x', 1, /lebih dari 1000 milidetik/);
      expect(await run('<% Promise.reject(new Error("x")) %>tetap')).to.deep.equal({ ok: true, h: 'tetap' });
      await fault('<%= "x".repeat(300000) %>', 1, /terlalu panjang/);
      const restarts = sandboxRestarts();
      const hog = await run('<% const a = []; for (;;) a.push(new Array(1e6).fill(7)); %>');
      expect(hog.ok).to.equal(false);
      const msg = ((hog as { e: TemplateError }).e).problem.message;
      expect(msg).to.match(/menghentikan pemrosesnya \(memori habis\)|lebih dari 1000 milidetik/);
      // Out of memory ends the worker (and a new one starts); a very slow machine may hit the time limit first.
      if (/memori habis/.test(msg)) expect(sandboxRestarts()).to.equal(restarts + 1);
      expect(await run('<%= values.a %> pulih')).to.deep.equal({ ok: true, h: 'x pulih' });
    });

    it('reports syntax errors with the line of the template', () => {
      expect(checkTemplateSource('<p>\n<% if (values.a) { %>\nx\n<% } %>\n</p>')).to.equal(null);
      expect(checkTemplateSource('baris 1\nbaris 2\n<%= values.a ) %>\nbaris 4')).to.deep.equal({ line: 3, message: "kode JavaScript tidak sah (Unexpected token ')')." });
      expect(checkTemplateSource('a\n<% if (x) {\nb\n<%= y %>')).to.deep.equal({ line: 2, message: 'tag "<%" tidak ditutup dengan "%>".' });
      const unbalanced = checkTemplateSource('a\n<% if (values.a) { %>\nb\nc');
      expect(unbalanced?.line).to.equal(4);
      expect(unbalanced?.message).to.match(/^blok \{ \} atau \( \) tidak seimbang/);
    });
  });

  describe('admin pages', () => {
    let admin: Agent;
    const created: string[] = [];
    before(async () => { admin = await signIn('admin'); setPdfRenderer(null); });
    after(async () => {
      await LetterTemplateVersion.destroy({ where: { templateKey: ['surat-dinas', ...created] } });
      await closePdfRenderer();
    });

    const formOf = async (url: string): Promise<Record<string, string>> => {
      const res = await admin.get(url);
      expect(res.status, res.text.slice(0, 300)).to.equal(200);
      const out: Record<string, string> = {};
      for (const m of res.text.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g)) out[m[1]] = m[2];
      for (const m of res.text.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) out[m[1]] = m[2];
      for (const m of res.text.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) out[m[1]] = /<option value="([^"]*)" selected>/.exec(m[2])?.[1] ?? '';
      const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      for (const k of Object.keys(out)) out[k] = unescape(out[k]);
      if (/name="active" value="1" checked/.test(res.text)) out.active = '1'; else delete out.active;
      return out;
    };

    it('are for admins only', async () => {
      for (const url of ['/admin/templat', '/admin/templat/baru', '/admin/templat/surat-dinas', '/admin/templat/surat-dinas/pratinjau.pdf']) {
        const anon = await supertest(app()).get(url);
        expect(anon.status, url).to.equal(302);
        expect(anon.headers.location).to.match(/^\/masuk\?next=/);
        const kadis = await signIn('kadis');
        expect((await kadis.get(url)).status, url).to.equal(403);
      }
      const kadis = await signIn('kadis');
      const token = await csrfOf(kadis, '/kotak-masuk');
      expect((await kadis.post('/admin/templat/surat-dinas').type('form').send({ _csrf: token, name: 'x' })).status).to.equal(403);
      expect((await kadis.post('/admin/templat/pratinjau').type('form').send({ _csrf: token })).status).to.equal(403);
      const index = await admin.get('/admin');
      expect(index.text).to.include('href="/admin/templat"');
    });

    it('lists every template and saves an edit as a new version, audited; the history keeps the shipped file', async () => {
      const list = await admin.get('/admin/templat');
      expect(list.status).to.equal(200);
      for (const t of builtinTemplates().values()) expect(textOf(list.text)).to.include(t.name);
      const form = await formOf('/admin/templat/surat-dinas');
      expect(form.expectedVersion).to.equal('1');
      expect(form.source).to.equal(builtinTemplates().get('surat-dinas')!.source);
      const source = `${form.source}<p>Tambahan versi dua untuk <%= values.isi.length %> karakter.</p>\n`;
      const res = await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: await csrfOf(admin, '/admin/templat/surat-dinas'), name: 'Surat Dinas (diubah)', source });
      expect(res.status, textOf(res.text ?? '').slice(0, 600)).to.equal(303);
      const tpl = (await getTemplate('surat-dinas'))!;
      expect(tpl).to.include({ version: 2, name: 'Surat Dinas (diubah)', builtin: true, source });
      const body = await renderTemplateBody('surat-dinas', parseTemplateValues(tpl, tpl.sample).values, ctx());
      expect(bodyToText(body)).to.match(/Tambahan versi dua untuk \d+ karakter\./);
      const ev = await AuditEvent.findOne({ where: { action: 'templat.diubah', entityId: 'surat-dinas' }, order: [['seq', 'DESC']] });
      expect(JSON.parse(ev!.before!)).to.include({ version: 1, name: 'Surat Dinas' });
      expect(JSON.parse(ev!.after!)).to.include({ version: 2, name: 'Surat Dinas (diubah)' });
      const page = await admin.get('/admin/templat/surat-dinas');
      expect(textOf(page.text)).to.include('Versi yang berlaku: 2').and.include('berkas bawaan');
      // The old version can be seen and restored (as version 3).
      const v1 = await admin.get('/admin/templat/surat-dinas/versi/1');
      expect(v1.status).to.equal(200);
      expect(textOf(v1.text)).to.include('Pulihkan sebagai versi 3');
      const restore: Record<string, string> = {};
      for (const m of v1.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) restore[m[1]] = m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      expect((await admin.post('/admin/templat/surat-dinas').type('form').send(restore)).status).to.equal(303);
      expect(await getTemplate('surat-dinas')).to.include({ version: 3, name: 'Surat Dinas', source: builtinTemplates().get('surat-dinas')!.source });
    });

    it('refuses a template with a syntax or run-time error, showing the line and message on the same form with nothing lost', async () => {
      const form = await formOf('/admin/templat/surat-dinas');
      const before = (await getTemplate('surat-dinas'))!.version;
      const broken = '<p>Satu</p>\n<p>Dua</p>\n<% if (values.isi { %>\n<p><%= values.isi %></p>\n<% } %>\n';
      const res = await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: await csrfOf(admin, '/admin/templat/surat-dinas'), source: broken });
      expect(res.status).to.equal(422);
      expect(res.text).to.match(/id="err-source"[^>]*>Baris 3: kode JavaScript tidak sah \(Unexpected token &#39;\{&#39;\)\./);
      expect(res.text).to.include('&lt;% if (values.isi { %&gt;'); // the text typed is still in the form
      expect(res.text).to.not.match(/\bat .+\.ts:\d+/);
      const runtime = '<p>Satu</p>\n\n<p><%= values.isi.toUpperCase() %> <%= belumAda %></p>\n';
      const res2 = await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: await csrfOf(admin, '/admin/templat/surat-dinas'), source: runtime });
      expect(res2.status).to.equal(422);
      expect(textOf(res2.text)).to.include('Baris 3: variabel "belumAda" tidak dikenal');
      const escape = '<%= process.mainModule.require("fs").readFileSync("/etc/passwd") %>';
      const res3 = await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: await csrfOf(admin, '/admin/templat/surat-dinas'), source: escape });
      expect(res3.status).to.equal(422);
      expect(textOf(res3.text)).to.include('Baris 1: variabel "process" tidak dikenal').and.not.include('root:x:0:0');
      const badJson = await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: await csrfOf(admin, '/admin/templat/surat-dinas'), fields: '[{"name": "isi", "label": "Isi", "type": "gambar"}]', sample: '{ rusak' });
      expect(badJson.status).to.equal(422);
      expect(textOf(badJson.text)).to.include('Daftar isian tidak sah: isian ke-1 type: jenis isian harus salah satu dari text, textarea, date, number, select, domain').and.include('Contoh data bukan JSON yang sah');
      expect((await getTemplate('surat-dinas'))!.version).to.equal(before);
    });

    it('refuses a stale form (someone saved in between)', async () => {
      const form = await formOf('/admin/templat/surat-dinas');
      const token = await csrfOf(admin, '/admin/templat/surat-dinas');
      expect((await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: token, name: 'Pertama' })).status).to.equal(303);
      const second = await admin.post('/admin/templat/surat-dinas').type('form').send({ ...form, _csrf: token, name: 'Kedua' });
      expect(second.status).to.equal(409);
      expect(textOf(second.text)).to.include('sudah diubah orang lain');
      expect((await getTemplate('surat-dinas'))!.name).to.equal('Pertama');
    });

    it('adds a new template, which drafts can use at once, and previews a form to PDF with the KONSEP watermark before saving', async () => {
      const key = uniq('undangan-rapat-');
      created.push(key);
      const token = await csrfOf(admin, '/admin/templat/baru');
      const form = {
        _csrf: token, key, name: 'Undangan Rapat Koordinasi', description: 'Undangan rapat koordinasi teknis.', jenisNaskahCode: 'undangan', layout: 'surat',
        defaultPerihal: 'Undangan Rapat Koordinasi', defaultKlasifikasi: '000.1.5', active: '1',
        fields: JSON.stringify([{ name: 'acara', label: 'Acara', type: 'text', required: true }, { name: 'tanggal', label: 'Tanggal rapat', type: 'date', required: true }]),
        sample: JSON.stringify({ acara: 'Rapat Koordinasi Satu Data', tanggal: '2026-12-03' }),
        preview: JSON.stringify({ addressees: [{ name: 'Kepala Badan Perencanaan Pembangunan Daerah', place: 'Sindangraja' }], tembusan: ['Sekretaris Daerah'] }),
        source: '<p>Dengan hormat kami mengundang Saudara menghadiri <%= values.acara %> pada tanggal <%= tanggal(values.tanggal) %>.</p>\n',
      };
      const preview = await admin.post('/admin/templat/pratinjau').type('form').send(form).responseType('blob');
      expect(preview.status).to.equal(200);
      expect(preview.headers['content-type']).to.equal('application/pdf');
      const t = pdfText(preview.body as Buffer);
      expect(squash(t)).to.include(squash('menghadiri Rapat Koordinasi Satu Data pada tanggal 3 Desember 2026.'));
      expect(squash(t)).to.include(squash('Yth. Kepala Badan Perencanaan Pembangunan Daerah')).and.include(squash('Hal : Undangan Rapat Koordinasi'));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-prev-'));
      try {
        fs.writeFileSync(path.join(dir, 'p.pdf'), preview.body as Buffer);
        expect(execFileSync('pdfimages', ['-list', path.join(dir, 'p.pdf')]).toString('utf8'), 'the KONSEP watermark image').to.match(/\bsmask\b/);
      } finally { fs.rmSync(dir, { recursive: true, force: true }); }
      expect(await getTemplate(key), 'a preview saves nothing').to.equal(null);
      const badPreview = await admin.post('/admin/templat/pratinjau').type('form').send({ ...form, source: '<%= values.acara %' });
      expect(badPreview.status).to.equal(422);
      expect(badPreview.text).to.include('Baris 1: tag &#34;&lt;%&#34; tidak ditutup dengan &#34;%&gt;&#34;.');

      const saved = await admin.post('/admin/templat').type('form').send(form);
      expect(saved.status, textOf(saved.text ?? '').slice(0, 500)).to.equal(303);
      expect(saved.headers.location).to.equal(`/admin/templat/${key}`);
      expect((await listTemplates()).map((x) => x.key)).to.include(key);
      const body = await renderTemplateBody(key, { acara: 'Rapat <Uji>', tanggal: '2026-12-04' }, ctx());
      expect(body).to.equal('<p>Dengan hormat kami mengundang Saudara menghadiri Rapat &lt;Uji&gt; pada tanggal 4 Desember 2026.</p>');
      expect(await AuditEvent.count({ where: { action: 'templat.dibuat', entityId: key } })).to.equal(1);
      const again = await admin.post('/admin/templat').type('form').send({ ...form, name: 'Lagi' });
      expect(again.status).to.equal(422);
      expect(textOf(again.text)).to.include('Kunci ini sudah dipakai templat lain.');
      const pdf = await admin.get(`/admin/templat/${key}/pratinjau.pdf`).responseType('blob');
      expect(pdf.status).to.equal(200);
      expect(squash(pdfText(pdf.body as Buffer))).to.include(squash('menghadiri Rapat Koordinasi Satu Data'));
      expect((await admin.get('/admin/templat/tidak-ada')).status).to.equal(404);
      expect((await admin.get(`/admin/templat/${key}/versi/9`)).status).to.equal(404);
    });
  });

  describe('naskah template:preview', function () {
    this.timeout(240_000);
    let dir: string;
    let env: NodeJS.ProcessEnv;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-tplcli-'));
      env = childEnv({ DB_URL: `sqlite:${path.join(dir, 'n.sqlite')}`, BLOB_DIR: path.join(dir, 'blobs') });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes a PDF of a template with its sample data, or with data from a file, and explains bad input', async () => {
      const out = path.join(dir, 'contoh.pdf');
      let r = await naskah(['template:preview', 'balasan-domain-go-id', '--out', out], env, 120_000);
      expect(r.code, describeRun(r)).to.equal(0);
      expect(r.stdout).to.match(/^Pratinjau "Surat Balasan Permohonan Nama Domain \.go\.id" \(versi 1, data contoh\) ditulis ke .*contoh\.pdf: 1 halaman, \d+ byte\./);
      const t = squash(pdfText(fs.readFileSync(out)));
      expect(t).to.include(squash('Hal : Balasan Permohonan Nama Domain .go.id')).and.include(squash('Surat kuasa atau surat penunjukan Pejabat Pengelola Nama Domain'));

      const data = path.join(dir, 'data.json');
      fs.writeFileSync(data, JSON.stringify({ values: { namaDomain: 'dispendik-sindangraja.go.id', keputusan: 'disetujui', tanggalAktif: '2026-11-21' }, addressees: [{ name: 'Kepala Dinas Pendidikan', place: 'Sindangraja' }], perihal: 'Pemberitahuan Aktivasi Nama Domain' }));
      const out2 = path.join(dir, 'data.pdf');
      r = await naskah(['template:preview', 'balasan-domain-go-id', '--data', data, '--out', out2], env, 120_000);
      expect(r.code, describeRun(r)).to.equal(0);
      const t2 = squash(pdfText(fs.readFileSync(out2)));
      expect(t2).to.include(squash('dispendik-sindangraja.go.id telah disetujui')).and.include(squash('aktif sejak tanggal 21 November 2026'))
        .and.include(squash('Yth. Kepala Dinas Pendidikan')).and.include(squash('Hal : Pemberitahuan Aktivasi Nama Domain'));

      fs.writeFileSync(data, JSON.stringify({ namaDomain: 'x', keputusan: 'ditolak' }));
      r = await naskah(['template:preview', 'balasan-domain-go-id', '--data', data, '--out', path.join(dir, 'x.pdf')], env, 120_000);
      expect(r.code, describeRun(r)).to.equal(1);
      expect(r.stderr).to.include('Nama domain tidak valid').and.include('Alasan penolakan wajib diisi.');
      expect(fs.existsSync(path.join(dir, 'x.pdf'))).to.equal(false);
      r = await naskah(['template:preview', 'tidak-ada', '--out', path.join(dir, 'y.pdf')], env, 120_000);
      expect(r.code, describeRun(r)).to.equal(1);
      expect(r.stderr).to.match(/^Templat tidak dikenal: tidak-ada\. Templat yang ada: .*balasan-subdomain/);
      r = await naskah(['template:preview', 'surat-dinas'], env);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.equal('Gunakan: naskah template:preview <templat> [--data <berkas.json>] --out <berkas.pdf>');
    });
  });
});

