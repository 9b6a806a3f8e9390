/**
 * PDF rendering benchmark: the Lembar Disposisi of a letter with a realistic disposition tree,
 * rendered by platform/pdfRenderer.ts.
 *
 *   npx tsx bench/pdf-render.ts                 # N=50, cold baseline of 5 runs
 *   npx tsx bench/pdf-render.ts --n=100 --cold=3 --out=/tmp/lembar.pdf
 *
 * Options (argument, or environment variable):
 *   --n=N       BENCH_N     PDFs per measurement, default 50
 *   --cold=K    BENCH_COLD  cold runs (launch + render + close) for the baseline, default 5
 *   --out=FILE              also write one sheet there (and its HTML to FILE.html)
 *
 * Steps: an in-memory SQLite database with the demo organization, one letter disposed
 * Kadis -> Kabid -> two Kasi -> staff (one disposition completed, one report), its sheet built
 * once (data + EJS; that cost is printed separately), then: the cold baseline (a new Chromium
 * for every PDF), N renders one after another on a warm renderer, and N renders submitted at
 * once to a warm renderer with a pool of 2 and of 4 pages. Each warm renderer renders one
 * unmeasured PDF first, so its launch is not counted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { config, loadConfig, setConfig } from '../config';
import { boot } from '../platform/boot';
import { createSequelize, db, setDb } from '../platform/db';
import { LocalBlobStore, blobStore, setBlobStore } from '../platform/blobstore';
import { ChromiumPdfRenderer, type PdfRenderOptions } from '../platform/pdfRenderer';
import { seedDemo } from '../seed/demo';
import { samplePdf } from '../seed/samplePdf';
import { Agency, Disposition, Position, User } from '../models';
import { holdingsOf } from '../modules/org/org';
import { registerLetter } from '../modules/surat-masuk/letterRegistrar';
import { sendDispositions } from '../modules/disposisi/dispositionSender';
import { reportOnDisposition } from '../modules/disposisi/dispositionReporter';
import { lembarDisposisiData, lembarDisposisiPdfOptions, renderLembarDisposisi } from '../modules/disposisi/lembarDisposisi';
import { today } from '../platform/dates';
import type { Actor } from '../platform/actor';
import { arg, num } from './args';


const actor = async (username: string): Promise<Actor> => {
  const user = await User.findOne({ where: { username } });
  if (!user) throw new Error(`no user ${username}`);
  return { user, holdings: await holdingsOf(user.id), ip: null };
};
const pos = async (name: string): Promise<Position> => {
  const p = await Position.findOne({ where: { name } });
  if (!p) throw new Error(`no position ${name}`);
  return p;
};

async function setUp(blobDir: string): Promise<{ html: string; opts: PdfRenderOptions; buildMs: number }> {
  setConfig(loadConfig({ ...process.env, NODE_ENV: 'test', DB_URL: 'sqlite::memory:', BLOB_DIR: blobDir, DEMO_SEED: 'never', SESSION_SECRET: 'bench-secret-0123456789abcdef' }));
  setBlobStore(new LocalBlobStore(blobDir));
  setDb(createSequelize());
  await boot();
  await seedDemo({ letters: false });

  const agency = await Agency.findOne({ order: [['id', 'ASC']] });
  const kadisPos = await pos('Kepala Dinas Komunikasi dan Informatika');
  const kabidPos = await pos('Kepala Bidang Aplikasi Informatika');
  const egovPos = await pos('Kepala Seksi e-Government');
  const idcPos = await pos('Kepala Seksi Infrastruktur dan Data Center');
  const staffPos = await pos('Pranata Komputer Ahli Pertama (e-Government)');
  const domainPos = await pos('Pejabat Pengelola Nama Domain');
  const perihal = 'Permohonan Pembuatan Subdomain layanan-perizinan.sindangrajakab.go.id dan Hosting Aplikasi Perizinan Terpadu';
  const blob = await blobStore().putBuffer(samplePdf({
    agencyLines: ['PEMERINTAH KABUPATEN SINDANGRAJA', (agency?.name ?? 'DINAS').toUpperCase()], address: 'Jl. Contoh No. 1', place: 'Sindangraja',
    date: '20 November 2026', number: '400.14.2.1/112/DPMPTSP/XI/2026', sifat: 'Biasa', lampiran: '1 (satu) berkas', hal: perihal,
    to: ['Kepala Dinas Komunikasi dan Informatika'], body: ['Dengan hormat,', perihal], signerTitle: 'Kepala', signerName: 'NAMA',
  }));
  const { letter } = await registerLetter({
    actor: await actor('sekretariat'), submissionKey: crypto.randomBytes(16).toString('hex'), confirmDuplicate: true,
    files: [{ ...blob, mime: 'application/pdf', originalName: 'scan.pdf', kind: 'scan' }],
    form: {
      senderNumber: '400.14.2.1/112/DPMPTSP/XI/2026', letterDate: today(), receivedDate: today(), senderAgencyId: String(agency!.id), perihal,
      sifat: 'biasa', urgensi: 'segera', klasifikasi: '400.14.2.1', jenisNaskah: 'surat_permohonan', lampiran: '1 (satu) berkas', summary: '', addressedPositionId: String(kadisPos.id),
    },
  });
  const form = (targets: number[], instructions: string[], note = '', priority = 'biasa') => ({ targets: targets.map(String), instructions, note, priority, dueAt: '' });
  await sendDispositions({ actor: await actor('kadis'), letterId: letter.id, viaPositionId: kadisPos.id,
    form: form([kabidPos.id], ['pelajari_laporkan', 'verifikasi_kelengkapan'], 'Periksa kelengkapan berkas dan ketersediaan nama subdomain.', 'segera') });
  await sendDispositions({ actor: await actor('kabid'), letterId: letter.id, viaPositionId: kabidPos.id,
    form: form([egovPos.id, idcPos.id], ['tindak_lanjuti', 'koordinasikan'], 'Koordinasikan dengan Data Center untuk kapasitas hosting.') });
  await sendDispositions({ actor: await actor('kasi.egov'), letterId: letter.id, viaPositionId: egovPos.id,
    form: form([staffPos.id, domainPos.id], ['siapkan_jawaban'], 'Siapkan draf Surat Balasan.') });
  const staffD = await Disposition.findOne({ where: { letterId: letter.id, toPositionId: staffPos.id } });
  await reportOnDisposition({ actor: await actor('staf.egov1'), dispositionId: staffD!.id, expectedVersion: staffD!.version,
    body: 'Draf Surat Balasan sudah disiapkan dan diunggah untuk paraf Kasi.', files: [], complete: true });

  const t0 = performance.now();
  const data = await lembarDisposisiData(letter);
  const html = await renderLembarDisposisi(data);
  const buildMs = performance.now() - t0;
  return { html, opts: lembarDisposisiPdfOptions(data), buildMs };
}

const rate = (n: number, ms: number): number => n / (ms / 1000);
const f1 = (x: number): string => x.toFixed(1);

async function main(): Promise<void> {
  const n = num('n', 'BENCH_N', 50);
  const coldRuns = num('cold', 'BENCH_COLD', 5);
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-pdfbench-'));
  try {
    const { html, opts, buildMs } = await setUp(blobDir);
    const exe = config().chromiumPath;
    if (!exe) throw new Error('Chromium not found (install chromium or set CHROMIUM_PATH)');
    console.log(`Lembar Disposisi, ${html.length} bytes of HTML (data + EJS: ${f1(buildMs)} ms), F4, ${exe}, ${os.cpus().length} CPUs`);

    // Cold: a new browser for every PDF.
    const cold: number[] = [];
    let sample: Buffer | null = null;
    for (let i = 0; i < coldRuns; i++) {
      const t = performance.now();
      const r = new ChromiumPdfRenderer({ executablePath: exe, poolSize: 1 });
      sample = await r.render(html, opts);
      await r.close();
      cold.push(performance.now() - t);
    }
    const coldMean = cold.reduce((a, b) => a + b, 0) / cold.length;
    const coldRate = 1000 / coldMean;
    console.log(`cold launch+render+close: mean ${coldMean.toFixed(0)} ms (runs ${cold.map((x) => x.toFixed(0)).join(', ')} ms) = ${coldRate.toFixed(2)} PDFs/s; ${sample!.length} bytes a PDF`);
    const out = arg('out');
    if (out) { fs.writeFileSync(out, sample!); fs.writeFileSync(`${out}.html`, html); console.log(`wrote ${out} and ${out}.html`); }

    const rows: [string, number][] = [];
    const measure = async (label: string, poolSize: number, concurrent: boolean): Promise<void> => {
      const r = new ChromiumPdfRenderer({ executablePath: exe, poolSize, maxQueue: n });
      try {
        await r.render(html, opts); // launch + first page: not measured
        const t = performance.now();
        if (concurrent) await Promise.all(Array.from({ length: n }, () => r.render(html, opts)));
        else for (let i = 0; i < n; i++) await r.render(html, opts);
        const ms = performance.now() - t;
        const s = r.stats();
        if (s.launches !== 1 || s.renders !== n + 1) throw new Error(`unexpected stats ${JSON.stringify(s)}`);
        rows.push([label, rate(n, ms)]);
        console.log(`${label.padEnd(34)} ${n} PDFs in ${ms.toFixed(0)} ms = ${f1(rate(n, ms))} PDFs/s (${(ms / n).toFixed(1)} ms each; ${f1(rate(n, ms) / coldRate)}x cold)`);
      } finally {
        await r.close();
      }
    };
    await measure('sequential, one reused page', 1, false);
    await measure('concurrent, pool of 2 pages', 2, true);
    await measure('concurrent, pool of 4 pages', 4, true);
    const seq = rows[0][1];
    console.log(`\nratio to cold: ${rows.map(([l, r]) => `${l.split(',')[1].trim()} ${f1(r / coldRate)}x`).join(', ')}; pool 2 / sequential ${f1(rows[1][1] / seq)}x, pool 4 / sequential ${f1(rows[2][1] / seq)}x`);
  } finally {
    await db().close().catch(() => undefined);
    fs.rmSync(blobDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
