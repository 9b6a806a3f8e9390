import { LoginThrottle } from '../models';
import { now } from '../lib/clock';

/**
 * A small counter of failures (or uses) per key in a time window, kept in the login throttle
 * table (keys are prefixed, so they never meet sign-in keys): wrong TTE passphrases per user,
 * verification uploads per IP address.
 */
export async function lockedMinutes(key: string): Promise<number> {
  const row = await LoginThrottle.findByPk(key);
  const until = row?.lockedUntil?.getTime() ?? 0;
  const left = until - now().getTime();
  return left > 0 ? Math.ceil(left / 60_000) : 0;
}

/** Count one event; past `limit` events in `windowMs` the key is locked for `lockMs`. Returns the minutes locked (0: not locked). */
export async function countEvent(key: string, limit: number, windowMs: number, lockMs: number): Promise<number> {
  const t = now();
  const row = await LoginThrottle.findByPk(key);
  if (!row || t.getTime() - row.windowStart.getTime() > windowMs) {
    await LoginThrottle.upsert({ key, failures: 1, windowStart: t, lockedUntil: limit <= 1 ? new Date(t.getTime() + lockMs) : null });
    return limit <= 1 ? Math.ceil(lockMs / 60_000) : 0;
  }
  const failures = row.failures + 1;
  const locked = failures >= limit ? new Date(t.getTime() + lockMs) : null;
  await row.update({ failures, lockedUntil: locked });
  return locked ? Math.ceil(lockMs / 60_000) : 0;
}

export async function clearKey(key: string): Promise<void> { await LoginThrottle.destroy({ where: { key } }); }
