import path from 'node:path';
import { Router, type NextFunction, type Response } from 'express';
import { requireLogin, requireThat, actorOf } from '../../platform/http/guards';
import { canSeeDashboard } from '../nav';
import { config } from '../../config';
import { dashboardFor, durasiKerja, parsePeriod, type Dashboard } from '../../modules/dasbor/dashboard';

const router = Router();

// Chart.js, served from the installed package (the CSP allows scripts from this origin only).
// Its package "exports" hide dist/, so find it through the main entry (dist/chart.cjs).
const CHART_DIR = path.dirname(require.resolve('chart.js'));
const sendVendor = (file: string, type: string) => (_req: unknown, res: Response, next: NextFunction) => {
  res.sendFile(file, {
    root: CHART_DIR, maxAge: config().isProduction ? '7d' : 0,
    headers: { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' },
  }, (err) => { if (err) next(err); });
};
router.get('/static/vendor/chart.umd.js', sendVendor('chart.umd.js', 'text/javascript; charset=utf-8'));
router.get('/static/vendor/chart.umd.js.map', sendVendor('chart.umd.js.map', 'application/json; charset=utf-8'));

const MONTH = new Intl.DateTimeFormat('id-ID', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const hours = (minutes: number | null): number | null => (minutes === null ? null : Math.round((minutes / 60) * 100) / 100);

/** The data the charts draw (public/js/dashboard.js); the tables on the page show the same numbers. */
function chartData(d: Dashboard) {
  const stepRows = [
    ...d.steps.firstDisposition.map((s) => ({ ...s, label: `${s.label} (disposisi pertama)` })),
    ...d.steps.steps,
  ];
  return {
    status: { codes: d.letters.rows.map((r) => r.status), labels: d.letters.rows.map((r) => r.label), values: d.letters.rows.map((r) => r.count) },
    overdueUnits: { labels: d.overdue.byUnit.map((u) => u.unit), values: d.overdue.byUnit.map((u) => u.count) },
    steps: {
      labels: stepRows.map((s) => s.label),
      actual: stepRows.map((s) => hours(s.avgDoneMinutes)),
      sop: stepRows.map((s) => hours(s.sopMinutes)),
    },
  };
}

/**
 * JSON for a <script type="application/json"> block: '<', '>' and '&' escaped so no value can
 * close the element or open a comment, and the line separators JavaScript once disliked.
 */
export const jsonForScript = (v: unknown): string =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

router.get('/dasbor', requireLogin, requireThat(canSeeDashboard), async (req, res) => {
  const actor = actorOf(req);
  const { period, problem } = parsePeriod(req.query as Record<string, unknown>);
  const d = await dashboardFor(actor, period);
  const perDay = d.steps.minutesPerDay;
  res.render('dashboard/index', {
    title: 'Dasbor Pimpinan', d, problem, chartJson: jsonForScript(chartData(d)),
    monthLabel: MONTH.format(new Date(`${d.month.from}T00:00:00Z`)),
    durasi: (m: number | null) => durasiKerja(m, perDay),
    durasiJam: (m: number | null) => durasiKerja(m, 0),
    fmtPct: (p: number | null) => (p === null ? '–' : `${p.toLocaleString('id-ID', { maximumFractionDigits: 1 })}%`),
  });
});

export default router;
