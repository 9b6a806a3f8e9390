import { QueryTypes } from 'sequelize';
import { config } from '../../config';
import { db, isSqlite } from '../../platform/db';
import { dbDate } from '../../platform/plainRows';
import { now } from '../../platform/clock';
import { today, parseIsoDate, parseLocalDateTime } from '../../platform/dates';
import { minutesPerDay, slaMinutes, type WorkingCalendar } from '../../lib/workingTime';
import { workingCalendar } from '../../platform/settings';
import { positionLabels } from '../org';
import { holdsRole, type Actor } from '../../platform/actor';
import {
  Position, SlaRule, Unit, CONFIDENTIAL, LETTER_STATUS, LETTER_STATUS_LABEL, OPEN_DISPOSITION, POSITION_ROLES, POSITION_ROLE_LABEL,
  type DispositionStatus, type LetterStatus, type Sifat,
} from '../../models';

/**
 * The leader's dashboard (Dasbor): letters by status, overdue dispositions per unit and per
 * person, and the average working time of each disposition step next to its SOP time
 * (Mutu Baku). Every figure is one aggregate query (GROUP BY on indexed columns) over a
 * bounded window, so the page stays fast with a million letters; nothing is loaded row by row.
 *
 * Working time cannot be summed by SQL directly, but it is a difference of a cumulative
 * function: W(t) = working seconds from a fixed origin up to t, and the working time between
 * a and b is W(b) - W(a) (what lib/workingTime's workingMinutesBetween computes row by row).
 * W(t) splits into a per-day part (working days before t's local day, times the working-day
 * length) and an intraday part (seconds of t's day inside the working hours). So SQL groups
 * the rows by role and the local day of each time and sums the intraday parts; the groups (a
 * few per role and day) are weighted here with a day table built from the working calendar
 * (weekdays, hours, holidays). Local days use the zone's UTC offset at the time of the query,
 * as lib/workingTime assumes zones without daylight saving (as in Indonesia).
 *
 * The covering indexes of migration 20261123200000 serve these queries. Measured on MariaDB
 * 10.11 (128 MB buffer pool) with 1,000,000 letters over three years and 3,000,000
 * dispositions: letters by status and overdue lists take tens of milliseconds; the step times
 * for the whole office over 90 days (about 250,000 dispositions) take one to two seconds, which
 * is why their window is limited to STEP_WINDOW_DAYS.
 */

// ---------------------------------------------------------------------------------------------
// Scope

/** Roles that see the whole office. */
const OFFICE_WIDE = ['kepala', 'sekretaris'];
/** Roles that see their own unit and its sub-units. */
const UNIT_HEADS = ['kabid', 'kasi', 'kasubbag'];

export interface DashboardScope {
  /** The whole office (Kepala Dinas, Sekretaris). */
  whole: boolean;
  /** Units covered, sub-units included (empty when `whole`). */
  unitIds: number[];
  /** Positions of those units: the recipients whose dispositions and letters count (empty when `whole`). */
  positionIds: number[];
  /** "Seluruh dinas", or the names of the units headed, for the page. */
  label: string;
}

/**
 * What an actor's dashboard covers: the Kepala Dinas and the Sekretaris see the whole
 * office; a Kabid, Kasi or Kasubbag sees the positions of the unit they head and its
 * sub-units (for every position they hold, Plt/Plh included).
 */
export async function dashboardScope(actor: Actor): Promise<DashboardScope> {
  if (holdsRole(actor, ...OFFICE_WIDE)) return { whole: true, unitIds: [], positionIds: [], label: 'Seluruh dinas' };
  const heads = actor.holdings.filter((h) => UNIT_HEADS.includes(h.position.role));
  if (!heads.length) return { whole: false, unitIds: [], positionIds: [], label: 'Tidak ada unit' };
  const units = await Unit.findAll({ attributes: ['id', 'parentId', 'name'] });
  const children = new Map<number, number[]>();
  for (const u of units) if (u.parentId != null) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const covered = new Set<number>();
  const stack = heads.map((h) => h.position.unitId);
  while (stack.length) {
    const id = stack.pop()!;
    if (covered.has(id)) continue;
    covered.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  const unitIds = [...covered];
  const positionIds = (await Position.findAll({ where: { unitId: unitIds }, attributes: ['id'] })).map((p) => p.id);
  const names = [...new Set(heads.map((h) => units.find((u) => u.id === h.position.unitId)?.name).filter((n): n is string => !!n))];
  return { whole: false, unitIds, positionIds, label: names.join(', ') };
}

/** SQL condition limiting a position column to the scope, or '' for the whole office. */
function inScope(scope: DashboardScope, column: string): string {
  if (scope.whole) return '';
  return scope.positionIds.length ? ` AND ${column} IN (:scopeIds)` : ' AND 1 = 0';
}

// ---------------------------------------------------------------------------------------------
// Periods

/** A period of local calendar dates, both ends included (YYYY-MM-DD). */
export interface Period { from: string; to: string }

export const DEFAULT_PERIOD_DAYS = 90;
/** Step times cover at most the last this-many days of the period (their queries read every disposition in it). */
export const STEP_WINDOW_DAYS = 90;
/** The longest period the dashboard computes, to keep its queries bounded. */
export const MAX_PERIOD_DAYS = 366;

/** YYYY-MM-DD plus `n` days. */
export function addDays(iso: string, n: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
const daysBetween = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** The last DEFAULT_PERIOD_DAYS days up to today (in the office's zone). */
export function defaultPeriod(at: Date = now()): Period {
  const to = today(at);
  return { from: addDays(to, -(DEFAULT_PERIOD_DAYS - 1)), to };
}

/** From the first of the current month to today. */
export function thisMonth(at: Date = now()): Period {
  const to = today(at);
  return { from: `${to.slice(0, 8)}01`, to };
}

/**
 * The period asked for in the page's query (`dari`, `sampai`), or the default with the reason
 * it was not used. Reversed ends are swapped; a period longer than MAX_PERIOD_DAYS is cut to
 * its last MAX_PERIOD_DAYS days.
 */
export function parsePeriod(q: { dari?: unknown; sampai?: unknown }, at: Date = now()): { period: Period; problem: string | null } {
  const def = defaultPeriod(at);
  const rawFrom = typeof q.dari === 'string' ? q.dari.trim() : '';
  const rawTo = typeof q.sampai === 'string' ? q.sampai.trim() : '';
  if (!rawFrom && !rawTo) return { period: def, problem: null };
  const from = rawFrom ? parseIsoDate(rawFrom) : def.from;
  const to = rawTo ? parseIsoDate(rawTo) : def.to;
  if (!from || !to) return { period: def, problem: 'Tanggal periode tidak valid; ditampilkan 90 hari terakhir.' };
  let p: Period = from <= to ? { from, to } : { from: to, to: from };
  if (daysBetween(p.from, p.to) + 1 > MAX_PERIOD_DAYS) {
    p = { from: addDays(p.to, -(MAX_PERIOD_DAYS - 1)), to: p.to };
    return { period: p, problem: `Periode paling panjang ${MAX_PERIOD_DAYS} hari; ditampilkan ${MAX_PERIOD_DAYS} hari sampai tanggal akhir.` };
  }
  return { period: p, problem: null };
}

/** The last STEP_WINDOW_DAYS days of a period (the whole period when shorter). */
export function stepWindow(p: Period): Period {
  return daysBetween(p.from, p.to) + 1 > STEP_WINDOW_DAYS ? { from: addDays(p.to, -(STEP_WINDOW_DAYS - 1)), to: p.to } : p;
}

/** The instants bounding a period in the office's zone: [since, until). */
export function periodBounds(p: Period): { since: Date; until: Date } {
  return { since: parseLocalDateTime(`${p.from}T00:00`)!, until: parseLocalDateTime(`${addDays(p.to, 1)}T00:00`)! };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));


async function select<T extends object = Record<string, unknown>>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
  return db().query<T>(sql, { type: QueryTypes.SELECT, replacements });
}

const roleLabel = (role: string): string => POSITION_ROLE_LABEL[role as keyof typeof POSITION_ROLE_LABEL] ?? role;
const roleOrder = (role: string): number => { const i = (POSITION_ROLES as readonly string[]).indexOf(role); return i < 0 ? 99 : i; };

/**
 * A working duration in words, on working time: "45 menit", "2 jam 15 menit", "1 hari 2 jam"
 * (one day = one working day of the calendar).
 */
export function durasiKerja(minutes: number | null, perDay: number): string {
  if (minutes === null || !Number.isFinite(minutes)) return '–';
  let m = Math.round(minutes);
  if (m <= 0) return '0 menit';
  const parts: string[] = [];
  const days = perDay > 0 ? Math.floor(m / perDay) : 0;
  m -= days * perDay;
  const h = Math.floor(m / 60); m -= h * 60;
  if (days) parts.push(`${days} hari`);
  if (h) parts.push(`${h} jam`);
  if (m) parts.push(`${m} menit`);
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// (a) Letters by status

export interface StatusCount { status: LetterStatus; label: string; count: number }

/**
 * Incoming letters by status, every status listed (zero included), optionally for a period of
 * received dates. In a unit scope, the letters that reached one of its positions (an inbox
 * item: addressed, disposed or copied). One GROUP BY over the covering index
 * incoming_letters(received_date, status, ...), probing inbox_items(letter_id, position_id) in a
 * unit scope.
 */
export async function lettersByStatus(scope: DashboardScope, period?: Period): Promise<{ rows: StatusCount[]; total: number }> {
  const rows = await select<{ status: string; n: unknown }>(
    `SELECT l.status AS status, COUNT(*) AS n FROM incoming_letters l WHERE 1 = 1`
    + (period ? ' AND l.received_date >= :from AND l.received_date <= :to' : '')
    + (scope.whole ? '' : ` AND EXISTS (SELECT 1 FROM inbox_items i WHERE i.letter_id = l.id${inScope(scope, 'i.position_id')})`)
    + ' GROUP BY l.status',
    { from: period?.from, to: period?.to, scopeIds: scope.positionIds },
  );
  const counts = new Map(rows.map((r) => [r.status, num(r.n)]));
  const out = LETTER_STATUS.map((s) => ({ status: s, label: LETTER_STATUS_LABEL[s], count: counts.get(s) ?? 0 }));
  return { rows: out, total: out.reduce((a, r) => a + r.count, 0) };
}

// ---------------------------------------------------------------------------------------------
// (b) Open and overdue dispositions

/** Open dispositions in the scope, and how many of them are past their deadline at `at`. */
export async function openDispositions(scope: DashboardScope, at: Date = now()): Promise<{ open: number; overdue: number }> {
  const [r] = await select<{ n: unknown; late: unknown }>(
    `SELECT COUNT(*) AS n, SUM(CASE WHEN d.due_at < :at THEN 1 ELSE 0 END) AS late FROM dispositions d
     WHERE d.status IN (:open)${inScope(scope, 'd.to_position_id')}`,
    { at, open: OPEN_DISPOSITION, scopeIds: scope.positionIds },
  );
  return { open: num(r?.n), overdue: num(r?.late) };
}

export interface OverduePerson {
  positionId: number; position: string; holders: string; unitId: number; unit: string;
  count: number; oldestDueAt: Date;
}
export interface OverdueUnit { unitId: number; unit: string; count: number; oldestDueAt: Date }
export interface OverdueItem {
  dispositionId: number; letterId: number; positionId: number; agendaNumber: string;
  /** The subject, or a neutral text for a Rahasia / Sangat Rahasia letter. */
  perihal: string; confidential: boolean; status: DispositionStatus; dueAt: Date;
  /** Working minutes since the deadline. */
  lateMinutes: number;
}
export interface OverdueReport {
  total: number;
  /** The oldest overdue disposition (earliest deadline), if any. */
  oldest: OverdueItem | null;
  byUnit: OverdueUnit[];
  byPerson: OverduePerson[];
  /** The `limit` oldest overdue dispositions, oldest first. */
  items: OverdueItem[];
}

/**
 * Open dispositions past their deadline, per recipient position (with its unit and current
 * holders) and per unit, each with its oldest deadline, plus the `limit` oldest ones to link
 * to. One GROUP BY and one ordered LIMIT over the covering index dispositions(status, due_at,
 * to_position_id), then the listed rows, the positions and their holders. The subject of a
 * Rahasia / Sangat Rahasia letter is not shown.
 */
export async function overdueDispositions(scope: DashboardScope, opts: { at?: Date; limit?: number; cal?: WorkingCalendar } = {}): Promise<OverdueReport> {
  const at = opts.at ?? now();
  const limit = Math.max(1, Math.min(opts.limit ?? 100, 500));
  const where = `d.status IN (:open) AND d.due_at < :at${inScope(scope, 'd.to_position_id')}`;
  const repl = { at, open: OPEN_DISPOSITION, scopeIds: scope.positionIds, limit };
  const perPosition = await select<{ pid: unknown; n: unknown; oldest: unknown }>(
    `SELECT d.to_position_id AS pid, COUNT(*) AS n, MIN(d.due_at) AS oldest FROM dispositions d WHERE ${where} GROUP BY d.to_position_id`, repl,
  );
  if (!perPosition.length) return { total: 0, oldest: null, byUnit: [], byPerson: [], items: [] };
  // The oldest ones: their ids from the index alone, then only those rows.
  const list = await select<{ id: unknown; letter_id: unknown; pid: unknown; due_at: unknown; status: string; agenda_number: string; perihal: string; sifat: string }>(
    `SELECT o.id AS id, o.letter_id AS letter_id, o.to_position_id AS pid, o.due_at AS due_at, o.status AS status,
            l.agenda_number AS agenda_number, l.perihal AS perihal, l.sifat AS sifat
     FROM (SELECT d.id AS id FROM dispositions d WHERE ${where} ORDER BY d.due_at ASC, d.id ASC LIMIT :limit) x
     JOIN dispositions o ON o.id = x.id JOIN incoming_letters l ON l.id = o.letter_id
     ORDER BY o.due_at ASC, o.id ASC`, repl,
  );
  const pids = perPosition.map((r) => num(r.pid));
  const [positions, labels, cal] = await Promise.all([
    Position.findAll({ where: { id: pids }, attributes: ['id', 'name', 'unitId'], include: [{ model: Unit, as: 'unit', attributes: ['id', 'name'] }] }),
    positionLabels(pids),
    opts.cal ? Promise.resolve(opts.cal) : workingCalendar(),
  ]);
  const posById = new Map(positions.map((p) => [p.id, p as Position & { unit?: Unit }]));
  const byPerson: OverduePerson[] = perPosition.map((r) => {
    const p = posById.get(num(r.pid));
    return {
      positionId: num(r.pid), position: p?.name ?? `Jabatan #${num(r.pid)}`, holders: labels.get(num(r.pid))?.holders ?? 'lowong',
      unitId: p?.unitId ?? 0, unit: p?.unit?.name ?? '–', count: num(r.n), oldestDueAt: dbDate(r.oldest)!,
    };
  }).sort((a, b) => b.count - a.count || a.oldestDueAt.getTime() - b.oldestDueAt.getTime() || a.position.localeCompare(b.position));
  const units = new Map<number, OverdueUnit>();
  for (const p of byPerson) {
    const u = units.get(p.unitId);
    if (!u) units.set(p.unitId, { unitId: p.unitId, unit: p.unit, count: p.count, oldestDueAt: p.oldestDueAt });
    else { u.count += p.count; if (p.oldestDueAt < u.oldestDueAt) u.oldestDueAt = p.oldestDueAt; }
  }
  const byUnit = [...units.values()].sort((a, b) => b.count - a.count || a.oldestDueAt.getTime() - b.oldestDueAt.getTime() || a.unit.localeCompare(b.unit));
  const clock = workingClock(cal, at);
  const items: OverdueItem[] = list.map((r) => {
    const confidential = CONFIDENTIAL.includes(r.sifat as Sifat);
    const dueAt = dbDate(r.due_at)!;
    return {
      dispositionId: num(r.id), letterId: num(r.letter_id), positionId: num(r.pid), agendaNumber: r.agenda_number,
      perihal: confidential ? 'Surat bersifat rahasia (perihal tidak ditampilkan)' : r.perihal, confidential,
      status: r.status as DispositionStatus, dueAt, lateMinutes: Math.round(Math.max(0, clock(at) - clock(dueAt)) / 60),
    };
  });
  return { total: byPerson.reduce((a, p) => a + p.count, 0), oldest: items[0] ?? null, byUnit, byPerson, items };
}

// ---------------------------------------------------------------------------------------------
// (c) Step times against the SOP

export interface StepRow {
  /** Recipient role (for the first step: the addressed position's role). */
  role: string;
  label: string;
  /** Dispositions created in the period (not recalled); for the first step: letters disposed. */
  count: number;
  readCount: number;
  /** Average working minutes from creation to read (null without data). */
  avgReadMinutes: number | null;
  doneCount: number;
  /** Average working minutes from creation to completion (for the first step: to the first disposition). */
  avgDoneMinutes: number | null;
  /** The role's general SOP step time (Mutu Baku) in working minutes, null when none is set. */
  sopMinutes: number | null;
  /** Completed ones plus open ones already past their deadline: the ones whose outcome is known. */
  decided: number;
  /** Completed by their deadline. */
  onTime: number;
  /** onTime / decided in percent (one decimal), null when nothing is decided yet. */
  onTimePct: number | null;
}

export interface StepReport {
  /** The window the figures cover: the period asked, cut to its last STEP_WINDOW_DAYS days. */
  period: Period;
  /** One row per recipient role, in the order of the hierarchy. */
  steps: StepRow[];
  /** Registration to the first disposition by the addressed position (the Kepala Dinas), per its role. */
  firstDisposition: StepRow[];
  /** All roles together. */
  overall: { decided: number; onTime: number; onTimePct: number | null };
  /** Working minutes in one working day, for reading "hari". */
  minutesPerDay: number;
}

/** The zone's offset from UTC in seconds at `at`. */
function zoneOffsetSeconds(tz: string, at: Date): number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const o: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') o[p.type] = Number(p.value);
  const local = Date.UTC(o.year, o.month - 1, o.day, o.hour, o.minute, o.second);
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

/** Working hours of the calendar as seconds of the local day: [ws, we), and their length. */
function workingHours(cal: WorkingCalendar): { ws: number; we: number; wl: number } {
  const [sh, sm] = cal.start.split(':').map(Number);
  const [eh, em] = cal.end.split(':').map(Number);
  const ws = (sh * 60 + sm) * 60, we = (eh * 60 + em) * 60;
  return { ws, we, wl: we - ws };
}

/**
 * Working days over local day numbers (days since 1970-01-01 in the zone): `before(d)` is the
 * number of working days from a fixed origin (the first day asked) up to day d, negative for
 * days before the origin, so differences are right whatever order days are asked in;
 * `working(d)` says whether d is a working day (weekday of the calendar, not a holiday).
 */
function dayTable(cal: WorkingCalendar): { before: (d: number) => number; working: (d: number) => boolean } {
  const memo = new Map<number, boolean>();
  const working = (d: number): boolean => {
    let w = memo.get(d);
    if (w === undefined) {
      const date = new Date(d * 86_400_000);
      w = cal.days.includes(((date.getUTCDay() + 6) % 7) + 1) && !cal.holidays.has(date.toISOString().slice(0, 10));
      memo.set(d, w);
    }
    return w;
  };
  let origin: number | null = null;
  const fwd: number[] = [0]; // fwd[i]: working days in [origin, origin + i)
  const back: number[] = []; // back[j]: working days in [origin - 1 - j, origin)
  const before = (d: number): number => {
    if (origin === null) origin = d;
    if (d >= origin) {
      while (fwd.length <= d - origin) fwd.push(fwd[fwd.length - 1] + (working(origin + fwd.length - 1) ? 1 : 0));
      return fwd[d - origin];
    }
    const k = origin - 1 - d;
    while (back.length <= k) back.push((back.length ? back[back.length - 1] : 0) + (working(origin - 1 - back.length) ? 1 : 0));
    return -back[k];
  };
  return { before, working };
}

/**
 * W(t): working seconds from a fixed origin up to t, on the calendar; the working time
 * between a and b is W(b) - W(a) (the same as lib/workingTime's workingMinutesBetween).
 */
function workingClock(cal: WorkingCalendar, at: Date): (t: Date) => number {
  const off = zoneOffsetSeconds(cal.timezone, at);
  const { ws, we, wl } = workingHours(cal);
  const days = dayTable(cal);
  return (t: Date) => {
    const local = t.getTime() / 1000 + off;
    const day = Math.floor(local / 86400);
    const sod = local - day * 86400;
    return days.before(day) * wl + (days.working(day) ? Math.min(Math.max(sod, ws), we) - ws : 0);
  };
}

/**
 * SQL for a DATETIME column (stored in UTC) shifted into the office's zone by :off seconds:
 * its local day number (days since 1970-01-01) and the seconds of that day inside the working
 * hours [:ws, :we]. NULL stays NULL. Flat expressions, each column read once per use.
 */
function localDaySql(column: string): { day: string; intra: string } {
  if (isSqlite()) {
    const local = `(CAST(strftime('%s', ${column}) AS INTEGER) + :off)`;
    return { day: `(${local} / 86400)`, intra: `(MIN(MAX(${local} % 86400, :ws), :we) - :ws)` };
  }
  const local = `(${column} + INTERVAL :off SECOND)`;
  return { day: `(TO_DAYS(${local}) - 719528)`, intra: `(LEAST(GREATEST(TIME_TO_SEC(TIME(${local})), :ws), :we) - :ws)` };
}

interface RoleTimes {
  /** Rows. */
  n: number;
  /** Sums of the 0/1 columns `ot` and `lo` of the rows. */
  ot: number; lo: number;
  /** Rows with b_at / c_at, and their average working minutes from a_at. */
  b: { n: number; avgMinutes: number | null };
  c: { n: number; avgMinutes: number | null };
}

/**
 * Per role, the average working minutes from `a_at` to `b_at` and from `a_at` to `c_at` over the
 * rows of `inner` (a query returning role, a_at, b_at or NULL, c_at or NULL, and 0/1 columns ot,
 * lo that are summed), by the cumulative-working-time method described at the top of this file:
 * one scan and one GROUP BY on (role, local day of each time); no row leaves the database.
 */
async function workingTimesByRole(inner: string, replacements: Record<string, unknown>, cal: WorkingCalendar, at: Date): Promise<Map<string, RoleTimes>> {
  const { ws, we, wl } = workingHours(cal);
  const [a, b, c] = ['w.a_at', 'w.b_at', 'w.c_at'].map(localDaySql);
  const rows = await select<{ r: string; da: unknown; db: unknown; dc: unknown; n: unknown; ot: unknown; lo: unknown; ia: unknown; ib: unknown; ic: unknown }>(
    `SELECT w.role AS r, ${a.day} AS da, ${b.day} AS db, ${c.day} AS dc, COUNT(*) AS n, SUM(w.ot) AS ot, SUM(w.lo) AS lo,
       SUM(${a.intra}) AS ia, SUM(${b.intra}) AS ib, SUM(${c.intra}) AS ic
     FROM (${inner}) w GROUP BY w.role, ${a.day}, ${b.day}, ${c.day}`,
    { ...replacements, off: zoneOffsetSeconds(cal.timezone, at), ws, we, wl },
  );
  const days = dayTable(cal);
  // Sum of W(t) over n rows of one local day whose intraday working seconds add up to `intra`.
  const w = (day: number, intra: number, n: number): number => n * days.before(day) * wl + (days.working(day) ? intra : 0);
  const acc = new Map<string, { n: number; ot: number; lo: number; bn: number; bs: number; cn: number; cs: number }>();
  for (const r of rows) {
    const n = num(r.n);
    const a = acc.get(r.r) ?? { n: 0, ot: 0, lo: 0, bn: 0, bs: 0, cn: 0, cs: 0 };
    a.n += n; a.ot += num(r.ot); a.lo += num(r.lo);
    const startW = w(num(r.da), num(r.ia), n);
    // A NULL day is a group key, so all rows of the group have that time or none has.
    if (r.db !== null && r.db !== undefined) { a.bn += n; a.bs += w(num(r.db), num(r.ib), n) - startW; }
    if (r.dc !== null && r.dc !== undefined) { a.cn += n; a.cs += w(num(r.dc), num(r.ic), n) - startW; }
    acc.set(r.r, a);
  }
  const avg = (seconds: number, n: number) => (n ? Math.round((seconds / n / 60) * 100) / 100 : null);
  const out = new Map<string, RoleTimes>();
  for (const [role, a] of acc) {
    out.set(role, { n: a.n, ot: a.ot, lo: a.lo, b: { n: a.bn, avgMinutes: avg(a.bs, a.bn) }, c: { n: a.cn, avgMinutes: avg(a.cs, a.cn) } });
  }
  return out;
}

const pct = (part: number, whole: number): number | null => (whole ? Math.round((part / whole) * 1000) / 10 : null);

/**
 * Average time per disposition step against the SOP: for the dispositions created in the
 * period (its last STEP_WINDOW_DAYS days at most; recalled ones left out), per recipient role,
 * the average working time from creation to read and to completion, the role's general SOP
 * step time, and the share completed by the deadline (of those completed or already overdue). Also, for letters received in the period,
 * the addressed position's time from registration (its inbox item) to its first disposition,
 * against its role's SOP time. Reads the covering indexes of migration 20261123200000.
 */
export async function stepTimes(scope: DashboardScope, asked: Period, opts: { at?: Date; cal?: WorkingCalendar } = {}): Promise<StepReport> {
  const period = stepWindow(asked);
  const at = opts.at ?? now();
  const cal = opts.cal ?? (await workingCalendar());
  const { since, until } = periodBounds(period);
  const repl = { since, until, at, scopeIds: scope.positionIds, from: period.from, to: period.to };
  // A time before the start counts as no time (as workingMinutesBetween does), so a row whose
  // clocks disagree cannot pull an average below zero.
  // (GREATEST / MAX of two values is NULL when one is: an unread disposition stays unread.)
  const notBefore = (a: string, b: string) => (isSqlite() ? `MAX(${a}, ${b})` : `GREATEST(${a}, ${b})`);
  // Dispositions: creation to read (b) and to completion (c); on time (ot) and open past the deadline (lo).
  const dispositionsP = workingTimesByRole(
    `SELECT p.role AS role, d.created_at AS a_at,
       ${notBefore('d.created_at', 'd.read_at')} AS b_at, ${notBefore('d.created_at', 'd.completed_at')} AS c_at,
       CASE WHEN d.completed_at IS NOT NULL AND d.completed_at <= d.due_at THEN 1 ELSE 0 END AS ot,
       CASE WHEN d.completed_at IS NULL AND d.due_at < :at THEN 1 ELSE 0 END AS lo
     FROM dispositions d JOIN positions p ON p.id = d.to_position_id
     WHERE d.created_at >= :since AND d.created_at < :until AND d.status <> 'ditarik'${inScope(scope, 'd.to_position_id')}`, repl, cal, at);
  // The addressed position's first disposition of each letter received in the period, from the
  // registration (the delivery of the letter to that position's inbox).
  const firstP = workingTimesByRole(
    `SELECT p.role AS role, f.a_at AS a_at, ${notBefore('f.a_at', 'f.b_at')} AS b_at, NULL AS c_at, 0 AS ot, 0 AS lo FROM (
       SELECT l.addressed_position_id AS pid, i.received_at AS a_at, MIN(d.created_at) AS b_at
       FROM incoming_letters l
       JOIN inbox_items i ON i.letter_id = l.id AND i.position_id = l.addressed_position_id AND i.kind = 'tujuan'
       JOIN dispositions d ON d.letter_id = l.id AND d.from_position_id = l.addressed_position_id
       WHERE l.received_date >= :from AND l.received_date <= :to${inScope(scope, 'l.addressed_position_id')}
       GROUP BY l.id, l.addressed_position_id, i.received_at
     ) f JOIN positions p ON p.id = f.pid`, repl, cal, at,
  );

  const [dispositions, first, rules] = await Promise.all([
    dispositionsP, firstP, SlaRule.findAll({ where: { jenisNaskahCode: null }, attributes: ['role', 'amount', 'unit'] }),
  ]);
  const sop = new Map(rules.map((r) => [r.role, slaMinutes(r.amount, r.unit, cal)]));

  const steps: StepRow[] = [...dispositions.entries()].map(([role, t]) => {
    const decided = t.c.n + t.lo;
    return {
      role, label: roleLabel(role), count: t.n,
      readCount: t.b.n, avgReadMinutes: t.b.avgMinutes, doneCount: t.c.n, avgDoneMinutes: t.c.avgMinutes,
      sopMinutes: sop.get(role) ?? null, decided, onTime: t.ot, onTimePct: pct(t.ot, decided),
    };
  }).sort((a, b) => roleOrder(a.role) - roleOrder(b.role));
  const firstDisposition: StepRow[] = [...first.entries()].map(([role, f]) => ({
    role, label: roleLabel(role), count: f.n, readCount: 0, avgReadMinutes: null, doneCount: f.b.n, avgDoneMinutes: f.b.avgMinutes,
    sopMinutes: sop.get(role) ?? null, decided: 0, onTime: 0, onTimePct: null,
  })).sort((a, b) => roleOrder(a.role) - roleOrder(b.role));
  const decided = steps.reduce((a, s) => a + s.decided, 0);
  const onTime = steps.reduce((a, s) => a + s.onTime, 0);
  return { period, steps, firstDisposition, overall: { decided, onTime, onTimePct: pct(onTime, decided) }, minutesPerDay: minutesPerDay(cal) };
}

// ---------------------------------------------------------------------------------------------
// The page

export interface Dashboard {
  scope: DashboardScope;
  period: Period;
  month: Period;
  /** Letters received this month (in the scope). */
  lettersThisMonth: number;
  letters: { rows: StatusCount[]; total: number };
  open: { open: number; overdue: number };
  overdue: OverdueReport;
  steps: StepReport;
  /** When the figures were taken. */
  at: Date;
}

/**
 * Dashboards computed in the last DASHBOARD_CACHE_SECONDS, by scope, period and list length. The
 * figures are aggregates over every disposition of the period (about a second at a million
 * letters); leaders opening the page within a minute of each other share one computation, and
 * the page says when its figures were taken.
 */
const computed = new Map<string, { ms: number; value: Dashboard }>();

/** Everything the dashboard page shows, for an actor and a period. */
export async function dashboardFor(actor: Actor, period: Period, opts: { at?: Date; overdueLimit?: number } = {}): Promise<Dashboard> {
  const scope = await dashboardScope(actor);
  const ttl = config().dashboardCacheMs;
  if (opts.at || ttl <= 0) return computeDashboard(scope, period, opts);
  const key = JSON.stringify([scope.whole, scope.unitIds, period.from, period.to, opts.overdueLimit ?? null]);
  const hit = computed.get(key);
  if (hit && Date.now() - hit.ms < ttl) return hit.value;
  const value = await computeDashboard(scope, period, opts);
  if (computed.size > 500) computed.clear();
  computed.set(key, { ms: Date.now(), value });
  return value;
}

async function computeDashboard(scope: DashboardScope, period: Period, opts: { at?: Date; overdueLimit?: number }): Promise<Dashboard> {
  const at = opts.at ?? now();
  const cal = await workingCalendar();
  const month = thisMonth(at);
  // The parts are independent reads: sent together, the database works on them side by side.
  const [monthly, letters, open, overdue, steps] = await Promise.all([
    lettersByStatus(scope, month),
    lettersByStatus(scope, period),
    openDispositions(scope, at),
    overdueDispositions(scope, { at, cal, limit: opts.overdueLimit }),
    stepTimes(scope, period, { at, cal }),
  ]);
  return { scope, period, month, lettersThisMonth: monthly.total, letters, open, overdue, steps, at };
}
