/**
 * Signing throughput benchmark (issue #5): the whole pipeline the app runs when a letter is
 * signed, letters per second and p50/p95 per letter, with the RSA signature computed by Node's
 * native crypto (LocalP12Transport, platform/pdfSign.ts) against the same pipeline with node-forge's
 * pure-JS RSA, in the same run.
 *
 *   npx tsx bench/sign-throughput.ts                   # N=40 letters per measurement
 *   npx tsx bench/sign-throughput.ts --n=100 --concurrency=4 --out=/tmp/surat-ttd.pdf
 *
 * Options (argument, or environment variable):
 *   --n=N            BENCH_N            letters per measurement, default 40
 *   --concurrency=C  BENCH_CONCURRENCY  letters in flight in the concurrent measurement, default 4
 *   --pool=P         BENCH_POOL         pages in the Chromium pool, default 2 (PDF_POOL_SIZE's default)
 *   --out=FILE                          also write one signed letter there
 *
 * One letter = the template body (balasan-domain-go-id with its sample data, in the template
 * sandbox), a fresh verification QR code, the final letter with the TTE stamp (QR + "Ditandatangani
 * secara elektronik oleh ...") rendered by Chromium through the page pool (renderLetterPdf), then
 * the PAdES signature: open the P12 with its passphrase, incremental update, CMS. Setup: an
 * in-memory SQLite database with the demo organization, a dev CA and an RSA-2048 signer P12.
 * N/10 (at least 2) letters of each kind are rendered and signed first, unmeasured. One at a
 * time, native and forge letters alternate; with C in flight, rounds of N/2 alternate (native,
 * forge, native, forge), so both pipelines meet the same machine load. Per letter the signing
 * part (P12 + incremental update + CMS) is also timed on its own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import QRCode from 'qrcode';
import { config } from '../config';
import { db } from '../platform/db';
import { ChromiumPdfRenderer, setPdfRenderer } from '../platform/pdfRenderer';
import { closeTemplateSandbox } from '../modules/templat/templateSandbox';
import { createDevCa, issueSignerP12 } from '../platform/devCa';
import { forgeSigner, LocalP12Transport, openP12, signPdfWith, type SignRequest } from '../platform/pdfSign';
import { verifyPdfSignatures } from '../lib/pdf/pdfVerify';
import { renderLetterPdf } from '../modules/templat/letterRender';
import { arg, num, pct } from './args';
import { benchLetterFixture } from './letterFixture';

const f1 = (x: number): string => x.toFixed(1);
const PASS = 'bench-passphrase';
const SIGNER = { name: 'Dr. Hendra Wiratama, S.Kom., M.T.', nip: '197204112000031003' };

type Signer = (pdf: Buffer, req: SignRequest) => Promise<Buffer>;

async function setUp(blobDir: string): Promise<() => Promise<Buffer>> {
  const { letterDoc } = await benchLetterFixture(blobDir);
  // The unsigned final letter with its TTE stamp, as modules/ttd/letterSigner.ts renders it.
  return async () => {
    const code = crypto.randomBytes(16).toString('base64url');
    const qrPngDataUrl = await QRCode.toDataURL(`https://naskah.sindangrajakab.go.id/verifikasi/${code}`, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
    return renderLetterPdf({
      ...(await letterDoc()),
      stamp: { qrPngDataUrl, lines: [`Ditandatangani secara elektronik oleh: ${SIGNER.name.toUpperCase()}, KEPALA DINAS KOMUNIKASI DAN INFORMATIKA`, 'Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik.'] },
    });
  };
}

async function main(): Promise<void> {
  const n = num('n', 'BENCH_N', 40);
  const concurrency = num('concurrency', 'BENCH_CONCURRENCY', 4);
  const poolSize = num('pool', 'BENCH_POOL', 2);
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-signbench-'));
  const renderer = { current: null as ChromiumPdfRenderer | null };
  try {
    const letter = await setUp(blobDir);
    const exe = config().chromiumPath;
    if (!exe) throw new Error('Chromium not found (install chromium or set CHROMIUM_PATH)');
    const ca = createDevCa();
    const p12 = issueSignerP12(ca, SIGNER, PASS);
    const req = (): SignRequest => ({ reason: 'Menandatangani surat 400.14.2.1/123/Diskominfo/2026', location: 'Kabupaten Sindangraja', signingTime: new Date(), passphrase: PASS, name: SIGNER.name, expectedSubject: { nip: SIGNER.nip } });
    const native: Signer = (pdf, r) => new LocalP12Transport(p12).sign(pdf, r);
    const pureJs: Signer = (pdf, r) => signPdfWith(pdf, forgeSigner(openP12(p12, r.passphrase)), r);
    console.log(`Render + TTE stamp + sign: Surat Balasan (balasan-domain-go-id), F4, RSA-2048, ${exe}, pool of ${poolSize}, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);

    renderer.current = new ChromiumPdfRenderer({ executablePath: exe, poolSize, maxQueue: Math.max(20, concurrency) });
    setPdfRenderer(renderer.current);
    let sample: Buffer | null = null;
    interface Lat { total: number[]; sign: number[]; ms: number; letters: number }
    const fresh = (): Lat => ({ total: [], sign: [], ms: 0, letters: 0 });
    const one = async (sign: Signer, lat: Lat): Promise<void> => {
      const t0 = performance.now();
      const pdf = await letter();
      const t1 = performance.now();
      const signed = await sign(pdf, req());
      const t2 = performance.now();
      sample ??= signed;
      lat.total.push(t2 - t0);
      lat.sign.push(t2 - t1);
    };
    for (let i = 0; i < Math.max(2, Math.floor(n / 10)); i++) { await one(native, fresh()); await one(pureJs, fresh()); }

    // One at a time: native and forge alternate letter by letter, so both see the same machine.
    const seq = { native: fresh(), forge: fresh() };
    for (let i = 0; i < n; i++) {
      for (const [sign, lat] of [[native, seq.native], [pureJs, seq.forge]] as const) {
        const t = performance.now();
        await one(sign, lat);
        lat.ms += performance.now() - t;
        lat.letters++;
      }
    }
    // C in flight: rounds of n/2 letters, native, forge, native, forge.
    const par = { native: fresh(), forge: fresh() };
    const round = async (sign: Signer, lat: Lat, count: number): Promise<void> => {
      let next = 0;
      const worker = async (): Promise<void> => { while (next < count) { next++; await one(sign, lat); } };
      const t = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      lat.ms += performance.now() - t;
      lat.letters += count;
    };
    const half = Math.max(concurrency, Math.floor(n / 2));
    for (let r = 0; r < 2; r++) { await round(native, par.native, half); await round(pureJs, par.forge, half); }

    const rate = (l: Lat) => l.letters / (l.ms / 1000);
    const line = (label: string, l: Lat) => console.log(`  ${label.padEnd(46)} ${String(l.letters).padStart(4)} letters = ${f1(rate(l)).padStart(5)} letters/s; per letter p50 ${pct(l.total, 50).toFixed(0).padStart(4)} ms, p95 ${pct(l.total, 95).toFixed(0).padStart(4)} ms; of which signing p50 ${pct(l.sign, 50).toFixed(1).padStart(5)} ms, p95 ${pct(l.sign, 95).toFixed(1).padStart(5)} ms`);
    line('native crypto (LocalP12Transport), 1 at a time', seq.native);
    line('node-forge pure-JS RSA, 1 at a time', seq.forge);
    line(`native crypto (LocalP12Transport), ${concurrency} in flight`, par.native);
    line(`node-forge pure-JS RSA, ${concurrency} in flight`, par.forge);
    const ratio = (a: Lat, b: Lat) => (rate(a) / rate(b)).toFixed(2);
    console.log(`
Summary (native vs forge, same run)
  1 at a time:  ${f1(rate(seq.native))} vs ${f1(rate(seq.forge))} letters/s = ${ratio(seq.native, seq.forge)}x; p50 ${pct(seq.native.total, 50).toFixed(0)} vs ${pct(seq.forge.total, 50).toFixed(0)} ms, p95 ${pct(seq.native.total, 95).toFixed(0)} vs ${pct(seq.forge.total, 95).toFixed(0)} ms; signing p50 ${pct(seq.native.sign, 50).toFixed(1)} vs ${pct(seq.forge.sign, 50).toFixed(1)} ms (${(pct(seq.forge.sign, 50) / pct(seq.native.sign, 50)).toFixed(1)}x)
  ${concurrency} in flight:  ${f1(rate(par.native))} vs ${f1(rate(par.forge))} letters/s = ${ratio(par.native, par.forge)}x; p50 ${pct(par.native.total, 50).toFixed(0)} vs ${pct(par.forge.total, 50).toFixed(0)} ms, p95 ${pct(par.native.total, 95).toFixed(0)} vs ${pct(par.forge.total, 95).toFixed(0)} ms; signing p50 ${pct(par.native.sign, 50).toFixed(1)} vs ${pct(par.forge.sign, 50).toFixed(1)} ms`);

    const check = verifyPdfSignatures(sample!, { trustAnchors: [ca.certPem] });
    if (!check.valid) throw new Error('the signed letter does not verify');
    const out = arg('out');
    if (out) { fs.writeFileSync(out, sample!); console.log(`\nwrote ${out} (${sample!.length} bytes)`); }
  } finally {
    setPdfRenderer(null);
    await renderer.current?.close().catch(() => undefined);
    await closeTemplateSandbox();
    await db().close().catch(() => undefined);
    fs.rmSync(blobDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
