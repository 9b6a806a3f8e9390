/**
 * An office at once: a busy morning against the real server (`server.ts`, as `npm start` runs it).
 *
 *   npx tsx bench/office-load.ts                                          # SQLite file (the embedded default)
 *   npx tsx bench/office-load.ts --db=mysql://root@127.0.0.1:3306/naskah_bench_office
 *   npx tsx bench/office-load.ts --duration=120 --burst=30 --burst-clients=100
 *   npx tsx bench/office-load.ts --node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"   # profile the server
 *
 * Phase 1 (--duration s, default 120): 30 signed-in sessions with think time 0.2-0.6 s:
 * 4 agendaris register letters with a scan; the Kepala Dinas on 4 devices disposes each new
 * letter to a Kabid/Sekretaris; 21 staff, Kasi and Kabid sessions read their inbox, open a
 * letter and their notifications; the Sekretaris searches the register and opens the dashboard.
 * Phase 2 (--burst s, default 30): --burst-clients (100) sessions reading with no pause.
 * A probe asks /healthz once a second throughout: the baseline of the same run.
 *
 * Prints per action p50/p95/max, 5xx, timeouts, throughput, the ratio of each p50 to the
 * /healthz p50, the server's resident memory over time; then checks that every acknowledged
 * registration and disposition is in the database exactly once, agenda numbers are distinct,
 * `naskah audit:verify` is clean and the server still answers. Exits 1 when a check fails.
 */
import { QueryTypes } from 'sequelize';
import { parseDbUrl } from '../config';
import { createSequelize } from '../platform/db';
import { DEMO_PASSWORD } from '../seed/demo';
import { arg, num, pct as pctOf } from './args';
import { childEnv, naskah } from '../test/fixtures/proc';
import { disposeLetter, freshDbUrl, OfficeClient, registerLetter, startServer, type Answer } from '../test/helpers/office';

const DURATION = num('duration', 'BENCH_DURATION', 120);
const BURST = num('burst', 'BENCH_BURST', 30);
const BURST_CLIENTS = num('burst-clients', 'BENCH_BURST_CLIENTS', 100);
const TIMEOUT_MS = 10_000;

interface Stat { ms: number[]; s5xx: number; timeouts: number; other: number }
/** Per phase: the office mix (phase 1) is what the latency goals are about; phase 2 saturates the server. */
const phases = [new Map<string, Stat>(), new Map<string, Stat>()];
let stats = phases[0];
const stat = (name: string, m = stats) => { let s = m.get(name); if (!s) m.set(name, s = { ms: [], s5xx: 0, timeouts: 0, other: 0 }); return s; };

async function timed<T extends Answer>(name: string, ok: number[], fn: () => Promise<T>): Promise<T | null> {
  const s = stat(name);
  try {
    const r = await fn();
    s.ms.push(r.ms);
    if (r.status >= 500) s.s5xx++;
    else if (!ok.includes(r.status)) s.other++;
    return r;
  } catch (err) {
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') s.timeouts++; else s.other++;
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const think = () => sleep(200 + Math.random() * 400);
const pct = (xs: number[], p: number) => (xs.length ? pctOf(xs, p * 100) : NaN);

async function main(): Promise<void> {
  const base = arg('db') ?? process.env.DB_URL ?? '';
  const dbUrl = await freshDbUrl('bench_office', base || undefined);
  console.log(`Database: ${dbUrl}`);
  const server = await startServer({ ...childEnv({}), NODE_ENV: 'production', DB_URL: dbUrl }, 300_000, (arg('node-args') ?? '').split(' ').filter(Boolean));
  const rss: { t: number; mib: number }[] = [];
  const t0 = Date.now();
  const rssTimer = setInterval(() => rss.push({ t: Math.round((Date.now() - t0) / 1000), mib: server.rssMiB() }), 5000);
  rss.push({ t: 0, mib: server.rssMiB() });
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

  const session = async (user: string) => { const c = new OfficeClient(server.url, TIMEOUT_MS); await c.signIn(user, DEMO_PASSWORD); return c; };
  const clerks = await Promise.all([0, 1, 2, 3].map(() => session('sekretariat')));
  const kadis = await Promise.all([0, 1, 2, 3].map(() => session('kadis')));
  const readerUsers = ['kabid', 'sekretaris', 'kasi.egov', 'kasi.idc', 'staf.egov1', 'staf.egov2', 'staf.idc1', 'staf.idc2', 'domain', 'operator.dc', 'kasubbag'];
  const readers = await Promise.all(Array.from({ length: 21 }, (_, i) => session(readerUsers[i % readerUsers.length])));
  const sekretaris = await session('sekretaris');

  const registered = new Map<string, number>(); // perihal -> letter id (acknowledged)
  const toDispose: number[] = [];
  const disposed = new Map<number, number>(); // letter id -> acknowledged dispositions
  let stop = false;
  let n = 0;

  const clerkLoop = async (c: OfficeClient, k: number) => {
    while (!stop) {
      const perihal = `Permohonan beban pagi ${k}-${++n}`;
      const r = await timed('registrasi', [303], () => registerLetter(c, { perihal, senderNumber: `005/${n}/Bench/${today.slice(0, 4)}`, today }));
      if (r?.status === 303 && r.letterId) { registered.set(perihal, r.letterId); toDispose.push(r.letterId); }
      await think();
    }
  };
  const kadisLoop = async (c: OfficeClient) => {
    while (!stop) {
      const id = toDispose.shift();
      if (id) {
        const r = await timed('disposisi', [303], () => disposeLetter(c, id, { n: 1 }));
        if (r?.status === 303) disposed.set(id, (disposed.get(id) ?? 0) + 1);
      } else await timed('kotak masuk', [200], () => c.get('/kotak-masuk'));
      await think();
    }
  };
  const readerLoop = async (c: OfficeClient, pause: boolean) => {
    while (!stop) {
      const inbox = await timed('kotak masuk', [200], () => c.get('/kotak-masuk'));
      const ids = inbox ? [...inbox.text.matchAll(/href="\/surat-masuk\/(\d+)"/g)].map((m) => m[1]) : [];
      if (pause) await think();
      if (ids.length) await timed('halaman surat', [200], () => c.get(`/surat-masuk/${ids[Math.floor(Math.random() * ids.length)]}`));
      if (pause) await think();
      await timed('notifikasi', [200], () => c.get('/notifikasi'));
      if (pause) await think();
    }
  };
  const sekretarisLoop = async (c: OfficeClient) => {
    const words = ['permohonan', 'beban', 'pagi', 'subdomain', 'hosting'];
    while (!stop) {
      await timed('cari register', [200], () => c.get(`/surat-masuk?q=${words[Math.floor(Math.random() * words.length)]}`));
      await think();
      await timed('dasbor', [200], () => c.get('/dasbor'));
      await think();
    }
  };
  const probe = async () => { while (!stop) { await timed('healthz (dasar)', [200], () => new OfficeClient(server.url, TIMEOUT_MS).get('/healthz')); await sleep(1000); } };

  console.log(`Phase 1: 30 sessions for ${DURATION} s ...`);
  const p1Start = Date.now();
  const loops = [...clerks.map((c, k) => clerkLoop(c, k)), ...kadis.map(kadisLoop), ...readers.map((c) => readerLoop(c, true)), sekretarisLoop(sekretaris), probe()];
  await sleep(DURATION * 1000);
  stop = true;
  await Promise.all(loops);
  const p1Secs = (Date.now() - p1Start) / 1000;
  const p1Count = [...stats.values()].reduce((a, s) => a + s.ms.length, 0);

  stats = phases[1];
  console.log(`Phase 2: ${BURST_CLIENTS} sessions reading with no pause for ${BURST} s ...`);
  const burstClients = await Promise.all(Array.from({ length: BURST_CLIENTS }, (_, i) => session(readerUsers[i % readerUsers.length])));
  stop = false;
  const p2Start = Date.now();
  const burst = [...burstClients.map((c) => readerLoop(c, false)), probe()];
  await sleep(BURST * 1000);
  stop = true;
  await Promise.all(burst);
  const p2Secs = (Date.now() - p2Start) / 1000;
  const p2Count = [...stats.values()].reduce((a, s) => a + s.ms.length, 0);
  clearInterval(rssTimer);
  await sleep(5000);
  rss.push({ t: Math.round((Date.now() - t0) / 1000), mib: server.rssMiB() });

  phases.forEach((m, i) => {
    const base50 = pct(stat('healthz (dasar)', m).ms, 0.5);
    console.log(`\n${i === 0 ? `Phase 1 (office mix, ${DURATION} s)` : `Phase 2 (${BURST_CLIENTS} clients, no pause, ${BURST} s)`}`);
    console.log('action              count    p50 ms   p95 ms   max ms  x healthz p50   5xx  timeouts  other');
    for (const [name, s] of m) {
      console.log(`${name.padEnd(18)} ${String(s.ms.length).padStart(6)} ${pct(s.ms, 0.5).toFixed(1).padStart(9)} ${pct(s.ms, 0.95).toFixed(1).padStart(8)} ${Math.max(...s.ms, 0).toFixed(0).padStart(8)} ${(pct(s.ms, 0.5) / base50).toFixed(1).padStart(14)} ${String(s.s5xx).padStart(5)} ${String(s.timeouts).padStart(9)} ${String(s.other).padStart(6)}`);
    }
  });
  console.log(`\nthroughput: phase 1 ${(p1Count / p1Secs).toFixed(1)} req/s, phase 2 ${(p2Count / p2Secs).toFixed(1)} req/s`);
  console.log(`resident memory (MiB) by second: ${rss.map((r) => `${r.t}s:${r.mib}`).join(' ')}`);
  const peak = Math.max(...rss.map((r) => r.mib));
  console.log(`peak RSS ${peak} MiB, start ${rss[0].mib} MiB, after ${rss[rss.length - 1].mib} MiB`);

  // ---- checks
  const problems: string[] = [];
  const all = phases.flatMap((m) => [...m.values()]);
  const total5xx = all.reduce((a, s) => a + s.s5xx, 0);
  const totalTimeouts = all.reduce((a, s) => a + s.timeouts, 0);
  if (total5xx) problems.push(`${total5xx} responses 5xx`);
  if (totalTimeouts) problems.push(`${totalTimeouts} timeouts`);
  const s = createSequelize(parseDbUrl(dbUrl), false);
  try {
    const rows = await s.query<{ id: number; perihal: string; agenda: string }>('SELECT id, perihal, agenda_number AS agenda FROM incoming_letters', { type: QueryTypes.SELECT });
    const byPerihal = new Map<string, number>();
    for (const r of rows) byPerihal.set(r.perihal, (byPerihal.get(r.perihal) ?? 0) + 1);
    for (const [perihal] of registered) if (byPerihal.get(perihal) !== 1) problems.push(`registration "${perihal}" stored ${byPerihal.get(perihal) ?? 0} times`);
    if (new Set(rows.map((r) => r.agenda)).size !== rows.length) problems.push('agenda numbers not distinct');
    const ds = await s.query<{ letterId: number; n: number }>('SELECT letter_id AS letterId, COUNT(*) AS n FROM dispositions GROUP BY letter_id', { type: QueryTypes.SELECT });
    const stored = new Map(ds.map((d) => [Number(d.letterId), Number(d.n)]));
    for (const [id, k] of disposed) if (stored.get(id) !== k) problems.push(`letter ${id}: ${k} dispositions acknowledged, ${stored.get(id) ?? 0} stored`);
    console.log(`\nregistrations acknowledged ${registered.size}, dispositions acknowledged ${[...disposed.values()].reduce((a, b) => a + b, 0)}; letters in the database ${rows.length}`);
  } finally { await s.close(); }
  const verify = await naskah(['audit:verify'], childEnv({ DB_URL: dbUrl }), 300_000);
  console.log(`audit:verify: exit ${verify.code}; ${verify.stdout.trim().split('\n').slice(-1)[0] ?? ''}`);
  if (verify.code !== 0) problems.push(`audit:verify: ${verify.stdout.slice(0, 500)}`);
  const health = await new OfficeClient(server.url, TIMEOUT_MS).get('/healthz').catch(() => null);
  if (health?.status !== 200) problems.push('server not healthy afterwards');
  const goals = [
    ['registrasi p95 < 300 ms (phase 1)', pct(stat('registrasi', phases[0]).ms, 0.95) < 300],
    ['halaman surat p95 < 150 ms (phase 1)', pct(stat('halaman surat', phases[0]).ms, 0.95) < 150],
    ['peak RSS < 300 MiB', peak < 300],
  ] as const;
  for (const [g, ok] of goals) console.log(`goal ${g}: ${ok ? 'met' : 'NOT met'}`);
  await server.stop();
  if (problems.length) { console.log(`\nCHECKS FAILED:\n  ${problems.slice(0, 20).join('\n  ')}`); process.exit(1); }
  console.log('\nchecks: 0 lost or doubled, agenda numbers distinct, audit chain whole, server healthy');
}

main().catch((err) => { console.error(err); process.exit(1); });
