import { Disposition, type Position, type IncomingLetter } from '../../../models';
import { OPEN_DISPOSITION } from '../../../models';
import type { AnyActor, Holding } from '../../../platform/actor';

/**
 * Who may do what with dispositions. A letter is held by its addressed position (until the
 * letter is closed) and by every position with an open disposition on it; holders dispose
 * further down. Only a recipient reports or completes; only the disposer recalls, and only
 * while the recipient has not read it.
 */

const LETTER_CLOSED = ['selesai', 'diarsipkan'];

/** The actor's holdings through which they currently hold the letter (may dispose it). */
export async function holdingsOnLetter(a: AnyActor, letter: Pick<IncomingLetter, 'id' | 'status' | 'addressedPositionId'>): Promise<Holding[]> {
  if (LETTER_CLOSED.includes(letter.status) || !a.holdings.length) return [];
  const mine = a.holdings.map((h) => h.positionId);
  const open = await Disposition.findAll({ where: { letterId: letter.id, toPositionId: mine, status: OPEN_DISPOSITION as string[] }, attributes: ['toPositionId', 'status'] });
  return holdingsAmong(a, letter, open);
}

/** holdingsOnLetter over the letter's dispositions already read (all of them, or only the actor's open ones). */
export function holdingsAmong(a: AnyActor, letter: Pick<IncomingLetter, 'status' | 'addressedPositionId'>, dispositions: Pick<Disposition, 'toPositionId' | 'status'>[]): Holding[] {
  if (LETTER_CLOSED.includes(letter.status) || !a.holdings.length) return [];
  const mine = a.holdings.map((h) => h.positionId);
  const ids = new Set(dispositions.filter((d) => OPEN_DISPOSITION.includes(d.status) && mine.includes(d.toPositionId)).map((d) => d.toPositionId));
  if (mine.includes(letter.addressedPositionId)) ids.add(letter.addressedPositionId);
  return a.holdings.filter((h) => ids.has(h.positionId));
}

/** May close the whole letter (selesai / arsipkan): the holder of the addressed position. */
export const canCloseLetter = (a: AnyActor, letter: Pick<IncomingLetter, 'status' | 'addressedPositionId'>): boolean =>
  !LETTER_CLOSED.includes(letter.status) && a.holdings.some((h) => h.positionId === letter.addressedPositionId);

/** The holding through which the actor is the recipient of an open disposition. */
export function recipientHolding(a: AnyActor, d: Disposition): Holding | undefined {
  return d.isOpen() ? a.holdings.find((h) => h.positionId === d.toPositionId) : undefined;
}

/** The holding through which the actor made the disposition, if it may still be recalled. */
export function recallHolding(a: AnyActor, d: Disposition): Holding | undefined {
  return d.status === 'terkirim' ? a.holdings.find((h) => h.positionId === d.fromPositionId) : undefined;
}
