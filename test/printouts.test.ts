import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { config, setConfig } from '../config';
import {
  ChromiumPdfRenderer, ChromiumMissingError, PdfQueueFullError, PdfQueueTimeoutError, PdfRendererClosedError, PdfTimeoutError,
  closePdfRenderer, pdfRenderer, setPdfRenderer, type ChromiumRendererOptions, type PdfRenderer,
} from '../platform/pdfRenderer';
import { Assignment, Disposition, User } from '../models';
import { today } from '../platform/dates';
import { sendDispositions } from '../modules/disposisi/dispositionSender';
import { reportOnDisposition } from '../modules/disposisi/dispositionReporter';
import supertest from 'supertest';
import { app, signIn, type Agent } from './helpers/app';
import { actorOf, buildAgency, buildLetter, buildUser, positionByRole, uniq } from './helpers/factories';

/**
 * Paper: the Lembar Disposisi PDF end to end (route, rights, content read back with
 * pdftotext), and the Chromium renderer behind it: no network, no disk, no JavaScript, a pool
 * of reused pages, back-pressure, timeouts and recovery from a browser crash.
 */

const pdfText = (pdf: Buffer): string => execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
const pdfPageSizes = (pdf: Buffer): [number, number][] => {
  const out = execFileSync('pdfinfo', ['-f', '1', '-l', '99', '-'], { input: pdf }).toString('utf8');
  return [...out.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => [Number(m[1]), Number(m[2])]);
};
const pdfPages = (pdf: Buffer): number => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8'))?.[1]);
/** Compare text without whitespace: table cells wrap names and numbers anywhere. */
const squash = (s: string): string => s.replace(/\s+/g, '');
const mm = (pt: number): number => (pt * 25.4) / 72;
const isPdf = (b: Buffer): boolean => b.subarray(0, 5).toString('latin1') === '%PDF-';

const getPdf = (agent: Agent, url: string) => agent.get(url).responseType('blob');

function chromium(): string {
  const exe = config().chromiumPath;
  if (!exe) throw new Error('Chromium is required for the PDF tests (apt-get install chromium, or set CHROMIUM_PATH)');
  return exe;
}

const doc = (body: string, head = ''): string => `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

describe('Lembar Disposisi (PDF)', function () {
  this.timeout(120_000);

  before(() => { chromium(); setPdfRenderer(null); });
  after(() => closePdfRenderer());

  it('prints the sheet of a disposed letter: letter fields, every disposition with its instructions, paraf and status', async () => {
    const agency = await buildAgency({ name: uniq('Dinas Penanaman Modal dan PTSP ') });
    const letter = await buildLetter({ perihal: uniq('Permohonan Subdomain perizinan '), senderAgencyId: agency.id, urgensi: 'segera' });
    const kabid = await positionByRole('kabid');
    const kasi = await positionByRole('kasi');
    await sendDispositions({ actor: await actorOf('kadis'), letterId: letter.id, viaPositionId: letter.addressedPositionId,
      form: { targets: [String(kabid.id)], instructions: ['pelajari_laporkan', 'koordinasikan'], note: 'Cek ketersediaan nama', priority: 'segera', dueAt: '' } });
    await sendDispositions({ actor: await actorOf('kabid'), letterId: letter.id, viaPositionId: kabid.id,
      form: { targets: [String(kasi.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '' } });
    const toKasi = (await Disposition.findOne({ where: { letterId: letter.id, toPositionId: kasi.id } }))!;
    await reportOnDisposition({ actor: await actorOf('kasi.egov'), dispositionId: toKasi.id, expectedVersion: toKasi.version,
      body: 'Subdomain sudah dibuat di DNS.', files: [], complete: true });
    await letter.reload();

    const kadis = await signIn('kadis');
    const res = await getPdf(kadis, `/surat-masuk/${letter.id}/lembar-disposisi.pdf`);
    expect(res.status, String(res.body).slice(0, 300)).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    const expectedName = `lembar-disposisi-${letter.agendaNumber.replace(/\//g, '-')}.pdf`;
    expect(res.headers['content-disposition']).to.match(/^inline; /).and.include(`filename="${expectedName}"`);
    expect(res.headers['cache-control']).to.include('no-store');
    const pdf = res.body as Buffer;
    expect(isPdf(pdf), 'not a PDF').to.equal(true);
    expect(pdfPages(pdf)).to.equal(1);
    const [w, h] = pdfPageSizes(pdf)[0];
    expect(mm(w)).to.be.closeTo(215, 1);
    expect(mm(h)).to.be.closeTo(330, 1);

    const text = pdfText(pdf);
    const flat = squash(text);
    expect(text).to.include('LEMBAR DISPOSISI');
    expect(text).to.include('PEMERINTAH KABUPATEN SINDANGRAJA');
    for (const s of [letter.agendaNumber, letter.perihal, agency.name, letter.senderNumber, kabid.name, kasi.name,
      'Pelajari dan laporkan', 'Koordinasikan', 'Tindak lanjuti', 'Cek ketersediaan nama', 'SEGERA', 'Subdomain sudah dibuat di DNS.', 'Dicetak dari Naskah pada']) {
      expect(flat, `missing "${s}"`).to.include(squash(s));
    }
    // The paraf of each disposer: their name (and initials).
    for (const u of ['kadis', 'kabid']) {
      const name = (await User.findOne({ where: { username: u } }))!.name;
      expect(flat, `missing paraf of ${name}`).to.include(squash(name));
    }
    expect(flat).to.include('Selesai');
    expect(flat).to.include('Diproses');
  });

  it('shows the paraf of an acting official with Plh. / Plt.', async () => {
    const kabid = await positionByRole('kabid');
    const kasi = await positionByRole('kasi');
    const plh = await buildUser({ name: uniq('Pelaksana Harian '), positionId: kabid.id, kind: 'plh', startDate: today() });
    try {
      const letter = await buildLetter();
      await sendDispositions({ actor: await actorOf('kadis'), letterId: letter.id, viaPositionId: letter.addressedPositionId,
        form: { targets: [String(kabid.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '' } });
      const sent = await sendDispositions({ actor: await actorOf(plh), letterId: letter.id, viaPositionId: kabid.id,
        form: { targets: [String(kasi.id)], instructions: ['siapkan_jawaban'], note: '', priority: 'biasa', dueAt: '' } });
      expect(sent[0].fromActing).to.equal('plh');
      const res = await getPdf(await signIn('kadis'), `/surat-masuk/${letter.id}/lembar-disposisi.pdf`);
      expect(res.status).to.equal(200);
      const flat = squash(pdfText(res.body as Buffer));
      expect(flat).to.include(squash(`Plh. ${plh.name}`));
      expect(flat).to.include('Siapkanjawaban');
    } finally {
      await Assignment.destroy({ where: { userId: plh.id } });
    }
  });

  it('prints user data as text, never as markup', async () => {
    const perihal = `Uji <b>tebal</b> & "kutip" <img src="http://127.0.0.1:9/x.png"> ${uniq('')}`;
    const letter = await buildLetter({ perihal });
    expect(letter.perihal).to.include('<b>tebal</b>');
    const kadis = await signIn('kadis');
    const res = await getPdf(kadis, `/surat-masuk/${letter.id}/lembar-disposisi.pdf`);
    expect(res.status).to.equal(200);
    expect(squash(pdfText(res.body as Buffer))).to.include(squash(letter.perihal));
  });

  it('answers 404 to staff outside the chain of a confidential letter (and to the secretariat), and serves those in it', async () => {
    const letter = await buildLetter({ sifat: 'rahasia', perihal: uniq('Rahasia lembar ') });
    const kabid = await positionByRole('kabid');
    await sendDispositions({ actor: await actorOf('kadis'), letterId: letter.id, viaPositionId: letter.addressedPositionId,
      form: { targets: [String(kabid.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '' } });
    const url = `/surat-masuk/${letter.id}/lembar-disposisi.pdf`;
    for (const outsider of ['staf.egov1', 'sekretariat']) {
      const res = await (await signIn(outsider)).get(url);
      expect(res.status, outsider).to.equal(404);
      expect(res.headers['content-type']).to.match(/text\/html/);
      expect(res.text).to.not.include(letter.perihal);
    }
    const inChain = await getPdf(await signIn('kabid'), url);
    expect(inChain.status).to.equal(200);
    const text = pdfText(inChain.body as Buffer);
    expect(squash(text)).to.include(squash(letter.perihal));
    expect(text).to.include('RAHASIA');
  });

  it('sends a visitor to sign in and answers 404 for an unknown letter', async () => {
    const anon = await supertest(app()).get('/surat-masuk/1/lembar-disposisi.pdf');
    expect(anon.status).to.equal(302);
    expect(anon.headers.location).to.match(/^\/masuk\?next=/);
    const kadis = await signIn('kadis');
    expect((await kadis.get('/surat-masuk/999999/lembar-disposisi.pdf')).status).to.equal(404);
    expect((await kadis.get('/surat-masuk/abc/lembar-disposisi.pdf')).status).to.equal(404);
  });

  it('answers 503 with a page in Indonesian when Chromium is missing, and when the renderer is saturated', async () => {
    const letter = await buildLetter();
    const url = `/surat-masuk/${letter.id}/lembar-disposisi.pdf`;
    const kadis = await signIn('kadis');
    const saved = config();
    const prev = setPdfRenderer(null);
    setConfig({ ...saved, chromiumPath: null });
    try {
      expect(() => pdfRenderer()).to.throw(ChromiumMissingError);
      const res = await kadis.get(url);
      expect(res.status).to.equal(503);
      expect(res.headers['content-type']).to.match(/text\/html/);
      expect(res.text).to.include('Chromium tidak ditemukan; PDF tidak dapat dibuat. Pasang paket chromium atau atur CHROMIUM_PATH.');
      expect(res.text).to.not.match(/\bat .+\.ts:\d+/);
    } finally {
      setConfig(saved);
      setPdfRenderer(prev);
    }

    const busy: PdfRenderer = { render: () => Promise.reject(new PdfQueueFullError(20)), close: async () => undefined };
    const before = setPdfRenderer(busy);
    try {
      const res = await kadis.get(url);
      expect(res.status).to.equal(503);
      expect(res.text).to.include('Antrean pembuatan PDF penuh');
    } finally {
      setPdfRenderer(before);
    }
  });
});

describe('ChromiumPdfRenderer', function () {
  this.timeout(120_000);
  const made: ChromiumPdfRenderer[] = [];
  const renderer = (o: Partial<ChromiumRendererOptions> = {}): ChromiumPdfRenderer => {
    const r = new ChromiumPdfRenderer({ executablePath: chromium(), ...o });
    made.push(r);
    return r;
  };
  after(() => Promise.all(made.map((r) => r.close())));
  /** One renderer for the tests that do not disturb it (saves a browser launch each). */
  let sharedOne: ChromiumPdfRenderer | null = null;
  const shared = (): ChromiumPdfRenderer => (sharedOne ??= renderer({ poolSize: 1 }));

  it('renders A4 and F4 pages with the header/footer template', async () => {
    const r = shared();
    const footer = '<div style="font-size:8px;width:100%;text-align:center">Halaman <span class="pageNumber"></span> dari <span class="totalPages"></span></div>';
    const a4 = await r.render(doc('<h1>Kertas A4</h1>'), { format: 'A4', headerFooter: { footer } });
    const f4 = await r.render(doc('<h1>Kertas F4</h1>'), { format: 'F4', margins: { left: '3cm' } });
    expect(isPdf(a4) && isPdf(f4)).to.equal(true);
    expect(mm(pdfPageSizes(a4)[0][0])).to.be.closeTo(210, 1);
    expect(mm(pdfPageSizes(a4)[0][1])).to.be.closeTo(297, 1);
    expect(mm(pdfPageSizes(f4)[0][0])).to.be.closeTo(215, 1);
    expect(mm(pdfPageSizes(f4)[0][1])).to.be.closeTo(330, 1);
    expect(pdfText(a4)).to.include('Kertas A4').and.include('Halaman 1 dari 1');
    expect(pdfText(f4)).to.include('Kertas F4');
  });

  it('blocks the network: nothing reaches a server, whatever the HTML asks for', async () => {
    const seen: string[] = [];
    let connections = 0;
    const server = http.createServer((req, res) => { seen.push(req.url ?? ''); res.end('x'); });
    server.on('connection', () => { connections++; });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = shared();
      const html = doc(
        `<p>Isi dokumen</p><img src="${base}/x.png"><iframe src="${base}/frame"></iframe><div style="background:url(${base}/bg.png)">latar</div>`
        + `<object data="${base}/obj"></object>`,
        `<link rel="stylesheet" href="${base}/a.css"><style>@import url(${base}/b.css); @font-face { font-family: X; src: url(${base}/f.woff); } p { font-family: X; }</style>`
        + `<link rel="prefetch" href="${base}/prefetch"><link rel="preconnect" href="${base}"><link rel="dns-prefetch" href="http://naskah-uji.example">`
        + `<meta http-equiv="refresh" content="0;url=${base}/refresh">`,
      );
      const blockedBefore = r.stats().blocked;
      const pdf = await r.render(html, { format: 'A4' });
      expect(isPdf(pdf)).to.equal(true);
      expect(pdfText(pdf)).to.include('Isi dokumen');
      await new Promise((resolve) => setTimeout(resolve, 500)); // let anything late arrive
      expect(seen, 'the test server was reached').to.deep.equal([]);
      expect(connections, 'connections to the test server').to.equal(0);
      expect(r.stats().blocked - blockedBefore).to.be.at.least(3);
      // The page survived the refresh and is reused for the next document.
      const next = await r.render(doc('<p>Dokumen berikutnya</p>'), { format: 'A4' });
      expect(pdfText(next)).to.include('Dokumen berikutnya').and.not.include('Isi dokumen');
      expect(r.stats().opened).to.equal(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not load local files (file:)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-pdf-'));
    const secret = path.join(dir, 'rahasia.txt');
    const marker = `PENANDA-RAHASIA-${uniq('')}`;
    fs.writeFileSync(secret, `${marker}\n`);
    fs.writeFileSync(path.join(dir, 'style.css'), `body::after { content: "${marker}"; }`);
    try {
      const r = shared();
      const blockedBefore = r.stats().blocked;
      const pdf = await r.render(doc(
        `<p>Dokumen</p><iframe src="file://${secret}"></iframe><object data="file://${secret}"></object><img src="file:///etc/hostname">`,
        `<link rel="stylesheet" href="file://${dir}/style.css">`,
      ), { format: 'A4' });
      expect(isPdf(pdf)).to.equal(true);
      const text = pdfText(pdf);
      expect(text).to.include('Dokumen');
      expect(text).to.not.include(marker);
      expect(r.stats().blocked - blockedBefore, 'refused file: loads').to.be.at.least(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs no JavaScript', async () => {
    const r = shared();
    const pdf = await r.render(doc(
      `<p>ISI ASLI</p><img src="data:," onerror="document.body.innerHTML='JS RAN'"><script>document.body.innerHTML='JS RAN'</script>`,
    ).replace('<body>', `<body onload="document.body.innerHTML='JS RAN'">`), { format: 'A4' });
    const text = pdfText(pdf);
    expect(text).to.include('ISI ASLI');
    expect(text).to.not.include('JS RAN');
  });

  it('reuses a pool of pages in one browser: 10 concurrent renders with a pool of 2', async () => {
    const r = renderer({ poolSize: 2, maxQueue: 20 });
    const pdfs = await Promise.all(Array.from({ length: 10 }, (_, i) => r.render(doc(`<h1>Dokumen nomor ${i}</h1>`), { format: 'F4' })));
    pdfs.forEach((pdf, i) => {
      expect(isPdf(pdf), `render ${i}`).to.equal(true);
      expect(pdfText(pdf)).to.include(`Dokumen nomor ${i}`);
    });
    const s = r.stats();
    expect(s.launches).to.equal(1);
    expect(s.renders).to.equal(10);
    expect(s.opened, 'pages opened').to.equal(2);
    expect(s.pages).to.equal(2);
    expect(s.queued).to.equal(0);
    expect(s.active).to.equal(0);
  });

  it('refuses a render when the queue is full, with a clear error, and serves the others', async () => {
    const r = renderer({ poolSize: 1, maxQueue: 2 });
    const results = [1, 2, 3, 4].map((i) => r.render(doc(`<p>Antre ${i}</p>`), { format: 'A4' }).then((b) => b, (e: unknown) => e));
    expect(r.stats().queued).to.equal(2);
    const [a, b, c, d] = await Promise.all(results);
    for (const ok of [a, b, c]) expect(isPdf(ok as Buffer)).to.equal(true);
    expect(d).to.be.instanceOf(PdfQueueFullError);
    expect((d as Error).message).to.equal('Antrean pembuatan PDF penuh (2 permintaan sedang menunggu). Coba lagi beberapa saat lagi.');
    expect(r.stats()).to.include({ renders: 3, queued: 0, launches: 1 });
  });

  it('gives a clear error when a render takes too long, and keeps working', async () => {
    const r = renderer({ poolSize: 1 });
    await r.render(doc('<p>pemanasan</p>'), { format: 'A4' });
    const big = doc(Array.from({ length: 3000 }, (_, i) => `<p>Baris ${i}</p>`).join(''));
    const err = await r.render(big, { format: 'A4', timeoutMs: 5 }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(PdfTimeoutError);
    expect((err as Error).message).to.match(/^Pembuatan PDF melebihi batas waktu 5 milidetik/);
    const after = await r.render(doc('<p>Sesudah batas waktu</p>'), { format: 'A4' });
    expect(pdfText(after)).to.include('Sesudah batas waktu');
    expect(r.stats()).to.include({ timeouts: 1, launches: 1, pages: 1 });
  });

  it('restarts a browser that keeps timing out, and bounds the wait in the queue', async () => {
    const r = renderer({ poolSize: 1, restartAfterTimeouts: 2, queueTimeoutMs: 1 });
    const first = r.render(doc('<p>pertama</p>'), { format: 'A4' });
    const waiting = await r.render(doc('<p>kedua</p>'), { format: 'A4' }).then(() => null, (e: unknown) => e);
    expect(waiting).to.be.instanceOf(PdfQueueTimeoutError);
    expect((waiting as Error).message).to.match(/^Layanan PDF sedang sibuk/);
    expect(isPdf(await first)).to.equal(true);
    for (let i = 0; i < 2; i++) {
      expect(await r.render(doc('<p>lambat</p>'), { format: 'A4', timeoutMs: 1 }).then(() => null, (e: unknown) => e)).to.be.instanceOf(PdfTimeoutError);
    }
    expect(pdfText(await r.render(doc('<p>pulih</p>'), { format: 'A4' }))).to.include('pulih');
    expect(r.stats()).to.include({ launches: 2, timeouts: 2 });
  });

  it('recovers from a browser crash: the next render launches a new browser', async () => {
    const r = renderer({ poolSize: 2 });
    expect(isPdf(await r.render(doc('<p>Sebelum</p>'), { format: 'A4' }))).to.equal(true);
    expect(r.stats().launches).to.equal(1);
    await r.killBrowserForTests();
    const pdf = await r.render(doc('<p>Sesudah crash</p>'), { format: 'A4' });
    expect(pdfText(pdf)).to.include('Sesudah crash');
    expect(r.stats().launches).to.equal(2);
  });

  it('recovers renders in flight when the browser dies under them', async () => {
    const r = renderer({ poolSize: 2 });
    await r.render(doc('<p>pemanasan</p>'), { format: 'A4' });
    const big = doc(Array.from({ length: 400 }, (_, i) => `<p>Baris ${i}</p>`).join(''));
    const all = Promise.all(Array.from({ length: 4 }, () => r.render(big, { format: 'A4' })));
    while (r.stats().active === 0) await new Promise((resolve) => setImmediate(resolve));
    await r.killBrowserForTests();
    const pdfs = await all;
    for (const pdf of pdfs) expect(pdfText(pdf)).to.include('Baris 399');
    expect(r.stats().launches).to.equal(2);
    expect(r.stats().retries, 'renders retried on the new browser').to.be.at.least(1);
  });

  it('closes its browser and then refuses renders', async () => {
    const r = renderer({ poolSize: 1 });
    await r.render(doc('<p>x</p>'), { format: 'A4' });
    const proc = r.browserProcess()!;
    expect(proc.exitCode).to.equal(null);
    await r.close();
    await r.close();
    expect(proc.exitCode !== null || proc.signalCode !== null, 'Chromium still running').to.equal(true);
    const err = await r.render(doc('<p>x</p>'), { format: 'A4' }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(PdfRendererClosedError);
  });
});
