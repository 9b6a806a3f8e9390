/**
 * BSrE round trips (issue #15): signing through the Esign Client Service client against the
 * repository's BSrE mock over real HTTP (localhost), against signing the same PDF in process with
 * the same kind of key (the local P12 transport's core), in the same run.
 *
 *   npx tsx bench/bsre-roundtrip.ts [--n=200] [--inflight=4] [--latency=0]
 *
 * Prints letters/s and p50/p95 per call for: in-process signing (baseline), v2 one file per call,
 * v2 several files per call (bulk), v1 multipart, each with 1 and `inflight` calls at once, and the
 * ratio of each against the baseline. --latency adds the mock's artificial delay per answer (ms),
 * to see how a slow gateway limits a bulk signing.
 */
import { performance } from 'node:perf_hooks';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startBsreMock } from '../modules/ttd/bsre/mock';
import { BsreClient } from '../modules/ttd/bsre/client';
import { createDevCa, issueSignerP12 } from '../platform/devCa';
import { nativeSigner, openP12, signPdfWith } from '../platform/pdfSign';
import { arg, num, pct } from './args';

const NIK = '3207121104720001';
const PASS = 'bench-passphrase';

async function letterPdf(): Promise<Buffer> {
  const d = await PDFDocument.create();
  const font = await d.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 2; i++) d.addPage([609, 935]).drawText(`Surat Balasan, halaman ${i + 1}`, { x: 85, y: 800, size: 12, font });
  return Buffer.from(await d.save());
}

async function run(label: string, n: number, inflight: number, perCall: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(10, n); i++) await fn();
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (next < n) {
      next++;
      const t = performance.now();
      await fn();
      lat.push(performance.now() - t);
    }
  }));
  const s = (performance.now() - t0) / 1000;
  return { label, rate: (n * perCall) / s, p50: pct(lat, 50), p95: pct(lat, 95) };
}

async function main() {
  const n = num('n', 'BENCH_N', 200);
  const inflight = num('inflight', 'BENCH_INFLIGHT', 4);
  const latency = Number(arg('latency') ?? 0);
  const pdf = await letterPdf();
  const mock = await startBsreMock({ users: { [NIK]: { status: 'ISSUE', passphrase: PASS, name: 'Dr. Hendra Wiratama' } }, latencyMs: latency });
  const ca = createDevCa();
  const signer = nativeSigner(openP12(issueSignerP12(ca, { name: 'Dr. Hendra Wiratama' }, PASS), PASS));
  const local = () => signPdfWith(pdf, signer, { reason: 'bench', location: 'Sindangraja', signingTime: new Date(), reserveBytes: 16384 });
  const v2 = new BsreClient({ url: mock.url, user: 'esign', password: 'esign', api: 'v2', timeoutMs: 30_000 });
  const v1 = new BsreClient({ url: mock.url, user: 'esign', password: 'esign', api: 'v1', timeoutMs: 30_000 });
  const rows = [];
  for (const k of [1, inflight]) {
    rows.push(await run(`in-process signing (baseline), ${k} at once`, n, k, 1, local));
    rows.push(await run(`BSrE v2, 1 file per call, ${k} at once`, n, k, 1, () => v2.sign({ nik: NIK, passphrase: PASS, files: [pdf] })));
    rows.push(await run(`BSrE v2, 5 files per call (bulk), ${k} at once`, Math.ceil(n / 5), k, 5, () => v2.sign({ nik: NIK, passphrase: PASS, files: [pdf, pdf, pdf, pdf, pdf] })));
    rows.push(await run(`BSrE v1 multipart, ${k} at once`, n, k, 1, () => v1.sign({ nik: NIK, passphrase: PASS, files: [pdf] })));
    rows.push(await run(`BSrE status check, ${k} at once`, n, k, 1, () => v2.status(NIK)));
  }
  await mock.close();
  console.log(`BSrE mock round trips: n=${n}, PDF ${pdf.length} bytes, mock latency ${latency} ms, node ${process.version}`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const base = rows[Math.floor(i / 5) * 5];
    console.log(`${r.label.padEnd(48)} ${r.rate.toFixed(1).padStart(8)} /s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p95 ${r.p95.toFixed(2).padStart(7)} ms   ${(r.rate / base.rate).toFixed(2)}x baseline`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
