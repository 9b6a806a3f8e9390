/**
 * The working calendar: SOP times in "jam" and "hari" run on working hours only (default
 * Monday to Friday 07:30-16:00 in the configured time zone), skipping holidays.
 */
export interface WorkingCalendar {
  /** ISO weekdays that are working days (1 = Monday ... 7 = Sunday). */
  days: number[];
  start: string; // "07:30"
  end: string;   // "16:00"
  timezone: string;
  holidays: Set<string>; // YYYY-MM-DD
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function parts(d: Date, tz: string) {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', weekday: 'short' });
    fmtCache.set(tz, f);
  }
  const o: Record<string, string> = {};
  for (const p of f.formatToParts(d)) o[p.type] = p.value;
  const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(o.weekday) + 1;
  return { y: +o.year, m: +o.month, d: +o.day, h: +o.hour, min: +o.minute, s: +o.second, wd };
}

/** The instant of local time y-m-d h:min in the zone (zones without DST gaps, as in Indonesia). */
function atLocal(y: number, m: number, d: number, h: number, min: number, tz: string): Date {
  const guess = Date.UTC(y, m - 1, d, h, min);
  const p = parts(new Date(guess), tz);
  const offset = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min) - guess;
  return new Date(guess - offset);
}

const hm = (s: string): [number, number] => { const [h, m] = s.split(':').map(Number); return [h, m]; };
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** Working window of the local day containing `t`, or null when that day is not a working day. */
function windowOf(t: Date, cal: WorkingCalendar): { start: Date; end: Date; nextDay: Date } {
  const p = parts(t, cal.timezone);
  const [sh, sm] = hm(cal.start);
  const [eh, em] = hm(cal.end);
  const start = atLocal(p.y, p.m, p.d, sh, sm, cal.timezone);
  const end = atLocal(p.y, p.m, p.d, eh, em, cal.timezone);
  const next = new Date(Date.UTC(p.y, p.m - 1, p.d + 1));
  const nextDay = atLocal(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0, cal.timezone);
  const working = cal.days.includes(p.wd) && !cal.holidays.has(iso(p.y, p.m, p.d));
  return working ? { start, end, nextDay } : { start: nextDay, end: nextDay, nextDay };
}

export const minutesPerDay = (cal: WorkingCalendar): number => {
  const [sh, sm] = hm(cal.start); const [eh, em] = hm(cal.end);
  return eh * 60 + em - (sh * 60 + sm);
};

/** `from` plus `minutes` of working time. */
export function addWorkingMinutes(from: Date, minutes: number, cal: WorkingCalendar): Date {
  let t = new Date(from);
  let left = minutes * 60_000;
  for (let guard = 0; guard < 5000; guard++) {
    const w = windowOf(t, cal);
    if (t < w.start) t = w.start;
    if (t >= w.end) { t = w.nextDay; continue; }
    const avail = w.end.getTime() - t.getTime();
    if (left <= avail) return new Date(t.getTime() + left);
    left -= avail;
    t = w.nextDay;
  }
  throw new Error('working calendar has no working time');
}

/** Working minutes between two instants (0 when b <= a). */
export function workingMinutesBetween(a: Date, b: Date, cal: WorkingCalendar): number {
  if (b <= a) return 0;
  let t = new Date(a);
  let total = 0;
  for (let guard = 0; guard < 5000 && t < b; guard++) {
    const w = windowOf(t, cal);
    if (t < w.start) t = w.start;
    if (t >= b) break;
    if (t >= w.end) { t = w.nextDay; continue; }
    const until = b < w.end ? b : w.end;
    total += until.getTime() - t.getTime();
    t = w.nextDay;
  }
  return Math.round(total / 60_000);
}

/** Working duration of an SOP time: "1 jam", "3 hari" (a day is one working day's length). */
export function slaMinutes(amount: number, unit: 'menit' | 'jam' | 'hari', cal: WorkingCalendar): number {
  return unit === 'menit' ? amount : unit === 'jam' ? amount * 60 : amount * minutesPerDay(cal);
}
