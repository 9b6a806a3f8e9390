import { expect } from 'chai';
import { today } from '../platform/dates';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { PDFDocument } from 'pdf-lib';
import QRCode from 'qrcode';
import { config } from '../config';
import { closePdfRenderer, setPdfRenderer } from '../platform/pdfRenderer';
import { bodyToText } from '../lib/sanitizeBody';
import { getSetting, setSetting } from '../platform/settings';
import { listTemplates, renderTemplateObject } from '../modules/templat/letterTemplates';
import { previewLetterDoc } from '../modules/templat/templatePreview';
import { AttachmentPdfError, appendPdfAttachments, formatNip, renderLetterHtml, renderLetterPdf, type LetterDoc } from '../modules/templat/letterRender';
import { User } from '../models';

/**
 * The outgoing letter on paper: every shipped template rendered to PDF and read back with
 * pdftotext (every part present and in order), the signing forms, drafts (blank number and
 * day, KONSEP), pages after the first numbered, the layout settings, lampiran appended, and
 * that neither a body nor a template can reach the network or the disk or run a script.
 */

const pdfText = (pdf: Buffer, layout = true): string =>
  execFileSync('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
const pageText = (pdf: Buffer, page: number): string =>
  execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
const pdfPages = (pdf: Buffer): number => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8'))?.[1]);
const pageSizeMm = (pdf: Buffer): [number, number] => {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8'))!;
  return [(Number(m[1]) * 25.4) / 72, (Number(m[2]) * 25.4) / 72];
};
/** Raster images in a PDF (the draft watermark is one; the built-in emblem is vector). */
const imageCount = (pdf: Buffer): number => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-img-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.pdf'), pdf);
    return execFileSync('pdfimages', ['-list', path.join(dir, 'a.pdf')]).toString('utf8').split('\n').filter((l) => /^\s*\d+\s+\d+\s+image\b/.test(l)).length;
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
};
const squash = (s: string): string => s.replace(/\s+/g, '');

/** Each needle found after the previous one (whitespace ignored); returns the first one out of order or missing. */
function firstOutOfOrder(text: string, needles: string[]): string | null {
  const flat = squash(text);
  let at = 0;
  for (const n of needles) {
    const i = flat.indexOf(squash(n), at);
    if (i < 0) return flat.includes(squash(n)) ? `${n} (present, but out of order)` : `${n} (missing)`;
    at = i + squash(n).length;
  }
  return null;
}
/** The line of the text holding `needle` (whitespace ignored), or -1. */
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => squash(l).includes(squash(needle)));

const FIXED_DATE = new Date('2026-11-24T03:00:00Z'); // 24 November 2026, 10.00 WIB
const NUMBER = '400.14.2.1/123/Diskominfo/2026';

async function kadis(): Promise<User> { return (await User.findOne({ where: { username: 'kadis' } }))!; }

describe('Letter layout and PDF', function () {
  this.timeout(180_000);
  before(() => {
    if (!config().chromiumPath) throw new Error('Chromium is required for the letter PDF tests (apt-get install chromium)');
    setPdfRenderer(null);
  });
  after(() => closePdfRenderer());

  it('renders every shipped template: kop, place and date, Nomor, Sifat, Lampiran, Hal, Yth., the body, the signature with name and NIP, and the tembusan, in order', async () => {
    const templates = (await listTemplates()).filter((t) => t.builtin);
    expect(templates.map((t) => t.key)).to.include.members(['balasan-domain-go-id', 'balasan-subdomain', 'pengantar-sekda-domain', 'balasan-hosting', 'nota-dinas', 'surat-dinas']);
    const kop = await getSetting('surat.kop');
    const head = await kadis();
    for (const tpl of templates) {
      const draft = await previewLetterDoc(tpl);
      const doc: LetterDoc = { ...draft, number: NUMBER, date: FIXED_DATE, watermark: null, tembusan: draft.tembusan.length ? draft.tembusan : ['Bupati Sindangraja (sebagai laporan)'] };
      const pdf = await renderLetterPdf(doc);
      const text = pdfText(pdf);
      const bodyLines = bodyToText(doc.bodyHtml).split('\n').filter((l) => l.trim())
        // Table cells wrap side by side; their order is checked by their first cell only.
        .map((l) => (l.includes(' | ') ? l.split(' | ')[0] : l));
      expect(bodyLines.length, `${tpl.key}: body`).to.be.greaterThan(1);
      const signature = [...(doc.signer.form === 'biasa' ? [`${doc.signer.title},`] : []), doc.signer.name, `NIP ${formatNip(doc.signer.nip)}`];
      let needles: string[];
      if (tpl.layout === 'nota_dinas') {
        needles = [...kop.lines, 'NOTA DINAS', `Yth. : ${doc.addressees[0].name}`, `Dari : ${doc.from}`, `Tembusan : ${doc.tembusan[0]}`,
          'Tanggal : 24 November 2026', `Nomor : ${NUMBER}`, `Sifat : ${doc.sifat}`, `Lampiran : ${doc.lampiran}`, `Hal : ${doc.perihal}`, ...bodyLines, ...signature];
      } else {
        needles = [...kop.lines, `Nomor : ${NUMBER}`, `${kop.city}, 24 November 2026`, `Sifat : ${doc.sifat}`, `Lampiran : ${doc.lampiran}`, `Hal : ${doc.perihal}`,
          `Yth. ${doc.addressees.length > 1 ? `1. ${doc.addressees[0].name}` : doc.addressees[0].name}`, `di ${doc.addressees[0].place ?? 'Tempat'}`,
          ...bodyLines, ...signature, 'Tembusan:', ...doc.tembusan];
        // Place and date sit on the line of the number, at the right.
        expect(lineOf(text, `${kop.city}, 24 November 2026`), `${tpl.key}: date on the Nomor line`).to.equal(lineOf(text, `Nomor : ${NUMBER}`));
      }
      expect(firstOutOfOrder(text, needles), `${tpl.key}:\n${text}`).to.equal(null);
      // The preview signs with today's holder of the signer's position (the Kabid for the Nota Dinas).
      if (tpl.layout === 'surat') expect(doc.signer.name).to.equal(head.name);
      expect(pdfPages(pdf), `${tpl.key}: fits on one page`).to.equal(1);
      expect(text).to.not.match(/- 1 -/);
    }
  });

  it('prints a draft with a blank number and day and the KONSEP watermark, and the final letter without them', async () => {
    const base = await previewLetterDoc((await listTemplates()).find((t) => t.key === 'balasan-subdomain')!);
    const draft = await renderLetterPdf({ ...base, number: null, date: null, watermark: 'KONSEP' });
    const final = await renderLetterPdf({ ...base, number: NUMBER, date: FIXED_DATE, watermark: null });
    const t = pdfText(draft);
    const year = today().slice(0, 4); // the office's (WIB) year on the app clock
    expect(t).to.match(new RegExp(`Nomor\\s+:\\s+/\\s+/${year}`));
    // The day is left blank for the signing date: the month follows the place directly.
    expect(t).to.match(/Sindangraja,\s+(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}/);
    // The watermark is drawn as an image on the page (so it never mixes into the letter's text).
    expect(imageCount(draft)).to.be.greaterThan(imageCount(final));
    expect(pdfText(final)).to.include(NUMBER).and.include('Sindangraja, 24 November 2026');
    const html = await renderLetterHtml({ ...base, watermark: 'KONSEP' });
    expect(html).to.match(/class="watermark"[^>]*><span>KONSEP<\/span>/);
  });

  it('prints the signing forms: a.n., Plt., Plh., and the TTE stamp in place of the signature space', async () => {
    const base = await previewLetterDoc((await listTemplates()).find((t) => t.key === 'surat-dinas')!);
    const signer = { name: 'Ratna Kusumawardani, S.E., M.M.', nip: '197805152003122004', pangkat: 'Pembina (IV/a)', title: 'Sekretaris Dinas' };
    const an = pdfText(await renderLetterPdf({ ...base, signer: { ...signer, form: 'an', principalTitle: 'Kepala Dinas Komunikasi dan Informatika' } }));
    expect(firstOutOfOrder(an, ['a.n. Kepala Dinas Komunikasi dan Informatika', 'Sekretaris Dinas,', signer.name, 'Pembina (IV/a)', 'NIP 19780515 200312 2 004'])).to.equal(null);
    const plt = pdfText(await renderLetterPdf({ ...base, signer: { ...signer, title: 'Kepala Dinas Komunikasi dan Informatika', form: 'plt' } }));
    expect(squash(plt)).to.include(squash('Plt. Kepala Dinas Komunikasi dan Informatika,'));
    const plh = pdfText(await renderLetterPdf({ ...base, signer: { ...signer, title: 'Kepala Dinas Komunikasi dan Informatika', form: 'plh' } }));
    expect(squash(plh)).to.include(squash('Plh. Kepala Dinas Komunikasi dan Informatika,'));
    const qr = await QRCode.toDataURL('https://naskah.sindangrajakab.go.id/verifikasi/uji', { margin: 1 });
    const tte = await renderLetterPdf({ ...base, watermark: null, stamp: { qrPngDataUrl: qr, lines: ['Ditandatangani secara elektronik oleh:', 'Kepala Dinas Komunikasi dan Informatika', 'Dr. Hendra Wiratama, S.Kom., M.T.'] } });
    const tt = pdfText(tte);
    expect(firstOutOfOrder(tt, ['Kepala Dinas Komunikasi dan Informatika,', 'Ditandatangani secara elektronik oleh:', base.signer.name, 'NIP'])).to.equal(null);
    expect(imageCount(tte), 'the QR image').to.be.at.least(1);
  });

  it('numbers the pages after the first at the top ("- 2 -"), puts the drafter\'s paraf at the foot of each page, keeps the signature with the end of the body, and prints paraf marks per setting', async () => {
    const base = await previewLetterDoc((await listTemplates()).find((t) => t.key === 'surat-dinas')!);
    const para = (i: number) => `<p>Paragraf isi nomor ${i} berisi uraian kegiatan pemeliharaan jaringan dan pusat data yang cukup panjang sehingga memenuhi beberapa baris pada halaman surat ini.</p>`;
    const doc: LetterDoc = { ...base, bodyHtml: Array.from({ length: 34 }, (_, i) => para(i + 1)).join(''),
      parafs: [{ name: 'Rina Marlina, S.T.', title: 'Kepala Seksi e-Government', at: FIXED_DATE }, { name: 'Yudi Setiawan, S.T., M.Kom.', title: 'Kepala Bidang Aplikasi Informatika', at: FIXED_DATE }] };
    const pdf = await renderLetterPdf(doc);
    const pages = pdfPages(pdf);
    expect(pages).to.be.at.least(2);
    expect(pageText(pdf, 1)).to.not.match(/-\s*1\s*-/);
    for (let p = 2; p <= pages; p++) expect(squash(pageText(pdf, p).trimStart().split('\n')[0]), `page ${p}`).to.equal(`-${p}-`);
    // Without a drafter's paraf nothing is printed at the foot; with one, it closes every page of a long letter.
    for (let p = 1; p <= pages; p++) expect(pageText(pdf, p).trimEnd().split('\n').pop()!.trim(), `page ${p}`).to.not.equal('DPK');
    const initialled = await renderLetterPdf({ ...doc, drafterParaf: 'DPK' });
    for (let p = 1; p <= pages; p++) expect(pageText(initialled, p).trimEnd().split('\n').pop()!.trim(), `page ${p}`).to.equal('DPK');
    const onePage = await renderLetterPdf({ ...base, drafterParaf: 'DPK' });
    expect(pdfPages(onePage)).to.equal(1);
    expect(pdfText(onePage)).to.not.include('DPK');
    const last = pageText(pdf, pages);
    expect(last).to.include('Paragraf isi nomor 34').and.include(doc.signer.name).and.include('Paraf Hierarki').and.include('Kepala Seksi e-Government').and.include('RM').and.include('24/11/2026');
    const layout = await getSetting('surat.tata_letak');
    try {
      await setSetting('surat.tata_letak', { ...layout, parafMarks: false, paper: 'A4' });
      const a4 = await renderLetterPdf({ ...base, parafs: doc.parafs });
      const [w, h] = pageSizeMm(a4);
      expect(w).to.be.closeTo(210, 1);
      expect(h).to.be.closeTo(297, 1);
      expect(pdfText(a4)).to.not.include('Paraf Hierarki');
    } finally {
      await setSetting('surat.tata_letak', layout);
    }
    const [w, h] = pageSizeMm(pdf);
    expect([Math.round(w), Math.round(h)]).to.deep.equal([215, 330]);
  });

  it('numbers several addressees and prints them, like every value, as text', async () => {
    const base = await previewLetterDoc((await listTemplates()).find((t) => t.key === 'surat-dinas')!);
    const text = pdfText(await renderLetterPdf({
      ...base, perihal: 'Uji <b>tebal</b> & "kutip"',
      addressees: [{ name: 'Kepala Dinas <i>Kesehatan</i>', place: 'Sindangraja' }, { name: 'Camat Cibodas', place: 'Sindangraja' }],
    }));
    expect(firstOutOfOrder(text, ['Hal : Uji <b>tebal</b> & "kutip"', 'Yth. 1. Kepala Dinas <i>Kesehatan</i>', '2. Camat Cibodas', 'di Sindangraja'])).to.equal(null);
  });

  it('cannot reach the network or the disk from a body, a template or the stamp, and runs no script', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => { seen.push(req.url ?? ''); res.end('x'); });
    let connections = 0;
    server.on('connection', () => { connections++; });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const hostile = `<p>ISI ASLI</p><img src="${base}/img.png"><iframe src="file:///etc/passwd"></iframe><object data="file:///etc/passwd"></object>`
        + `<link rel="stylesheet" href="${base}/a.css"><style>@import url(${base}/b.css); p { background: url(file:///etc/passwd) }</style>`
        + `<p style="background:url(${base}/bg.png)">latar</p><a href="${base}/tautan">tautan</a>`
        + `<script>document.body.innerHTML='JS RAN'</script><img src="x" onerror="document.body.innerHTML='JS RAN'"><p onclick="x()">klik</p>`;
      const tpl = { source: `<p>Dari templat <%= values.x %></p>\n<%- '<img src="${base}/tpl.png"><iframe src="file:///etc/passwd"></iframe><script>document.write(1)</script>' %>\n<%- values.raw %>` };
      const templBody = await renderTemplateObject(tpl, { x: '<img src=x>', raw: hostile }, { today: new Date() });
      expect(templBody).to.not.match(/<img|<iframe|<script|<style|<link|<object|onerror|onclick|file:|http:/);
      const doc: LetterDoc = {
        ...(await previewLetterDoc((await listTemplates()).find((t) => t.key === 'surat-dinas')!)),
        bodyHtml: `${hostile}${templBody}`, perihal: `<img src="${base}/perihal.png">`,
        stamp: { qrPngDataUrl: `${base}/qr.png`, lines: ['<img src="file:///etc/passwd">'] },
      };
      const pdf = await renderLetterPdf(doc);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen, 'requests that reached the test server').to.deep.equal([]);
      expect(connections, 'connections to the test server').to.equal(0);
      const text = pdfText(pdf);
      expect(text).to.include('ISI ASLI').and.include('Dari templat <img src=x>').and.include('tautan');
      expect(text).to.not.include('JS RAN');
      expect(text).to.not.match(/root:x?:0:0/);
      const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0] : 'root:x:0:0';
      expect(squash(text)).to.not.include(squash(passwd));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('appends PDF lampiran page by page and refuses one that is not a readable PDF', async () => {
    const letter = await renderLetterPdf(await previewLetterDoc((await listTemplates()).find((t) => t.key === 'surat-dinas')!));
    const att = await PDFDocument.create();
    const font = await att.embedFont('Helvetica');
    for (const n of [1, 2]) att.addPage([595, 842]).drawText(`LAMPIRAN HALAMAN ${n}`, { x: 50, y: 780, size: 14, font });
    const merged = await appendPdfAttachments(letter, [Buffer.from(await att.save())]);
    expect(pdfPages(merged)).to.equal(3);
    expect(pageText(merged, 1)).to.include('Tembusan');
    expect(pageText(merged, 3)).to.include('LAMPIRAN HALAMAN 2');
    const err = await appendPdfAttachments(letter, [Buffer.from('%PDF-1.4 rusak')]).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(AttachmentPdfError);
    expect((err as Error).message).to.equal('Lampiran PDF ke-1 tidak dapat digabungkan ke surat (berkas rusak, terenkripsi, atau bukan PDF).');
  });
});
