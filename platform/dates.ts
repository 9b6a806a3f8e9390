import { config } from '../config';
import { now } from './clock';
import * as pure from '../lib/dates';

/** Dates in the configured zone (TIMEZONE) and on the app clock: platform/dates.ts with both filled in. */
const tz = () => config().timezone;

/** "22 November 2026" for a date-only string (YYYY-MM-DD) or a Date (in the configured zone). */
export const tanggal = (d: Date | string | null | undefined): string => pure.tanggal(d, tz());
/** "22 November 2026 14.05" in the configured zone. */
export const tanggalJam = (d: Date | string | null | undefined): string => pure.tanggalJam(d, tz());
/** Today's date (YYYY-MM-DD) in the configured zone. */
export const today = (at: Date = now()): string => pure.dateIn(at, tz());
/** Strictly parse YYYY-MM-DD; returns null for anything that is not a real calendar date. */
export const parseIsoDate = pure.parseIsoDate;
/** Time elapsed in words ("3 jam lalu"), for timelines. */
export const relatif = (d: Date | null | undefined, ref: Date = now()): string => pure.relatif(d, ref);
/** A local date-time from a form ("2026-11-23T14:30") in the configured zone; null when not a real one. */
export const parseLocalDateTime = (s: unknown): Date | null => pure.parseLocalDateTime(s, tz());
/** "2026-11-23T14:30" in the configured zone, for a datetime-local input's value. */
export const localDateTimeValue = (d: Date): string => pure.localDateTimeValue(d, tz());
