/**
 * Which certification authorities the verifier trusts (issue #15 §3), and the X.509 checks made
 * against them: path building that refuses intermediates which are not CAs, validity at the
 * signing (or timestamp) time, and revocation from CRLs / OCSP responses found in the file (DSS).
 *
 * The default store is data, not code: every certificate in `config/trust/` (PEM or DER; the
 * folder's README says what belongs there), or in the folder NASKAH_TRUST_DIR names, plus the
 * development CA only when it is configured (NASKAH_DEV_CA=<path of the dev CA's ca.pem>, or
 * `trustDevCa(pem)` from code, e.g. the tests). The public verification page and `naskah verify`
 * without --ca both use it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { children, content, oid, raw, readTlv, type Tlv } from './der';
import { parseCertificate } from './certInfo';

export interface TrustAnchor { cert: crypto.X509Certificate; der: Buffer; source: string }

/** All certificates in a PEM text (several allowed) or one DER. */
export function readCertificates(data: string | Buffer): Buffer[] {
  const text = typeof data === 'string' ? data : data.subarray(0, 11).toString('latin1') === '-----BEGIN ' || /-----BEGIN CERTIFICATE-----/.test(data.toString('latin1')) ? data.toString('latin1') : null;
  if (text === null) return [Buffer.from(data as Buffer)];
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

export class TrustStore {
  readonly anchors: TrustAnchor[] = [];
  /** Files that could not be read as certificates (named on the CLI so an operator sees them). */
  readonly unreadable: string[] = [];
  add(data: string | Buffer, source: string): this {
    try {
      for (const der of readCertificates(data)) {
        const cert = new crypto.X509Certificate(der);
        if (!this.anchors.some((a) => a.cert.fingerprint256 === cert.fingerprint256)) this.anchors.push({ cert, der, source });
      }
    } catch { this.unreadable.push(source); }
    return this;
  }
  get size(): number { return this.anchors.length; }
  static of(list: (string | Buffer)[], source = 'opsi'): TrustStore {
    const s = new TrustStore();
    for (const x of list) s.add(x, source);
    return s;
  }
}

/** config/trust of this installation. */
export const DEFAULT_TRUST_DIR = path.resolve(__dirname, '../../config/trust');

let devCaPem: string | null = null;
let override: TrustStore | null = null;
let cached: { key: string; store: TrustStore } | null = null;

/** Trust the development CA (PEM) in the default store, or stop trusting it (null). */
export function trustDevCa(pem: string | null): void { devCaPem = pem; cached = null; }
/** Replace the default store (tests); null goes back to the configured one. */
export function setDefaultTrustStore(s: TrustStore | null): void { override = s; cached = null; }

export function loadTrustDir(dir: string, store = new TrustStore()): TrustStore {
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return store; }
  for (const n of names.sort()) {
    if (!/\.(pem|crt|cer|der)$/i.test(n)) continue;
    const f = path.join(dir, n);
    try { store.add(fs.readFileSync(f), f); } catch { store.unreadable.push(f); }
  }
  return store;
}

/** The trust anchors of this installation (see the module comment). Re-read when the settings change. */
export function defaultTrustStore(env: NodeJS.ProcessEnv = process.env): TrustStore {
  if (override) return override;
  const dir = env.NASKAH_TRUST_DIR || DEFAULT_TRUST_DIR;
  const dev = env.NASKAH_DEV_CA || '';
  const key = `${dir}\0${dev}\0${devCaPem ?? ''}`;
  if (cached?.key === key) return cached.store;
  const store = loadTrustDir(dir);
  if (dev) { try { store.add(fs.readFileSync(dev), `${dev} (CA pengembangan)`); } catch { store.unreadable.push(dev); } }
  if (devCaPem) store.add(devCaPem, 'CA pengembangan');
  cached = { key, store };
  return store;
}

// ---------------------------------------------------------------------------------------------
// X.509 helpers

const SIG_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1', '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
};
export const HASH_OID: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};

function tbsParts(der: Buffer): Tlv[] { return children(children(readTlv(der, 0))[0]); }
/** Subject name DER of a certificate. */
export function subjectRaw(der: Buffer): Buffer { const f = tbsParts(der); const i = f[0].tag === 0xa0 ? 1 : 0; return Buffer.from(raw(f[i + 4])); }
/** The public key bits (BIT STRING content without the unused-bits octet). */
function publicKeyBits(der: Buffer): Buffer { const f = tbsParts(der); const i = f[0].tag === 0xa0 ? 1 : 0; return Buffer.from(content(children(f[i + 5])[1]).subarray(1)); }

/** Verify a signed structure SEQ { tbs, algId, BIT STRING } with a public key. */
function verifySigned(der: Buffer, key: crypto.KeyObject): boolean {
  try {
    const [tbs, alg, sig] = children(readTlv(der, 0));
    const h = SIG_HASH[oid(children(alg)[0])];
    if (!h) return false;
    return crypto.verify(h, raw(tbs), key, content(sig).subarray(1));
  } catch { return false; }
}

export const cn = (c: crypto.X509Certificate): string => { try { return parseCertificate(c.raw).commonName ?? c.subject.replace(/\n/g, ', '); } catch { return c.subject.replace(/\n/g, ', '); } };

/** `der` names `issuerDer`'s subject as its issuer and is signed by its key (no key-usage shortcut: checked separately). */
function issuedBy(der: Buffer, cert: crypto.X509Certificate, issuerDer: Buffer, issuer: crypto.X509Certificate): boolean {
  try { return parseCertificate(der).issuerRaw.equals(subjectRaw(issuerDer)) && cert.verify(issuer.publicKey); } catch { return false; }
}

export interface ChainResult {
  trusted: boolean;
  /** Leaf first, the trust anchor last (when trusted). */
  path: Buffer[];
  anchor: string | null;
  /** Why the chain is not trusted, in Indonesian. */
  problems: string[];
}

const EKU_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';
const EKU_OCSP = '1.3.6.1.5.5.7.3.9';

/**
 * Build a path from `leafDer` through certificates of `pool` to an anchor of `store`. Every
 * issuer must be a CA (basicConstraints cA) allowed to sign certificates (keyUsage keyCertSign
 * when present) and valid at `at` (when given); so must the leaf.
 */
export function buildChain(leafDer: Buffer, pool: Buffer[], store: TrustStore, at: Date | null, purpose: 'sign' | 'tsa' = 'sign'): ChainResult {
  const problems = new Set<string>();
  const leaf = new crypto.X509Certificate(leafDer);
  const others = pool.map((d) => ({ der: d, cert: new crypto.X509Certificate(d) }));
  const validAt = (c: crypto.X509Certificate) => !at || (at >= new Date(c.validFrom) && at <= new Date(c.validTo));
  if (!validAt(leaf)) problems.add(`sertifikat "${cn(leaf)}" tidak berlaku pada waktu penandatanganan (berlaku ${new Date(leaf.validFrom).toISOString().slice(0, 10)} s.d. ${new Date(leaf.validTo).toISOString().slice(0, 10)})`);
  if (purpose === 'tsa' && !(leaf.keyUsage ?? []).includes(EKU_TIMESTAMPING)) problems.add(`sertifikat "${cn(leaf)}" bukan sertifikat TSA (extendedKeyUsage timeStamping tidak ada)`);
  const caOk = (der: Buffer, c: crypto.X509Certificate, role: string): boolean => {
    const info = parseCertificate(der);
    if (!info.isCa) { problems.add(`sertifikat ${role} "${cn(c)}" bukan CA (basicConstraints cA tidak ada), tidak boleh menerbitkan sertifikat`); return false; }
    if (info.keyUsage && !info.keyUsage.keyCertSign) { problems.add(`sertifikat ${role} "${cn(c)}" tidak boleh menandatangani sertifikat (keyUsage tanpa keyCertSign)`); return false; }
    if (!validAt(c)) { problems.add(`sertifikat ${role} "${cn(c)}" tidak berlaku pada waktu penandatanganan`); return false; }
    return true;
  };
  const walk = (der: Buffer, cur: crypto.X509Certificate, chain: Buffer[], depth: number): ChainResult | null => {
    const direct = store.anchors.find((a) => a.cert.fingerprint256 === cur.fingerprint256);
    if (direct) return { trusted: true, path: chain, anchor: cn(direct.cert), problems: [] };
    if (depth > 8) return null;
    for (const a of store.anchors) {
      if (issuedBy(der, cur, a.der, a.cert) && caOk(a.der, a.cert, 'akar')) return { trusted: true, path: [...chain, a.der], anchor: cn(a.cert), problems: [] };
    }
    for (const o of others) {
      if (o.cert.fingerprint256 === cur.fingerprint256 || chain.some((d) => d.equals(o.der)) || store.anchors.some((a) => a.cert.fingerprint256 === o.cert.fingerprint256)) continue;
      if (!issuedBy(der, cur, o.der, o.cert)) continue;
      if (!caOk(o.der, o.cert, 'perantara')) continue;
      const r = walk(o.der, o.cert, [...chain, o.der], depth + 1);
      if (r) return r;
    }
    return null;
  };
  const found = walk(leafDer, leaf, [leafDer], 0);
  if (found && !problems.size) return found;
  if (!found) {
    if (!store.size) problems.add('tidak ada sertifikat CA yang dipercaya di server ini (config/trust kosong)');
    else if (![...problems].some((p) => p.includes('bukan CA') || p.includes('keyCertSign') || p.includes('perantara') || p.includes('akar'))) {
      problems.add(`sertifikat "${cn(leaf)}" (penerbit: ${(/CN=([^\n]+)/.exec(leaf.issuer)?.[1]) ?? leaf.issuer}) tidak diterbitkan oleh CA yang dipercaya`);
    }
  }
  return { trusted: false, path: found?.path ?? [leafDer], anchor: found?.anchor ?? null, problems: [...problems] };
}

// ---------------------------------------------------------------------------------------------
// Revocation (CRL, OCSP) from the data given (the file's DSS)

export interface RevocationResult {
  status: 'baik' | 'dicabut' | 'tidak_diketahui';
  /** When revoked: the revocation time, and whose certificate. */
  revokedAt: Date | null;
  revokedCert: string | null;
  /** 'CRL' / 'OCSP' for each certificate checked. */
  sources: string[];
  /** Certificates of the path without revocation data. */
  unchecked: string[];
}

function asnTime(t: Tlv): Date {
  const s = content(t).toString('latin1');
  const m = /^(\d{2,4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/.exec(s)!;
  let y = Number(m[1]);
  if (m[1].length === 2) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
const intHex = (t: Tlv) => content(t).toString('hex').replace(/^(00)+(?=[0-9a-f]{2})/, '');

/** Revoked serials (hex) of a CRL whose signature verifies with the issuer's key; null: not this issuer's / bad. */
function crlRevoked(crl: Buffer, issuerDer: Buffer, issuer: crypto.X509Certificate): Map<string, Date> | null {
  try {
    if (!verifySigned(crl, issuer.publicKey)) return null;
    const f = children(children(readTlv(crl, 0))[0]);
    let i = f[0].tag === 0x02 ? 1 : 0;
    i++; // signature
    if (!raw(f[i++]).equals(subjectRaw(issuerDer))) return null;
    i++; // thisUpdate
    if (f[i] && (f[i].tag === 0x17 || f[i].tag === 0x18)) i++;
    const out = new Map<string, Date>();
    if (f[i] && f[i].tag === 0x30) for (const rc of children(f[i])) { const [ser, date] = children(rc); out.set(intHex(ser), asnTime(date)); }
    return out;
  } catch { return null; }
}

/** The status of `certDer` in an OCSP response signed by its issuer or the issuer's delegated responder. */
function ocspStatus(resp: Buffer, certDer: Buffer, issuerDer: Buffer, issuer: crypto.X509Certificate): { revoked: Date | null; good: boolean } | null {
  try {
    let basic = readTlv(resp, 0);
    const top = children(basic);
    if (top[0].tag === 0x0a) { // OCSPResponse { status, [0] responseBytes { type, OCTET STRING BasicOCSPResponse } }
      if (content(top[0])[0] !== 0 || !top[1]) return null;
      const rb = children(children(top[1])[0]);
      basic = readTlv(content(rb[1]), 0);
    }
    const parts = children(basic);
    const der = raw(basic);
    const certs = parts[3] ? children(children(parts[3])[0]).map((c) => Buffer.from(raw(c))) : [];
    let signerOk = verifySigned(Buffer.from(der), issuer.publicKey);
    if (!signerOk) {
      for (const c of certs) {
        const x = new crypto.X509Certificate(c);
        if (issuedBy(c, x, issuerDer, issuer) && (x.keyUsage ?? []).includes(EKU_OCSP) && verifySigned(Buffer.from(der), x.publicKey)) { signerOk = true; break; }
      }
    }
    if (!signerOk) return null;
    const rd = children(parts[0]);
    let i = rd[0].tag === 0xa0 ? 1 : 0;
    i += 2; // responderID, producedAt
    const serial = parseCertificate(certDer).serialHex.replace(/^(00)+(?=[0-9a-f]{2})/, '');
    for (const sr of children(rd[i])) {
      const [certId, status] = children(sr);
      const [alg, , keyHash, ser] = children(certId);
      const h = HASH_OID[oid(children(alg)[0])];
      if (!h || intHex(ser) !== serial) continue;
      if (!crypto.createHash(h).update(publicKeyBits(issuerDer)).digest().equals(content(keyHash))) continue;
      if (status.tag === 0x80) return { good: true, revoked: null };
      if (status.tag === 0xa1) return { good: false, revoked: asnTime(children(status)[0]) };
      return { good: false, revoked: null };
    }
    return null;
  } catch { return null; }
}

/** Revocation of each certificate of `path` (leaf first) below its anchor, from the CRLs and OCSP responses given. */
export function checkRevocation(pathDers: Buffer[], data: { crls: Buffer[]; ocsps: Buffer[] }): RevocationResult {
  const r: RevocationResult = { status: 'baik', revokedAt: null, revokedCert: null, sources: [], unchecked: [] };
  for (let k = 0; k + 1 < pathDers.length; k++) {
    const der = pathDers[k];
    const issuerDer = pathDers[k + 1];
    const issuer = new crypto.X509Certificate(issuerDer);
    const name = cn(new crypto.X509Certificate(der));
    let known = false;
    for (const o of data.ocsps) {
      const s = ocspStatus(o, der, issuerDer, issuer);
      if (!s) continue;
      known = true;
      r.sources.push(`OCSP (${name})`);
      if (s.revoked) { r.status = 'dicabut'; r.revokedAt = s.revoked; r.revokedCert = name; }
      break;
    }
    if (!known) {
      const serial = parseCertificate(der).serialHex.replace(/^(00)+(?=[0-9a-f]{2})/, '');
      for (const c of data.crls) {
        const list = crlRevoked(c, issuerDer, issuer);
        if (!list) continue;
        known = true;
        r.sources.push(`CRL (${name})`);
        const when = list.get(serial);
        if (when) { r.status = 'dicabut'; r.revokedAt = when; r.revokedCert = name; }
        break;
      }
    }
    if (!known) r.unchecked.push(name);
  }
  if (r.status !== 'dicabut' && r.unchecked.length) r.status = r.sources.length ? 'baik' : 'tidak_diketahui';
  if (r.status === 'baik' && r.unchecked.length) r.status = 'tidak_diketahui';
  return r;
}
