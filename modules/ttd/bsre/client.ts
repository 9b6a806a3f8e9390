import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import { AppError } from '../../../platform/errors';

/**
 * A client of BSrE's Esign Client Service (the gateway an agency runs on its own server; apps
 * call it with HTTP Basic auth). Both API versions as public clients use them:
 * - v2 (JSON): POST /api/v2/sign/pdf {nik, passphrase, signatureProperties:[...], file:[base64...]}
 *   -> {time, file:[base64...]}; POST /api/v2/user/check/status {nik} -> {status_code, status, message}.
 * - v1 (multipart): POST /api/sign/pdf (nik, passphrase, tampilan, file) -> the signed PDF, with
 *   its document id in the `id_dokumen` header (GET /api/sign/download/{id} gives it once more);
 *   GET /api/user/status/{nik} -> {status_code: 1111 ISSUE | 1110 NOT_REGISTERED, status, message}.
 * Errors come as HTTP 400 {error, status_code} (2011 user not registered, 2031 wrong passphrase),
 * 401 for the gateway's own credentials, InvalidPdfException for a PDF it refuses.
 *
 * Every failure becomes a BsreError with a stable code and an Indonesian message. A failure before
 * the request was fully sent (connection refused, DNS, TLS, connect timeout) is `bsre_unreachable`:
 * nothing was signed. No answer after the request left is `bsre_unknown_outcome`: BSrE may have
 * signed; `whenLate` (if given) still receives the answer that arrives within `graceMs`.
 *
 * Naskah draws the visible stamp (QR, names) itself before signing, so it always asks for an
 * INVISIBLE signature: BSrE's coordinates are reported unreliable, and nothing is placed by them.
 */
export type BsreCode =
  | 'bsre_auth' | 'bsre_not_registered' | 'bsre_passphrase' | 'bsre_status' | 'bsre_invalid_pdf'
  | 'bsre_unreachable' | 'bsre_unknown_outcome' | 'bsre_error';

export class BsreError extends AppError {
  constructor(code: BsreCode, message: string, readonly detail: string | null = null, status = 422) { super(code, message, status); }
  get bsreCode(): BsreCode { return this.code as BsreCode; }
}

export const BSRE_STATUSES = ['ISSUE', 'EXPIRED', 'RENEW', 'WAITING_FOR_VERIFICATION', 'NEW', 'NO_CERTIFICATE', 'NOT_REGISTERED', 'SUSPEND', 'REVOKE'] as const;
export type BsreStatus = (typeof BSRE_STATUSES)[number];

/** What the signer is told for each certificate status (only ISSUE may sign). */
export const BSRE_STATUS_TEXT: Record<BsreStatus, string> = {
  ISSUE: 'Sertifikat elektronik BSrE Anda aktif dan dapat dipakai menandatangani.',
  EXPIRED: 'Sertifikat elektronik BSrE Anda sudah kedaluwarsa. Ajukan perpanjangan melalui admin TTE (RA) instansi; sementara itu surat tidak dapat Anda tandatangani.',
  RENEW: 'Sertifikat elektronik BSrE Anda sedang diperbarui. Tunggu sampai BSrE menerbitkan sertifikat baru.',
  WAITING_FOR_VERIFICATION: 'Pendaftaran sertifikat BSrE Anda masih menunggu verifikasi. Hubungi admin TTE (RA) instansi.',
  NEW: 'Pendaftaran sertifikat BSrE Anda baru diajukan dan belum diterbitkan.',
  NO_CERTIFICATE: 'Anda terdaftar di BSrE tetapi belum memiliki sertifikat elektronik. Hubungi admin TTE (RA) instansi.',
  NOT_REGISTERED: 'NIK Anda belum terdaftar di BSrE. Hubungi admin TTE (RA) instansi untuk mendaftar.',
  SUSPEND: 'Sertifikat elektronik BSrE Anda sedang ditangguhkan (suspend). Hubungi admin TTE (RA) instansi.',
  REVOKE: 'Sertifikat elektronik BSrE Anda telah dicabut. Ajukan sertifikat baru melalui admin TTE (RA) instansi.',
};

export const BSRE_MESSAGES: Record<Exclude<BsreCode, 'bsre_status'>, string> = {
  bsre_auth: 'Naskah ditolak oleh layanan TTE BSrE (nama pengguna/kata sandi gateway salah). Hubungi admin; tidak ada yang ditandatangani.',
  bsre_not_registered: 'NIK Anda tidak terdaftar di BSrE (kode 2011). Periksa NIK Anda pada data pengguna atau hubungi admin TTE; tidak ada yang ditandatangani.',
  bsre_passphrase: 'Passphrase salah (kode BSrE 2031). Tidak ada yang ditandatangani.',
  bsre_invalid_pdf: 'BSrE menolak berkas PDF surat ini (InvalidPdfException). Tidak ada yang ditandatangani; hubungi admin.',
  bsre_unreachable: 'Layanan TTE BSrE tidak dapat dihubungi (jaringan/VPN terputus atau layanan mati). Tidak ada yang ditandatangani dan nomor surat tidak terpakai.',
  bsre_unknown_outcome: 'BSrE tidak menjawab setelah permintaan tanda tangan terkirim, sehingga hasilnya belum diketahui. Naskah tetap menunggu jawabannya; halaman surat menunjukkan hasilnya.',
  bsre_error: 'Layanan TTE BSrE mengembalikan kesalahan. Tidak ada yang ditandatangani; coba lagi atau hubungi admin.',
};

export interface BsreOptions {
  url: string; user: string; password: string; api: 'v1' | 'v2';
  /** Milliseconds to wait for an answer once the request has been sent. */
  timeoutMs: number;
  /** Milliseconds to connect (default min(timeoutMs, 10 s)). */
  connectTimeoutMs?: number;
}

export interface StatusResult { status: BsreStatus | string; statusCode: number | null; message: string | null }

export interface SignCall {
  nik: string; passphrase: string; files: Buffer[];
  reason?: string; location?: string;
  /** Keep listening this long after timeoutMs for an answer that comes late (default 0). */
  graceMs?: number;
  /** Receives the signed files of an answer that arrived after the caller was told "unknown". */
  whenLate?: (r: { files: Buffer[] } | { error: BsreError }) => void;
}

interface Raw { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

function errorFromBody(status: number, body: Buffer): BsreError {
  const text = body.toString('utf8').slice(0, 2000);
  let json: { error?: unknown; message?: unknown; status_code?: unknown } = {};
  try { json = JSON.parse(text) as typeof json; } catch { /* not JSON */ }
  const msg = String(json.error ?? json.message ?? text);
  const code = Number(json.status_code ?? NaN);
  if (status === 401 || status === 403) return new BsreError('bsre_auth', BSRE_MESSAGES.bsre_auth, msg.slice(0, 300), 502);
  if (code === 2031 || /passphrase/i.test(msg)) return new BsreError('bsre_passphrase', BSRE_MESSAGES.bsre_passphrase, msg.slice(0, 300));
  if (code === 2011 || /tidak terdaftar/i.test(msg)) return new BsreError('bsre_not_registered', BSRE_MESSAGES.bsre_not_registered, msg.slice(0, 300));
  if (/InvalidPdf/i.test(msg)) return new BsreError('bsre_invalid_pdf', BSRE_MESSAGES.bsre_invalid_pdf, msg.slice(0, 300));
  const st = BSRE_STATUSES.find((s) => new RegExp(`\\b${s}\\b`).test(msg));
  if (st && st !== 'ISSUE') return new BsreError('bsre_status', BSRE_STATUS_TEXT[st], msg.slice(0, 300));
  if ((status >= 502 && status <= 504) || (status >= 500 && /vpn|jaringan terputus|connect/i.test(msg))) return new BsreError('bsre_unreachable', BSRE_MESSAGES.bsre_unreachable, `gateway menjawab ${status}: ${msg.slice(0, 200)}`, 503);
  return new BsreError('bsre_error', BSRE_MESSAGES.bsre_error, `HTTP ${status}: ${msg.slice(0, 300)}`, 502);
}

/** A network failure in words an official can pass on to the admin. */
function networkReason(e: NodeJS.ErrnoException): string {
  const why: Record<string, string> = {
    ECONNREFUSED: 'koneksi ditolak: layanan tidak berjalan di alamat itu', ETIMEDOUT: 'waktu koneksi habis', ENOTFOUND: 'alamat server tidak ditemukan',
    EAI_AGAIN: 'alamat server tidak dapat dicari (DNS)', ECONNRESET: 'koneksi diputus', EHOSTUNREACH: 'server tidak terjangkau (jaringan/VPN)', ENETUNREACH: 'jaringan tidak terjangkau (VPN)',
  };
  return (e.code && why[e.code]) || e.message.slice(0, 200);
}

export class BsreClient {
  constructor(readonly o: BsreOptions) {}

  private request(method: string, path: string, body: Buffer | null, contentType: string | null,
    late?: { graceMs: number; onLate: (r: Raw | Error) => void }): Promise<Raw> {
    const u = new URL(this.o.url.replace(/\/+$/, '') + path);
    const lib = u.protocol === 'https:' ? https : http;
    const auth = Buffer.from(`${this.o.user}:${this.o.password}`).toString('base64');
    const headers: http.OutgoingHttpHeaders = { Authorization: `Basic ${auth}`, Accept: 'application/json, application/pdf' };
    if (body) { headers['Content-Type'] = contentType!; headers['Content-Length'] = body.length; }
    const connectMs = this.o.connectTimeoutMs ?? Math.min(this.o.timeoutMs, 10_000);
    return new Promise<Raw>((resolve, reject) => {
      let sent = false, settled = false, answered = false;
      const req = lib.request(u, { method, headers, agent: false });
      const connectTimer = setTimeout(() => { if (!sent) req.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })); }, connectMs);
      let answerTimer: NodeJS.Timeout | null = null;
      let graceTimer: NodeJS.Timeout | null = null;
      const finish = (r: Raw | Error) => {
        clearTimeout(connectTimer); if (answerTimer) clearTimeout(answerTimer); if (graceTimer) clearTimeout(graceTimer);
        if (!settled) { settled = true; return r instanceof Error ? reject(r) : resolve(r); }
        // The caller was already told "unknown": hand a late answer over.
        if (late) late.onLate(r);
      };
      req.on('finish', () => {
        sent = true;
        clearTimeout(connectTimer);
        answerTimer = setTimeout(() => {
          if (answered) return;
          settled = true;
          reject(new BsreError('bsre_unknown_outcome', BSRE_MESSAGES.bsre_unknown_outcome, `tidak ada jawaban dalam ${Math.round(this.o.timeoutMs / 1000)} detik`, 504));
          const grace = late?.graceMs ?? 0;
          if (grace > 0) graceTimer = setTimeout(() => req.destroy(new Error('grace expired')), grace);
          else req.destroy(new Error('timeout'));
        }, this.o.timeoutMs);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => finish(sent ? new BsreError('bsre_unknown_outcome', BSRE_MESSAGES.bsre_unknown_outcome, e.message, 504) : e));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        // After "unknown": the connection broke or the grace ran out without an answer.
        if (settled) { if (late && !answered) { answered = true; late.onLate(e); } return; }
        finish(sent
          ? new BsreError('bsre_unknown_outcome', BSRE_MESSAGES.bsre_unknown_outcome, e.message, 504)
          : new BsreError('bsre_unreachable', BSRE_MESSAGES.bsre_unreachable, networkReason(e), 503));
      });
      req.end(body ?? undefined);
    });
  }

  /** The signer's certificate status. Throws BsreError (unreachable, auth, ...). */
  async status(nik: string): Promise<StatusResult> {
    const r = this.o.api === 'v2'
      ? await this.request('POST', '/api/v2/user/check/status', Buffer.from(JSON.stringify({ nik })), 'application/json')
      : await this.request('GET', `/api/user/status/${encodeURIComponent(nik)}`, null, null);
    if (r.status !== 200) {
      const e = errorFromBody(r.status, r.body);
      if (e.bsreCode === 'bsre_not_registered') return { status: 'NOT_REGISTERED', statusCode: 1110, message: e.detail };
      throw e;
    }
    let j: { status?: unknown; status_code?: unknown; message?: unknown };
    try { j = JSON.parse(r.body.toString('utf8')) as typeof j; } catch { throw new BsreError('bsre_error', BSRE_MESSAGES.bsre_error, 'jawaban status bukan JSON', 502); }
    const code = j.status_code == null ? null : Number(j.status_code);
    const status = typeof j.status === 'string' ? j.status.toUpperCase() : code === 1111 ? 'ISSUE' : code === 1110 ? 'NOT_REGISTERED' : 'UNKNOWN';
    return { status, statusCode: code, message: typeof j.message === 'string' ? j.message : null };
  }

  /** Sign PDFs (v2: all in one call; v1: exactly one). Returns the signed PDFs in the same order. */
  async sign(c: SignCall): Promise<Buffer[]> {
    if (this.o.api === 'v1' && c.files.length !== 1) throw new Error('BSrE v1 signs one file per call');
    const parse = (r: Raw): Buffer[] => {
      if (r.status !== 200) throw errorFromBody(r.status, r.body);
      if (this.o.api === 'v1') {
        if (r.body.subarray(0, 5).toString('latin1') !== '%PDF-') throw errorFromBody(r.status === 200 ? 502 : r.status, r.body);
        return [r.body];
      }
      let j: { file?: unknown };
      try { j = JSON.parse(r.body.toString('utf8')) as typeof j; } catch { throw new BsreError('bsre_error', BSRE_MESSAGES.bsre_error, 'jawaban tanda tangan bukan JSON', 502); }
      if (!Array.isArray(j.file) || j.file.length !== c.files.length) throw new BsreError('bsre_error', BSRE_MESSAGES.bsre_error, 'jumlah berkas dalam jawaban tidak sesuai', 502);
      const out = j.file.map((f) => Buffer.from(String(f), 'base64'));
      if (out.some((b) => b.subarray(0, 5).toString('latin1') !== '%PDF-')) throw new BsreError('bsre_error', BSRE_MESSAGES.bsre_error, 'berkas dalam jawaban bukan PDF', 502);
      return out;
    };
    const late = c.whenLate ? {
      graceMs: c.graceMs ?? 0,
      onLate: (r: Raw | Error) => {
        if (r instanceof Error) return c.whenLate!({ error: new BsreError('bsre_unknown_outcome', BSRE_MESSAGES.bsre_unknown_outcome, r.message, 504) });
        try { c.whenLate!({ files: parse(r) }); } catch (e) { c.whenLate!({ error: e instanceof BsreError ? e : new BsreError('bsre_error', BSRE_MESSAGES.bsre_error, (e as Error).message) }); }
      },
    } : undefined;
    let raw: Raw;
    if (this.o.api === 'v2') {
      const props = c.files.map(() => ({ tampilan: 'INVISIBLE', ...(c.reason ? { reason: c.reason } : {}), ...(c.location ? { location: c.location } : {}) }));
      const body = Buffer.from(JSON.stringify({ nik: c.nik, passphrase: c.passphrase, signatureProperties: props, file: c.files.map((f) => f.toString('base64')) }));
      raw = await this.request('POST', '/api/v2/sign/pdf', body, 'application/json', late);
    } else {
      const boundary = `----naskah${crypto.randomBytes(12).toString('hex')}`;
      const parts: Buffer[] = [];
      const field = (name: string, value: string) => parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
      field('nik', c.nik); field('passphrase', c.passphrase); field('tampilan', 'invisible');
      if (c.reason) field('reason', c.reason);
      if (c.location) field('location', c.location);
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="surat.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), c.files[0], Buffer.from(`\r\n--${boundary}--\r\n`));
      raw = await this.request('POST', '/api/sign/pdf', Buffer.concat(parts), `multipart/form-data; boundary=${boundary}`, late);
    }
    return parse(raw);
  }

  /** v1: fetch a signed document again by its id (BSrE gives it once). */
  async download(id: string): Promise<Buffer> {
    const r = await this.request('GET', `/api/sign/download/${encodeURIComponent(id)}`, null, null);
    if (r.status !== 200) throw errorFromBody(r.status, r.body);
    return r.body;
  }
}
