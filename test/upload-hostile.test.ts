import zlib from 'node:zlib';
import { expect } from 'chai';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { Blob, Disposition, DispositionReport, IncomingLetter, LetterFile, OutgoingAttachment } from '../models';
import { blobStore } from '../platform/blobstore';
import { DEFAULT_PDF_LIMITS, scanPdf } from '../lib/pdf/pdfBounds';
import { today } from '../platform/dates';
import { appendPdfAttachments, pdfPageCount } from '../modules/templat/letterRender';
import { sendDispositions } from '../modules/disposisi/dispositionSender';
import { csrfOf, signIn, textOf, type Agent } from './helpers/app';
import { actorOf, buildAgency, buildLetter, pdfBytes, positionByRole, uniq } from './helpers/factories';
import { createDraftVia, draftOf } from './helpers/outgoing';

/**
 * Hostile files on every upload route (issue #13, items 7-9): a PDF that inflates to 150 MB
 * is refused before anything loads it; a PDF with JavaScript is never shown inline, and its
 * scripts never reach an outgoing letter; a refused upload leaves no blob behind.
 */

/** A 150 KB PDF whose object stream inflates to `mb` MB: a decompression bomb. */
function bombPdf(mb = 150): Buffer {
  const data = zlib.deflateSync(Buffer.alloc(mb * 1024 * 1024, 0x20), { level: 9 });
  const head = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [4 0 R] /Count 1 >>\nendobj\n'
    + '4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n'
    + `3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${data.length} >>\nstream\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), data, Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 5 >>\n%%EOF\n', 'latin1')]);
}

/** A two-page PDF that runs JavaScript on opening, on a page's open action, and from a link. */
async function scriptedPdf(o: { objectStreams?: boolean } = {}): Promise<Buffer> {
  const d = await PDFDocument.create();
  const p1 = d.addPage([595, 842]);
  p1.drawText('Lampiran dengan skrip', { x: 72, y: 760, size: 18 });
  d.addPage([595, 842]).drawText('Halaman dua', { x: 72, y: 760, size: 18 });
  const ctx = d.context;
  const js = (code: string) => ctx.register(ctx.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(code) }));
  d.catalog.set(PDFName.of('OpenAction'), js('app.alert("dibuka")'));
  p1.node.set(PDFName.of('AA'), ctx.obj({ O: js('app.alert("halaman")') }));
  const link = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [72, 700, 300, 730], A: js('this.submitForm("http://127.0.0.1:9/curi")') }));
  const uri = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [72, 650, 300, 680], A: ctx.obj({ S: 'URI', URI: PDFString.of('https://domain.go.id/') }) }));
  p1.node.set(PDFName.of('Annots'), ctx.obj([link, uri]));
  return Buffer.from(await d.save({ useObjectStreams: o.objectStreams ?? false }));
}

/** Blob files in the store (what an orphan would add to). */
async function blobFiles(): Promise<number> {
  let n = 0;
  for await (const _ of blobStore().list()) n++;
  return n;
}

async function expectNoBlobLeft<T>(fn: () => Promise<T>): Promise<T> {
  const files = await blobFiles();
  const rows = await Blob.count();
  const out = await fn();
  expect(await blobFiles(), 'blob files left behind by a refused upload').to.equal(files);
  expect(await Blob.count(), 'blob rows left behind by a refused upload').to.equal(rows);
  return out;
}

describe('PDF bounds before any PDF library loads a file (lib/pdfBounds)', () => {
  it('measures an ordinary PDF: pages, objects, no active content', async () => {
    const scan = await scanPdf(pdfBytes('Surat biasa'));
    expect(scan.ok).to.equal(true);
    if (!scan.ok) return;
    expect(scan.pages).to.equal(1);
    expect(scan.activeContent).to.deep.equal([]);
  });

  it('refuses an object stream that inflates to 150 MB, without keeping it in memory or blocking the event loop', async () => {
    const bomb = bombPdf(150);
    expect(bomb.length).to.be.below(400 * 1024);
    const rss = process.memoryUsage().rss;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = Date.now();
    const scan = await scanPdf(bomb);
    clearInterval(timer);
    expect(scan).to.deep.include({ ok: false, reason: 'structure' });
    if (!scan.ok) expect(scan.message).to.include('mengembang melebihi 64 MB');
    expect(process.memoryUsage().rss - rss, 'the inflated bytes are counted, not kept').to.be.below(60 * 1024 * 1024);
    expect(ticks, `the event loop ran while ${Date.now() - t0} ms of inflation went on`).to.be.above(0);
  });

  it('bounds all inflated content, object counts and pages, also inside compressed object streams', async () => {
    const d = await PDFDocument.create();
    for (let i = 0; i < 12; i++) d.addPage().drawText(`Halaman ${i + 1}`);
    const packed = Buffer.from(await d.save({ useObjectStreams: true }));
    expect(packed.toString('latin1')).to.not.match(/\/Type\s*\/Page[^s]/, 'page objects are inside the compressed object stream');
    const whole = await scanPdf(packed);
    expect(whole.ok && whole.pages).to.equal(12);
    expect(await scanPdf(packed, { ...DEFAULT_PDF_LIMITS, maxPages: 10 })).to.deep.include({ ok: false, reason: 'pages' });
    expect(await scanPdf(packed, { ...DEFAULT_PDF_LIMITS, maxObjects: 20 })).to.deep.include({ ok: false, reason: 'objects' });
    const content = Buffer.concat([Buffer.from('%PDF-1.4\n5 0 obj\n<< /Filter /FlateDecode >>\nstream\n'), zlib.deflateSync(Buffer.alloc(4 * 1024 * 1024)), Buffer.from('\nendstream\nendobj\n')]);
    expect(await scanPdf(content, { ...DEFAULT_PDF_LIMITS, maxInflatedBytes: 1024 * 1024 })).to.deep.include({ ok: false, reason: 'inflated' });
  });

  it('finds JavaScript hidden in a compressed object stream', async () => {
    const pdf = await scriptedPdf({ objectStreams: true });
    expect(pdf.toString('latin1')).to.not.include('/JavaScript');
    const scan = await scanPdf(pdf);
    expect(scan.ok && scan.activeContent).to.include.members(['JavaScript', 'JS', 'OpenAction', 'AA']);
  });
});

describe('Hostile uploads on every upload route', function () {
  this.timeout(120_000);

  async function postLetter(agent: Agent, files: { field: string; data: Buffer; name: string }[]) {
    const page = await agent.get('/surat-masuk/baru');
    const key = /name="submissionKey" value="([0-9a-f]{32})"/.exec(page.text)![1];
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const req = agent.post(`/surat-masuk?_csrf=${encodeURIComponent(token)}`);
    const agency = await buildAgency();
    const fields = {
      submissionKey: key, senderNumber: uniq('400.14/'), letterDate: today(), receivedDate: today(), senderAgencyId: String(agency.id),
      perihal: uniq('Permohonan Berkas Berbahaya '), sifat: 'biasa', urgensi: 'biasa', klasifikasi: '400.14.2.1',
      jenisNaskah: 'surat_permohonan', lampiran: '', summary: '', addressedPositionId: String((await positionByRole('kepala')).id),
    };
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    for (const f of files) req.attach(f.field, f.data, f.name);
    return { res: await req, perihal: fields.perihal };
  }

  it('registration: a PDF bomb as the scan is refused with a message; nothing stored', async () => {
    const agent = await signIn('sekretariat');
    const { res, perihal } = await expectNoBlobLeft(() => postLetter(agent, [{ field: 'scan', data: bombPdf(), name: 'bom.pdf' }]));
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.include('Berkas "bom.pdf" ditolak: PDF ini strukturnya mengembang melebihi 64 MB saat dibuka.');
    expect(await IncomingLetter.count({ where: { perihal } })).to.equal(0);
  });

  it('a scanned letter with JavaScript is served only as a download, with a sandbox CSP; an ordinary scan inline', async () => {
    const agent = await signIn('sekretariat');
    const { res, perihal } = await postLetter(agent, [{ field: 'scan', data: await scriptedPdf({ objectStreams: true }), name: 'berskrip.pdf' }, { field: 'lampiranFiles', data: pdfBytes('Lampiran biasa'), name: 'biasa.pdf' }]);
    expect(res.status, textOf(res.text).slice(0, 500)).to.equal(303);
    const letter = (await IncomingLetter.findOne({ where: { perihal } }))!;
    const [scripted, plain] = ['berskrip.pdf', 'biasa.pdf'].map(async (n) => (await LetterFile.findOne({ where: { letterId: letter.id, originalName: n } }))!);
    const a = await agent.get(`/berkas/${(await scripted).id}`);
    expect(a.status).to.equal(200);
    expect(a.headers['content-disposition']).to.match(/^attachment;/);
    expect(a.headers['content-security-policy']).to.equal('sandbox');
    expect(a.headers['x-content-type-options']).to.equal('nosniff');
    const b = await agent.get(`/berkas/${(await plain).id}`);
    expect(b.headers['content-disposition']).to.match(/^inline;/);
    expect(b.headers['content-security-policy']).to.equal('sandbox');
  });

  async function ownDraft() {
    const agency = await buildAgency({ name: uniq('Dinas Uji Berkas ') });
    await agency.update({ headTitle: `Kepala ${agency.name}` });
    const via = (await actorOf('staf.egov1')).holdings[0].positionId;
    const letter = await buildLetter({ perihal: `Permohonan Subdomain ${uniq('uji')}.sindangrajakab.go.id`, senderAgencyId: agency.id, klasifikasi: '400.14.2.1', addressedPositionId: via });
    const agent = await signIn('staf.egov1');
    const { res } = await createDraftVia(agent, { balas: letter.id }, { f_keputusan: 'aktif', f_tanggalAktif: today() });
    return { agent, draft: await draftOf(res) };
  }
  const postLampiran = async (agent: Agent, draftId: number, lockVersion: number, files: { data: Buffer; name: string }[]) => {
    const token = await csrfOf(agent, `/surat-keluar/${draftId}`);
    const req = agent.post(`/surat-keluar/${draftId}/lampiran?_csrf=${encodeURIComponent(token)}`).field('lockVersion', String(lockVersion));
    for (const f of files) req.attach('lampiranFiles', f.data, f.name);
    return req;
  };

  it('draft lampiran: a batch with one bad file stores none of it; a bomb is refused; a stale version takes its files back', async () => {
    const { agent, draft } = await ownDraft();
    const mixed = await expectNoBlobLeft(() => postLampiran(agent, draft.id, draft.lockVersion, [{ data: pdfBytes(uniq('Lampiran baik ')), name: 'baik.pdf' }, { data: Buffer.from('bukan pdf sama sekali'), name: 'buruk.pdf' }]));
    expect(mixed.status).to.equal(422);
    expect(textOf(mixed.text)).to.include('Berkas "buruk.pdf" bukan PDF, JPEG, atau PNG');
    const bomb = await expectNoBlobLeft(() => postLampiran(agent, draft.id, draft.lockVersion, [{ data: bombPdf(), name: 'bom.pdf' }]));
    expect(bomb.status).to.equal(422);
    expect(textOf(bomb.text)).to.include('mengembang melebihi');
    const stale = await expectNoBlobLeft(() => postLampiran(agent, draft.id, draft.lockVersion - 1, [{ data: pdfBytes(uniq('Lampiran basi ')), name: 'basi.pdf' }]));
    expect(stale.status).to.equal(303);
    expect(textOf((await agent.get(stale.headers.location)).text)).to.include('Konsep ini baru saja diubah oleh pengguna lain.');
    expect(await OutgoingAttachment.count({ where: { letterId: draft.id } })).to.equal(0);
  });

  it('an appended lampiran brings its pages to the letter PDF, never its scripts or actions', async () => {
    const letter = await PDFDocument.create();
    letter.addPage().drawText('Surat Balasan');
    const base = Buffer.from(await letter.save({ useObjectStreams: false }));
    for (const objectStreams of [false, true]) {
      const out = await appendPdfAttachments(base, [await scriptedPdf({ objectStreams })]);
      expect(pdfPageCount(out)).to.equal(3);
      const scan = await scanPdf(out);
      expect(scan.ok && scan.activeContent, 'no script, submit or open action in the outgoing letter').to.deep.equal([]);
      expect(out.toString('latin1')).to.include('https://domain.go.id/', 'a plain web link stays');
    }
    const err = await appendPdfAttachments(base, [bombPdf()]).then(() => null, (e: Error) => e);
    expect(err?.message).to.include('Lampiran PDF ke-1 tidak dapat digabungkan ke surat (PDF ini strukturnya mengembang melebihi 64 MB saat dibuka)');
  });

  it('disposition report: a batch with a bad file, a bomb, or a stale version leaves no blob behind', async () => {
    const letter = await buildLetter();
    const sek = await positionByRole('sekretaris');
    const [d] = await sendDispositions({ actor: await actorOf('kadis'), letterId: letter.id, viaPositionId: (await positionByRole('kepala')).id, form: { targets: [String(sek.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '' } });
    const agent = await signIn('sekretaris');
    await agent.get(`/surat-masuk/${letter.id}`); // opening it marks it read (a new version)
    const report = async (version: number, files: { data: Buffer; name: string }[]) => {
      const token = await csrfOf(agent, `/surat-masuk/${letter.id}`);
      const req = agent.post(`/disposisi/${d.id}/laporan?_csrf=${encodeURIComponent(token)}`).field('version', String(version)).field('body', 'Laporan dengan berkas').field('complete', '0');
      for (const f of files) req.attach('files', f.data, f.name);
      return req;
    };
    const version = (await Disposition.findByPk(d.id))!.version;
    const mixed = await expectNoBlobLeft(() => report(version, [{ data: pdfBytes(uniq('Hasil ')), name: 'hasil.pdf' }, { data: Buffer.from('<html>bukan pdf</html>'), name: 'hasil2.pdf' }]));
    expect(mixed.status).to.equal(422);
    expect(textOf(mixed.text)).to.include('Berkas "hasil2.pdf" bukan PDF, JPEG, atau PNG');
    const bomb = await expectNoBlobLeft(() => report(version, [{ data: bombPdf(), name: 'bom.pdf' }]));
    expect(bomb.status).to.equal(422);
    const stale = await expectNoBlobLeft(() => report(version - 1, [{ data: pdfBytes(uniq('Hasil basi ')), name: 'basi.pdf' }]));
    expect(stale.status).to.equal(303);
    expect(textOf((await agent.get(stale.headers.location)).text)).to.include('Disposisi ini baru saja diubah oleh pengguna lain.');
    expect(await DispositionReport.count({ where: { dispositionId: d.id } })).to.equal(0);
  });

  it('kop surat: a PDF sent as the emblem is refused and leaves no blob', async () => {
    const admin = await signIn('admin');
    const token = await csrfOf(admin, '/admin/kop-surat');
    const page = await admin.get('/admin/kop-surat');
    const req = admin.post(`/admin/kop-surat?_csrf=${encodeURIComponent(token)}`);
    for (const m of page.text.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) if (m[1] !== '_csrf') req.field(m[1], m[2]);
    const res = await expectNoBlobLeft(() => req.attach('emblem', pdfBytes(uniq('Lambang ')), 'lambang.pdf'));
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.include('Lambang harus berupa gambar PNG atau JPEG, bukan PDF.');
  });

  it('a refused upload never removes bytes another record uses (the same file uploaded twice)', async () => {
    const { agent, draft } = await ownDraft();
    const bytes = pdfBytes(uniq('Lampiran bersama '));
    const ok = await postLampiran(agent, draft.id, draft.lockVersion, [{ data: bytes, name: 'bersama.pdf' }]);
    expect(ok.status).to.equal(303);
    const att = (await OutgoingAttachment.findOne({ where: { letterId: draft.id } }))!;
    // The same bytes again with a stale version: refused, and the first attachment's blob stays.
    const stale = await postLampiran(agent, draft.id, draft.lockVersion, [{ data: bytes, name: 'lagi.pdf' }]);
    expect(stale.status).to.equal(303);
    expect(await OutgoingAttachment.count({ where: { letterId: draft.id } })).to.equal(1);
    expect(await blobStore().exists(att.blobSha)).to.equal(true);
    const dl = await agent.get(`/surat-keluar/${draft.id}/lampiran/${att.id}`);
    expect(dl.status).to.equal(200);
    expect(Buffer.compare(dl.body as Buffer, bytes)).to.equal(0);
  });
});
