import { Op } from 'sequelize';
import { LoginThrottle, User } from '../../models';
import { config } from '../../config';
import { now } from '../../platform/clock';
import { hashPassword, verifyPassword } from './passwords';
import { countEvent } from '../../platform/throttle';

// A hash to compare against when the account does not exist, so timing does not reveal it.
let dummyHash: Promise<string> | null = null;

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; message: string; lockedMinutes?: number };

async function lockedFor(keys: string[]): Promise<number> {
  const rows = await LoginThrottle.findAll({ where: { key: keys, lockedUntil: { [Op.gt]: now() } } });
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil!.getTime()));
  return until ? Math.ceil((until - now().getTime()) / 60_000) : 0;
}

/** The lock message shown on the sign-in page. */
const lockMessage = (minutes: number) => `Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam ${minutes} menit.`;

/**
 * Count one failure on every key (see platform/throttle.ts: atomic, so concurrent attempts are
 * never lost). The per-IP limit is looser than the per-account one: one office often shares an
 * address. Returns the minutes locked (0: not locked).
 */
async function fail(keys: string[]): Promise<number> {
  const c = config();
  const minutes = await Promise.all(keys.map((key) =>
    countEvent(key, key.startsWith('ip:') ? c.loginMaxAttempts * 4 : c.loginMaxAttempts, c.loginLockMs, c.loginLockMs)));
  return Math.max(0, ...minutes);
}

/**
 * The throttle key of an account: its username, however the user signed in (username or NIP),
 * so failures typed one way lock the other way too. It is the key the operators' password reset
 * (modules/org/userAccounts.ts) lifts. A login that names no account is counted per typed string.
 */
const accountKey = (user: User) => `u:${user.username}`;

/**
 * Check a sign-in by NIP or username. Failed attempts are counted per account and per IP
 * address; past the limit both are locked for a while and the user is told how long.
 */
export async function authenticate(login: string, password: string, ip: string): Promise<LoginResult> {
  const id = (login ?? '').trim().toLowerCase();
  if (!id || !password) return { ok: false, message: 'Isi NIP atau nama pengguna dan kata sandi.' };
  const found = await User.findOne({ where: /^\d+$/.test(id) ? { nip: id } : { username: id } });
  const user = found?.active ? found : null;
  // Per account once the login names one (username and NIP share one counter), else per typed string; and per IP.
  const keys = [user ? accountKey(user) : `u:${id.slice(0, 100)}`, `ip:${ip}`];
  const minutes = await lockedFor(keys);
  if (minutes) return { ok: false, lockedMinutes: minutes, message: lockMessage(minutes) };
  if (!user) {
    dummyHash ??= hashPassword('tidak-ada-akun-0');
    await verifyPassword(await dummyHash, password);
  } else if (await verifyPassword(user.passwordHash, password)) {
    await LoginThrottle.destroy({ where: { key: keys[0] } });
    return { ok: true, user };
  }
  // The same answer whether or not the account exists, so the lock does not reveal it either.
  const m = await fail(keys);
  return m ? { ok: false, lockedMinutes: m, message: lockMessage(m) } : { ok: false, message: 'NIP/nama pengguna atau kata sandi salah.' };
}
