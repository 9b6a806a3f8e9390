import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createDevCa, issueSignerP12, type DevCa } from '../../../platform/devCa';
import { nativeSigner, openP12, signPdfWith, type CmsSigner } from '../../../platform/pdfSign';
import type { BsreStatus } from './client';

/**
 * A faithful stand-in for BSrE's Esign Client Service (`naskah bsre:mock --port N`), for tests and
 * demos. It speaks both API versions the way public clients use them (see client.ts):
 * HTTP Basic auth (401 otherwise); a status per NIK (only ISSUE signs); 400 {error, status_code}
 * with "User tidak terdaftar 2011", "Passphrase anda salah 2031", InvalidPdfException; v1 returns
 * the signed PDF with an `id_dokumen` header and lets it be downloaded once more; v2 signs several
 * files in one call. It signs with its own local CA (one certificate per NIK, subject = the
 * person's name, "Mock BSrE ... bukan untuk produksi" as issuer) so pdfsig validates its output,
 * and timestamps through `timestamp` (a local TSA) when given.
 *
 * Behaviour switches (in process, or POST /__mock/config with the same Basic auth):
 * latencyMs (every answer waits), mode 'normal' | 'hold' (sign, then hold the answer holdMs:
 * "timeout after accepting"; holdMs < 0 never answers) | 'vpn_down' (the gateway answers 503
 * "vpn atau jaringan terputus"), and `down` (the port refuses connections).
 */
export interface MockUser { status: BsreStatus; passphrase: string; name: string; email?: string | null }
export type MockMode = 'normal' | 'hold' | 'vpn_down';
export interface MockOptions {
  port?: number; host?: string; user?: string; password?: string;
  users?: Record<string, MockUser>;
  latencyMs?: number; mode?: MockMode; holdMs?: number;
  ca?: DevCa;
  /** Adds a signature timestamp (or more) to a signed PDF, e.g. through a local TSA. */
  timestamp?: (signed: Buffer) => Promise<Buffer>;
  log?: (line: string) => void;
}
export interface MockLogEntry { at: Date; path: string; nik: string | null; outcome: string; files: number }

export interface BsreMock {
  url: string; port: number; ca: DevCa;
  users: Map<string, MockUser>;
  set(o: Partial<Pick<MockOptions, 'latencyMs' | 'mode' | 'holdMs'>>): void;
  setDown(down: boolean): Promise<void>;
  /** Every signing call and its outcome (what BSrE would have in its log). */
  log: MockLogEntry[];
  /** The signed PDFs the mock produced, in order (including those whose answer was held back). */
  signed: Buffer[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tiny multipart/form-data reader (fields and one file), enough for v1's form. */
function readMultipart(body: Buffer, contentType: string): Record<string, Buffer> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return {};
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const out: Record<string, Buffer> = {};
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    if (headEnd < 0) break;
    const head = body.subarray(start, headEnd).toString('utf8');
    const next = body.indexOf(boundary, headEnd + 4);
    if (next < 0) break;
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name) out[name] = body.subarray(headEnd + 4, next - 2);
    pos = next;
  }
  return out;
}

export async function startBsreMock(o: MockOptions = {}): Promise<BsreMock> {
  const user = o.user ?? 'esign', password = o.password ?? 'esign';
  const ca = o.ca ?? createDevCa({ commonName: 'Mock BSrE Signing CA (bukan untuk produksi)', organization: 'Mock Balai Besar Sertifikasi Elektronik' });
  const users = new Map(Object.entries(o.users ?? {}));
  const state = { latencyMs: o.latencyMs ?? 0, mode: o.mode ?? 'normal' as MockMode, holdMs: o.holdMs ?? -1 };
  const signers = new Map<string, CmsSigner>();
  const downloads = new Map<string, Buffer>();
  const log: MockLogEntry[] = [];
  const signed: Buffer[] = [];
  const held = new Set<http.ServerResponse>();
  const say = o.log ?? (() => undefined);

  const signerFor = (nik: string, u: MockUser): CmsSigner => {
    let s = signers.get(nik);
    if (!s) {
      const pass = crypto.randomBytes(12).toString('hex');
      const p12 = issueSignerP12(ca, { name: u.name, email: u.email ?? null, organization: 'Pemerintah Daerah (mock)' }, pass);
      s = nativeSigner(openP12(p12, pass));
      signers.set(nik, s);
    }
    return s;
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const b = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': b.length }).end(b);
  };
  const statusBody = (nik: string) => {
    const u = users.get(nik);
    if (!u || u.status === 'NOT_REGISTERED') return { status_code: 1110, status: 'NOT_REGISTERED', message: 'User tidak terdaftar' };
    return { status_code: u.status === 'ISSUE' ? 1111 : 1112, status: u.status, message: u.status === 'ISSUE' ? 'Sertifikat aktif' : `Status sertifikat ${u.status}` };
  };
  /** Check the signer and sign every file; an error answer is returned as [status, body]. */
  async function signAll(nik: string, passphrase: string, files: Buffer[], reason: string, location: string): Promise<Buffer[] | [number, unknown]> {
    const u = users.get(nik);
    if (!u || u.status === 'NOT_REGISTERED') return [400, { error: 'Proses signing gagal : User tidak terdaftar 2011', status_code: 2011 }];
    if (u.status !== 'ISSUE') return [400, { error: `Proses signing gagal : Status sertifikat user ${u.status}`, status_code: 2021 }];
    if (passphrase !== u.passphrase) return [400, { error: 'Proses signing gagal : Passphrase anda salah 2031', status_code: 2031 }];
    if (!files.length || files.some((f) => f.subarray(0, 5).toString('latin1') !== '%PDF-' || f.lastIndexOf('%%EOF') < 0)) {
      return [400, { error: 'Proses signing gagal : com.itextpdf.text.exceptions.InvalidPdfException: PDF header signature not found.', status_code: 2051 }];
    }
    const out: Buffer[] = [];
    for (const f of files) {
      let s = await signPdfWith(f, signerFor(nik, u), { reason: reason || 'Dokumen ditandatangani secara elektronik', location: location || 'Indonesia', signingTime: new Date(), name: u.name, reserveBytes: 16384 });
      if (o.timestamp) s = await o.timestamp(s);
      out.push(s);
    }
    return out;
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!auth || Buffer.from(auth, 'base64').toString() !== `${user}:${password}`) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="esign"', 'Content-Type': 'text/plain' }).end('Unauthorized');
      return;
    }
    if (url.pathname === '/__mock/config' && req.method === 'POST') {
      const c = JSON.parse(body.toString() || '{}') as Partial<typeof state> & { users?: Record<string, MockUser> };
      if (c.latencyMs !== undefined) state.latencyMs = Number(c.latencyMs);
      if (c.mode) state.mode = c.mode;
      if (c.holdMs !== undefined) state.holdMs = Number(c.holdMs);
      for (const [k, v] of Object.entries(c.users ?? {})) users.set(k, v);
      return json(res, 200, { ok: true, ...state });
    }
    if (state.latencyMs) await sleep(state.latencyMs);
    if (state.mode === 'vpn_down') return json(res, 503, { error: 'Gagal terhubung ke server BSrE, periksa vpn atau jaringan terputus', status_code: 5000 });
    const holdOrSend = async (send: () => void) => {
      if (state.mode !== 'hold') return send();
      held.add(res);
      if (state.holdMs < 0) return; // never answers
      await sleep(state.holdMs);
      held.delete(res);
      if (!res.destroyed) send();
    };

    if (url.pathname === '/api/v2/user/check/status' && req.method === 'POST') {
      let nik = '';
      try { nik = String((JSON.parse(body.toString()) as { nik?: unknown }).nik ?? ''); } catch { return json(res, 400, { error: 'Request tidak valid', status_code: 4000 }); }
      return json(res, 200, statusBody(nik));
    }
    const st = /^\/api\/user\/status\/([^/]+)$/.exec(url.pathname);
    if (st && req.method === 'GET') return json(res, 200, statusBody(decodeURIComponent(st[1])));

    if (url.pathname === '/api/v2/sign/pdf' && req.method === 'POST') {
      let p: { nik?: unknown; passphrase?: unknown; file?: unknown; signatureProperties?: unknown };
      try { p = JSON.parse(body.toString()) as typeof p; } catch { return json(res, 400, { error: 'Request tidak valid', status_code: 4000 }); }
      const nik = String(p.nik ?? '');
      const files = Array.isArray(p.file) ? p.file.map((f) => Buffer.from(String(f), 'base64')) : [];
      const props = (Array.isArray(p.signatureProperties) ? p.signatureProperties[0] : {}) as { reason?: string; location?: string };
      const r = await signAll(nik, String(p.passphrase ?? ''), files, String(props?.reason ?? ''), String(props?.location ?? ''));
      if (!Array.isArray(r) || !Buffer.isBuffer(r[0])) {
        const [code, err] = r as [number, unknown];
        log.push({ at: new Date(), path: url.pathname, nik, outcome: `gagal ${code}`, files: files.length });
        return json(res, code, err);
      }
      const out = r as Buffer[];
      signed.push(...out);
      log.push({ at: new Date(), path: url.pathname, nik, outcome: state.mode === 'hold' ? 'ditandatangani, jawaban ditahan' : 'ditandatangani', files: out.length });
      say(`v2 sign ${nik}: ${out.length} berkas`);
      return holdOrSend(() => json(res, 200, { time: Date.now(), file: out.map((b) => b.toString('base64')) }));
    }
    if (url.pathname === '/api/sign/pdf' && req.method === 'POST') {
      const f = readMultipart(body, req.headers['content-type'] ?? '');
      const nik = f.nik?.toString() ?? '';
      const r = await signAll(nik, f.passphrase?.toString() ?? '', f.file ? [f.file] : [], f.reason?.toString() ?? '', f.location?.toString() ?? '');
      if (!Array.isArray(r) || !Buffer.isBuffer(r[0])) {
        const [code, err] = r as [number, unknown];
        log.push({ at: new Date(), path: url.pathname, nik, outcome: `gagal ${code}`, files: f.file ? 1 : 0 });
        return json(res, code, err);
      }
      const pdf = (r as Buffer[])[0];
      const id = crypto.randomUUID();
      downloads.set(id, pdf);
      signed.push(pdf);
      log.push({ at: new Date(), path: url.pathname, nik, outcome: state.mode === 'hold' ? 'ditandatangani, jawaban ditahan' : 'ditandatangani', files: 1 });
      return holdOrSend(() => res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': pdf.length, id_dokumen: id }).end(pdf));
    }
    const dl = /^\/api\/sign\/download\/([^/]+)$/.exec(url.pathname);
    if (dl && req.method === 'GET') {
      const pdf = downloads.get(dl[1]);
      if (!pdf) return json(res, 404, { error: 'Dokumen tidak ditemukan atau sudah diunduh', status_code: 4040 });
      downloads.delete(dl[1]); // once
      return res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': pdf.length }).end(pdf);
    }
    return json(res, 404, { error: 'Not Found' });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((e: Error) => { if (!res.headersSent) json(res, 500, { error: e.message }); });
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(o.port ?? 0, host, r));
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  const stop = () => new Promise<void>((r) => {
    for (const h of held) h.destroy();
    held.clear();
    server.close(() => r());
    server.closeAllConnections();
  });
  return {
    url: `http://${host}:${port}`, port, ca, users, log, signed,
    set(c) { Object.assign(state, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined))); },
    async setDown(down) {
      if (down && listening) { listening = false; await stop(); }
      if (!down && !listening) { await new Promise<void>((r) => server.listen(port, host, r)); listening = true; }
    },
    async close() { if (listening) { listening = false; await stop(); } },
  };
}
