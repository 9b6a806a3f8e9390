import { QueryTypes, Sequelize, Transaction } from 'sequelize';
import mysql from 'mysql2';
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { config, type DbConfig } from '../config';

/**
 * The database handle and the one way to run a write transaction.
 *
 * SQLite allows one writer at a time, and Sequelize shares a single connection for an
 * in-memory database, so on SQLite write transactions are queued in-process; on a file
 * database every connection also waits (busy timeout) instead of failing when another
 * process holds the lock. MariaDB runs transactions concurrently and the services take
 * row locks where they need them (sequences, audit chain).
 */
class PatientDatabase extends sqlite3.Database {
  constructor(file: string, mode: number, cb: (err: Error | null) => void) {
    super(file, mode, (err: Error | null) => {
      if (!err) {
        this.configure('busyTimeout', 15000);
        if (file !== ':memory:') this.run('PRAGMA journal_mode=WAL');
      }
      cb(err);
    });
  }
}
const sqliteModule = Object.assign(Object.create(sqlite3), { Database: PatientDatabase });

export function createSequelize(db: DbConfig = config().db, logging = config().dbLog): Sequelize {
  const common = {
    logging: logging ? console.log : false,
    define: { underscored: true, timestamps: true },
  } as const;
  if (db.dialect === 'sqlite') {
    return new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage: db.storage,
      dialectModule: sqliteModule,
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
  }
  const s = new Sequelize(db.url, {
    ...common,
    dialect: 'mysql',
    timezone: '+00:00',
    pool: { max: 20, min: 0, idle: 10000, acquire: 30000 },
    dialectOptions: { dateStrings: false, supportBigNumbers: true, charset: 'utf8mb4' },
  });
  // The read pool (see selectPlain) ends with the Sequelize instance.
  const close = s.close.bind(s);
  s.close = async () => {
    const pool = readPools.get(s);
    readPools.delete(s);
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
    return close();
  };
  return s;
}

/**
 * Read-only statements that every page runs (the session, the inbox, the register's lists)
 * go, on MariaDB, through a lean mysql2 pool of their own instead of Sequelize's query
 * machinery: mysql2's compiled row parser with its own types (no per-field type-cast callback,
 * no query object, no captured stack per statement). The values come back as Sequelize returns
 * them: DATETIME as a Date in UTC, DATE as 'YYYY-MM-DD', DECIMAL as a string. Plain statements
 * only: no replacements, no transaction (a statement that must see a transaction's writes goes
 * through Sequelize). The pool is also the place a read replica would plug in.
 */
const readPools = new WeakMap<Sequelize, mysql.Pool>();
function readPool(s: Sequelize): mysql.Pool {
  let pool = readPools.get(s);
  if (!pool) {
    const c = s.config;
    // A Unix socket when DB_URL names one (?socketPath=...), as Sequelize's own connections do.
    const socketPath = (s as unknown as { options: { dialectOptions?: { socketPath?: string } } }).options.dialectOptions?.socketPath;
    pool = mysql.createPool({
      host: c.host, port: c.port ? Number(c.port) : undefined, user: c.username, password: c.password ?? undefined, database: c.database, socketPath,
      charset: 'utf8mb4', timezone: 'Z', dateStrings: ['DATE'], supportBigNumbers: true,
      connectionLimit: 10, maxIdle: 2, idleTimeout: 10_000, enableKeepAlive: true,
    });
    // As Sequelize does on its connections: NOW() and friends in UTC.
    // A connection that cannot be set up is dropped rather than used with another time zone.
    pool.on('connection', (conn) => { conn.query("SET time_zone = '+00:00'", (err) => { if (err) conn.destroy(); }); });
    readPools.set(s, pool);
  }
  return pool;
}

/** Run a plain read-only SELECT (see readPool); on SQLite through Sequelize. */
export function selectPlain<T>(sql: string, s: Sequelize = db()): Promise<T[]> {
  if (isSqlite(s)) return s.query(sql, { type: QueryTypes.SELECT }) as Promise<T[]>;
  return new Promise((resolve, reject) => {
    readPool(s).query(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
  });
}

let sequelize: Sequelize | null = null;
export function db(): Sequelize {
  if (!sequelize) sequelize = createSequelize();
  return sequelize;
}
export function setDb(s: Sequelize): void { sequelize = s; }
export const isSqlite = (s: Sequelize = db()) => s.getDialect() === 'sqlite';

let queue: Promise<unknown> = Promise.resolve();

/** Run fn inside one transaction; commit when it resolves, roll back when it throws. */
export async function tx<T>(fn: (t: Transaction) => Promise<T>, s: Sequelize = db()): Promise<T> {
  if (!isSqlite(s)) {
    // InnoDB may pick this transaction as a deadlock victim; the whole unit of work is retried.
    for (let attempt = 1; ; attempt++) {
      try { return await s.transaction((t) => fn(t)); } catch (err) {
        const errno = (err as { parent?: { errno?: number } }).parent?.errno;
        if ((errno === 1213 || errno === 1205) && attempt < 4) continue;
        throw err;
      }
    }
  }
  const run = queue.then(() => s.transaction((t) => fn(t)));
  queue = run.catch(() => undefined);
  return run;
}

/** Create the MariaDB database named in the URL, or the SQLite file's directory, if missing. */
export async function ensureDatabase(dbc: DbConfig = config().db): Promise<void> {
  if (dbc.dialect === 'sqlite') {
    if (dbc.storage !== ':memory:') fs.mkdirSync(path.dirname(dbc.storage), { recursive: true });
    return;
  }
  const u = new URL(dbc.url);
  u.pathname = '/';
  const admin = new Sequelize(u.toString(), { dialect: 'mysql', logging: false });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${dbc.database.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.close();
  }
}
