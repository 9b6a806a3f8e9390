import { Sequelize, Transaction } from 'sequelize';
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
  return new Sequelize(db.url, {
    ...common,
    dialect: 'mysql',
    timezone: '+00:00',
    pool: { max: 20, min: 0, idle: 10000, acquire: 30000 },
    dialectOptions: { dateStrings: false, supportBigNumbers: true, charset: 'utf8mb4' },
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
