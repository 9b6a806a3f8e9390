import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { QueryTypes, Sequelize, Transaction } from 'sequelize';
import mysql from 'mysql2';
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { config, type DbConfig } from '../config';

/**
 * The database handle and the one way to run a write transaction.
 *
 * One rule on both databases: a query made while a transaction runs belongs to it. The
 * transaction lives in an AsyncLocalStorage context (Sequelize's CLS hook), so every query
 * and model call made inside `tx(fn)` joins it without being handed `t`; a query that names
 * another transaction, or `transaction: null`, while one is active is refused at once
 * (TransactionEscapeError) instead of waiting on a lock its own transaction holds. A `tx()`
 * inside a `tx()` joins the outer one, so two commands form one atomic unit.
 *
 * SQLite allows one writer at a time. In this process there is exactly one: write
 * transactions are queued, and a write made outside any transaction (the session store, a
 * throttle counter, a read mark) is queued too, as a transaction of its own, and runs on the
 * one writer connection; reads outside a transaction use their own connection (WAL: readers
 * never wait for the writer). So no query waits on SQLite's lock for a thread of libuv's
 * pool. Another process (the CLI) can still hold the lock: the busy timeout is short and the
 * whole unit of work is retried with a pause that does not hold a thread.
 *
 * MariaDB runs transactions concurrently, in READ COMMITTED, so a statement after a row
 * lock sees what the previous lock holder committed (the audit chain, sequences); a
 * deadlock or lock-wait timeout retries the whole unit of work.
 */
const SQLITE_BUSY_MS = 200;
/**
 * Column types of each table, per database file. Sequelize's SQLite dialect asks
 * `PRAGMA table_info` for every table named in every SELECT (to parse its columns), a second
 * round trip through the thread pool for each read; the answer only changes with the schema, so
 * it is kept until a statement that changes the schema runs on any connection to the file.
 */
const tableInfos = new Map<string, Map<string, unknown[]>>();
const TABLE_INFO = /^PRAGMA table_info\(`([^`]+)`\)$/;
const DDL = /^\s*(CREATE|ALTER|DROP)\b/i;
type RowsCallback = (err: Error | null, rows: unknown[]) => void;

class PatientDatabase extends sqlite3.Database {
  private readonly schemaKey: string;
  constructor(file: string, mode: number, cb: (err: Error | null) => void) {
    super(file, mode, (err: Error | null) => {
      if (!err) {
        this.configure('busyTimeout', SQLITE_BUSY_MS);
        if (file !== ':memory:') this.run('PRAGMA journal_mode=WAL');
      }
      cb(err);
    });
    this.schemaKey = file === ':memory:' ? `:memory:${Math.random()}` : file;
  }

  private infos(): Map<string, unknown[]> {
    let m = tableInfos.get(this.schemaKey);
    if (!m) tableInfos.set(this.schemaKey, (m = new Map()));
    return m;
  }

  override all(sql: string, ...rest: unknown[]): this {
    const table = typeof sql === 'string' ? TABLE_INFO.exec(sql)?.[1] : undefined;
    const cb = rest[rest.length - 1];
    if (table && typeof cb === 'function') {
      const known = this.infos().get(table);
      if (known) { process.nextTick(() => (cb as RowsCallback)(null, known)); return this; }
      return super.all(sql, ...rest.slice(0, -1), (err: Error | null, rows: unknown[]) => {
        if (!err) this.infos().set(table, rows);
        (cb as RowsCallback)(err, rows);
      });
    }
    if (typeof sql === 'string' && DDL.test(sql)) this.infos().clear();
    return super.all(sql, ...rest);
  }

  override run(sql: string, ...rest: unknown[]): this {
    if (typeof sql === 'string' && DDL.test(sql)) this.infos().clear();
    return super.run(sql, ...rest);
  }

  override exec(sql: string, cb?: (err: Error | null) => void): this {
    if (typeof sql === 'string' && DDL.test(sql)) this.infos().clear();
    return super.exec(sql, cb);
  }
}
const sqliteModule = Object.assign(Object.create(sqlite3), { Database: PatientDatabase });

export function createSequelize(db: DbConfig = config().db, logging = config().dbLog): Sequelize {
  const common = {
    logging: logging ? console.log : false,
    define: { underscored: true, timestamps: true },
  } as const;
  if (db.dialect === 'sqlite') {
    const s = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage: db.storage,
      dialectModule: sqliteModule,
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
    return guarded(oneWriter(s));
  }
  const s = new Sequelize(db.url, {
    ...common,
    dialect: 'mysql',
    timezone: '+00:00',
    pool: { max: 20, min: 0, idle: 10000, acquire: 30000 },
    dialectOptions: { dateStrings: false, supportBigNumbers: true, charset: 'utf8mb4' },
  });
  // Every connection reads what was committed before each statement (see the header).
  s.addHook('afterConnect', (conn: unknown) => new Promise<void>((resolve, reject) => {
    (conn as mysql.Connection).query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err) => (err ? reject(err) : resolve()));
  }));
  if (!logging) leanModelReads(s);
  // The read pool (see selectPlain) ends with the Sequelize instance.
  const close = s.close.bind(s);
  s.close = async () => {
    const pool = readPools.get(s);
    readPools.delete(s);
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
    return close();
  };
  return guarded(s);
}

// ---------------------------------------------------------------- the ambient transaction

const als = new AsyncLocalStorage<Map<string, unknown>>();
/** The CLS namespace Sequelize asks for, over AsyncLocalStorage. */
const namespace = {
  run<R>(fn: (ctx: Map<string, unknown>) => R): R {
    const ctx = new Map<string, unknown>();
    return als.run(ctx, () => fn(ctx));
  },
  get(key: string): unknown { return als.getStore()?.get(key); },
  set(key: string, value: unknown): void { als.getStore()?.set(key, value); },
  bind<F>(fn: F): F { return AsyncResource.bind(fn as unknown as (...args: unknown[]) => unknown) as unknown as F; },
};
Sequelize.useCLS(namespace as never);

/** The transaction the current code runs in, if any. */
export function currentTransaction(): Transaction | null {
  const t = namespace.get('transaction') as Transaction | null | undefined;
  return t && !(t as unknown as { finished?: string }).finished ? t : null;
}

/** A query made inside a transaction that would run outside it (see the header). */
export class TransactionEscapeError extends Error {
  constructor(sql: string) {
    super(`query escapes the transaction it runs in: ${sql.slice(0, 200)}`);
    this.name = 'TransactionEscapeError';
  }
}

type QueryFn = Sequelize['query'];
/** `t` is `active` or one of its savepoints (findOrCreate makes one). */
function within(t: Transaction | null, active: Transaction): boolean {
  for (let x = t as (Transaction & { parent?: Transaction }) | null | undefined; x; x = x.parent) if (x === active) return true;
  return false;
}
type QueryOpts = { transaction?: Transaction | null; type?: string } | undefined;
const sqlText = (sql: unknown): string => (typeof sql === 'string' ? sql : String((sql as { query?: string })?.query ?? ''));
const READ = /^\s*(SELECT|PRAGMA|WITH|EXPLAIN|VALUES)\b/i;

/**
 * Sequelize's query, checked: inside a transaction a query may only use that transaction;
 * on SQLite a write outside any transaction becomes a queued transaction of its own.
 */
function guarded(s: Sequelize): Sequelize {
  const query = s.query.bind(s) as (sql: unknown, options?: QueryOpts) => Promise<unknown>;
  const sqlite = isSqlite(s);
  s.query = function checkedQuery(sql: unknown, options?: QueryOpts) {
    const active = currentTransaction();
    const given = options?.transaction;
    if (active && given !== undefined && !within(given, active) && (given === null || (given as unknown as { sequelize: Sequelize }).sequelize === s)) {
      return Promise.reject(new TransactionEscapeError(sqlText(sql)));
    }
    if (sqlite && !active && !given && options?.type !== QueryTypes.SELECT && !READ.test(sqlText(sql))) {
      return tx(() => query(sql, options), s);
    }
    return query(sql, options);
  } as QueryFn;
  return s;
}

/**
 * On a SQLite file, all transactions share one writer connection (they run one at a time, see
 * tx) instead of opening a connection each; reads outside transactions keep the default one.
 */
function oneWriter(s: Sequelize): Sequelize {
  const cm = s.connectionManager as unknown as {
    connections: Record<string, unknown>;
    getConnection(o?: { uuid?: string; type?: string }): Promise<unknown>;
    releaseConnection(c: unknown, force?: boolean): void;
  };
  const get = cm.getConnection.bind(cm);
  const release = cm.releaseConnection.bind(cm);
  cm.getConnection = (o) => get({ ...o, uuid: o?.uuid && o.uuid !== 'default' ? 'writer' : 'default' });
  cm.releaseConnection = (c, force) => { if (c !== cm.connections.writer || force) release(c, force); };
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
  // Inside a transaction the statement must see the transaction's own writes.
  if (isSqlite(s) || currentTransaction()) return s.query(sql, { type: QueryTypes.SELECT }) as Promise<T[]>;
  return new Promise((resolve, reject) => {
    readPool(s).query(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
  });
}

/**
 * Model reads on MariaDB through the read pool. `Model.findAll` / `findOne` / `findByPk` outside
 * any transaction build their SELECT as always (Sequelize's query generator: scopes, attributes,
 * where, order, limit) and their instances as always (bulkBuild from raw rows); only the
 * statement's trip goes through the lean pool instead of Sequelize's query machinery (a query
 * object, a captured stack, a type-cast callback per field, moment per DATETIME: about a third of
 * a letter page's CPU). The values are those Sequelize's dialect gives: DATETIME as a Date in
 * UTC, DATE as a string, DECIMAL as a string; BOOLEAN attributes become true/false when the
 * instance is built, as on Sequelize's path. A read with includes
 * (joins), a lock, raw rows, or inside a transaction takes Sequelize's own path.
 */
function leanModelReads(s: Sequelize): void {
  type SelectOptions = Record<string, unknown> & { plain?: boolean };
  type Built = { bulkBuild(rows: object[], o: object): unknown[] };
  const qi = s.getQueryInterface() as unknown as {
    select(model: unknown, table: unknown, options: SelectOptions): Promise<unknown>;
    queryGenerator: { selectQuery(table: unknown, options: SelectOptions, model: unknown): string };
  };
  const select = qi.select.bind(qi);
  qi.select = async (model, table, optionsArg) => {
    const o = optionsArg;
    if (o.include || o.transaction || o.lock || o.raw || o.fieldMap || o.logging || currentTransaction()) return select(model, table, optionsArg);
    const options: SelectOptions = { ...optionsArg, type: QueryTypes.SELECT, model };
    const sql = qi.queryGenerator.selectQuery(table, options, model);
    const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      readPool(s).query(sql, (err, result) => (err ? reject(err) : resolve(result as Record<string, unknown>[])));
    });
    const built = (model as Built).bulkBuild(rows, { isNewRecord: false, raw: true, attributes: o.originalAttributes || o.attributes });
    return o.plain ? built[0] ?? null : built;
  };
}

let sequelize: Sequelize | null = null;
export function db(): Sequelize {
  if (!sequelize) sequelize = createSequelize();
  return sequelize;
}
export function setDb(s: Sequelize): void { sequelize = s; }
export const isSqlite = (s: Sequelize = db()) => s.getDialect() === 'sqlite';

const queues = new WeakMap<Sequelize, Promise<unknown>>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errnoOf = (err: unknown): number | string | undefined => {
  const e = err as { parent?: { errno?: number; code?: string }; original?: { code?: string } };
  return e.parent?.errno ?? e.parent?.code ?? e.original?.code;
};
/** SQLite's lock held by another process (SQLITE_BUSY = 5). */
const sqliteBusy = (err: unknown) => { const n = errnoOf(err); return n === 5 || n === 'SQLITE_BUSY'; };
/** Attempts of one unit of work on a lock held elsewhere, and the pause before the n-th retry. */
const ATTEMPTS = 30;
const pause = (attempt: number) => Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random() / 2);

/**
 * Run fn inside one transaction; commit when it resolves, roll back when it throws. Inside a
 * transaction already, fn joins it. A lock conflict (MariaDB deadlock or lock-wait timeout,
 * SQLite busy because of another process) retries the whole of fn, so fn must not have done
 * anything outside the database that it cannot do twice (mail, notifications and jobs go
 * after the commit).
 */
export async function tx<T>(fn: (t: Transaction) => Promise<T>, s: Sequelize = db()): Promise<T> {
  const active = currentTransaction();
  if (active && (active as unknown as { sequelize: Sequelize }).sequelize === s) return fn(active);
  if (!isSqlite(s)) {
    for (let attempt = 1; ; attempt++) {
      try { return await s.transaction((t) => fn(t)); } catch (err) {
        const errno = errnoOf(err);
        if ((errno === 1213 || errno === 1205) && attempt < ATTEMPTS) { await sleep(pause(attempt)); continue; }
        throw err;
      }
    }
  }
  const attemptAll = async (): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try { return await s.transaction((t) => fn(t)); } catch (err) {
        if (sqliteBusy(err) && attempt < ATTEMPTS) { await sleep(pause(attempt)); continue; }
        throw err;
      }
    }
  };
  // The queue is entered outside any ambient context, so a queued unit never inherits a
  // transaction that finished while it waited.
  const run = (queues.get(s) ?? Promise.resolve()).then(() => als.exit(attemptAll));
  queues.set(s, run.catch(() => undefined));
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
