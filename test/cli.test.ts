import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { verifyPassword } from '../modules/org/passwords';
import { childEnv, describeRun, naskah } from './fixtures/proc';

/**
 * The operators' CLI, run as operators run it (`node bin/naskah.js ...`) against a fresh
 * SQLite file of its own. The tests run in order on the same file: migrations first, then
 * the seed, then the accounts.
 */
describe('naskah CLI', function () {
  this.timeout(180_000);

  let dir: string;
  let env: NodeJS.ProcessEnv;
  let file: Sequelize;
  const migrations = () => fs.readdirSync(path.join(__dirname, '..', 'migrations')).filter((f) => /^\d{14}-.*\.ts$/.test(f)).sort().map((f) => f.replace(/\.ts$/, ''));
  const NIP = '198501012010011001';
  const PASSWORD = 'BudiRahasia2026';

  const rows = <T extends object>(sql: string, replacements: unknown[] = []) => file.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const budi = async () => (await rows<{ id: number; name: string; nip: string; password_hash: string; is_admin: number }>(
    'SELECT id, name, nip, password_hash, is_admin FROM users WHERE username = ?', ['budi.santoso']))[0];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-cli-'));
    env = childEnv({ DB_URL: `sqlite:${path.join(dir, 'n.sqlite')}`, BLOB_DIR: path.join(dir, 'blobs') });
    file = new Sequelize({ dialect: 'sqlite', storage: path.join(dir, 'n.sqlite'), logging: false });
  });
  after(async () => {
    await file.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrate: status lists pending migrations, up runs them, down undoes one step, up runs it again', async () => {
    const MIGRATIONS = migrations();
    expect(MIGRATIONS.length).to.be.greaterThan(1);
    const last = MIGRATIONS[MIGRATIONS.length - 1];

    let r = await naskah(['migrate', 'status'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim().split('\n').map((l) => l.trim())).to.deep.equal(MIGRATIONS.map((m) => `[ ] ${m}`));

    r = await naskah(['migrate', 'up'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim()).to.equal(`Migrasi dijalankan: ${MIGRATIONS.join(', ')}`);

    r = await naskah(['migrate', 'status'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim().split('\n').map((l) => l.trim())).to.deep.equal(MIGRATIONS.map((m) => `[x] ${m}`));

    r = await naskah(['migrate', 'down'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim()).to.equal(`Migrasi dibatalkan: ${last}`);

    r = await naskah(['migrate', 'status'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim().split('\n').map((l) => l.trim())).to.deep.equal([...MIGRATIONS.slice(0, -1).map((m) => `[x] ${m}`), `[ ] ${last}`]);

    r = await naskah(['migrate', 'up'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim()).to.equal(`Migrasi dijalankan: ${last}`);
    const recorded = await rows<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(recorded.map((x) => x.name)).to.deep.equal(MIGRATIONS);
  });

  it('seed --demo fills an empty database once and refuses a second time', async () => {
    let r = await naskah(['seed', '--demo'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('Data contoh terisi.');
    const count = async (table: string) => Number((await rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    const users = await count('users');
    const letters = await count('incoming_letters');
    expect(users).to.be.greaterThan(10);
    expect(letters).to.be.greaterThan(10);

    r = await naskah(['seed', '--demo'], env);
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stderr).to.include('Basis data sudah berisi pengguna; data contoh hanya diisi ke basis data kosong.');
    expect(await count('users')).to.equal(users);
    expect(await count('incoming_letters')).to.equal(letters);
  });

  it('blobs:verify passes on the seeded database', async () => {
    const r = await naskah(['blobs:verify'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    const blobs = Number((await rows<{ n: number }>('SELECT COUNT(*) AS n FROM blobs'))[0].n);
    expect(blobs).to.be.greaterThan(0);
    expect(r.stdout.trim()).to.equal(`${blobs} berkas diperiksa; 0 hilang, 0 rusak.`);
  });

  it('user:create makes an account with the password from NASKAH_PASSWORD, audited without the hash', async () => {
    const r = await naskah(['user:create', '--username', 'budi.santoso', '--name', 'Budi Santoso', '--nip', NIP], { ...env, NASKAH_PASSWORD: PASSWORD });
    expect(r.code, describeRun(r)).to.equal(0);
    const u = await budi();
    expect(u, 'user row').to.not.equal(undefined);
    expect(r.stdout.trim()).to.equal(`Pengguna dibuat: budi.santoso (id ${u.id}).`);
    expect([u.name, u.nip, Number(u.is_admin)]).to.deep.equal(['Budi Santoso', NIP, 0]);
    expect(u.password_hash).to.match(/^\$argon2id\$/);
    expect(await verifyPassword(u.password_hash, PASSWORD)).to.equal(true);
    expect(await verifyPassword(u.password_hash, 'naskah2026')).to.equal(false);
    const ev = await rows<{ action: string; actor_user_id: number | null; after: string }>(
      "SELECT action, actor_user_id, after FROM audit_events WHERE entity_type = 'pengguna' AND entity_id = ?", [String(u.id)]);
    expect(ev.map((e) => [e.action, e.actor_user_id])).to.deep.equal([['pengguna.dibuat', null]]);
    expect(ev[0].after).to.include('budi.santoso');
    expect(ev[0].after).to.not.match(/password|argon2/i);
  });

  it('user:create refuses an invalid NIP (and a taken username) with the Indonesian message and exit 1', async () => {
    const before = Number((await rows<{ n: number }>('SELECT COUNT(*) AS n FROM users'))[0].n);
    // Birth month 13.
    let r = await naskah(['user:create', '--username', 'siti.aminah', '--name', 'Siti Aminah', '--nip', '198513012010012001'], { ...env, NASKAH_PASSWORD: PASSWORD });
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stderr.trim()).to.equal('NIP tidak valid: 8 digit pertama harus tanggal lahir (TTTTBBHH).');

    r = await naskah(['user:create', '--username', 'budi.santoso', '--name', 'Budi Lain', '--nip', '12345'], { ...env, NASKAH_PASSWORD: PASSWORD });
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stderr).to.include('Nama pengguna budi.santoso sudah dipakai.');
    expect(r.stderr).to.include('NIP harus 18 digit (terisi 5 digit).');
    expect(Number((await rows<{ n: number }>('SELECT COUNT(*) AS n FROM users'))[0].n)).to.equal(before);
  });

  it('user:reset-password sets the new password and lifts the login locks of that account only', async () => {
    const old = await budi();
    const lockedUntil = '2099-01-01 00:00:00.000 +00:00';
    for (const key of ['u:budi.santoso', `u:${NIP}`, 'u:kadis']) {
      await file.query('INSERT INTO login_throttles (`key`, failures, window_start, locked_until) VALUES (?, 5, ?, ?)', { replacements: [key, '2026-01-01 00:00:00.000 +00:00', lockedUntil] });
    }
    const NEW = 'GantiSandi2027';
    const r = await naskah(['user:reset-password', 'budi.santoso'], { ...env, NASKAH_PASSWORD: NEW });
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout.trim()).to.equal('Kata sandi budi.santoso diganti; percobaan masuk yang gagal direset.');
    const u = await budi();
    expect(u.password_hash).to.not.equal(old.password_hash);
    expect(await verifyPassword(u.password_hash, NEW)).to.equal(true);
    expect(await verifyPassword(u.password_hash, PASSWORD)).to.equal(false);
    const left = await rows<{ key: string }>('SELECT `key` FROM login_throttles ORDER BY `key`');
    expect(left.map((x) => x.key)).to.deep.equal(['u:kadis']);
    const ev = await rows<{ action: string }>("SELECT action FROM audit_events WHERE entity_type = 'pengguna' AND entity_id = ? ORDER BY seq", [String(u.id)]);
    expect(ev.map((e) => e.action)).to.deep.equal(['pengguna.dibuat', 'pengguna.kata_sandi_direset']);
  });

  it('audit:verify passes after all of the above', async () => {
    const r = await naskah(['audit:verify'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.match(/^Log audit utuh: \d+ kejadian, rantai hash cocok\.$/m);
  });

  it('help prints the usage; an unknown command prints it on stderr with exit 2', async () => {
    const bare = childEnv({});
    let r = await naskah(['help'], bare);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('Naskah: perintah operator');
    for (const cmd of ['naskah migrate', 'naskah seed --demo', 'naskah user:create', 'naskah user:reset-password', 'naskah audit:verify', 'naskah blobs:verify', 'naskah blobs:sweep']) {
      expect(r.stdout).to.include(cmd);
    }
    r = await naskah(['surat:hapus-semua'], bare);
    expect(r.code, describeRun(r)).to.equal(2);
    expect(r.stderr).to.include('Perintah tidak dikenal: surat:hapus-semua');
    expect(r.stderr).to.include('Naskah: perintah operator');
    expect(r.stdout).to.equal('');
  });
});
