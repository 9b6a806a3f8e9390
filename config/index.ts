import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { validateFormat } from '../lib/numbering';

/**
 * Configuration is read from the environment once, validated, and frozen. Every other
 * module imports `config` instead of touching process.env, so a bad value fails at
 * start-up with a message naming the variable rather than somewhere deep at run time.
 */
const DEV_SECRET = 'naskah-dev-secret-ganti-di-produksi';

const intFrom = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFrom(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  BASE_URL: z.string().url().optional(),
  DB_URL: z.string().default('sqlite:data/naskah.sqlite'),
  DB_LOG: z.enum(['0', '1']).default('0'),
  SESSION_SECRET: z.string().min(16, 'minimal 16 karakter').default(DEV_SECRET),
  SESSION_IDLE_MINUTES: intFrom(30, 1, 24 * 60),
  SESSION_ABSOLUTE_HOURS: intFrom(12, 1, 24 * 30),
  BLOB_DIR: z.string().default('uploads'),
  BLOB_SWEEP_GRACE_HOURS: intFrom(24, 0, 24 * 365),
  CHROMIUM_PATH: z.string().optional(),
  APP_TIMEZONE: z.string().default('Asia/Jakarta'),
  MAX_UPLOAD_MB: intFrom(20, 1, 500),
  MAX_UPLOAD_FILES: intFrom(10, 1, 100),
  LOGIN_MAX_ATTEMPTS: intFrom(5, 1, 100),
  LOGIN_LOCK_MINUTES: intFrom(15, 1, 24 * 60),
  AGENDA_FORMAT: z.string().default('{seq:4}/SM/{year}'),
  DEMO_SEED: z.enum(['auto', 'never']).default('auto'),
  TRUST_PROXY: z.enum(['0', '1']).default('0'),
  ORG_NAME: z.string().default('Dinas Komunikasi dan Informatika'),
  ORG_REGION: z.string().default('Kabupaten Sindangraja'),
  ORG_ADDRESS: z.string().default('Jl. Alun-Alun Utara No. 1, Sindangraja'),
  PDF_POOL_SIZE: intFrom(2, 1, 16),
  PDF_QUEUE_MAX: intFrom(20, 0, 1000),
  PDF_TIMEOUT_SECONDS: intFrom(30, 1, 600),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'harus diawali smtp:// atau smtps://').optional(),
  MAIL_FROM: z.string().default('Naskah <naskah@localhost>'),
  SCHEDULER_INTERVAL_SECONDS: intFrom(60, 0, 24 * 3600),
  /** Seconds the organization and reference lists are kept in memory (0 = read on every request). */
  CACHE_SECONDS: intFrom(5, 0, 3600),
  /** Seconds a leader's dashboard (aggregates over the period) is reused for the same scope and period. */
  DASHBOARD_CACHE_SECONDS: intFrom(60, 0, 3600),
  /** Requests worked on at once; the others wait their turn (platform/http/admission.ts). */
  MAX_ACTIVE_REQUESTS: intFrom(200, 1, 100_000),
  /** Requests that may wait for a turn, and for how long, before a 503 "server sibuk". */
  MAX_WAITING_REQUESTS: intFrom(1000, 0, 100_000),
  MAX_WAIT_SECONDS: intFrom(20, 1, 600),
  /** Map stack traces to the TypeScript lines (default: on, off in production: every query pays for it). */
  SOURCE_MAPS: z.enum(['0', '1']).optional(),
  /** Who signs: `local` (each signer's P12 imported into Naskah) or `bsre` (BSrE's Esign Client Service, by NIK). */
  SIGNING_TRANSPORT: z.enum(['local', 'bsre']).default('local'),
  /** The agency's Esign Client Service, e.g. http://10.1.2.3:8080 (no trailing /api). */
  BSRE_URL: z.string().url().optional(),
  BSRE_USER: z.string().optional(),
  BSRE_PASSWORD: z.string().optional(),
  /** v2 (JSON, several files per call) or v1 (multipart, one file). */
  BSRE_API: z.enum(['v1', 'v2']).default('v2'),
  /** Seconds to wait for BSrE's answer to a signing call before its outcome counts as unknown. */
  BSRE_TIMEOUT_SECONDS: intFrom(60, 1, 600),
  /** Seconds a signer's BSrE certificate status is reused before it is asked again. */
  BSRE_STATUS_CACHE_SECONDS: intFrom(300, 0, 86_400),
  /** Seconds Naskah keeps listening for a signing answer after telling the signer its outcome is unknown. */
  BSRE_LATE_GRACE_SECONDS: intFrom(300, 1, 86_400),
});

export type DbConfig =
  | { dialect: 'sqlite'; storage: string }
  | { dialect: 'mysql'; url: string; database: string };

export function parseDbUrl(url: string): DbConfig {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (rest === '' || rest === ':memory:' || rest === 'memory') return { dialect: 'sqlite', storage: ':memory:' };
    return { dialect: 'sqlite', storage: path.resolve(rest) };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!database) throw new Error('DB_URL: nama database wajib, mis. mysql://root@127.0.0.1:3306/naskah');
    return { dialect: 'mysql', url: u.toString(), database };
  }
  throw new Error(`DB_URL: skema tidak dikenal (${url.split(':')[0]}); pakai sqlite:FILE atau mysql://user:pass@host:port/db`);
}

function detectChromium(explicit?: string): string | null {
  const candidates = [explicit, process.env.PUPPETEER_EXECUTABLE_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
    .filter((p): p is string => !!p);
  for (const p of candidates) {
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* try next */ }
  }
  return null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // An empty variable (`DB_URL=`) means "not set": use the default.
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Konfigurasi tidak valid:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.SESSION_SECRET === DEV_SECRET) {
    throw new Error('Konfigurasi tidak valid:\n  SESSION_SECRET: wajib diisi dengan rahasia sendiri di produksi (NODE_ENV=production)');
  }
  try { new Intl.DateTimeFormat('id-ID', { timeZone: e.APP_TIMEZONE }); } catch {
    throw new Error(`Konfigurasi tidak valid:\n  APP_TIMEZONE: zona waktu tidak dikenal (${e.APP_TIMEZONE})`);
  }
  const fmtProblem = validateFormat(e.AGENDA_FORMAT);
  if (fmtProblem) throw new Error(`Konfigurasi tidak valid:\n  AGENDA_FORMAT: ${fmtProblem}`);
  if (!/\{year\}/.test(e.AGENDA_FORMAT)) throw new Error('Konfigurasi tidak valid:\n  AGENDA_FORMAT: harus memuat {year}, karena nomor agenda berulang tiap tahun');
  if (e.SIGNING_TRANSPORT === 'bsre' && (!e.BSRE_URL || !e.BSRE_USER || e.BSRE_PASSWORD === undefined)) {
    throw new Error('Konfigurasi tidak valid:\n  SIGNING_TRANSPORT=bsre: BSRE_URL, BSRE_USER dan BSRE_PASSWORD wajib diisi');
  }
  let db: DbConfig;
  try { db = parseDbUrl(e.DB_URL); } catch (err) { throw new Error(`Konfigurasi tidak valid:\n  ${(err as Error).message}`); }
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    baseUrl: e.BASE_URL ?? `http://localhost:${e.PORT}`,
    db,
    dbUrl: e.DB_URL,
    dbLog: e.DB_LOG === '1',
    sessionSecret: e.SESSION_SECRET,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    blobDir: path.resolve(e.BLOB_DIR),
    blobSweepGraceMs: e.BLOB_SWEEP_GRACE_HOURS * 3_600_000,
    blobSweepGraceHours: e.BLOB_SWEEP_GRACE_HOURS,
    chromiumPath: detectChromium(e.CHROMIUM_PATH),
    chromiumConfigured: e.CHROMIUM_PATH ?? null,
    timezone: e.APP_TIMEZONE,
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
    maxUploadFiles: e.MAX_UPLOAD_FILES,
    loginMaxAttempts: e.LOGIN_MAX_ATTEMPTS,
    loginLockMs: e.LOGIN_LOCK_MINUTES * 60_000,
    agendaFormat: e.AGENDA_FORMAT,
    demoSeed: e.DEMO_SEED,
    trustProxy: e.TRUST_PROXY === '1',
    orgName: e.ORG_NAME,
    orgRegion: e.ORG_REGION,
    orgAddress: e.ORG_ADDRESS,
    pdfPoolSize: e.PDF_POOL_SIZE,
    pdfQueueMax: e.PDF_QUEUE_MAX,
    pdfTimeoutMs: e.PDF_TIMEOUT_SECONDS * 1000,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    schedulerIntervalMs: e.SCHEDULER_INTERVAL_SECONDS * 1000,
    cacheMs: e.CACHE_SECONDS * 1000,
    dashboardCacheMs: e.DASHBOARD_CACHE_SECONDS * 1000,
    maxActiveRequests: e.MAX_ACTIVE_REQUESTS,
    maxWaitingRequests: e.MAX_WAITING_REQUESTS,
    maxWaitMs: e.MAX_WAIT_SECONDS * 1000,
    sourceMaps: e.SOURCE_MAPS ? e.SOURCE_MAPS === '1' : e.NODE_ENV !== 'production',
    signingTransport: e.SIGNING_TRANSPORT,
    bsre: e.SIGNING_TRANSPORT === 'bsre' ? Object.freeze({
      url: e.BSRE_URL!.replace(/\/+$/, ''), user: e.BSRE_USER!, password: e.BSRE_PASSWORD ?? '', api: e.BSRE_API,
      timeoutMs: e.BSRE_TIMEOUT_SECONDS * 1000, statusCacheMs: e.BSRE_STATUS_CACHE_SECONDS * 1000, lateGraceMs: e.BSRE_LATE_GRACE_SECONDS * 1000,
    }) : null,
  });
}

export type Config = ReturnType<typeof loadConfig>;

let current: Config | null = null;
/** The process-wide configuration, loaded on first use. Tests may call setConfig(). */
export function config(): Config {
  if (!current) current = loadConfig();
  return current;
}
export function setConfig(c: Config): void { current = c; }
