/**
 * The clock. Everything that asks "what time is it" asks this, so tests (and, later, the
 * deadline scheduler) can move time without sleeping.
 */
export interface Clock { now(): Date }

export const systemClock: Clock = { now: () => new Date() };

let current: Clock = systemClock;
export const clock = (): Clock => current;
export const now = (): Date => current.now();
export function setClock(c: Clock): void { current = c; }

/** A clock that stands still until moved; for tests. */
export class FixedClock implements Clock {
  constructor(private t: Date) {}
  now(): Date { return new Date(this.t.getTime()); }
  set(t: Date): void { this.t = t; }
  advance(ms: number): void { this.t = new Date(this.t.getTime() + ms); }
}
