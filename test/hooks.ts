import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { config, loadConfig, setConfig } from '../config';
import { boot } from '../platform/boot';
import { db, setDb, createSequelize } from '../platform/db';
import { setBlobStore, LocalBlobStore } from '../platform/blobstore';
import { setClock, systemClock } from '../platform/clock';
import { seedDemo } from '../seed/demo';

/**
 * One database for the whole run: SQLite in memory by default, or the database DB_URL names
 * (MariaDB in CI), emptied first. The demo organization (without letters) is seeded once;
 * each test creates the letters and extra records it needs through the factories.
 */
export const TEST_BLOB_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-test-blobs-'));

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const dbUrl = process.env.DB_URL || 'sqlite::memory:';
    setConfig(loadConfig({ ...process.env, NODE_ENV: 'test', DB_URL: dbUrl, BLOB_DIR: TEST_BLOB_DIR, SESSION_SECRET: 'test-secret-0123456789abcdef', DEMO_SEED: 'never',
      // Tests change data between page loads; the dashboard's reuse has its own test.
      DASHBOARD_CACHE_SECONDS: '0' }));
    setBlobStore(new LocalBlobStore(TEST_BLOB_DIR));
    const c = config();
    if (c.db.dialect === 'mysql') {
      // Start from an empty database on a reused server.
      const u = new URL(c.db.url);
      u.pathname = '/';
      const admin = new Sequelize(u.toString(), { dialect: 'mysql', logging: false });
      await admin.query(`DROP DATABASE IF EXISTS \`${c.db.database}\``);
      await admin.close();
    }
    setDb(createSequelize());
    await boot();
    await seedDemo({ letters: false });
  },
  async afterAll() {
    setClock(systemClock);
    await db().close();
    fs.rmSync(TEST_BLOB_DIR, { recursive: true, force: true });
  },
};
