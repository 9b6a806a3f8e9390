import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Op } from 'sequelize';
import { boot } from '../platform/boot';
import { User } from '../models';
import { startBsreMock, type MockMode, type MockUser } from '../modules/ttd/bsre/mock';

/**
 * `naskah bsre:mock`: a local stand-in of BSrE's Esign Client Service. Every user with a NIK in
 * the configured database (DB_URL) is registered with status ISSUE and the passphrase given
 * (default "bsre-demo"); `--users` adds or overrides entries ({"NIK": {"status","passphrase","name"}}).
 * Point Naskah at it with SIGNING_TRANSPORT=bsre BSRE_URL=http://127.0.0.1:PORT BSRE_USER=esign BSRE_PASSWORD=esign.
 */
export async function bsreMockCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: {
    port: { type: 'string' }, host: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, passphrase: { type: 'string' },
    latency: { type: 'string' }, mode: { type: 'string' }, hold: { type: 'string' }, users: { type: 'string' },
  } });
  const users: Record<string, MockUser> = {};
  try {
    await boot();
    for (const u of await User.findAll({ where: { nik: { [Op.ne]: null } }, attributes: ['nik', 'name', 'email'] })) {
      users[u.nik!] = { status: 'ISSUE', passphrase: values.passphrase ?? 'bsre-demo', name: u.name, email: u.email };
    }
  } catch (err) {
    console.error(`Basis data tidak dapat dibaca (${(err as Error).message}); hanya pengguna dari --users yang terdaftar.`);
  }
  if (values.users) Object.assign(users, JSON.parse(fs.readFileSync(values.users, 'utf8')) as Record<string, MockUser>);
  const mode = (values.mode ?? 'normal') as MockMode;
  if (!['normal', 'hold', 'vpn_down'].includes(mode)) { console.error('--mode harus normal, hold, atau vpn_down'); return 2; }
  const mock = await startBsreMock({
    port: Number(values.port ?? 8089), host: values.host ?? '127.0.0.1', user: values.user ?? 'esign', password: values.password ?? 'esign',
    users, latencyMs: Number(values.latency ?? 0), mode, holdMs: values.hold ? Number(values.hold) : -1, log: (l) => console.log(l),
  });
  console.log(`Tiruan BSrE berjalan di ${mock.url} (${Object.keys(users).length} NIK terdaftar, passphrase "${values.passphrase ?? 'bsre-demo'}").`);
  console.log(`Naskah: SIGNING_TRANSPORT=bsre BSRE_URL=${mock.url} BSRE_USER=${values.user ?? 'esign'} BSRE_PASSWORD=${values.password ?? 'esign'} npm start`);
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await mock.close();
  return 0;
}
