import { Op } from 'sequelize';
import { LoginThrottle, User } from '../models';
import { config } from '../config';
import { now } from '../lib/clock';
import { hashPassword, verifyPassword } from './passwords';

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

async function fail(keys: string[]): Promise<void> {
  const t = now();
  const windowMs = config().loginLockMs;
  for (const key of keys) {
    const row = await LoginThrottle.findByPk(key);
    if (!row || t.getTime() - row.windowStart.getTime() > windowMs) {
      await LoginThrottle.upsert({ key, failures: 1, windowStart: t, lockedUntil: null });
      continue;
    }
    const failures = row.failures + 1;
    // The per-IP limit is looser than the per-account one: one office often shares an address.
    const limit = key.startsWith('ip:') ? config().loginMaxAttempts * 4 : config().loginMaxAttempts;
    await row.update({ failures, lockedUntil: failures >= limit ? new Date(t.getTime() + config().loginLockMs) : null });
  }
}

/**
 * Check a sign-in by NIP or username. Failed attempts are counted per account and per IP
 * address; past the limit both are locked for a while and the user is told how long.
 */
export async function authenticate(login: string, password: string, ip: string): Promise<LoginResult> {
  const id = (login ?? '').trim().toLowerCase();
  if (!id || !password) return { ok: false, message: 'Isi NIP atau nama pengguna dan kata sandi.' };
  const keys = [`u:${id.slice(0, 100)}`, `ip:${ip}`];
  const minutes = await lockedFor(keys);
  if (minutes) {
    return { ok: false, lockedMinutes: minutes, message: `Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam ${minutes} menit.` };
  }
  const user = await User.findOne({ where: /^\d+$/.test(id) ? { nip: id } : { username: id } });
  if (!user || !user.active) {
    dummyHash ??= hashPassword('tidak-ada-akun-0');
    await verifyPassword(await dummyHash, password);
    await fail(keys);
    return { ok: false, message: 'NIP/nama pengguna atau kata sandi salah.' };
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    await fail(keys);
    const m = await lockedFor(keys);
    return m ? { ok: false, lockedMinutes: m, message: `Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam ${m} menit.` }
      : { ok: false, message: 'NIP/nama pengguna atau kata sandi salah.' };
  }
  await LoginThrottle.destroy({ where: { key: keys[0] } });
  return { ok: true, user };
}
