import { QueryTypes } from 'sequelize';
import { LoginThrottle } from '../models';
import { now } from './clock';
import { isSqlite, tx } from './db';

/**
 * A small counter of failures (or uses) per key in a time window, kept in the login throttle
 * table (keys are prefixed, so they never meet each other): failed sign-ins per account, per
 * unknown login and per IP address, wrong TTE passphrases per user, verification uploads per
 * IP address.
 */
export async function lockedMinutes(key: string): Promise<number> {
  const row = await LoginThrottle.findByPk(key);
  const until = row?.lockedUntil?.getTime() ?? 0;
  const left = until - now().getTime();
  return left > 0 ? Math.ceil(left / 60_000) : 0;
}

/**
 * Count one event; past `limit` events in `windowMs` the key is locked for `lockMs`. Returns the
 * minutes locked (0: not locked).
 *
 * The count is bumped in the database in one statement, never read and written back, so
 * concurrent events are never lost: a missing row is inserted first (INSERT IGNORE, outside the
 * transaction on MariaDB, so concurrent callers never hold a shared lock they then try to
 * upgrade), then one UPDATE either starts a new window or adds one, and sets the lock from the
 * new count; the row is read back in the same transaction, under the UPDATE's row lock, so the
 * result is this event's own count.
 */
export async function countEvent(key: string, limit: number, windowMs: number, lockMs: number): Promise<number> {
  const s = LoginThrottle.sequelize!;
  const t = now();
  const insert = `${isSqlite(s) ? 'INSERT OR IGNORE' : 'INSERT IGNORE'} INTO login_throttles (\`key\`, failures, window_start, locked_until) VALUES (:key, 0, :t, NULL)`;
  await s.query(insert, { replacements: { key, t } });
  // MariaDB applies SET assignments left to right, each seeing the columns already assigned, and
  // SQLite sees the old values throughout: so the columns are assigned in the order that reads
  // only old values (locked_until from failures and window_start, failures from window_start,
  // window_start last).
  const expired = 'window_start < :from';
  const next = `CASE WHEN ${expired} THEN 1 ELSE failures + 1 END`;
  const update = `UPDATE login_throttles SET
      locked_until = CASE WHEN ${next} >= :limit THEN :until ELSE NULL END,
      failures = ${next},
      window_start = CASE WHEN ${expired} THEN :t ELSE window_start END
    WHERE \`key\` = :key`;
  const replacements = { key, t, from: new Date(t.getTime() - windowMs), until: new Date(t.getTime() + lockMs), limit };
  const row = await tx(async () => {
    await s.query(update, { replacements, type: QueryTypes.UPDATE });
    return LoginThrottle.findByPk(key);
  }, s);
  const left = (row?.lockedUntil?.getTime() ?? 0) - t.getTime();
  return left > 0 ? Math.ceil(left / 60_000) : 0;
}

export async function clearKey(key: string): Promise<void> { await LoginThrottle.destroy({ where: { key } }); }
