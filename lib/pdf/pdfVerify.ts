/**
 * Cryptographic check of the signatures in a PDF (issue #5): for each signature, whether the
 * signed byte ranges still hash to the digest the signer signed, whether the CMS signature
 * verifies with the embedded certificate, who signed and when, and whether it covers the whole
 * file (nothing appended since). Optionally whether the certificate chains to a trusted CA.
 *
 * Pure and synchronous: no database, no network. The registry check ("is this a letter of this
 * office") belongs to the caller, which has the document's SHA-256 from the report.
 */
import crypto from 'node:crypto';
import { children, content, oid, raw, readTlv, type Tlv } from './der';
import { parseCertificate, type CertificateInfo } from './certInfo';

export interface SignatureReport {
  /** 1-based, in file order (the first signature first). */
  index: number;
  subFilter: string | null;
  /** The signer's certificate (null if the CMS could not be read or names no certificate present). */
  signer: CertificateInfo | null;
  signerName: string | null;     // certificate CN
  signerNip: string | null;      // digits of the subject's serialNumber
  /** /Name, /Reason, /Location, /ContactInfo of the signature dictionary. */
  name: string | null;
  reason: string | null;
  location: string | null;
  contactInfo: string | null;
  /** /M of the signature dictionary (covered by the signature), else the CMS signing-time attribute. */
  signingTime: Date | null;
  byteRange: number[];
  /** The signed bytes still hash to the digest in the signature. */
  digestMatches: boolean;
  /** The CMS signature verifies with the signer certificate's public key. */
  signatureValid: boolean;
  /** digestMatches && signatureValid && no structural problem. */
  intact: boolean;
  /** The signature covers the file up to its last byte: nothing was added or changed after it. */
  coversWholeFile: boolean;
  /** The certificate was within its validity period at signingTime (null: no time or no certificate). */
  certValidAtSigningTime: boolean | null;
  /** The certificate chains to one of the trust anchors given (null: no anchors given). */
  trusted: boolean | null;
  /** What is wrong, in Indonesian (empty when intact). */
  problems: string[];
}

export interface VerifyReport {
  sha256: string;
  size: number;
  signatures: SignatureReport[];
  /** Every signature intact. */
  allIntact: boolean;
  /** The last signature covers the whole file. */
  unmodifiedSinceLastSignature: boolean;
  /** At least one signature, all intact, nothing changed after the last one. */
  valid: boolean;
}

export interface VerifyOptions {
  /** CA certificates (PEM, possibly several in one string, or DER) to decide `trusted`. */
  trustAnchors?: (string | Buffer)[];
}

const HASH: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};
const SIG_RSA = new Set(['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.5', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13']);
const SIG_EC = new Set(['1.2.840.10045.4.1', '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4', '1.2.840.10045.2.1']);
const SIG_PSS = '1.2.840.113549.1.1.10';
const A_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const A_SIGNING_TIME = '1.2.840.113549.1.9.5';
const A_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const A_SIGNING_CERT = '1.2.840.113549.1.9.16.2.12';

/** Read a PDF string (literal or hex) starting at s[pos]. */
function pdfStringAt(s: string, pos: number): string | null {
  const bytes: number[] = [];
  if (s[pos] === '<' && s[pos + 1] !== '<') {
    const end = s.indexOf('>', pos);
    if (end < 0) return null;
    const hex = s.slice(pos + 1, end).replace(/\s+/g, '');
    for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt((hex[i] + (hex[i + 1] ?? '0')), 16));
  } else if (s[pos] === '(') {
    let depth = 0;
    for (let i = pos; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') {
        const n = s[++i];
        const map: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };
        if (n in map) bytes.push(map[n]);
        else if (/[0-7]/.test(n)) { let o = n; while (o.length < 3 && /[0-7]/.test(s[i + 1])) o += s[++i]; bytes.push(parseInt(o, 8) & 255); }
        else if (n === '\r' || n === '\n') { if (n === '\r' && s[i + 1] === '\n') i++; }
        else bytes.push(n.charCodeAt(0));
        continue;
      }
      if (c === '(') { depth++; if (depth === 1) continue; }
      if (c === ')') { depth--; if (depth === 0) break; }
      bytes.push(c.charCodeAt(0));
    }
  } else return null;
  const b = Buffer.from(bytes);
  if (b[0] === 0xfe && b[1] === 0xff) { const u = Buffer.from(b.subarray(2)); if (u.length % 2) return null; u.swap16(); return u.toString('utf16le'); }
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}

function pdfDate(s: string | null): Date | null {
  if (!s) return null;
  const m = /^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(s);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const sign = m[7] === '+' ? 1 : m[7] === '-' ? -1 : 0;
  const off = sign * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0)) * 60_000;
  const d = new Date(t - off);
  return Number.isNaN(d.getTime()) ? null : d;
}

function asnTime(t: Tlv): Date | null {
  const s = content(t).toString('latin1');
  const m = /^(\d{2,4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/.exec(s);
  if (!m) return null;
  let y = Number(m[1]);
  if (m[1].length === 2) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

function anchorsOf(list: (string | Buffer)[] | undefined): crypto.X509Certificate[] | null {
  if (!list) return null;
  const out: crypto.X509Certificate[] = [];
  for (const item of list) {
    if (typeof item === 'string' || item.subarray(0, 11).toString('latin1') === '-----BEGIN ') {
      const text = item.toString();
      for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) out.push(new crypto.X509Certificate(m[0]));
    } else out.push(new crypto.X509Certificate(item));
  }
  return out;
}

function chainsTo(signerDer: Buffer, pool: Buffer[], anchors: crypto.X509Certificate[]): boolean {
  let cur = new crypto.X509Certificate(signerDer);
  const others = pool.map((d) => new crypto.X509Certificate(d));
  for (let depth = 0; depth < 8; depth++) {
    if (anchors.some((a) => a.fingerprint256 === cur.fingerprint256)) return true;
    if (anchors.some((a) => cur.checkIssued(a) && cur.verify(a.publicKey))) return true;
    const up = others.find((c) => c.fingerprint256 !== cur.fingerprint256 && cur.checkIssued(c) && cur.verify(c.publicKey));
    if (!up) return false;
    cur = up;
  }
  return false;
}

interface Found { byteRange: number[]; dict: string }

function findSignatureDicts(s: string): Found[] {
  const out: Found[] = [];
  const seen = new Set<string>();
  for (const m of s.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const br = m.slice(1, 5).map(Number);
    const key = br.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    const start = Math.max(s.lastIndexOf(' obj', m.index), s.lastIndexOf('\nobj', m.index), 0);
    let end = s.indexOf('endobj', m.index);
    if (end < 0) end = s.length;
    // the dictionary text without the (long) /Contents hex string
    const dict = s.slice(start, Math.min(end, br[1] > start && br[1] < end ? br[1] : end)) + (br[2] > start && br[2] < end ? s.slice(br[2], end) : '');
    out.push({ byteRange: br, dict });
  }
  return out.sort((a, b) => (a.byteRange[2] + a.byteRange[3]) - (b.byteRange[2] + b.byteRange[3]));
}

function dictValue(dict: string, key: string): string | null {
  const re = new RegExp(`/${key}\\s*(?=[(<])`, 'g');
  for (const m of dict.matchAll(re)) {
    const v = pdfStringAt(dict, m.index + m[0].length);
    if (v !== null) return v;
  }
  return null;
}

function checkOne(pdf: Buffer, f: Found, index: number, anchors: crypto.X509Certificate[] | null): SignatureReport {
  const br = f.byteRange;
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(f.dict)?.[1] ?? null;
  const r: SignatureReport = {
    index, subFilter, signer: null, signerName: null, signerNip: null,
    name: dictValue(f.dict, 'Name'), reason: dictValue(f.dict, 'Reason'), location: dictValue(f.dict, 'Location'),
    contactInfo: dictValue(f.dict, 'ContactInfo'), signingTime: pdfDate(dictValue(f.dict, 'M')),
    byteRange: br, digestMatches: false, signatureValid: false, intact: false,
    coversWholeFile: br[2] + br[3] === pdf.length, certValidAtSigningTime: null, trusted: null, problems: [],
  };
  const bad = (p: string) => { r.problems.push(p); return r; };
  if (br[0] !== 0 || br[1] <= 0 || br[2] <= br[1] || br[2] + br[3] > pdf.length) return bad('rentang byte (/ByteRange) tidak sah atau melewati akhir berkas');
  if (pdf[br[1]] !== 0x3c || pdf[br[2] - 1] !== 0x3e) return bad('rentang byte tidak tepat mengapit isi tanda tangan');
  const hex = pdf.subarray(br[1] + 1, br[2] - 1).toString('latin1');
  if (!/^[0-9a-fA-F\s]*$/.test(hex)) return bad('isi tanda tangan bukan string heksadesimal');
  const contents = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const ranges = [pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])];
  try {
    const ci = readTlv(contents, 0);
    const [ciType, ciBody] = children(ci);
    if (oid(ciType) !== '1.2.840.113549.1.7.2') return bad('isi tanda tangan bukan CMS SignedData');
    const sd = children(children(ciBody)[0]);
    const certs: Buffer[] = [];
    let signerInfos: Tlv | null = null;
    for (const el of sd.slice(3)) {
      if (el.tag === 0xa0) for (const c of children(el)) if (c.tag === 0x30) certs.push(Buffer.from(raw(c)));
      if (el.tag === 0x31) signerInfos = el;
    }
    if (!signerInfos || !children(signerInfos).length) return bad('tidak ada SignerInfo dalam tanda tangan');
    const si = children(children(signerInfos)[0]);
    let i = 1;
    const sid = si[i++];
    const hashName = HASH[oid(children(si[i++])[0])];
    let signedAttrs: Tlv | null = null;
    if (si[i].tag === 0xa0) signedAttrs = si[i++];
    const sigAlg = oid(children(si[i++])[0]);
    const signature = content(si[i++]);
    if (!hashName) return bad('algoritma hash tanda tangan tidak didukung');

    // the signer certificate
    let candidates = certs;
    if (sid.tag === 0x30) {
      const [iss, ser] = children(sid);
      candidates = certs.filter((c) => { const p = parseCertificate(c); return p.issuerRaw.equals(raw(iss)) && content(readTlv(p.serialRaw, 0)).equals(content(ser)); });
    }
    if (!candidates.length) return bad('sertifikat penanda tangan tidak ada dalam tanda tangan');

    const digest = crypto.createHash(hashName).update(ranges[0]).update(ranges[1]).digest();
    let signedBytes: Buffer;
    let certHashes: { alg: string; hash: Buffer }[] | null = null;
    let cmsTime: Date | null = null;
    if (signedAttrs) {
      let md: Buffer | null = null;
      for (const a of children(signedAttrs)) {
        const [t, vals] = children(a);
        const v = children(vals)[0];
        const id = oid(t);
        if (id === A_MESSAGE_DIGEST) md = Buffer.from(content(v));
        else if (id === A_SIGNING_TIME) cmsTime = asnTime(v);
        else if (id === A_SIGNING_CERT_V2 || id === A_SIGNING_CERT) {
          certHashes = children(children(v)[0]).map((essId) => {
            const parts = children(essId);
            if (id === A_SIGNING_CERT) return { alg: 'sha1', hash: Buffer.from(content(parts[0])) };
            const hasAlg = parts[0].tag === 0x30;
            return { alg: hasAlg ? HASH[oid(children(parts[0])[0])] ?? 'sha256' : 'sha256', hash: Buffer.from(content(parts[hasAlg ? 1 : 0])) };
          });
        }
      }
      if (!md) return bad('atribut messageDigest tidak ada');
      r.digestMatches = md.equals(digest);
      signedBytes = Buffer.from(raw(signedAttrs));
      signedBytes[0] = 0x31; // signed over the DER SET OF, not the [0] IMPLICIT tag
    } else {
      r.digestMatches = true; // checked by the signature itself, over the ranges
      signedBytes = Buffer.concat(ranges);
    }
    if (!r.digestMatches) r.problems.push('isi dokumen berubah setelah ditandatangani (hash tidak cocok)');

    for (const certDer of candidates) {
      const key = new crypto.X509Certificate(certDer).publicKey;
      let ok = false;
      try {
        if (SIG_RSA.has(sigAlg)) ok = crypto.verify(hashName, signedBytes, key, signature);
        else if (SIG_EC.has(sigAlg)) ok = crypto.verify(hashName, signedBytes, { key, dsaEncoding: 'der' }, signature);
        else if (sigAlg === SIG_PSS) ok = crypto.verify(hashName, signedBytes, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO }, signature);
        else { r.problems.push(`algoritma tanda tangan ${sigAlg} tidak didukung`); break; }
      } catch { ok = false; }
      if (ok) { r.signatureValid = true; r.signer = parseCertificate(certDer); break; }
    }
    if (!r.signer) r.signer = parseCertificate(candidates[0]);
    if (!r.signatureValid) r.problems.push('tanda tangan kriptografis tidak sah');
    if (certHashes && !certHashes.some((h) => crypto.createHash(h.alg).update(r.signer!.der).digest().equals(h.hash))) {
      r.signatureValid = false;
      r.problems.push('atribut signing-certificate tidak cocok dengan sertifikat penanda tangan');
    }
    r.signerName = r.signer.commonName;
    r.signerNip = r.signer.idNumber;
    r.signingTime ??= cmsTime;
    if (r.signingTime) r.certValidAtSigningTime = r.signingTime >= r.signer.notBefore && r.signingTime <= r.signer.notAfter;
    if (r.certValidAtSigningTime === false) r.problems.push('sertifikat tidak berlaku pada waktu penandatanganan');
    if (anchors) {
      r.trusted = chainsTo(r.signer.der, certs, anchors);
      if (!r.trusted) r.problems.push('sertifikat tidak diterbitkan oleh otoritas yang dipercaya');
    }
  } catch {
    return bad('isi tanda tangan (CMS) rusak atau tidak dapat dibaca');
  }
  r.intact = r.digestMatches && r.signatureValid;
  return r;
}

export function verifyPdfSignatures(pdf: Buffer, opts: VerifyOptions = {}): VerifyReport {
  const anchors = anchorsOf(opts.trustAnchors);
  const found = findSignatureDicts(pdf.toString('latin1'));
  const signatures = found.map((f, i) => checkOne(pdf, f, i + 1, anchors));
  const last = signatures[signatures.length - 1];
  const allIntact = signatures.every((s) => s.intact);
  const unmodified = !!last && last.coversWholeFile;
  return {
    sha256: crypto.createHash('sha256').update(pdf).digest('hex'),
    size: pdf.length,
    signatures,
    allIntact,
    unmodifiedSinceLastSignature: unmodified,
    valid: signatures.length > 0 && allIntact && unmodified,
  };
}
