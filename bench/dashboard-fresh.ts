/**
 * The leader's dashboard computed fresh (no cache) on a large database, part by part.
 *
 *   npx tsx bench/dashboard-fresh.ts --db=mysql://root@127.0.0.1:3306/naskah_bench [--runs=5] [--user=kadis]
 *
 * Uses a database seeded by bench/register-load.ts (it is not changed). Prints, per part of the
 * page, the median and worst of `runs` computations, and the whole page's, for the Kepala Dinas
 * (whole office) and a Kepala Bidang (one unit), beside the parts' sum (the page computed them
 * one after another before; now they are read side by side).
 */
import { performance } from 'node:perf_hooks';
import { loadConfig, setConfig } from '../config';
import { boot } from '../platform/boot';
import { db } from '../platform/db';
import { now } from '../platform/clock';
import { holdingsOf } from '../platform/assignments';
import { User } from '../models';
import { dashboardScope, defaultPeriod, lettersByStatus, openDispositions, overdueDispositions, stepTimes, thisMonth, dashboardFor } from '../modules/dasbor/dashboard';
import { workingCalendar } from '../platform/settings';
import { arg, num } from './args';

async function main(): Promise<void> {
  const url = (arg('db') ?? process.env.DB_URL) ?? 'mysql://root@127.0.0.1:3306/naskah_bench';
  const runs = num('runs', 'BENCH_RUNS', 5);
  setConfig(loadConfig({ ...process.env, DB_URL: url, DASHBOARD_CACHE_SECONDS: '0' }));
  await boot({ migrate: false });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const username of (arg('user') ?? process.env.BENCH_USER ?? 'kadis,kabid').split(',')) {
    const user = await User.findOne({ where: { username } });
    if (!user) { console.log(`(no user ${username})`); continue; }
    const actor = { user, holdings: await holdingsOf(user.id), ip: '127.0.0.1' };
    const scope = await dashboardScope(actor);
    const at = now(), period = defaultPeriod(at), cal = await workingCalendar();
    const parts: [string, () => Promise<unknown>][] = [
      ['letters this month', () => lettersByStatus(scope, thisMonth(at))],
      ['letters by status (90 days)', () => lettersByStatus(scope, period)],
      ['open dispositions', () => openDispositions(scope, at)],
      ['overdue per unit and person', () => overdueDispositions(scope, { at, cal })],
      ['step times against the SOP', () => stepTimes(scope, period, { at, cal })],
      ['whole page (fresh)', () => dashboardFor(actor, period, { at })],
    ];
    console.log(`\n${username} (${scope.label}), period ${period.from}..${period.to}, ${runs} runs each`);
    console.log('| part | median ms | worst ms |\n|---|---:|---:|');
    let sequential = 0, whole = 0;
    for (const [label, fn] of parts) {
      await fn();
      const ts: number[] = [];
      for (let i = 0; i < runs; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); }
      console.log(`| ${label} | ${med(ts).toFixed(1)} | ${Math.max(...ts).toFixed(1)} |`);
      if (label.startsWith('whole')) whole = med(ts); else sequential += med(ts);
    }
    // The baseline of the same run: the parts one after another, as the page computed them before.
    console.log(`parts one after another ${sequential.toFixed(1)} ms; the page fresh ${whole.toFixed(1)} ms (${(whole / sequential).toFixed(2)} of it); goal under 300 ms: ${whole < 300 ? 'MET' : 'MISSED'}`);
  }
  await db().close();
}

main().catch((e) => { console.error(e); process.exit(1); });
