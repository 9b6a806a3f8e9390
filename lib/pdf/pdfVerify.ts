/**
 * Verification of the signatures in a PDF (issues #5, #15 §3). For each signature (and each
 * document timestamp):
 * - the signature dictionary is found the way a reader finds it (the xref, the catalog's AcroForm
 *   fields), and its /ByteRange must be four integers that start at 0, end inside the file and
 *   enclose exactly its /Contents hex string (Universal Signature Forgery, Signature Wrapping);
 * - the signed bytes hash to the digest signed, the CMS signature verifies, signing-certificate;
 * - the signed revision (the bytes up to the end of its ByteRange) is compared, object by object
 *   as each revision's own xref resolves them, with the final file: only a new signature or
 *   document timestamp (field, widget, /Annots, /Fields, /SigFlags), a /DSS and its streams and
 *   /Perms may follow a signature. Anything else (page content, another object, a new page, an
 *   annotation, a different version selected by a later xref, objects without an xref entry,
 *   bytes after the end) is "diubah setelah ditandatangani" for that signature, also when a later
 *   genuine signature covers it (Incremental Saving and Shadow attacks). A DocMDP certification
 *   signature's permission level (/P 1, 2, 3) is enforced on what follows it;
 * - the certificate chain is built to the trust store (lib/pdf/trustStore.ts; the default store
 *   when no anchors are given), refusing non-CA intermediates, at the signing time (the signature
 *   timestamp's genTime when there is one, else /M, else the signing-time attribute), with
 *   revocation from the DSS's CRLs / OCSP responses when present;
 * - the PAdES level reached: B-B, B-T (a signature timestamp whose imprint is the hash of the
 *   signature value), B-LT (DSS with the chain and revocation data), B-LTA (plus a document
 *   timestamp covering that DSS).
 * "Sah" only when all of that holds. Pure and synchronous: no database, no network.
 */
import crypto from 'node:crypto';
import { children, content, oid, raw, readTlv, type Tlv } from './der';
import { parseCertificate, type CertificateInfo } from './certInfo';
import { PdfDict, PdfRef, PdfRevision, PdfStream, PdfString, canonical, decodeStream, parseIndirectAt, refsIn, type PdfValue } from './pdfObjects';
import { HASH_OID, TrustStore, buildChain, checkRevocation, cn, defaultTrustStore, type RevocationResult } from './trustStore';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface TimestampInfo {
  genTime: Date | null;
  /** The TSA: the token's tsa name, else its certificate's CN. */
  tsaName: string | null;
  /** The token's message imprint is the hash of what it stamps (the signature value, or the byte ranges). */
  imprintMatches: boolean;
  /** The token's own CMS signature verifies. */
  signatureValid: boolean;
  /** The TSA certificate chains to the trust store and may stamp (extendedKeyUsage timeStamping). */
  trusted: boolean;
  problems: string[];
}

export interface SignatureReport {
  /** 1-based, in file order (the first signature first). */
  index: number;
  /** A signature, or a document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161). */
  kind: 'signature' | 'document_timestamp';
  fieldName: string | null;
  subFilter: string | null;
  /** The signer's certificate (for a document timestamp: the TSA's). */
  signer: CertificateInfo | null;
  signerName: string | null;     // certificate CN
  signerNip: string | null;      // digits of the subject's serialNumber
  name: string | null;
  reason: string | null;
  location: string | null;
  contactInfo: string | null;
  /** /M of the signature dictionary, else the CMS signing-time attribute (for a document timestamp: genTime). */
  signingTime: Date | null;
  /** The time the certificate is judged at, and where it comes from. */
  validationTime: Date | null;
  validationTimeSource: 'cap_waktu' | 'M' | 'signing_time' | null;
  byteRange: number[];
  /** The signed bytes still hash to the digest in the signature. */
  digestMatches: boolean;
  /** The CMS signature verifies with the signer certificate's public key. */
  signatureValid: boolean;
  /** digestMatches && signatureValid && the ByteRange / Contents structure is sound. */
  intact: boolean;
  /** The signature covers the file up to its last byte. */
  coversWholeFile: boolean;
  /** Something not allowed after a signature was added or changed after this one. */
  modifiedAfterSigning: boolean;
  /** Those changes, in Indonesian (empty when none). */
  changes: string[];
  /** What was added after it and is allowed (later signatures, DSS, document timestamps). */
  laterAdditions: string[];
  /** DocMDP certification (the /P permission), when this signature certifies the document. */
  certification: { p: 1 | 2 | 3 } | null;
  /** The certificate was within its validity period at validationTime (null: no time or no certificate). */
  certValidAtSigningTime: boolean | null;
  /** The certificate chains to the trust store. */
  trusted: boolean | null;
  /** The certification path (CNs), leaf first. */
  chain: string[];
  revocation: RevocationResult | null;
  /** The signature timestamp (B-T), or a document timestamp's own token. */
  timestamp: TimestampInfo | null;
  /** The PAdES level reached (null for a document timestamp or a broken signature). */
  level: PadesLevel | null;
  /** Intact, trusted, not revoked, nothing disallowed after it. */
  valid: boolean;
  /** What is wrong, in Indonesian (empty when valid). */
  problems: string[];
  /** Remarks that do not make it invalid (e.g. no revocation data). */
  notes: string[];
}

export interface VerifyReport {
  sha256: string;
  size: number;
  signatures: SignatureReport[];
  /** Every signature intact (cryptographically). */
  allIntact: boolean;
  /** Nothing disallowed was added or changed after the last signature. */
  unmodifiedSinceLastSignature: boolean;
  /** At least one signature, and every one valid. */
  valid: boolean;
  /** Problems of the file itself (structure), in Indonesian. */
  problems: string[];
  /** How many trust anchors were used. */
  trustAnchors: number;
}

export interface VerifyOptions {
  /** CA certificates (PEM, possibly several in one string, or DER): these alone decide trust. */
  trustAnchors?: (string | Buffer)[];
  /** A trust store; default: defaultTrustStore() (config/trust + the configured dev CA). */
  trustStore?: TrustStore;
}

const SIG_RSA = new Set(['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.5', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13']);
const SIG_EC = new Set(['1.2.840.10045.4.1', '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4', '1.2.840.10045.2.1']);
const SIG_PSS = '1.2.840.113549.1.1.10';
const A_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const A_SIGNING_TIME = '1.2.840.113549.1.9.5';
const A_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const A_SIGNING_CERT = '1.2.840.113549.1.9.16.2.12';
const A_TIMESTAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';
const CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';

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
  const m = /^(\d{2,4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?/.exec(s);
  if (!m) return null;
  let y = Number(m[1]);
  if (m[1].length === 2) y += y < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms));
}

const fmt = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

// ---------------------------------------------------------------------------------------------
// CMS

interface CmsResult {
  certs: Buffer[];
  signer: CertificateInfo | null;
  digestMatches: boolean;
  signatureValid: boolean;
  signatureValue: Buffer | null;
  hashName: string | null;
  cmsTime: Date | null;
  unsigned: Map<string, Tlv>;
  eContentType: string | null;
  eContent: Buffer | null;
  problems: string[];
}

/** Read and check CMS SignedData over `data` (detached), or over its own eContent when data is null. */
function readCms(der: Buffer, data: Buffer[] | null): CmsResult {
  const r: CmsResult = { certs: [], signer: null, digestMatches: false, signatureValid: false, signatureValue: null, hashName: null, cmsTime: null, unsigned: new Map(), eContentType: null, eContent: null, problems: [] };
  const bad = (p: string) => { r.problems.push(p); return r; };
  try {
    const ci = readTlv(der, 0);
    const [ciType, ciBody] = children(ci);
    if (oid(ciType) !== '1.2.840.113549.1.7.2') return bad('isi tanda tangan bukan CMS SignedData');
    const sd = children(children(ciBody)[0]);
    const encap = children(sd[2]);
    r.eContentType = oid(encap[0]);
    if (encap[1]) r.eContent = Buffer.from(content(children(encap[1])[0]));
    let signerInfos: Tlv | null = null;
    for (const el of sd.slice(3)) {
      if (el.tag === 0xa0) for (const c of children(el)) if (c.tag === 0x30) r.certs.push(Buffer.from(raw(c)));
      if (el.tag === 0x31) signerInfos = el;
    }
    if (!signerInfos || !children(signerInfos).length) return bad('tidak ada SignerInfo dalam tanda tangan');
    const si = children(children(signerInfos)[0]);
    let i = 1;
    const sid = si[i++];
    const hashName = HASH_OID[oid(children(si[i++])[0])];
    let signedAttrs: Tlv | null = null;
    if (si[i].tag === 0xa0) signedAttrs = si[i++];
    const sigAlg = oid(children(si[i++])[0]);
    const signature = content(si[i++]);
    r.signatureValue = Buffer.from(signature);
    if (si[i] && si[i].tag === 0xa1) for (const a of children(si[i])) { const [t, vals] = children(a); r.unsigned.set(oid(t), children(vals)[0]); }
    if (!hashName) return bad('algoritma hash tanda tangan tidak didukung');
    r.hashName = hashName;
    const parts = data ?? (r.eContent ? [r.eContent] : null);
    if (!parts) return bad('data yang ditandatangani tidak ada');

    let candidates = r.certs;
    if (sid.tag === 0x30) {
      const [iss, ser] = children(sid);
      candidates = r.certs.filter((c) => { const p = parseCertificate(c); return p.issuerRaw.equals(raw(iss)) && content(readTlv(p.serialRaw, 0)).equals(content(ser)); });
    }
    if (!candidates.length) return bad('sertifikat penanda tangan tidak ada dalam tanda tangan');
    const h = crypto.createHash(hashName);
    for (const p of parts) h.update(p);
    const digest = h.digest();
    let signedBytes: Buffer;
    let certHashes: { alg: string; hash: Buffer }[] | null = null;
    if (signedAttrs) {
      let md: Buffer | null = null;
      for (const a of children(signedAttrs)) {
        const [t, vals] = children(a);
        const v = children(vals)[0];
        const id = oid(t);
        if (id === A_MESSAGE_DIGEST) md = Buffer.from(content(v));
        else if (id === A_SIGNING_TIME) r.cmsTime = asnTime(v);
        else if (id === A_SIGNING_CERT_V2 || id === A_SIGNING_CERT) {
          certHashes = children(children(v)[0]).map((essId) => {
            const ps = children(essId);
            if (id === A_SIGNING_CERT) return { alg: 'sha1', hash: Buffer.from(content(ps[0])) };
            const hasAlg = ps[0].tag === 0x30;
            return { alg: hasAlg ? HASH_OID[oid(children(ps[0])[0])] ?? 'sha256' : 'sha256', hash: Buffer.from(content(ps[hasAlg ? 1 : 0])) };
          });
        }
      }
      if (!md) return bad('atribut messageDigest tidak ada');
      r.digestMatches = md.equals(digest);
      signedBytes = Buffer.from(raw(signedAttrs));
      signedBytes[0] = 0x31; // signed over the DER SET OF, not the [0] IMPLICIT tag
    } else {
      r.digestMatches = true; // checked by the signature itself
      signedBytes = Buffer.concat(parts);
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
    r.signer ??= parseCertificate(candidates[0]);
    if (!r.signatureValid) r.problems.push('tanda tangan kriptografis tidak sah');
    if (certHashes && !certHashes.some((c) => crypto.createHash(c.alg).update(r.signer!.der).digest().equals(c.hash))) {
      r.signatureValid = false;
      r.problems.push('atribut signing-certificate tidak cocok dengan sertifikat penanda tangan');
    }
  } catch {
    r.problems.push('isi tanda tangan (CMS) rusak atau tidak dapat dibaca');
  }
  return r;
}

/** Check an RFC 3161 token whose imprint must be the hash of `stamped` (parts concatenated). */
function checkTimestampToken(token: Buffer, stamped: Buffer[], store: TrustStore): TimestampInfo & { cms: CmsResult } {
  const cms = readCms(token, null);
  const t: TimestampInfo & { cms: CmsResult } = { genTime: null, tsaName: null, imprintMatches: false, signatureValid: cms.signatureValid && cms.digestMatches, trusted: false, problems: [], cms };
  if (cms.eContentType !== CT_TSTINFO || !cms.eContent) { t.problems.push('cap waktu bukan token RFC 3161 (TSTInfo tidak ada)'); return t; }
  try {
    const f = children(readTlv(cms.eContent, 0));
    const [alg, hashed] = children(f[2]);
    const h = HASH_OID[oid(children(alg)[0])];
    if (h) { const hh = crypto.createHash(h); for (const p of stamped) hh.update(p); t.imprintMatches = hh.digest().equals(content(hashed)); }
    t.genTime = asnTime(f[4]);
    const tsa = f.slice(5).find((x) => x.tag === 0xa0);
    if (tsa) {
      const gn = children(tsa)[0];
      if (gn.tag === 0xa4) {
        for (const rdn of children(children(gn)[0])) for (const atv of children(rdn)) { const [ty, val] = children(atv); if (oid(ty) === '2.5.4.3') t.tsaName = content(val).toString('utf8'); }
      }
    }
  } catch { t.problems.push('TSTInfo cap waktu tidak dapat dibaca'); return t; }
  if (cms.signer) t.tsaName ??= cms.signer.commonName ?? cms.signer.subject;
  if (!t.signatureValid) t.problems.push(`tanda tangan pada cap waktu tidak sah${cms.problems.length ? ` (${cms.problems.join('; ')})` : ''}`);
  if (!t.imprintMatches) t.problems.push('cap waktu tidak cocok dengan yang dicapnya (message imprint berbeda)');
  if (cms.signer) {
    const ch = buildChain(cms.signer.der, cms.certs, store, t.genTime, 'tsa');
    t.trusted = ch.trusted;
    if (!ch.trusted) t.problems.push(`otoritas cap waktu tidak dipercaya: ${ch.problems.join('; ')}`);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Finding the signatures

interface Found {
  fieldName: string | null;
  sigNum: number | null;
  dict: PdfDict;
  /** Problems of the dictionary's structure. */
  problems: string[];
  byteRange: number[] | null;
  contents: PdfString | null;
}

const str = (v: PdfValue | undefined): string | null => (v instanceof PdfString ? v.text() : null);

function fieldType(rev: PdfRevision, d: PdfDict): string | null {
  let cur: PdfDict | null = d;
  for (let i = 0; cur && i < 20; i++) {
    const ft = cur.name('FT');
    if (ft) return ft;
    cur = rev.dict(cur.get('Parent'));
  }
  return null;
}

function findSignatures(fin: PdfRevision): Found[] {
  const out: Found[] = [];
  const seen = new Set<string>();
  const af = fin.dict(fin.root()?.get('AcroForm'));
  const visit = (v: PdfValue | undefined, depth: number, parentName: string | null) => {
    if (depth > 20) return;
    const d = fin.dict(v);
    if (!d) return;
    const t = str(d.get('T'));
    const name = t === null ? parentName : parentName ? `${parentName}.${t}` : t;
    const kids = fin.array(d.get('Kids'));
    if (kids && kids.some((k) => fin.dict(k)?.has('T'))) { for (const k of kids) visit(k, depth + 1, name); return; }
    if (fieldType(fin, d) !== 'Sig' || !d.has('V')) return;
    const V = d.get('V');
    const key = V instanceof PdfRef ? `r${V.num}` : `d${canonical(V)}`;
    if (seen.has(key)) return;
    seen.add(key);
    const sd = fin.dict(V);
    if (!sd) { out.push({ fieldName: name, sigNum: null, dict: new PdfDict(), problems: ['kamus tanda tangan (/V) tidak dapat dibaca'], byteRange: null, contents: null }); return; }
    const f: Found = { fieldName: name, sigNum: V instanceof PdfRef ? V.num : null, dict: sd, problems: [], byteRange: null, contents: null };
    if (!(V instanceof PdfRef)) f.problems.push('kamus tanda tangan bukan objek tidak langsung');
    const br = sd.get('ByteRange');
    if (br === undefined) f.problems.push('/ByteRange tidak ada');
    else if (!Array.isArray(br) || br.length !== 4 || !br.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) f.problems.push('/ByteRange tidak sah (harus empat bilangan bulat tak negatif)');
    else f.byteRange = br as number[];
    const c = sd.get('Contents');
    if (c === undefined) f.problems.push('isi tanda tangan (/Contents) tidak ada');
    else if (!(c instanceof PdfString)) f.problems.push('isi tanda tangan (/Contents) bukan string');
    else if (!c.bytes.length) f.problems.push('isi tanda tangan (/Contents) kosong');
    else if (c.bytes.every((b) => b === 0)) f.problems.push('isi tanda tangan (/Contents) hanya berisi nol: tanda tangan tidak pernah diisi');
    else if (!c.hex || !c.inFile) f.problems.push('isi tanda tangan (/Contents) harus string heksadesimal langsung di dalam berkas');
    else f.contents = c;
    out.push(f);
  };
  for (const v of fin.array(af?.get('Fields')) ?? []) visit(v, 0, null);
  return out;
}

// ---------------------------------------------------------------------------------------------
// What changed between a signed revision and the final file

interface Change { text: string; category: 'tanda_tangan' | 'cap_waktu' | 'dss' | 'formulir' | 'anotasi' | 'lain' }
interface RevisionDiff { forbidden: Change[]; allowed: Change[] }

function describe(v: PdfValue | undefined): string {
  const d = v instanceof PdfDict ? v : v instanceof PdfStream ? v.dict : null;
  if (!d) return Array.isArray(v) ? 'larik' : 'nilai';
  const type = d.name('Type'); const sub = d.name('Subtype');
  if (type === 'Page') return 'halaman';
  if (type === 'Pages') return 'pohon halaman';
  if (type === 'Catalog') return 'katalog';
  if (type === 'Annot' || (sub && d.has('Rect'))) return `anotasi /${sub ?? '?'}`;
  if (sub === 'Form') return 'XObject form';
  if (sub === 'Image') return 'gambar';
  if (type === 'Font') return 'fon';
  if (v instanceof PdfStream) return 'aliran (stream) konten';
  return type ? `/${type}` : 'kamus';
}

function pageList(rev: PdfRevision): { num: number; dict: PdfDict }[] {
  const out: { num: number; dict: PdfDict }[] = [];
  const seen = new Set<number>();
  const walk = (v: PdfValue | undefined, depth: number) => {
    if (depth > 50 || !(v instanceof PdfRef) || seen.has(v.num)) return;
    seen.add(v.num);
    const d = rev.dict(v);
    if (!d) return;
    if (d.name('Type') === 'Pages' || d.has('Kids')) { for (const k of rev.array(d.get('Kids')) ?? []) walk(k, depth + 1); return; }
    out.push({ num: v.num, dict: d });
  };
  walk(rev.root()?.get('Pages'), 0);
  return out;
}

function dictDiffKeys(a: PdfDict, b: PdfDict, ignore: string[]): string[] {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  return [...keys].filter((k) => !ignore.includes(k) && canonical(a.get(k)) !== canonical(b.get(k)));
}

function dssData(rev: PdfRevision): { nums: Set<number>; certs: Buffer[]; crls: Buffer[]; ocsps: Buffer[]; present: boolean } {
  const r = { nums: new Set<number>(), certs: [] as Buffer[], crls: [] as Buffer[], ocsps: [] as Buffer[], present: false };
  const root = rev.root();
  const dssV = root?.get('DSS');
  const dss = rev.dict(dssV);
  if (!dss) return r;
  r.present = true;
  if (dssV instanceof PdfRef) r.nums.add(dssV.num);
  const take = (arrV: PdfValue | undefined, into: Buffer[] | null) => {
    if (arrV instanceof PdfRef) r.nums.add(arrV.num);
    for (const el of rev.array(arrV) ?? []) {
      if (el instanceof PdfRef) r.nums.add(el.num);
      const s = rev.resolve(el);
      if (into && s instanceof PdfStream) { try { const b = decodeStream(s); if (!into.some((x) => x.equals(b))) into.push(b); } catch { /* unreadable stream */ } }
    }
  };
  take(dss.get('Certs'), r.certs); take(dss.get('CRLs'), r.crls); take(dss.get('OCSPs'), r.ocsps);
  const vriV = dss.get('VRI');
  if (vriV instanceof PdfRef) r.nums.add(vriV.num);
  const vri = rev.dict(vriV);
  if (vri) for (const e of vri.map.values()) {
    if (e instanceof PdfRef) r.nums.add(e.num);
    const ed = rev.dict(e);
    if (!ed) continue;
    take(ed.get('Cert'), r.certs); take(ed.get('CRL'), r.crls); take(ed.get('OCSP'), r.ocsps);
    const ts = ed.get('TS'); if (ts instanceof PdfRef) r.nums.add(ts.num);
  }
  return r;
}

const isSigValue = (d: PdfDict | null) => !!d && (d.name('Type') === 'Sig' || d.name('Type') === 'DocTimeStamp' || (d.has('ByteRange') && d.has('Contents') && d.has('Filter')));

/** Walk a region between revisions: objects, xref sections, trailers, startxref, %%EOF, comments. */
function walkAppended(file: Buffer, from: number, to: number, referenced: (num: number, offset: number) => boolean, out: Change[]) {
  let p = from;
  const ws = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
  while (p < to) {
    while (p < to && ws(file[p])) p++;
    if (p >= to) break;
    if (file[p] === 0x25) { while (p < to && file[p] !== 0x0a && file[p] !== 0x0d) p++; continue; }
    const head = file.subarray(p, Math.min(to, p + 40)).toString('latin1');
    if (/^\d+\s+\d+\s+obj/.test(head)) {
      try {
        const o = parseIndirectAt(file, p, undefined, to);
        if (!referenced(o.num, p)) out.push({ text: `objek ${o.num} ${o.gen} (${describe(o.value)}) di posisi ${p} ditambahkan tanpa entri xref (dibaca oleh pembaca PDF yang "memperbaiki" berkas)`, category: 'lain' });
        p = o.end;
        continue;
      } catch {
        // an indirect /Length: find endobj
        const e = file.indexOf('endobj', p);
        const m = /^(\d+)\s+(\d+)/.exec(head)!;
        if (e < 0 || e > to) { out.push({ text: `data rusak di posisi ${p}`, category: 'lain' }); return; }
        if (!referenced(Number(m[1]), p)) out.push({ text: `objek ${m[1]} ${m[2]} di posisi ${p} ditambahkan tanpa entri xref`, category: 'lain' });
        p = e + 6;
        continue;
      }
    }
    if (head.startsWith('xref')) {
      const t = file.indexOf('trailer', p);
      if (t < 0 || t > to) { out.push({ text: `tabel xref rusak di posisi ${p}`, category: 'lain' }); return; }
      const e = file.indexOf('startxref', t);
      p = e < 0 || e > to ? to : e;
      continue;
    }
    const sx = /^startxref\s+\d+\s*%%EOF/.exec(file.subarray(p, Math.min(to, p + 40)).toString('latin1'));
    if (sx) { p += sx[0].length; continue; }
    out.push({ text: `data tak dikenal ditambahkan di posisi ${p} (di luar struktur PDF)`, category: 'lain' });
    return;
  }
}

function diffRevisions(file: Buffer, rev: PdfRevision, fin: PdfRevision, finPages: { num: number; dict: PdfDict }[], finDss: ReturnType<typeof dssData>): RevisionDiff {
  const forbidden: Change[] = [];
  const allowed: Change[] = [];
  const no = (text: string, category: Change['category'] = 'lain') => forbidden.push({ text, category });
  const ok = (text: string, category: Change['category']) => { if (!allowed.some((a) => a.text === text)) allowed.push({ text, category }); };

  const fRoot = fin.trailer.get('Root'); const rRoot = rev.trailer.get('Root');
  if (!(fRoot instanceof PdfRef) || !(rRoot instanceof PdfRef) || fRoot.num !== rRoot.num) no('katalog dokumen (/Root) diganti dengan objek lain');
  const rootNum = fRoot instanceof PdfRef ? fRoot.num : -1;
  if (canonical(fin.trailer.get('Info')) !== canonical(rev.trailer.get('Info'))) no('kamus /Info di trailer diganti');

  const revPages = pageList(rev);
  const revPageNums = new Set(revPages.map((p) => p.num));
  const finPageNums = new Set(finPages.map((p) => p.num));
  const isNewObj = (num: number) => rev.location(num) === '';
  const isSigFieldFin = (v: PdfValue | undefined) => { const d = fin.dict(v); return !!d && fieldType(fin, d) === 'Sig'; };

  // annotations per page, and the AcroForm's fields: old ones kept, additions only signature fields
  const annotArrays = new Set<number>();
  for (const pg of finPages) {
    const A = pg.dict.get('Annots');
    if (A instanceof PdfRef) annotArrays.add(A.num);
    if (!revPageNums.has(pg.num)) continue;
    const oldPage = rev.dict(rev.get(pg.num));
    const oldList = (rev.array(oldPage?.get('Annots')) ?? []).map(canonical);
    const newList = fin.array(A) ?? [];
    const idx = finPages.indexOf(pg) + 1;
    for (const o of oldList) if (!newList.some((n) => canonical(n) === o)) no(`anotasi dihapus dari halaman ${idx}`, 'anotasi');
    for (const n of newList) {
      if (oldList.includes(canonical(n))) continue;
      if (isSigFieldFin(n) && (!(n instanceof PdfRef) || isNewObj(n.num) || fieldType(rev, rev.dict(n) ?? new PdfDict()) === 'Sig')) ok('kolom tanda tangan baru', 'formulir');
      else no(`${describe(fin.resolve(n))} baru di halaman ${idx}`, 'anotasi');
    }
  }
  const fAf = fin.root()?.get('AcroForm'); const rAf = rev.root()?.get('AcroForm');
  const fieldsArrays = new Set<number>();
  {
    const fa = fin.dict(fAf);
    const F = fa?.get('Fields');
    if (F instanceof PdfRef) fieldsArrays.add(F.num);
    const oldList = (rev.array(rev.dict(rAf)?.get('Fields')) ?? []).map(canonical);
    const newList = fin.array(F) ?? [];
    for (const o of oldList) if (!newList.some((n) => canonical(n) === o)) no('kolom formulir dihapus dari AcroForm', 'formulir');
    for (const n of newList) if (!oldList.includes(canonical(n)) && !isSigFieldFin(n)) no(`kolom formulir baru yang bukan tanda tangan (${describe(fin.resolve(n))})`, 'formulir');
  }
  const acroNum = fAf instanceof PdfRef ? fAf.num : -1;
  const permsV = fin.root()?.get('Perms');
  const permsNums = new Set<number>(permsV instanceof PdfRef ? [permsV.num] : []);

  // appearance streams (and their resources) of new signature widgets
  const apNums = new Set<number>();
  const collectAp = (v: PdfValue | undefined, depth: number) => {
    if (depth > 10) return;
    for (const r of refsIn(v instanceof PdfRef ? fin.get(v.num) : v)) {
      if (!isNewObj(r.num) || apNums.has(r.num) || finPageNums.has(r.num)) continue;
      apNums.add(r.num);
      collectAp(fin.get(r.num), depth + 1);
    }
  };

  const nums = new Set([...rev.inUse(), ...fin.inUse()]);
  const changed: { num: number; old: PdfValue | undefined; neu: PdfValue | undefined }[] = [];
  for (const num of nums) {
    if (rev.location(num) === fin.location(num)) continue;
    const old = rev.get(num); const neu = fin.get(num);
    if (old !== undefined && neu !== undefined && canonical(old) === canonical(neu)) continue;
    changed.push({ num, old, neu });
  }
  for (const c of changed) {
    const d = c.neu instanceof PdfDict ? c.neu : null;
    if (c.old === undefined && d && fieldType(fin, d) === 'Sig') collectAp(d.get('AP'), 0);
  }
  for (const { num, old, neu } of changed) {
    const nd = fin.dict(neu); const od = rev.dict(old);
    const container = (v: PdfValue | undefined) => v instanceof PdfStream && (v.dict.name('Type') === 'XRef' || v.dict.name('Type') === 'ObjStm');
    if (container(neu) && (old === undefined || container(old))) continue;
    const e = fin.table.get(num);
    const shadow = e?.type === 1 && e.offset < rev.end && old !== undefined ? ': xref yang ditambahkan kemudian memilih versi lain objek ini yang sudah ada di bagian bertanda tangan (shadow attack)' : '';
    if (old === undefined) {
      if (neu === undefined) continue;
      if (finDss.nums.has(num)) { ok('DSS (data validasi: sertifikat, OCSP, CRL)', 'dss'); continue; }
      if (isSigValue(nd)) {
        if (nd!.name('Type') === 'DocTimeStamp' || nd!.name('SubFilter') === 'ETSI.RFC3161') ok('cap waktu dokumen', 'cap_waktu'); else ok('tanda tangan berikutnya', 'tanda_tangan');
        continue;
      }
      if (nd && fieldType(fin, nd) === 'Sig') { ok('kolom tanda tangan baru', 'formulir'); continue; }
      if (apNums.has(num)) { ok('tampilan kolom tanda tangan', 'formulir'); continue; }
      if (annotArrays.has(num) || fieldsArrays.has(num) || permsNums.has(num)) continue; // judged by the lists above / allowed
      if (num === acroNum && nd) {
        const extra = dictDiffKeys(new PdfDict(), nd, ['Fields', 'SigFlags', 'DA', 'DR']);
        if (extra.length) no(`AcroForm baru dengan entri lain (${extra.map((k) => `/${k}`).join(', ')})`, 'formulir');
        continue;
      }
      const kind = describe(neu);
      no(`objek baru ${num} (${kind}) ditambahkan${finPageNums.has(num) ? ' sebagai halaman baru' : ''}`, kind.startsWith('anotasi') ? 'anotasi' : 'lain');
      continue;
    }
    if (neu === undefined) { no(`objek ${num} (${describe(old)}) dihapus`); continue; }
    if (num === rootNum && nd && od) {
      const keys = dictDiffKeys(od, nd, ['AcroForm', 'DSS', 'Perms']);
      if (keys.length) no(`katalog dokumen diubah (${keys.map((k) => `/${k}`).join(', ')})${shadow}`);
      const oa = od.get('AcroForm'); const na = nd.get('AcroForm');
      if (oa instanceof PdfDict && na instanceof PdfDict) {
        const k2 = dictDiffKeys(oa, na, ['Fields', 'SigFlags']);
        if (k2.length) no(`AcroForm diubah (${k2.map((k) => `/${k}`).join(', ')})`, 'formulir');
      }
      continue;
    }
    if ((revPageNums.has(num) || finPageNums.has(num)) && nd && od) {
      const keys = dictDiffKeys(od, nd, ['Annots']);
      if (keys.length) no(`halaman ${finPages.findIndex((p) => p.num === num) + 1} diubah (${keys.map((k) => `/${k}`).join(', ')})${shadow}`);
      continue;
    }
    if (num === acroNum && nd && od) {
      const keys = dictDiffKeys(od, nd, ['Fields', 'SigFlags']);
      if (keys.length) no(`AcroForm diubah (${keys.map((k) => `/${k}`).join(', ')})`, 'formulir');
      continue;
    }
    if (annotArrays.has(num) || fieldsArrays.has(num) || permsNums.has(num)) continue;
    if (finDss.nums.has(num)) { ok('DSS (data validasi: sertifikat, OCSP, CRL)', 'dss'); continue; }
    if (od && nd && fieldType(rev, od) === 'Sig' && !od.has('V') && dictDiffKeys(od, nd, ['V', 'AP']).length === 0) { ok('kolom tanda tangan yang disiapkan diisi', 'formulir'); continue; }
    const kind = describe(old);
    no(`objek ${num} (${kind}) diubah${shadow}`, kind.startsWith('anotasi') ? 'anotasi' : 'lain');
  }

  // objects appended without an xref entry, unknown bytes, data after the end
  const sectionHas = (num: number, offset: number) => fin.sections.some((s) => { const e = s.entries.get(num); return e?.type === 1 && e.offset === offset; })
    || fin.sections.some((s) => s.offset === offset);
  walkAppended(file, rev.eofEnd, file.length, sectionHas, forbidden);
  return { forbidden, allowed };
}

// ---------------------------------------------------------------------------------------------

interface Internal { report: SignatureReport; found: Found | null; end: number; cms: CmsResult | null; rev: PdfRevision | null; diff: RevisionDiff | null; chainDers: Buffer[] }

function emptyReport(index: number, f: Found | null, fileLen: number): SignatureReport {
  const d = f?.dict ?? new PdfDict();
  const br = f?.byteRange ?? [];
  const sub = d.name('SubFilter');
  return {
    index, kind: d.name('Type') === 'DocTimeStamp' || sub === 'ETSI.RFC3161' ? 'document_timestamp' : 'signature', fieldName: f?.fieldName ?? null,
    subFilter: sub, signer: null, signerName: null, signerNip: null,
    name: str(d.get('Name')), reason: str(d.get('Reason')), location: str(d.get('Location')), contactInfo: str(d.get('ContactInfo')),
    signingTime: pdfDate(str(d.get('M'))), validationTime: null, validationTimeSource: null,
    byteRange: br, digestMatches: false, signatureValid: false, intact: false,
    coversWholeFile: br.length === 4 && br[2] + br[3] === fileLen, modifiedAfterSigning: false, changes: [], laterAdditions: [],
    certification: null, certValidAtSigningTime: null, trusted: null, chain: [], revocation: null, timestamp: null, level: null,
    valid: false, problems: [...(f?.problems ?? [])], notes: [],
  };
}

export function verifyPdfSignatures(pdf: Buffer, opts: VerifyOptions = {}): VerifyReport {
  const store = opts.trustAnchors ? TrustStore.of(opts.trustAnchors) : opts.trustStore ?? defaultTrustStore();
  const fileProblems: string[] = [];
  let fin: PdfRevision | null = null;
  try { fin = new PdfRevision(pdf); } catch (e) { fileProblems.push(`struktur PDF rusak: tabel referensi silang (xref) tidak dapat dibaca (${(e as Error).message})`); }
  // The signatures of the final file, and those of every earlier revision (a signature whose field
  // a later update removed, e.g. by switching the catalog, is still reported).
  const found: { f: Found; in: PdfRevision; lost: boolean }[] = [];
  if (fin) {
    const revs: PdfRevision[] = [fin];
    const s = pdf.toString('latin1');
    for (const m of s.matchAll(/startxref\s+\d+\s+%%EOF/g)) {
      const end = m.index + m[0].length;
      if (end >= fin.eofEnd) continue;
      try { revs.push(new PdfRevision(pdf, end)); } catch { /* not a readable revision */ }
    }
    const keys = new Set<string>();
    for (const rv of revs) {
      for (const f of findSignatures(rv)) {
        const key = `${f.sigNum}:${canonical(f.dict.get('ByteRange'))}`;
        if (keys.has(key)) continue;
        keys.add(key);
        found.push({ f, in: rv, lost: rv !== fin });
      }
    }
  }
  const items: (Internal & { in: PdfRevision; key: number; lost: boolean })[] = found.map(({ f, in: rv, lost }) => {
    const br = f.byteRange;
    const sane = !!br && br[2] + br[3] <= pdf.length && br[2] + br[3] > 0;
    const e = f.sigNum !== null ? rv.table.get(f.sigNum) : undefined;
    const report = emptyReport(0, f, pdf.length);
    return { lost, report, found: f, in: rv, end: sane ? br![2] + br![3] : Number.MAX_SAFE_INTEGER, key: sane ? br![2] + br![3] : e?.type === 1 ? e.offset : Number.MAX_SAFE_INTEGER, cms: null, rev: null, diff: null, chainDers: [] };
  });
  items.sort((a, b) => a.key - b.key);
  items.forEach((it, i) => { it.report.index = i + 1; });
  const finPages = fin ? pageList(fin) : [];
  const finDss = fin ? dssData(fin) : { nums: new Set<number>(), certs: [], crls: [], ocsps: [], present: false };

  for (const it of items) {
    const r = it.report; const f = it.found!;
    const bad = (p: string) => { r.problems.push(p); };
    const br = f.byteRange;
    if (br && f.contents && !r.problems.length) {
      if (br.every((x) => x === 0)) bad('/ByteRange [0 0 0 0] tidak mencakup isi dokumen');
      else if (br[0] !== 0) bad('/ByteRange tidak dimulai dari awal berkas');
      else if (br[2] + br[3] > pdf.length || br[1] > pdf.length) bad('/ByteRange melewati akhir berkas');
      else if (br[1] !== f.contents.start || br[2] !== f.contents.end) bad('/ByteRange tidak tepat mengapit /Contents tanda tangan ini (signature wrapping: bagian yang ditandatangani dipindahkan)');
    }
    if (r.problems.length || !br || !f.contents) continue;
    const ranges = [pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])];
    const der = f.contents.bytes;
    // the signed revision: a complete PDF of its own, holding this signature dictionary
    try { it.rev = new PdfRevision(pdf, it.end); } catch (e) { bad(`bagian yang ditandatangani bukan revisi PDF yang lengkap (${(e as Error).message})`); }
    if (it.rev && f.sigNum !== null && it.rev.location(f.sigNum) !== it.in.location(f.sigNum)) bad('kamus tanda tangan ini tidak berada di revisi yang ditandatanganinya');
    if (r.kind === 'document_timestamp') {
      const t = checkTimestampToken(der, ranges, store);
      r.timestamp = { genTime: t.genTime, tsaName: t.tsaName, imprintMatches: t.imprintMatches, signatureValid: t.signatureValid, trusted: t.trusted, problems: t.problems };
      it.cms = t.cms;
      r.digestMatches = t.imprintMatches;
      r.signatureValid = t.signatureValid;
      if (t.cms.signer) { r.signer = t.cms.signer; r.signerName = t.cms.signer.commonName; r.signerNip = t.cms.signer.idNumber; }
      r.signingTime = t.genTime;
      r.validationTime = t.genTime; r.validationTimeSource = 'cap_waktu';
      r.trusted = t.trusted;
      if (!t.imprintMatches) bad('isi dokumen berubah setelah dicap waktu (hash tidak cocok)');
      for (const p of t.problems) if (!p.startsWith('cap waktu tidak cocok')) bad(p);
    } else {
      const cms = readCms(der, ranges);
      it.cms = cms;
      r.digestMatches = cms.digestMatches; r.signatureValid = cms.signatureValid;
      for (const p of cms.problems) bad(p);
      if (cms.signer) { r.signer = cms.signer; r.signerName = cms.signer.commonName; r.signerNip = cms.signer.idNumber; }
      r.signingTime ??= cms.cmsTime;
      const tok = cms.unsigned.get(A_TIMESTAMP_TOKEN);
      if (tok && cms.signatureValue) {
        const t = checkTimestampToken(Buffer.from(raw(tok)), [cms.signatureValue], store);
        r.timestamp = { genTime: t.genTime, tsaName: t.tsaName, imprintMatches: t.imprintMatches, signatureValid: t.signatureValid, trusted: t.trusted, problems: t.problems };
        for (const p of t.problems) bad(p);
      }
      const tsOk = !!r.timestamp && !r.timestamp.problems.length && !!r.timestamp.genTime;
      if (tsOk) { r.validationTime = r.timestamp!.genTime; r.validationTimeSource = 'cap_waktu'; }
      else if (pdfDate(str(f.dict.get('M')))) { r.validationTime = r.signingTime; r.validationTimeSource = 'M'; }
      else if (cms.cmsTime) { r.validationTime = cms.cmsTime; r.validationTimeSource = 'signing_time'; }
      if (tsOk && r.signingTime && Math.abs(r.signingTime.getTime() - r.timestamp!.genTime!.getTime()) > 24 * 3600_000 && r.signingTime > r.timestamp!.genTime!) {
        r.notes.push(`/M (${fmt(r.signingTime)}) lebih lambat dari cap waktu (${fmt(r.timestamp!.genTime!)}); waktu cap waktu yang dipakai`);
      }
      // DocMDP certification
      for (const ref of f.dict.get('Reference') instanceof Array ? (f.dict.get('Reference') as PdfValue[]) : []) {
        const sr = it.in.dict(ref);
        if (sr?.name('TransformMethod') !== 'DocMDP') continue;
        const P = it.in.dict(sr.get('TransformParams'))?.get('P');
        r.certification = { p: P === 1 || P === 3 ? P : 2 };
      }
    }
    r.intact = r.digestMatches && r.signatureValid && !r.problems.some((p) => p.startsWith('/ByteRange') || p.startsWith('isi tanda tangan'));
    if (r.signer) {
      const signer = r.signer;
      r.certValidAtSigningTime = r.validationTime ? r.validationTime >= signer.notBefore && r.validationTime <= signer.notAfter : null;
      if (r.kind === 'signature') {
        if (r.certValidAtSigningTime === false) bad(`sertifikat tidak berlaku pada waktu penandatanganan (${fmt(r.validationTime!)}; berlaku ${fmt(signer.notBefore)} s.d. ${fmt(signer.notAfter)})`);
        const ch = buildChain(signer.der, [...(it.cms?.certs ?? []), ...finDss.certs], store, r.validationTime);
        r.trusted = ch.trusted;
        r.chain = ch.path.map((d) => cn(new crypto.X509Certificate(d)));
        it.chainDers = ch.path;
        for (const p of ch.problems) if (!p.startsWith(`sertifikat "${signer.commonName}" tidak berlaku`) || r.certValidAtSigningTime !== false) bad(p);
        if (signer.keyUsage && !signer.keyUsage.digitalSignature && !signer.keyUsage.nonRepudiation) bad('sertifikat tidak boleh dipakai untuk tanda tangan (keyUsage tanpa digitalSignature / nonRepudiation)');
        if (ch.trusted) {
          const rev = checkRevocation(ch.path, finDss);
          r.revocation = rev;
          if (rev.status === 'dicabut') {
            const afterTs = r.validationTimeSource === 'cap_waktu' && rev.revokedAt && rev.revokedAt > r.validationTime!;
            if (afterTs) r.notes.push(`sertifikat ${rev.revokedCert} dicabut pada ${fmt(rev.revokedAt!)}, setelah cap waktu tanda tangan: tanda tangan tetap sah`);
            else bad(`sertifikat ${rev.revokedCert} telah dicabut (revoked)${rev.revokedAt ? ` pada ${fmt(rev.revokedAt)}` : ''}`);
          } else if (rev.status === 'tidak_diketahui') r.notes.push(`status pencabutan tidak diperiksa untuk ${rev.unchecked.join(', ')}: berkas tidak memuat data OCSP/CRL (DSS)`);
        }
      }
    }
  }

  // changes after each signature, DocMDP, levels
  for (const it of items) {
    const r = it.report;
    if (!it.rev || !fin) continue;
    let diff: RevisionDiff;
    try { diff = diffRevisions(pdf, it.rev, fin, finPages, finDss); } catch (e) { diff = { forbidden: [{ text: `perbandingan revisi gagal (${(e as Error).message})`, category: 'lain' }], allowed: [] }; }
    it.diff = diff;
    const tail = pdf.subarray(fin.eofEnd);
    if (tail.some((b) => !(b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x00))) diff.forbidden.push({ text: 'data tambahan setelah penanda akhir berkas (%%EOF)', category: 'lain' });
    r.changes = [...new Set(diff.forbidden.map((c) => c.text))];
    r.laterAdditions = [...new Set(diff.allowed.map((c) => c.text))];
    r.modifiedAfterSigning = r.changes.length > 0;
    if (r.modifiedAfterSigning) r.problems.push(`diubah setelah ditandatangani: ${r.changes.join('; ')}`);
    if (r.certification) {
      const p = r.certification.p;
      const v = [
        ...(p === 3 ? diff.forbidden.filter((c) => c.category !== 'anotasi') : diff.forbidden),
        ...(p === 1 ? diff.allowed.filter((c) => c.category === 'tanda_tangan' || c.category === 'formulir') : []),
      ];
      if (v.length) r.problems.push(`melanggar izin sertifikasi DocMDP P=${p}${p === 1 ? ' (tidak boleh ada perubahan)' : p === 2 ? ' (hanya pengisian formulir dan tanda tangan)' : ' (hanya formulir, tanda tangan dan anotasi)'}: ${[...new Set(v.map((c) => c.text))].join('; ')}`);
      if (it.report.index !== 1) r.problems.push('tanda tangan sertifikasi (DocMDP) harus tanda tangan pertama dalam dokumen');
      const perms = fin.dict(fin.root()?.get('Perms'));
      const ref = perms?.get('DocMDP');
      if (!(ref instanceof PdfRef) || ref.num !== it.found?.sigNum) r.notes.push('katalog /Perms /DocMDP tidak menunjuk ke tanda tangan sertifikasi ini');
    }
  }
  // a certification signature after which another signature's DocMDP does not matter; signatures after a P=1 certification
  for (const it of items) {
    const r = it.report;
    if (r.kind !== 'signature' || !r.intact) continue;
    const tsOk = !!r.timestamp && !r.timestamp.problems.length;
    r.level = tsOk ? 'B-T' : 'B-B';
    const ltData = (dss: ReturnType<typeof dssData>) => {
      if (!dss.present || !it.chainDers.length || !r.trusted) return false;
      const below = it.chainDers.slice(0, -1);
      if (!below.every((d) => dss.certs.some((c) => c.equals(d)))) return false;
      const rv = checkRevocation(it.chainDers, dss);
      return rv.status === 'baik';
    };
    if (tsOk && ltData(finDss)) {
      r.level = 'B-LT';
      const lta = items.some((o) => o.report.kind === 'document_timestamp' && o.end > it.end && o.report.intact && !o.report.problems.length && o.rev && ltData(dssData(o.rev)));
      if (lta) r.level = 'B-LTA';
    }
  }
  for (const it of items) {
    const r = it.report;
    if (it.lost) r.problems.push('tanda tangan ini dihapus dari dokumen akhir (kolom tanda tangannya tidak ada lagi di katalog yang berlaku)');
    r.problems = [...new Set(r.problems)];
    r.valid = r.intact && r.trusted === true && !r.problems.length;
  }
  const signatures = items.map((i) => i.report);
  const last = items.filter((i) => i.report.kind === 'signature').pop() ?? items[items.length - 1];
  const allIntact = signatures.every((s) => s.intact);
  return {
    sha256: crypto.createHash('sha256').update(pdf).digest('hex'),
    size: pdf.length,
    signatures,
    allIntact,
    unmodifiedSinceLastSignature: !!last && !!last.rev && !last.report.modifiedAfterSigning,
    valid: signatures.length > 0 && !fileProblems.length && signatures.every((s) => s.valid),
    problems: fileProblems,
    trustAnchors: store.size,
  };
}

/** The bytes of a signature's signed revision (up to the end of its ByteRange), or null. */
export function signedRevision(pdf: Buffer, s: SignatureReport): Buffer | null {
  const br = s.byteRange;
  if (br.length !== 4) return null;
  const end = br[2] + br[3];
  return end > 0 && end <= pdf.length ? pdf.subarray(0, end) : null;
}

