import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { config, parseDbUrl } from '../config';
import { createSequelize, selectPlain } from '../platform/db';

/**
 * The lean read path (platform/db.ts selectPlain) against MariaDB, in both test runs: the SQLite run
 * uses the machine's MariaDB on 127.0.0.1:3306 (root, no password) for this file alone.
 */
function mariaUrl(database: string): URL {
  const c = config().db;
  const u = new URL(c.dialect === 'mysql' ? c.url : 'mysql://root@127.0.0.1:3306/');
  u.pathname = `/${database}`;
  u.search = '';
  return u;
}

describe('Read pool: hot reads through mysql2 directly (MariaDB)', function () {
  this.timeout(60_000);
  const c = config().db;
  const name = `${c.dialect === 'mysql' ? c.database : 'naskah'}_readpool`;
  let s: Sequelize;
  let admin: Sequelize;

  before(async () => {
    const root = mariaUrl('');
    admin = new Sequelize(root.toString(), { dialect: 'mysql', logging: false });
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    s = createSequelize(parseDbUrl(mariaUrl(name).toString()), false);
    await s.query(`CREATE TABLE t (id BIGINT PRIMARY KEY, at DATETIME(3) NULL, day DATE NULL, amount DECIMAL(12,2) NULL,
      flag TINYINT(1) NOT NULL, n INT NULL, big BIGINT NULL, txt TEXT NULL)`);
    await s.query(`INSERT INTO t VALUES
      (1, '2026-11-23 03:04:05.678', '2026-11-22', 55500.00, 1, 7, 9007199254740991, 'Surat 📨 Dinas <Kominfo> "a" ''b'''),
      (2, NULL, NULL, NULL, 0, NULL, NULL, NULL)`);
  });

  after(async () => {
    await s?.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.close();
  });

  it('returns every value as Sequelize\'s own query does (dates in UTC, DATE as text, DECIMAL as text, utf8mb4)', async () => {
    const sql = 'SELECT id, at, day, amount, flag, n, big, txt FROM t ORDER BY id';
    const plain = await selectPlain<Record<string, unknown>>(sql, s);
    const viaSequelize = await s.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
    expect(plain).to.deep.equal(viaSequelize);
    expect((plain[0].at as Date).toISOString()).to.equal('2026-11-23T03:04:05.678Z');
    expect(plain[0].day).to.equal('2026-11-22');
    expect(plain[0].amount).to.equal('55500.00');
    expect(plain[0].txt).to.equal('Surat 📨 Dinas <Kominfo> "a" \'b\'');
    expect(plain[1]).to.deep.equal({ id: 2, at: null, day: null, amount: null, flag: 0, n: null, big: null, txt: null });
  });

  it('runs in UTC like Sequelize\'s connections, and reports SQL errors to the caller', async () => {
    const [row] = await selectPlain<{ tz: string }>('SELECT @@session.time_zone AS tz', s);
    expect(row.tz).to.equal('+00:00');
    const err = await selectPlain('SELECT nope FROM t', s).then(() => null, (e: Error) => e);
    expect(err?.message).to.include("Unknown column 'nope'");
  });

  it('connects through the Unix socket that DB_URL names (?socketPath=)', async () => {
    const [{ sock }] = await admin.query<{ sock: string }>('SELECT @@socket AS sock', { type: QueryTypes.SELECT });
    const u = mariaUrl(name);
    u.hostname = 'localhost';
    u.port = '';
    u.searchParams.set('socketPath', sock);
    const viaSocket = createSequelize(parseDbUrl(u.toString()), false);
    try {
      // A socket connection shows as host "localhost" without a port; TCP as "127.0.0.1:<port>".
      const [me] = await selectPlain<{ host: string }>('SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()', viaSocket);
      expect(me.host).to.equal('localhost');
      const [tcp] = await selectPlain<{ host: string }>('SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()', s);
      expect(tcp.host).to.match(/^127\.0\.0\.1:\d+$/);
    } finally {
      await viaSocket.close();
    }
  });
});
