/**
 * Signing benchmark (issue #5): the cost of signing one document, with the RSA signature
 * computed by Node's native crypto (platform/pdfSign.ts) against node-forge's pure-JS RSA and against
 * the whole @signpdf pipeline (placeholder-pdf-lib + signer-p12), all in the same run, p50/p95.
 *
 *   npx tsx bench/sign.ts                 # N=200 signatures per measurement
 *   npx tsx bench/sign.ts --n=500 --pdf=surat.pdf --out=/tmp/signed.pdf
 *
 * Options (argument, or environment variable):
 *   --n=N       BENCH_N   signatures per measurement, default 200 (the @signpdf baseline runs N/4)
 *   --pdf=FILE            sign this PDF (default: a two-page letter made with pdf-lib)
 *   --out=FILE            also write one signed PDF there
 *
 * "Crypto part" = SHA-256 of the signed byte ranges + signed attributes + the RSA-2048
 * signature + the CMS DER; the goal is < 10 ms. "Full sign" adds opening the P12 with its
 * passphrase (node-forge) and writing the incremental update (pdf-lib parse + append).
 * Setup: a dev CA and a signer P12 (platform/devCa.ts). Each measurement runs N/10 unmeasured first.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { createDevCa, issueSignerP12 } from '../platform/devCa';
import { byteRangeDigest, cmsForDigest, forgeSigner, LocalP12Transport, nativeSigner, openP12, prepareSignature, signPdfWith, type CmsSigner } from '../platform/pdfSign';
import { verifyPdfSignatures } from '../lib/pdf/pdfVerify';
import { arg, num, pct } from './args';

const f2 = (x: number): string => x.toFixed(2);

interface Stat { label: string; p50: number; p95: number; mean: number }

async function measure(label: string, n: number, fn: () => Promise<unknown> | unknown): Promise<Stat> {
  for (let i = 0; i < Math.max(2, Math.floor(n / 10)); i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  const s = { label, p50: pct(xs, 50), p95: pct(xs, 95), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
  console.log(`  ${label.padEnd(52)} p50 ${f2(s.p50).padStart(7)} ms   p95 ${f2(s.p95).padStart(7)} ms   (n=${n})`);
  return s;
}

async function letter(): Promise<Buffer> {
  const d = await PDFDocument.create();
  const font = await d.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < 2; p++) {
    const page = d.addPage([609, 935]);
    for (let l = 0; l < 45; l++) page.drawText(`Baris ${l + 1} halaman ${p + 1}: Dengan hormat, menindaklanjuti surat Saudara tentang permohonan subdomain ...`, { x: 85, y: 880 - l * 18, size: 10, font });
  }
  return Buffer.from(await d.save());
}

async function main(): Promise<void> {
  const n = num('n', 'BENCH_N', 200);
  const pdfArg = arg('pdf');
  const pdf = pdfArg ? fs.readFileSync(pdfArg) : await letter();
  const PASS = 'bench-passphrase';
  const ca = createDevCa();
  const p12 = issueSignerP12(ca, { name: 'Dr. Hendra Wiratama, S.Kom., M.T.', nip: '197204112000031003' }, PASS);
  const id = openP12(p12, PASS);
  const native = nativeSigner(id);
  const pureJs = forgeSigner(id);
  const req = { reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(), passphrase: PASS };
  const prepared = await prepareSignature(pdf, req);
  const crypto = (s: CmsSigner) => async () => cmsForDigest(byteRangeDigest(prepared.pdf, prepared.byteRange), s);

  console.log(`Signing benchmark: ${pdf.length} byte PDF, RSA-2048, node ${process.version}, ${n} signatures per measurement\n`);
  console.log('Crypto part (hash of byte ranges + signed attributes + RSA signature + CMS DER):');
  const cNative = await measure('native crypto.sign (platform/pdfSign.ts)', n, crypto(native));
  const cForge = await measure('node-forge pure-JS RSA (baseline)', n, crypto(pureJs));
  console.log('\nParts of a full signature:');
  const unlock = await measure('open the P12 with its passphrase (node-forge)', n, () => openP12(p12, PASS));
  const place = await measure('incremental update with placeholder (pdf-lib parse)', n, () => prepareSignature(pdf, req));
  console.log('\nFull signature (P12 + placeholder + crypto):');
  const transport = new LocalP12Transport(p12);
  let one: Buffer | null = null;
  const fNative = await measure('LocalP12Transport.sign (native RSA)', n, async () => { one = await transport.sign(pdf, req); });
  const fForge = await measure('same pipeline, node-forge RSA (baseline)', n, async () => signPdfWith(pdf, forgeSigner(openP12(p12, PASS)), req));
  const nSignpdf = Math.max(10, Math.floor(n / 4));
  const signer = new SignPdf();
  const fSignpdf = await measure('@signpdf placeholder-pdf-lib + signer-p12 (baseline)', nSignpdf, async () => {
    const doc = await PDFDocument.load(pdf);
    pdflibAddPlaceholder({ pdfDoc: doc, reason: req.reason, contactInfo: '', name: 'bench', location: req.location, subFilter: SUBFILTER_ETSI_CADES_DETACHED });
    const withPh = Buffer.from(await doc.save({ useObjectStreams: false }));
    return signer.sign(withPh, new P12Signer(p12, { passphrase: PASS }));
  });
  console.log('\nVerification:');
  await measure('verifyPdfSignatures (one signature)', n, () => verifyPdfSignatures(one!));

  const check = verifyPdfSignatures(one!, { trustAnchors: [ca.certPem] });
  if (!check.valid) throw new Error('the signed PDF does not verify');
  const out = arg('out');
  if (out) { fs.writeFileSync(out, one!); console.log(`\nwrote ${out}`); }

  console.log(`
Summary
  crypto part, native:  p50 ${f2(cNative.p50)} ms, p95 ${f2(cNative.p95)} ms   goal < 10 ms: ${cNative.p95 < 10 ? 'met' : 'NOT MET'}
  crypto part, forge:   p50 ${f2(cForge.p50)} ms, p95 ${f2(cForge.p95)} ms   native is ${f2(cForge.p50 / cNative.p50)}x faster (p50)
  full sign, native:    p50 ${f2(fNative.p50)} ms (P12 ${f2(unlock.p50)} + update ${f2(place.p50)} + crypto ${f2(cNative.p50)})
  full sign, forge RSA: p50 ${f2(fForge.p50)} ms   ratio ${f2(fForge.p50 / fNative.p50)}x
  full @signpdf:        p50 ${f2(fSignpdf.p50)} ms   ratio ${f2(fSignpdf.p50 / fNative.p50)}x
  throughput (one core, native): ~${Math.round(1000 / fNative.mean)} signatures/s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
