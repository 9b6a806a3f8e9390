/**
 * Dates as officials read them ("22 November 2026"), in a time zone the caller names. Pure:
 * platform/dates.ts binds the configured zone and the app clock, and is what the app uses.
 */

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string, key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${tz}|${key}`;
  let f = fmtCache.get(k);
  if (!f) { f = new Intl.DateTimeFormat('id-ID', { timeZone: tz, ...opts }); fmtCache.set(k, f); }
  return f;
}

const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

/**
 * A zone's offset from UTC (minutes) at an instant. Intl answers it; the answer is
 * kept per quarter hour (zones change offset on quarter-hour boundaries at the finest), so a
 * page formatting hundreds of times costs a few Intl calls, not hundreds.
 */
const offsets = new Map<string, number>();
function zoneOffsetMinutes(d: Date, tz: string): number {
  const key = `${tz}|${Math.floor(d.getTime() / 900_000)}`;
  let off = offsets.get(key);
  if (off === undefined) {
    const parts = fmt(tz, 'offset', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    off = Math.round((local - Math.floor(d.getTime() / 60_000) * 60_000) / 60_000);
    if (offsets.size > 20_000) offsets.clear();
    offsets.set(key, off);
  }
  return off;
}

/** The wall-clock fields of an instant in a zone (read with getUTC*). */
function wallClock(d: Date, tz: string): Date {
  return new Date(d.getTime() + zoneOffsetMinutes(d, tz) * 60_000);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** "22 November 2026" for a date-only string (YYYY-MM-DD) or a Date (in a zone). */
export function tanggal(d: Date | string | null | undefined, tz: string): string {
  if (!d) return '';
  if (typeof d === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (m && MONTHS[+m[2] - 1]) return `${+m[3]} ${MONTHS[+m[2] - 1]} ${m[1]}`;
    d = new Date(d);
  }
  if (Number.isNaN(d.getTime())) return '';
  const w = wallClock(d, tz);
  return `${w.getUTCDate()} ${MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()}`;
}

/** "22 November 2026 14.05" in a zone. */
export function tanggalJam(d: Date | string | null | undefined, tz: string): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return '';
  const w = wallClock(date, tz);
  return `${w.getUTCDate()} ${MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()} ${pad2(w.getUTCHours())}.${pad2(w.getUTCMinutes())}`;
}

/** The date (YYYY-MM-DD) of an instant in a zone. */
export function dateIn(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())}`;
}

/** Strictly parse YYYY-MM-DD; returns null for anything that is not a real calendar date. */
export function parseIsoDate(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  if (y < 1900 || y > 2200) return null;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Time elapsed in words ("3 jam lalu"), for timelines. */
export function relatif(d: Date | null | undefined, ref: Date): string {
  if (!d) return '';
  const s = Math.round((ref.getTime() - d.getTime()) / 1000);
  const a = Math.abs(s);
  const unit = a < 60 ? [a, 'detik'] : a < 3600 ? [Math.round(a / 60), 'menit'] : a < 86400 ? [Math.round(a / 3600), 'jam'] : [Math.round(a / 86400), 'hari'];
  return s >= 0 ? `${unit[0]} ${unit[1]} lalu` : `${unit[0]} ${unit[1]} lagi`;
}

/**
 * Parse a local date-time from a form ("2026-11-23T14:30", as <input type="datetime-local">
 * sends it) in a zone; null when it is not a real date-time.
 */
export function parseLocalDateTime(s: unknown, tz: string): Date | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})$/.exec(s.trim());
  if (!m || !parseIsoDate(m[1]) || +m[2] > 23 || +m[3] > 59) return null;
  const [y, mo, d] = m[1].split('-').map(Number);
  const guess = Date.UTC(y, mo - 1, d, +m[2], +m[3]);
  const p = fmt(tz, 'parts', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(guess));
  const g = (t: string) => +(p.find((x) => x.type === t)?.value ?? 0);
  const offset = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute')) - guess;
  return new Date(guess - offset);
}

/** "2026-11-23T14:30" in a zone, for a datetime-local input's value. */
export function localDateTimeValue(d: Date, tz: string): string {
  const p = fmt(tz, 'parts', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const g = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}`;
}
