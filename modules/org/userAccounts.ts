import { Op } from 'sequelize';
import { LoginThrottle, User } from '../../models';
import { tx } from '../../platform/db';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { nipProblem } from './org';
import { hashPassword, passwordProblem } from './passwords';
import { systemActor } from '../../platform/actor';

export interface NewUser { username: string; name: string; nip: string | null; email: string | null; isAdmin: boolean; password: string }

/**
 * userCreator (operators' CLI): create a user with a checked NIP and password, audited as
 * done by the CLI. The admin pages use the generic directory saver instead.
 */
export async function createUser(u: NewUser): Promise<User> {
  const e: Record<string, string> = {};
  if (!/^[a-z0-9._]{3,60}$/.test(u.username)) e.username = 'Nama pengguna (--username) 3-60 karakter: huruf kecil, angka, titik, garis bawah.';
  if (!u.name.trim()) e.name = 'Nama (--name) wajib diisi.';
  if (u.nip) { const p = nipProblem(u.nip); if (p) e.nip = p; }
  const pw = passwordProblem(u.password);
  if (pw) e.password = pw;
  if (!e.username && (await User.count({ where: { username: u.username } }))) e.username = `Nama pengguna ${u.username} sudah dipakai.`;
  if (u.nip && !e.nip && (await User.count({ where: { nip: u.nip } }))) e.nip = 'NIP sudah terdaftar.';
  if (Object.keys(e).length) throw new ValidationError(e);
  const passwordHash = await hashPassword(u.password);
  return tx(async (t) => {
    const user = await User.create({ username: u.username, name: u.name.trim(), nip: u.nip, email: u.email, phone: null, pangkat: null, golongan: null, passwordHash, isAdmin: u.isAdmin }, { transaction: t });
    const { passwordHash: _h, ...after } = user.toJSON();
    await recordEvent(t, systemActor('cli'), { action: 'pengguna.dibuat', entityType: 'pengguna', entityId: user.id, after });
    return user;
  });
}

/** passwordResetter (operators' CLI): set a new password by username or NIP and lift any login lock. */
export async function resetPassword(usernameOrNip: string, password: string): Promise<User> {
  const user = await User.findOne({ where: { [Op.or]: [{ username: usernameOrNip }, { nip: usernameOrNip }] } });
  if (!user) throw new NotFoundError(`Pengguna ${usernameOrNip} tidak ditemukan.`);
  const p = passwordProblem(password);
  if (p) throw new ValidationError({ password: p });
  const passwordHash = await hashPassword(password);
  return tx(async (t) => {
    user.passwordHash = passwordHash;
    await user.save({ transaction: t });
    await LoginThrottle.destroy({ where: { key: [`u:${user.username}`, ...(user.nip ? [`u:${user.nip}`] : [])] }, transaction: t });
    await recordEvent(t, systemActor('cli'), { action: 'pengguna.kata_sandi_direset', entityType: 'pengguna', entityId: user.id });
    return user;
  });
}
