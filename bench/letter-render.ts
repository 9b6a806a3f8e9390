/**
 * Outgoing-letter rendering benchmark: letters per second through the Chromium page pool
 * (platform/pdfRenderer.ts) against launching a Chromium for every letter, with p50/p95 latency,
 * in one run.
 *
 *   npx tsx bench/letter-render.ts                  # N=60 letters per warm measurement, 5 cold letters
 *   npx tsx bench/letter-render.ts --n=120 --cold=3 --concurrency=4 --out=/tmp/surat.pdf
 *
 * Options (argument, or environment variable):
 *   --n=N            BENCH_N            letters per warm measurement, default 60
 *   --cold=K         BENCH_COLD         letters rendered with a Chromium launched for each, default 5
 *   --concurrency=C  BENCH_CONCURRENCY  letters in flight in the concurrent measurement, default 4
 *   --pool=P         BENCH_POOL         pages in the pool, default 2 (PDF_POOL_SIZE's default)
 *   --out=FILE                          also write one letter there
 *
 * One letter = what the app does for a letter's PDF: the body from a template
 * (balasan-domain-go-id with its sample data, in the template sandbox), then the whole letter
 * (letterhead settings, EJS layout, Chromium, page numbers) via renderLetterPdf(). Setup: an
 * in-memory SQLite database with the demo organization. Each warm renderer renders one
 * unmeasured letter first, so its launch is not counted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { config } from '../config';
import { db } from '../platform/db';
import { ChromiumPdfRenderer, setPdfRenderer } from '../platform/pdfRenderer';
import { closeTemplateSandbox } from '../modules/templat/templateSandbox';
import { renderLetterPdf, pdfPageCount } from '../modules/templat/letterRender';
import { arg, num, pct } from './args';
import { benchLetterFixture } from './letterFixture';

const f1 = (x: number): string => x.toFixed(1);

async function setUp(blobDir: string): Promise<{ letter: () => Promise<Buffer> }> {
  const { letterDoc } = await benchLetterFixture(blobDir);
  return { letter: async () => renderLetterPdf(await letterDoc()) };
}

async function main(): Promise<void> {
  const n = num('n', 'BENCH_N', 60);
  const coldRuns = num('cold', 'BENCH_COLD', 5);
  const concurrency = num('concurrency', 'BENCH_CONCURRENCY', 4);
  const poolSize = num('pool', 'BENCH_POOL', 2);
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-letterbench-'));
  try {
    const { letter } = await setUp(blobDir);
    const exe = config().chromiumPath;
    if (!exe) throw new Error('Chromium not found (install chromium or set CHROMIUM_PATH)');
    console.log(`Surat Balasan (balasan-domain-go-id), F4, ${exe}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

    // Cold: a new browser for every letter.
    const cold: number[] = [];
    let sample: Buffer | null = null;
    for (let i = 0; i < coldRuns; i++) {
      const t = performance.now();
      const r = new ChromiumPdfRenderer({ executablePath: exe, poolSize: 1 });
      setPdfRenderer(r);
      sample = await letter();
      await r.close();
      cold.push(performance.now() - t);
    }
    const coldMean = cold.reduce((a, b) => a + b, 0) / cold.length;
    const coldRate = 1000 / coldMean;
    console.log(`${'Chromium launched per letter'.padEnd(36)} ${coldRuns} letters: ${f1(coldRate)} letters/s; p50 ${pct(cold, 50).toFixed(0)} ms, p95 ${pct(cold, 95).toFixed(0)} ms; ${sample!.length} bytes, ${pdfPageCount(sample!)} page(s)`);
    const out = arg('out');
    if (out) { fs.writeFileSync(out, sample!); console.log(`wrote ${out}`); }

    const rows: { label: string; rate: number; p50: number; p95: number }[] = [];
    const measure = async (label: string, inFlight: number): Promise<void> => {
      const r = new ChromiumPdfRenderer({ executablePath: exe, poolSize, maxQueue: Math.max(20, inFlight) });
      setPdfRenderer(r);
      try {
        await letter(); // launch + first pages: not measured
        const lat: number[] = [];
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < n) {
            next++;
            const t = performance.now();
            await letter();
            lat.push(performance.now() - t);
          }
        };
        const t = performance.now();
        await Promise.all(Array.from({ length: inFlight }, worker));
        const ms = performance.now() - t;
        const s = r.stats();
        if (s.launches !== 1) throw new Error(`unexpected relaunch ${JSON.stringify(s)}`);
        const rate = n / (ms / 1000);
        rows.push({ label, rate, p50: pct(lat, 50), p95: pct(lat, 95) });
        console.log(`${label.padEnd(36)} ${n} letters in ${ms.toFixed(0)} ms = ${f1(rate)} letters/s; p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms; ${f1(rate / coldRate)}x per-letter launch`);
      } finally {
        await r.close();
      }
    };
    await measure(`pool of ${poolSize}, one letter at a time`, 1);
    await measure(`pool of ${poolSize}, ${concurrency} letters in flight`, concurrency);
    const best = Math.max(...rows.map((r) => r.rate));
    console.log(`\nbest warm ${f1(best)} letters/s (goal >= 15); pool / per-letter launch ${f1(best / coldRate)}x (goal >= 10x)`);
  } finally {
    setPdfRenderer(null);
    await closeTemplateSandbox();
    await db().close().catch(() => undefined);
    fs.rmSync(blobDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
