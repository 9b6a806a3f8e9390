import type { Urgensi } from '../models';

// Until the working calendar of the disposition issue lands, the time the addressed
// official has to act on a new letter follows its urgency in plain hours.
const HOURS: Record<Urgensi, number> = { sangat_segera: 1, segera: 24, biasa: 72 };

/** When the addressed position should have acted on a letter received at `from`. */
export function dueForNewLetter(urgensi: Urgensi, from: Date): Date {
  return new Date(from.getTime() + HOURS[urgensi] * 3_600_000);
}
