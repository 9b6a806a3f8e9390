import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { AuditEvent, Blob } from '../models';
import { getSetting, setSetting } from '../platform/settings';
import { letterhead } from '../modules/templat/kop';
import { DEFAULT_LAYOUT } from '../lib/kop';
import { defaultKop } from '../platform/settings';
import { closePdfRenderer, pdfRenderer } from '../platform/pdfRenderer';
import { signIn, csrfOf, textOf, type Agent } from './helpers/app';
import { pdfBytes } from './helpers/factories';

/** A real PNG: a w x h image in one colour (each test uses its own colour, so its own blob). */
function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: w }, () => Buffer.from(rgb)))]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const VALID = {
  line1: 'Pemerintah Kabupaten Sindangraja', line2: 'Dinas Komunikasi dan Informatika', line3: '',
  address: 'Jalan Alun-Alun Utara Nomor 1, Sindangraja', phone: '(0263) 123456', fax: '(0263) 123457', postalCode: '43211',
  website: 'https://diskominfo.sindangrajakab.go.id/', email: 'diskominfo@sindangrajakab.go.id', city: 'Sindangraja',
  paper: 'A4', margin_top: '1,5', margin_right: '2', margin_bottom: '2,5', margin_left: '3,5', font: 'Times New Roman', fontSizePt: '12', lineSpacing: '1.5', parafMarks: '1',
};

/** Page size of a PDF's first page in mm (Chromium rounds to whole CSS pixels: within 0.5 mm). */
function pageMm(file: string): number[] {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(execFileSync('pdfinfo', [file]).toString())!;
  return [Number(m[1]) * 25.4 / 72, Number(m[2]) * 25.4 / 72];
}

async function post(agent: Agent, fields: Record<string, string>, file?: { data: Buffer; name: string }, csrf?: string) {
  // A refused form is sent again from the page it re-rendered (opening the page afresh starts over).
  const token = csrf ?? await csrfOf(agent, '/admin/kop-surat');
  const req = agent.post(`/admin/kop-surat?_csrf=${encodeURIComponent(token)}`);
  for (const [k, v] of Object.entries({ ...fields, _csrf: token })) req.field(k, v);
  if (file) req.attach('emblem', file.data, file.name);
  return req;
}

describe('Kop surat and layout settings', () => {
  after(() => closePdfRenderer());
  afterEach(async () => {
    await setSetting('surat.kop', defaultKop());
    await setSetting('surat.tata_letak', DEFAULT_LAYOUT);
  });

  it('shows the default letterhead from the configuration, with the built-in emblem', async () => {
    const admin = await signIn('admin');
    const page = await admin.get('/admin/kop-surat');
    expect(page.status).to.equal(200);
    const text = textOf(page.text);
    expect(text).to.include('PEMERINTAH KABUPATEN SINDANGRAJA').and.include('DINAS KOMUNIKASI DAN INFORMATIKA').and.include('Lambang bawaan');
    expect(page.text).to.match(/data-testid="kop-emblem" data-builtin="1"/);
    const lh = await letterhead();
    expect(lh.kop.city).to.equal('Sindangraja');
    expect(lh.emblemBuiltIn).to.equal(true);
    expect(lh.emblemDataUri).to.match(/^data:image\/svg\+xml;base64,/);
    expect(lh.pdf).to.deep.equal({ format: 'F4', margins: { top: '2cm', right: '2cm', bottom: '2.5cm', left: '3cm' } });
  });

  it('saves the letterhead and layout with an uploaded emblem, audited; templates get it inlined', async () => {
    const admin = await signIn('admin');
    const emblem = png(40, 48, [20, 110, 60]);
    const res = await post(admin, VALID, { data: emblem, name: 'lambang.png' });
    expect(res.status, textOf(res.text).slice(0, 400)).to.equal(303);
    const kop = await getSetting('surat.kop');
    expect(kop.lines, 'capitals').to.deep.equal(['PEMERINTAH KABUPATEN SINDANGRAJA', 'DINAS KOMUNIKASI DAN INFORMATIKA']);
    expect(kop.website).to.equal('diskominfo.sindangrajakab.go.id');
    expect(kop.emblemSha).to.match(/^[0-9a-f]{64}$/);
    expect(await Blob.findByPk(kop.emblemSha!), 'listed, so the blob sweep keeps it').to.not.equal(null);
    const layout = await getSetting('surat.tata_letak');
    expect(layout).to.deep.equal({ paper: 'A4', margins: { top: 1.5, right: 2, bottom: 2.5, left: 3.5 }, font: 'Times New Roman', fontSizePt: 12, lineSpacing: 1.5, parafMarks: true });

    const lh = await letterhead();
    expect(lh.emblemBuiltIn).to.equal(false);
    expect(Buffer.from(lh.emblemDataUri.replace(/^data:image\/png;base64,/, ''), 'base64').equals(emblem)).to.equal(true);
    expect(lh.contactLines).to.deep.equal([
      'Jalan Alun-Alun Utara Nomor 1, Sindangraja, Kode Pos 43211, Telepon (0263) 123456, Faksimile (0263) 123457',
      'Laman diskominfo.sindangrajakab.go.id, Pos-el diskominfo@sindangrajakab.go.id',
    ]);
    expect(lh.fontFamily).to.include('Liberation Serif');
    expect(lh.pdf).to.deep.equal({ format: 'A4', margins: { top: '1.5cm', right: '2cm', bottom: '2.5cm', left: '3.5cm' } });
    const ev = await AuditEvent.findOne({ where: { action: 'pengaturan.diubah', entityId: 'kop_surat' }, order: [['seq', 'DESC']] });
    expect((ev?.data('after')?.layout as { paper: string }).paper).to.equal('A4');
    expect((ev?.data('before')?.layout as { paper: string }).paper).to.equal('F4');

    const page = await admin.get('/admin/kop-surat');
    expect(page.text).to.match(/data-testid="kop-emblem" data-builtin="0"/);
    expect(textOf(page.text)).to.include('Telepon (0263) 123456');

    // Removing the emblem goes back to the built-in one.
    const removed = await post(admin, { ...VALID, removeEmblem: '1' });
    expect(removed.status).to.equal(303);
    expect((await getSetting('surat.kop')).emblemSha).to.equal(null);
    expect((await letterhead()).emblemBuiltIn).to.equal(true);
  });

  it('refuses what Tata Naskah Dinas forbids, keeps what was typed, saves nothing', async () => {
    const admin = await signIn('admin');
    const res = await post(admin, {
      ...VALID, line1: 'PEMKAB SINDANGRAJA', line2: '', margin_left: '2', margin_bottom: '2', margin_right: 'dua', email: 'bukan-email', postalCode: '432', fontSizePt: '20', paper: 'Letter', city: '',
    });
    expect(res.status).to.equal(422);
    const text = textOf(res.text);
    for (const msg of ['tanpa singkatan', 'Batas kiri minimal 3 cm (Tata Naskah Dinas)', 'Batas bawah minimal 2,5 cm', 'Batas kanan harus berupa angka',
      'Alamat pos-el tidak valid', 'Kode pos terdiri atas 5 angka', 'Ukuran huruf antara 10 dan 14 pt', 'Pilih ukuran kertas F4 atau A4', 'Tempat (nama kota)']) {
      expect(text, msg).to.include(msg);
    }
    expect(res.text, 'typed values kept').to.include('value="PEMKAB SINDANGRAJA"').and.include('value="bukan-email"');
    expect(await getSetting('surat.kop')).to.deep.equal(defaultKop());
    expect(await getSetting('surat.tata_letak')).to.deep.equal(DEFAULT_LAYOUT);
    const noLines = await post(admin, { ...VALID, line1: '', line2: '', line3: '' });
    expect(textOf(noLines.text)).to.include('Isi minimal satu baris nama');
  });

  it('takes only PNG or JPEG as emblem, and keeps an accepted emblem across a refused form', async () => {
    const admin = await signIn('admin');
    const asPdf = await post(admin, VALID, { data: pdfBytes('bukan lambang'), name: 'lambang.png' });
    expect(asPdf.status).to.equal(422);
    expect(textOf(asPdf.text)).to.include('Lambang harus berupa gambar PNG atau JPEG');
    const junk = await post(admin, VALID, { data: Buffer.from('<svg onload="alert(1)"></svg>'), name: 'lambang.svg' });
    expect(junk.status).to.equal(422);
    expect(textOf(junk.text)).to.include('bukan PDF, JPEG, atau PNG');
    expect((await getSetting('surat.kop')).emblemSha).to.equal(null);

    const emblem = png(30, 30, [200, 160, 40]);
    const refused = await post(admin, { ...VALID, margin_left: '1' }, { data: emblem, name: 'lambang-baru.png' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('data-testid="emblem-pending"');
    expect(refused.text, 'the preview shows the new emblem').to.include(`data:image/png;base64,${emblem.toString('base64')}`);
    const again = /name="_csrf" value="([^"]+)"/.exec(refused.text)![1];
    const fixed = await post(admin, VALID, undefined, again);
    expect(fixed.status).to.equal(303);
    const lh = await letterhead();
    expect(lh.emblemDataUri).to.equal(`data:image/png;base64,${emblem.toString('base64')}`);
  });

  it('puts the chosen paper and margins on the PDF page', async function () {
    this.timeout(60_000);
    await setSetting('surat.tata_letak', { ...DEFAULT_LAYOUT, paper: 'F4', margins: { top: 2, right: 2, bottom: 2.5, left: 3 } });
    const lh = await letterhead();
    const html = `<!doctype html><html><body style="margin:0;font-family:${lh.fontFamily}"><img src="${lh.emblemDataUri}" style="width:2cm"><p>${lh.kop.lines.join('<br>')}</p></body></html>`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kop-'));
    try {
      const f4 = path.join(dir, 'f4.pdf');
      fs.writeFileSync(f4, await pdfRenderer().render(html, lh.pdf));
      expect(pageMm(f4), 'F4 215 x 330 mm').to.satisfy(([w, h]: number[]) => Math.abs(w - 215) < 0.5 && Math.abs(h - 330) < 0.5);
      // Text starts at the left margin: 3 cm = 85 pt.
      const bbox = execFileSync('pdftotext', ['-bbox', f4, '-']).toString();
      const xMin = Number(/<word xMin="([\d.]+)"[^>]*>PEMERINTAH</.exec(bbox)![1]);
      expect(xMin).to.be.within(84, 88);
      await setSetting('surat.tata_letak', { ...DEFAULT_LAYOUT, paper: 'A4', margins: { top: 2, right: 2, bottom: 2.5, left: 4 } });
      const a4 = path.join(dir, 'a4.pdf');
      fs.writeFileSync(a4, await pdfRenderer().render(html, (await letterhead()).pdf));
      expect(pageMm(a4), 'A4 210 x 297 mm').to.satisfy(([w, h]: number[]) => Math.abs(w - 210) < 0.5 && Math.abs(h - 297) < 0.5);
      const x4 = Number(/<word xMin="([\d.]+)"[^>]*>PEMERINTAH</.exec(execFileSync('pdftotext', ['-bbox', a4, '-']).toString())![1]);
      expect(x4).to.be.within(111, 116);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is for administrators only', async () => {
    const kadis = await signIn('kadis');
    expect((await kadis.get('/admin/kop-surat')).status).to.equal(403);
    const res = await post(kadis, VALID).catch(() => null);
    expect(res?.status).to.equal(403);
    expect(await getSetting('surat.kop')).to.deep.equal(defaultKop());
  });
});
