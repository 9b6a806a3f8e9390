import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { samplePdf } from '../../seed/samplePdf';

/**
 * A real Naskah server in a child process (`server.ts`, as `npm start` runs it) and HTTP
 * clients that act like signed-in officials: a cookie jar each, the CSRF token read from the
 * page the form is on, forms posted as the browser posts them. Used by the concurrency tests
 * and by bench/office-load.ts.
 */

const ROOT = path.join(__dirname, '..', '..');

export interface ServerHandle {
  url: string;
  proc: ChildProcess;
  /** Resident memory of the server process in MiB (from /proc). */
  rssMiB(): number;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The database URL a child server should use: a fresh SQLite file, or a fresh MariaDB database beside DB_URL's. */
export async function freshDbUrl(name: string, base = process.env.DB_URL): Promise<string> {
  if (base && base.startsWith('mysql')) {
    const u = new URL(base);
    const db = `${u.pathname.replace(/^\//, '') || 'naskah'}_${name}`.replace(/[^a-z0-9_]/gi, '_');
    u.pathname = '/';
    const admin = new Sequelize(u.toString(), { dialect: 'mysql', logging: false });
    try { await admin.query(`DROP DATABASE IF EXISTS \`${db}\``); } finally { await admin.close(); }
    u.pathname = `/${db}`;
    return u.toString();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `naskah-${name}-`));
  return `sqlite:${path.join(dir, 'naskah.sqlite')}`;
}

/** Start `server.ts` on a free port with the demo organization; resolves once it listens. */
/**
 * The V8 and Node flags `npm start` runs the server with (package.json), so a test or benchmark
 * of a child server measures what an office runs.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /\bnode\s+(.*?)\s*--import tsx server\.ts/.exec(pkg.scripts.start);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}

export async function startServer(env: Record<string, string>, timeoutMs = 120_000, nodeArgs: string[] = []): Promise<ServerHandle> {
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-blobs-'));
  const proc = spawn(process.execPath, [...startFlags(), ...nodeArgs, '--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', BLOB_DIR: blobDir, SESSION_SECRET: 'office-test-secret-0123456789abcdef',
      DEMO_SEED: 'auto', TRUST_PROXY: '1', SCHEDULER_INTERVAL_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
  proc.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /berjalan di (http:\/\/localhost:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1].replace('localhost', '127.0.0.1')); }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening:\n${out}`)); });
  });
  return {
    url, proc,
    rssMiB() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        return m ? Math.round(Number(m[1]) / 1024) : NaN;
      } catch { return NaN; }
    },
    log: () => out,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => { fs.rmSync(blobDir, { recursive: true, force: true }); resolve(code); });
        proc.kill(signal);
      });
    },
  };
}

export interface Answer { status: number; text: string; ms: number; location: string | null }

/** One signed-in person (or device): a cookie jar over fetch. */
export class OfficeClient {
  private cookies = new Map<string, string>();
  constructor(readonly base: string, readonly timeoutMs = 30_000) {}

  private async send(method: string, url: string, body?: BodyInit, type?: string): Promise<Answer> {
    // As behind the deployment's TLS proxy (the server runs with TRUST_PROXY=1): secure cookies.
    const headers: Record<string, string> = { 'x-forwarded-proto': 'https' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (type) headers['content-type'] = type;
    const t0 = performance.now();
    const res = await fetch(this.base + url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - t0, location: res.headers.get('location') };
  }

  get(url: string): Promise<Answer> { return this.send('GET', url); }

  /** Post a urlencoded form (array values repeat the field). */
  postForm(url: string, fields: Record<string, string | string[]>): Promise<Answer> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    return this.send('POST', url, p.toString(), 'application/x-www-form-urlencoded');
  }

  postMultipart(url: string, fields: Record<string, string>, files: { field: string; data: Buffer; name: string; type?: string }[]): Promise<Answer> {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    for (const x of files) f.append(x.field, new Blob([new Uint8Array(x.data)], { type: x.type ?? 'application/pdf' }), x.name);
    return this.send('POST', url, f);
  }

  async signIn(login: string, password: string): Promise<void> {
    const page = await this.get('/masuk');
    const res = await this.postForm('/masuk', { _csrf: tokenOf(page.text), login, password });
    if (res.status !== 302) throw new Error(`sign-in of ${login} failed: ${res.status} ${res.text.slice(0, 200)}`);
  }
}

export const tokenOf = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF token on the page: ${html.slice(0, 200)}`);
  return m[1];
};

const optionsOf = (html: string, select: string): string[] => {
  const m = new RegExp(`name="${select}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  return m ? [...m[1].matchAll(/<option value="([^"]+)"/g)].map((x) => x[1]).filter(Boolean) : [];
};

/** The registration form as the agendaris fills it: a scan and the letter's fields. */
export async function registerLetter(c: OfficeClient, o: { perihal: string; senderNumber: string; addressedTo?: 'first' | string; today: string }): Promise<Answer & { letterId: number | null }> {
  const page = await c.get('/surat-masuk/baru');
  if (page.status !== 200) return { ...page, letterId: null };
  const key = /name="submissionKey" value="([0-9a-f]{32})"/.exec(page.text)?.[1] ?? '';
  const agencies = optionsOf(page.text, 'senderAgencyId').filter((v) => /^\d+$/.test(v));
  const positions = optionsOf(page.text, 'addressedPositionId');
  const scan = samplePdf({
    agencyLines: ['PEMERINTAH KABUPATEN SINDANGRAJA', 'DINAS PENDIDIKAN'], address: 'Jl. Merdeka No. 1', place: 'Sindangraja', date: o.today,
    number: o.senderNumber, sifat: 'Biasa', lampiran: '1 (satu) berkas', hal: o.perihal, to: ['Kepala Dinas Komunikasi dan Informatika'],
    body: ['Dengan hormat, kami mengajukan permohonan sebagaimana tersebut pada pokok surat.'], signerTitle: 'Kepala Dinas', signerName: 'Budi Santoso',
  });
  const res = await c.postMultipart(`/surat-masuk?_csrf=${encodeURIComponent(tokenOf(page.text))}`, {
    submissionKey: key, senderNumber: o.senderNumber, letterDate: o.today, receivedDate: o.today, senderAgencyId: agencies[0] ?? '',
    perihal: o.perihal, sifat: 'biasa', urgensi: 'segera', klasifikasi: '400.14.2.1', jenisNaskah: 'surat_permohonan',
    lampiran: '1 (satu) berkas', summary: 'Permohonan uji beban kantor', addressedPositionId: o.addressedTo && o.addressedTo !== 'first' ? o.addressedTo : positions[0] ?? '',
  }, [{ field: 'scan', data: scan, name: 'scan.pdf' }]);
  const id = res.status === 303 ? /\/surat-masuk\/(\d+)$/.exec(res.location ?? '')?.[1] : undefined;
  return { ...res, letterId: id ? Number(id) : null };
}

/** Dispose a letter from its page: the holder's position and the first `n` targets offered (or the named ones). */
export async function disposeLetter(c: OfficeClient, letterId: number, o: { targets?: string[]; n?: number; note?: string } = {}): Promise<Answer & { targets: string[] }> {
  const page = await c.get(`/surat-masuk/${letterId}`);
  if (page.status !== 200) return { ...page, targets: [] };
  const via = /name="via" value="(\d+)"/.exec(page.text)?.[1];
  const offered = [...page.text.matchAll(/name="targets" value="(\d+)"/g)].map((m) => m[1]);
  if (!via || !offered.length) return { ...page, status: 0, text: 'no disposition form on the page', targets: [] };
  const targets = o.targets ?? offered.slice(0, o.n ?? 1);
  const res = await c.postForm(`/surat-masuk/${letterId}/disposisi`, {
    _csrf: tokenOf(page.text), via, targets, instructions: ['tindak_lanjuti'], note: o.note ?? 'Mohon ditindaklanjuti', priority: 'biasa', dueAt: '',
  });
  return { ...res, targets };
}
