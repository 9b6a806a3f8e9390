import { expect } from 'chai';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { createDevCa, issueSignerP12, type DevCa } from '../platform/devCa';
import { LocalP12Transport, byteRangeDigest, cmsForDigest, nativeSigner, openP12, prepareSignature, type SignRequest } from '../platform/pdfSign';
import { verifyPdfSignatures, type VerifyReport } from '../lib/pdf/pdfVerify';
import { PdfDict, PdfRef, PdfRevision, canonical } from '../lib/pdf/pdfObjects';

/**
 * Issue #15 §3: the published attack classes on PDF signatures, each hand-made here in code, alone
 * and followed by a genuine countersignature from the same CA (the app's own signer). Each must be
 * caught: the attacked signature is not "sah", with the exact reason.
 * Mladenov et al., "1 Trillion Dollar Refund" (ISA, USF, SWA); Mainka et al., shadow attacks
 * (hide, replace, hide-and-replace); pdf-insecurity.org.
 */
const PASS = 'serangan-uji-1';
const A = { name: 'Dr. Hendra Wiratama, S.Kom., M.T.', nip: '197204112000031003' };
const B = { name: 'Ratna Kusumawardani, S.Sos., M.Si.', nip: '197809232003122004' };

describe('Signature verification against published PDF signature attacks', function () {
  this.timeout(60_000);
  let ca: DevCa;
  let p12A: Buffer;
  let p12B: Buffer;
  let base: Buffer;
  let shadowBase: Buffer;
  let contentNum: number;
  let pageNum: number;
  let shadowOffset: number;
  const req = (over: Partial<SignRequest> = {}): SignRequest => ({ reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(Date.now() - 60_000), passphrase: PASS, ...over });
  const verify = (pdf: Buffer): VerifyReport => verifyPdfSignatures(pdf, { trustAnchors: [ca.certPem] });
  const signA = (pdf: Buffer) => new LocalP12Transport(p12A).sign(pdf, req());
  const countersign = (pdf: Buffer) => new LocalP12Transport(p12B).sign(pdf, req({ reason: 'Mengesahkan' }));

  /** Append an incremental update (objects, then an xref table and trailer unless xref: false). */
  function appendUpdate(pdf: Buffer, objs: [number, string][], o: { xref?: boolean; root?: number; entries?: [number, number][] } = {}): Buffer {
    const rev = new PdfRevision(pdf);
    let out = pdf.toString('latin1');
    if (!out.endsWith('\n')) out += '\n';
    const offs: [number, number][] = [...(o.entries ?? [])];
    for (const [n, body] of objs) { offs.push([n, out.length]); out += `${n} 0 obj\n${body}\nendobj\n`; }
    if (o.xref === false) return Buffer.from(out, 'latin1');
    const at = out.length;
    out += 'xref\n';
    for (const [n, off] of offs.sort((x, y) => x[0] - y[0])) out += `${n} 1\n${String(off).padStart(10, '0')} 00000 n\r\n`;
    const size = Math.max(Number(rev.trailer.get('Size')), ...offs.map((x) => x[0] + 1));
    const root = o.root ?? (rev.trailer.get('Root') as PdfRef).num;
    const info = rev.trailer.get('Info');
    const id = rev.trailer.get('ID');
    out += `trailer\n<< /Size ${size} /Root ${root} 0 R${info ? ` /Info ${canonical(info)}` : ''}${id ? ` /ID ${canonical(id)}` : ''} /Prev ${rev.startxref} >>\nstartxref\n${at}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  }
  const stream = (s: string) => `<< /Length ${s.length} >>\nstream\n${s}\nendstream`;
  const EVIL = 'BT /F1 24 Tf 72 600 Td (DIBAYAR Rp 1.000.000.000) Tj ET';
  const nextNum = (pdf: Buffer) => Number(new PdfRevision(pdf).trailer.get('Size'));

  /** Expect signature #1 not valid with `reason`; with a countersignature, #2 valid and the file not valid. */
  function caught(r: VerifyReport, reason: string | RegExp, countersigned = false) {
    const s1 = r.signatures[0];
    expect(r.valid, 'the file is not valid').to.equal(false);
    expect(s1, 'signature #1 found').to.not.equal(undefined);
    expect(s1.valid, 'signature #1 is not sah').to.equal(false);
    const all = s1.problems.join(' | ');
    if (typeof reason === 'string') expect(all).to.include(reason); else expect(all).to.match(reason);
    if (countersigned) {
      const last = r.signatures[r.signatures.length - 1];
      expect(last.signerName).to.equal(B.name);
      expect(last.valid, `the countersignature itself is genuine: ${last.problems.join('; ')}`).to.equal(true);
    }
  }

  before(async () => {
    ca = createDevCa();
    p12A = issueSignerP12(ca, A, PASS);
    p12B = issueSignerP12(ca, B, PASS);
    const d = await PDFDocument.create();
    const font = await d.embedFont(StandardFonts.Helvetica);
    const page = d.addPage([595, 842]);
    page.drawText('SURAT KEPUTUSAN: pembayaran Rp 1.000', { x: 72, y: 700, size: 12, font });
    base = Buffer.from(await d.save({ useObjectStreams: false }));
    const rev = new PdfRevision(base);
    const pages = rev.dict(rev.root()!.get('Pages'))!;
    pageNum = (rev.array(pages.get('Kids'))![0] as PdfRef).num;
    const c = rev.dict(rev.get(pageNum))!.get('Contents');
    contentNum = ((Array.isArray(c) ? c[0] : c) as PdfRef).num;
    // Shadow "replace" preparation, before signing: a second version of the content stream, in
    // the file but not selected by any xref (an update whose xref names only the page again).
    const pageBody = canonical(rev.get(pageNum));
    const withShadow = appendUpdate(base, [[contentNum, stream(EVIL)], [pageNum, pageBody]], { xref: false });
    shadowOffset = base.length + 1;
    // the xref of that update lists only the page (rewritten identically), not the shadow copy
    const pageAt = withShadow.toString('latin1').lastIndexOf(`${pageNum} 0 obj`);
    shadowBase = appendUpdate(withShadow, [], { entries: [[pageNum, pageAt]] });
    expect(withShadow.subarray(shadowOffset, shadowOffset + 8).toString('latin1')).to.match(new RegExp(`^${contentNum} 0 obj`));
  });

  it('the untouched originals: one and two genuine signatures are sah', async () => {
    const one = await signA(base);
    expect(verify(one).valid).to.equal(true);
    const two = await countersign(one);
    const r = verify(two);
    expect(r.valid, JSON.stringify(r.signatures.map((s) => s.problems))).to.equal(true);
    expect(r.signatures[0].laterAdditions).to.include('tanda tangan berikutnya');
    const sh = verify(await signA(shadowBase));
    expect(sh.valid, 'a shadow copy that no xref selects does not change what was signed').to.equal(true);
  });

  describe('Incremental Saving Attack (ISA)', () => {
    for (const cs of [false, true]) {
      it(`a revision that changes the page content, with a new xref and trailer${cs ? ', then a countersignature' : ''}`, async () => {
        let pdf = appendUpdate(await signA(base), [[contentNum, stream(EVIL)]]);
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), `diubah setelah ditandatangani: objek ${contentNum} (aliran (stream) konten) diubah`, cs);
      });
      it(`objects appended without xref or trailer (read by repairing readers)${cs ? ', then a countersignature' : ''}`, async () => {
        let pdf = appendUpdate(await signA(base), [[contentNum, stream(EVIL)]], { xref: false });
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), `objek ${contentNum} 0 (aliran (stream) konten) di posisi`, cs);
        expect(verify(pdf).signatures[0].problems.join()).to.include('ditambahkan tanpa entri xref');
      });
      it(`a new page and a non-signature annotation${cs ? ', then a countersignature' : ''}`, async () => {
        const signed = await signA(base);
        const rev = new PdfRevision(signed);
        const n = nextNum(signed);
        const page = rev.dict(rev.get(pageNum))!;
        const annots = rev.array(page.get('Annots')) ?? [];
        const newPage = new PdfDict(new Map(page.map));
        newPage.map.set('Annots', [...annots, new PdfRef(n, 0)]);
        let pdf = appendUpdate(signed, [[n, '<< /Type /Annot /Subtype /FreeText /Rect [72 590 500 630] /Contents (DIBAYAR) /DA (/Helv 20 Tf 0 g) >>'], [pageNum, canonical(newPage)]]);
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), 'anotasi /FreeText baru di halaman 1', cs);
      });
    }
  });

  describe('Universal Signature Forgery (USF)', () => {
    /** A signature prepared by the app's own code, its CMS genuine over the right ranges, then one field broken. */
    async function forged(onto: Buffer, mutate: (s: string, br: number[]) => string): Promise<Buffer> {
      const prep = await prepareSignature(onto, { reason: 'Palsu', location: 'X', signingTime: new Date() });
      const cms = await cmsForDigest(byteRangeDigest(prep.pdf, prep.byteRange), nativeSigner(openP12(p12A, PASS)));
      prep.pdf.write(cms.toString('hex'), prep.byteRange[1] + 1, 'latin1');
      const s = prep.pdf.toString('latin1');
      const out = mutate(s, prep.byteRange);
      expect(out.length, 'same length: no offset moves').to.equal(s.length);
      return Buffer.from(out, 'latin1');
    }
    const blank = (s: string, from: number, len: number, repl = '') => s.slice(0, from) + repl + ' '.repeat(len - repl.length) + s.slice(from + len);
    const contentsAt = (s: string, br: number[]) => { const at = s.lastIndexOf('/Contents <', br[1]); return { at, len: br[2] - at }; };
    const brAt = (s: string, br: number[]) => { const at = s.lastIndexOf('/ByteRange [', br[1]); return { at, len: s.indexOf(']', at) + 1 - at }; };
    const cases: [string, (s: string, br: number[]) => string, string][] = [
      ['/Contents missing', (s, br) => { const c = contentsAt(s, br); return blank(s, c.at, c.len); }, 'isi tanda tangan (/Contents) tidak ada'],
      ['/Contents empty', (s, br) => { const c = contentsAt(s, br); return blank(s, c.at, c.len, '/Contents <>'); }, 'isi tanda tangan (/Contents) kosong'],
      ['/Contents null', (s, br) => { const c = contentsAt(s, br); return blank(s, c.at, c.len, '/Contents null'); }, 'isi tanda tangan (/Contents) bukan string'],
      ['/Contents zero-length (all zeros)', (s, br) => s.slice(0, br[1] + 1) + '0'.repeat(br[2] - br[1] - 2) + s.slice(br[2] - 1), 'hanya berisi nol'],
      ['/ByteRange missing', (s, br) => { const b = brAt(s, br); return blank(s, b.at, b.len); }, '/ByteRange tidak ada'],
      ['/ByteRange malformed', (s, br) => { const b = brAt(s, br); return blank(s, b.at, b.len, `/ByteRange [0 ${br[1]} ${br[2]}]`); }, '/ByteRange tidak sah (harus empat bilangan bulat tak negatif)'],
      ['/ByteRange [0 0 0 0]', (s, br) => { const b = brAt(s, br); return blank(s, b.at, b.len, '/ByteRange [0 0 0 0]'); }, '/ByteRange [0 0 0 0] tidak mencakup isi dokumen'],
      ['/ByteRange negative', (s, br) => { const b = brAt(s, br); return blank(s, b.at, b.len, `/ByteRange [0 ${br[1]} ${br[2]} -${br[3]}]`); }, '/ByteRange tidak sah'],
      ['/ByteRange pointing outside the file', (s, br) => { const b = brAt(s, br); return blank(s, b.at, b.len, `/ByteRange [0 ${br[1]} ${br[2]} ${br[3] + 99999}]`); }, '/ByteRange melewati akhir berkas'],
      ['/ByteRange covering less than /Contents encloses', (s, br) => { const b = brAt(s, br); return blank(s, b.at, b.len, `/ByteRange [0 ${br[1] - 10} ${br[2]} ${br[3]}]`); }, '/ByteRange tidak tepat mengapit /Contents'],
    ];
    for (const [name, mutate, reason] of cases) {
      for (const cs of [false, true]) {
        it(`${name}${cs ? ', then a countersignature' : ''}`, async () => {
          let pdf = await forged(base, mutate);
          if (cs) pdf = await countersign(pdf);
          caught(verify(pdf), reason, cs);
        });
      }
    }
  });

  describe('Signature Wrapping Attack (SWA)', () => {
    /** A genuine signature whose /ByteRange sits after /Contents (as some signers write it). */
    async function signedBrAfterContents(): Promise<{ pdf: Buffer; br: number[] }> {
      const prep = await prepareSignature(base, { reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(Date.now() - 60_000) });
      let s = prep.pdf.toString('latin1');
      const brStart = s.lastIndexOf('/ByteRange [', prep.byteRange[1]);
      const brLine = s.slice(brStart, s.indexOf('\n', brStart));
      const cStart = s.lastIndexOf('/Contents <', prep.byteRange[1]);
      const cLine = s.slice(cStart, prep.byteRange[2]);
      // swap the two lines (same total length: no other offset moves)
      s = s.slice(0, brStart) + cLine + '\n' + brLine + s.slice(prep.byteRange[2]);
      const lt = brStart + '/Contents '.length;
      const end = lt + (prep.byteRange[2] - prep.byteRange[1]);
      const br = [0, lt, end, s.length - end];
      const brText = `/ByteRange [${br.join(' ')}]`;
      const at = s.indexOf('/ByteRange [', end);
      s = s.slice(0, at) + brText + ' '.repeat(brLine.length - brText.length) + s.slice(at + brLine.length);
      const pdf = Buffer.from(s, 'latin1');
      const cms = await cmsForDigest(byteRangeDigest(pdf, br), nativeSigner(openP12(p12A, PASS)));
      pdf.write(cms.toString('hex'), br[1] + 1, 'latin1');
      return { pdf, br };
    }

    it('the genuine layout with /ByteRange after /Contents verifies', async () => {
      const { pdf } = await signedBrAfterContents();
      const r = verify(pdf);
      expect(r.valid, r.signatures[0]?.problems.join('; ')).to.equal(true);
    });

    for (const cs of [false, true]) {
      it(`the signed second range relocated, a new /ByteRange and new objects inserted in the freed space${cs ? ', then a countersignature' : ''}`, async () => {
        const { pdf: orig, br } = await signedBrAfterContents();
        const fin = new PdfRevision(orig);
        const s = orig.toString('latin1');
        const cms = s.slice(br[1], br[2]); // <hex>
        const evilNum = Number(fin.trailer.get('Size'));
        const head = s.slice(0, br[1]);
        let gap = `${cms.slice(0, 4000)}>\n/ByteRange [0 ${br[1]} BBBBBBBBBB ${br[3]}]\n>>\nendobj\n${evilNum} 0 obj\n${stream(EVIL)}\nendobj\n`;
        const relocatedAt = head.length + gap.length + 64;
        gap = gap.replace('BBBBBBBBBB', String(relocatedAt).padStart(10, ' '));
        gap += ' '.repeat(relocatedAt - head.length - gap.length);
        let out = head + gap + s.slice(br[2]);
        // a full xref for the new layout: the old objects (moved when they were in the second range) and the new one
        const shift = relocatedAt - br[2];
        const rows: [number, number][] = [];
        for (const [n, e] of fin.table) if (e.type === 1) rows.push([n, e.offset < br[1] ? e.offset : e.offset + shift]);
        rows.push([evilNum, head.length + gap.indexOf(`${evilNum} 0 obj`)]);
        // ...and the page now draws the inserted content
        const page = fin.dict(fin.get(pageNum))!;
        const np = new PdfDict(new Map(page.map));
        np.map.set('Contents', new PdfRef(evilNum, 0));
        const pageAt = out.length;
        out += `${pageNum} 0 obj\n${canonical(np)}\nendobj\n`;
        const xrefAt = out.length;
        const byNum = new Map(rows);
        byNum.set(pageNum, pageAt);
        out += `xref\n0 1\n0000000000 65535 f\r\n`;
        for (const [n, off] of [...byNum].sort((a, b) => a[0] - b[0])) out += `${n} 1\n${String(off).padStart(10, '0')} 00000 n\r\n`;
        out += `trailer\n<< /Size ${evilNum + 1} /Root ${canonical(fin.trailer.get('Root'))}${fin.trailer.get('Info') ? ` /Info ${canonical(fin.trailer.get('Info'))}` : ''} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
        let pdf: Buffer = Buffer.from(out, 'latin1');
        // the relocated bytes are exactly the signed ones: the digest over the new /ByteRange still matches
        const nbr = [0, br[1], relocatedAt, br[3]];
        expect(byteRangeDigest(pdf, nbr).equals(byteRangeDigest(orig, br))).to.equal(true);
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), '/ByteRange tidak tepat mengapit /Contents tanda tangan ini (signature wrapping', cs);
      });
    }
  });

  describe('Shadow attacks', () => {
    for (const cs of [false, true]) {
      it(`hide: an overlay signed over the content, removed by a later update${cs ? ', then a countersignature' : ''}`, async () => {
        // prepared before signing: the page draws the hidden text, then a white box over it
        const d = await PDFDocument.load(base);
        const font = await d.embedFont(StandardFonts.Helvetica);
        const pg = d.getPage(0);
        pg.drawText('DIBAYAR Rp 1.000.000.000', { x: 72, y: 600, size: 24, font });
        pg.drawRectangle({ x: 60, y: 590, width: 420, height: 40, color: rgb(1, 1, 1) });
        const prepared = Buffer.from(await d.save({ useObjectStreams: false }));
        const signed = await signA(prepared);
        const rev = new PdfRevision(signed);
        const pn = (rev.array(rev.dict(rev.root()!.get('Pages'))!.get('Kids'))![0] as PdfRef).num;
        const page = rev.dict(rev.get(pn))!;
        const contents = rev.array(page.get('Contents'))!;
        expect(contents.length).to.be.greaterThan(1);
        // the overlay is the last content stream: an update drops it, revealing the hidden text
        const np = new PdfDict(new Map(page.map));
        np.map.set('Contents', contents.slice(0, -1));
        let pdf = appendUpdate(signed, [[pn, canonical(np)]]);
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), 'halaman 1 diubah (/Contents)', cs);
      });

      it(`replace: a second version of an object, in the signed bytes, selected by a later xref${cs ? ', then a countersignature' : ''}`, async () => {
        const signed = await signA(shadowBase);
        let pdf = appendUpdate(signed, [], { entries: [[contentNum, shadowOffset]] });
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), `objek ${contentNum} (aliran (stream) konten) diubah: xref yang ditambahkan kemudian memilih versi lain objek ini yang sudah ada di bagian bertanda tangan (shadow attack)`, cs);
      });

      it(`hide-and-replace: a shadow document in the signed file, the trailer's /Root switched to it${cs ? ', then a countersignature' : ''}`, async () => {
        // prepared before signing: a complete second catalog / pages / page with other content, referenced by nothing
        const n = nextNum(base);
        const rev = new PdfRevision(base);
        const page = rev.dict(rev.get(pageNum))!;
        const np = new PdfDict(new Map(page.map));
        np.map.set('Parent', new PdfRef(n + 1, 0));
        np.map.set('Contents', new PdfRef(n + 3, 0));
        const prepared = appendUpdate(base, [
          [n, `<< /Type /Catalog /Pages ${n + 1} 0 R >>`], [n + 1, `<< /Type /Pages /Kids [${n + 2} 0 R] /Count 1 >>`],
          [n + 2, canonical(np)], [n + 3, stream(EVIL)],
        ]);
        const signed = await signA(prepared);
        let pdf = appendUpdate(signed, [], { root: n });
        if (cs) pdf = await countersign(pdf);
        caught(verify(pdf), 'katalog dokumen (/Root) diganti dengan objek lain', cs);
      });
    }
  });

  describe('DocMDP certification of the first signature', () => {
    async function certified(p: 1 | 2 | 3): Promise<Buffer> {
      const prep = await prepareSignature(base, { reason: 'x'.repeat(80), location: 'Sindangraja', signingTime: new Date(Date.now() - 60_000) });
      let s = prep.pdf.toString('latin1');
      const at = s.indexOf('/Reason <', prep.byteRange[2]);
      const end = s.indexOf('>', at) + 1;
      const ref = `/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${p} /V /1.2 >> >>]`;
      expect(ref.length).to.be.lessThan(end - at);
      s = s.slice(0, at) + ref + ' '.repeat(end - at - ref.length) + s.slice(end);
      const pdf = Buffer.from(s, 'latin1');
      const cms = await cmsForDigest(byteRangeDigest(pdf, prep.byteRange), nativeSigner(openP12(p12A, PASS)));
      pdf.write(cms.toString('hex'), prep.byteRange[1] + 1, 'latin1');
      return pdf;
    }
    it('P=1 (no changes): alone sah; a countersignature after it violates the permission', async () => {
      const one = await certified(1);
      const r1 = verify(one);
      expect(r1.valid, r1.signatures[0].problems.join('; ')).to.equal(true);
      expect(r1.signatures[0].certification).to.deep.equal({ p: 1 });
      caught(verify(await countersign(one)), 'melanggar izin sertifikasi DocMDP P=1 (tidak boleh ada perubahan): kolom tanda tangan baru; tanda tangan berikutnya', true);
    });
    it('P=2 allows a countersignature, not a content change', async () => {
      const two = await countersign(await certified(2));
      expect(verify(two).valid).to.equal(true);
      caught(verify(appendUpdate(two, [[contentNum, stream(EVIL)]])), 'melanggar izin sertifikasi DocMDP P=2');
    });
  });
});
