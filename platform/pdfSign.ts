/**
 * PAdES signing of PDFs (issue #5, TTE).
 *
 * - Every signature is an incremental update appended to the file (signature dictionary, an
 *   invisible signature widget on page 1, the page / AcroForm objects that point to them, and a
 *   cross-reference section of the same kind as the file's last one). Earlier bytes are never
 *   touched, so earlier signatures stay valid. Draw any visible stamp BEFORE the first signature.
 * - The signature is CMS SignedData, SubFilter ETSI.CAdES.detached: SHA-256, signed attributes
 *   contentType + messageDigest + signing-certificate-v2, no signing-time attribute (PAdES puts
 *   the time in the signature dictionary's /M, which the signature covers).
 * - The CMS structure is assembled with node-forge's ASN.1 helpers; the RSA (or ECDSA) signature
 *   itself is computed by Node's native crypto (well under a millisecond; forge's pure-JS RSA
 *   costs tens of ms, see bench/sign.ts).
 * - Signing goes through a SigningTransport: LocalP12Transport now (P12 + passphrase given at
 *   signing time, never stored); a remote service (BSrE: NIK + passphrase, PDF in, signed PDF
 *   out) implements the same interface later.
 */
import crypto from 'node:crypto';
import forge from 'node-forge';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, ParseSpeeds, type PDFObject } from 'pdf-lib';
import { AppError } from './errors';
import { now } from './clock';
import { normalizePersonName, parseCertificate, type CertificateInfo } from '../lib/pdf/certInfo';

export type { CertificateInfo } from '../lib/pdf/certInfo';

/** A refused signing: nothing was signed. `code` is stable (for audit and throttling). */
export class SigningError extends AppError {
  constructor(code: SigningErrorCode, message: string) { super(code, message, 422); }
}
export type SigningErrorCode =
  | 'sign_p12_invalid' | 'sign_passphrase' | 'sign_no_key' | 'sign_no_cert' | 'sign_key_mismatch'
  | 'sign_cert_expired' | 'sign_cert_not_yet_valid' | 'sign_cert_usage' | 'sign_not_owner'
  | 'sign_pdf_invalid' | 'sign_pdf_encrypted' | 'sign_too_large';

/** Who the certificate must belong to. Each field given must match; fields left out are not checked. */
export interface ExpectedSubject {
  /** Compared with the digits of the certificate subject's serialNumber attribute. */
  nip?: string | null;
  /** Compared with the subject's CN, ignoring case, punctuation, leading titles (Dr., Ir., H.) and degrees after a comma. */
  name?: string | null;
  /** Compared (case-insensitively) with the subjectAltName e-mail addresses and the subject's emailAddress. */
  email?: string | null;
}

export interface SignRequest {
  /** /Reason, e.g. "Menyetujui surat 400.14.2.1/123/Diskominfo/2026". */
  reason: string;
  /** /Location, e.g. "Sindangraja". */
  location: string;
  /** /Name; defaults to the certificate's CN. */
  name?: string;
  contactInfo?: string;
  /** Written as the signature dictionary's /M (covered by the signature). */
  signingTime: Date;
  /** The certificate's passphrase, used for this call only and never stored. */
  passphrase: string;
  /** Refuse a certificate that is not this person's (SigningError 'sign_not_owner'). */
  expectedSubject?: ExpectedSubject;
  /** Name of the signature field; default "TTE<n>". */
  fieldName?: string;
  /** Bytes reserved for the CMS (default 8192; a transport with timestamps or long chains may need more). */
  reserveBytes?: number;
}

export interface SigningTransport {
  /** "local-p12", later e.g. "bsre". */
  readonly kind: string;
  /** Sign and return the whole new PDF (the input followed by one incremental update). Throws SigningError. */
  sign(pdf: Buffer, req: SignRequest): Promise<Buffer>;
}

/** What signs the CMS signed attributes: a key in memory, or (later) a remote service / HSM. */
export interface CmsSigner {
  /** Signer certificate (DER) and the rest of its chain (DER), all embedded in the CMS. */
  certificate: Buffer;
  chain: Buffer[];
  keyType: 'rsa' | 'ec';
  /** Signature over `data` (the DER SET of signed attributes) with SHA-256. */
  sign(data: Buffer): Buffer | Promise<Buffer>;
}

// ---------------------------------------------------------------------------------------------
// P12

export interface P12Identity {
  cert: CertificateInfo;
  chain: Buffer[];
  key: crypto.KeyObject;
  /** forge's form of an RSA key (only for the pure-JS baseline in bench/sign.ts). */
  forgeKey: forge.pki.rsa.PrivateKey | null;
}

/*
 * forge's PBES2 (AES P12s, OpenSSL 3's default) hands its PRF to forge.pkcs5.pbkdf2 as a forge
 * digest object, which makes it skip Node's native PBKDF2: 35 ms per P12 instead of under 1 ms.
 * Passing the digest's name gives the same key, natively. Same results, for every forge user.
 */
type Pbkdf2 = (p: string, s: string, c: number, dkLen: number, md?: unknown, cb?: unknown) => string;
const pkcs5 = forge.pkcs5 as unknown as { pbkdf2: Pbkdf2 & { naskahNative?: true } };
if (!pkcs5.pbkdf2.naskahNative) {
  const original = pkcs5.pbkdf2;
  const hashes = new Set(crypto.getHashes());
  const patched: Pbkdf2 & { naskahNative?: true } = (p, s, c, dkLen, md, cb) => {
    const name = md && typeof md === 'object' ? (md as { algorithm?: unknown }).algorithm : undefined;
    return original(p, s, c, dkLen, typeof name === 'string' && hashes.has(name) ? name : md, cb);
  };
  patched.naskahNative = true;
  pkcs5.pbkdf2 = patched;
}

const bin = (b: Buffer): string => b.toString('binary');
const fromBin = (s: string): Buffer => Buffer.from(s, 'binary');
const derOf = (a: forge.asn1.Asn1): Buffer => fromBin(forge.asn1.toDer(a).getBytes());

/**
 * Open a P12 / PFX with its passphrase: the private key and the certificate that belongs to it
 * (plus the other certificates of the file, as its chain). Throws SigningError.
 */
export function openP12(p12: Buffer, passphrase: string): P12Identity {
  let asn: forge.asn1.Asn1;
  try { asn = forge.asn1.fromDer(forge.util.createBuffer(bin(p12))); } catch {
    throw new SigningError('sign_p12_invalid', 'Berkas sertifikat bukan berkas P12/PFX yang sah.');
  }
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try { pfx = forge.pkcs12.pkcs12FromAsn1(asn, false, passphrase); } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/password|MAC could not be verified|decrypt/i.test(msg)) throw new SigningError('sign_passphrase', 'Passphrase sertifikat salah. Tidak ada yang ditandatangani.');
    throw new SigningError('sign_p12_invalid', 'Berkas sertifikat P12/PFX tidak dapat dibaca (rusak atau formatnya tidak didukung).');
  }
  const bags = (type: string) => (pfx.getBags({ bagType: type })[type] ?? []) as (forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 })[];
  const keyBags = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag), ...bags(forge.pki.oids.keyBag)];
  const certDers = bags(forge.pki.oids.certBag).map((b) => (b.cert ? derOf(forge.pki.certificateToAsn1(b.cert)) : b.asn1 ? derOf(b.asn1) : null)).filter((x): x is Buffer => !!x);
  if (!keyBags.length) throw new SigningError('sign_no_key', 'Berkas P12 tidak berisi kunci privat; penandatanganan memerlukan berkas P12 lengkap dengan kunci privat pemilik sertifikat.');
  if (!certDers.length) throw new SigningError('sign_no_cert', 'Berkas P12 tidak berisi sertifikat.');
  for (const kb of keyBags) {
    let key: crypto.KeyObject;
    try {
      key = kb.key
        ? crypto.createPrivateKey({ key: derOf(forge.pki.privateKeyToAsn1(kb.key)), format: 'der', type: 'pkcs1' })
        : crypto.createPrivateKey({ key: derOf(kb.asn1!), format: 'der', type: 'pkcs8' });
    } catch { continue; }
    for (const der of certDers) {
      const x = new crypto.X509Certificate(der);
      if (!x.checkPrivateKey(key)) continue;
      return { cert: parseCertificate(der), chain: certDers.filter((d) => d !== der), key, forgeKey: (kb.key as forge.pki.rsa.PrivateKey) ?? null };
    }
  }
  throw new SigningError('sign_key_mismatch', 'Kunci privat dalam berkas P12 tidak cocok dengan sertifikat di dalamnya.');
}

const fmtDate = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** The checks made before signing: validity on the app clock, key usage, owner. Throws SigningError. */
export function checkSigningCertificate(cert: CertificateInfo, at: Date = now(), expected?: ExpectedSubject): void {
  if (at < cert.notBefore) throw new SigningError('sign_cert_not_yet_valid', `Sertifikat belum berlaku (berlaku mulai ${fmtDate(cert.notBefore)}). Tidak ada yang ditandatangani.`);
  if (at > cert.notAfter) throw new SigningError('sign_cert_expired', `Sertifikat sudah kedaluwarsa sejak ${fmtDate(cert.notAfter)}. Minta sertifikat baru; tidak ada yang ditandatangani.`);
  if (cert.keyUsage && !cert.keyUsage.digitalSignature && !cert.keyUsage.nonRepudiation) {
    throw new SigningError('sign_cert_usage', 'Sertifikat ini tidak boleh dipakai untuk tanda tangan (keyUsage tanpa digitalSignature / nonRepudiation).');
  }
  if (!expected) return;
  const problems: string[] = [];
  if (expected.nip) {
    const want = expected.nip.replace(/\D/g, '');
    if (cert.idNumber !== want) problems.push(`NIP pada sertifikat (${cert.idNumber ?? 'tidak ada'}) berbeda dengan NIP penanda tangan (${want})`);
  }
  if (expected.name) {
    if (!cert.commonName || normalizePersonName(cert.commonName) !== normalizePersonName(expected.name)) {
      problems.push(`nama pada sertifikat (${cert.commonName ?? 'tidak ada'}) berbeda dengan nama penanda tangan (${expected.name})`);
    }
  }
  if (expected.email) {
    if (!cert.emails.includes(expected.email.trim().toLowerCase())) problems.push(`e-mail pada sertifikat (${cert.emails.join(', ') || 'tidak ada'}) berbeda dengan e-mail penanda tangan (${expected.email})`);
  }
  if (problems.length) throw new SigningError('sign_not_owner', `Sertifikat ini bukan milik penanda tangan: ${problems.join('; ')}. Tidak ada yang ditandatangani.`);
}

/** A CmsSigner over a key in memory, signing with Node's native crypto. */
export function nativeSigner(id: P12Identity): CmsSigner {
  const keyType = id.key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
  return { certificate: id.cert.der, chain: id.chain, keyType, sign: (data) => crypto.sign('sha256', data, id.key) };
}

/** The same with node-forge's pure-JS RSA: the baseline of bench/sign.ts, not for production. */
export function forgeSigner(id: P12Identity): CmsSigner {
  if (!id.forgeKey) throw new Error('forgeSigner: RSA keys only');
  const key = id.forgeKey;
  return {
    certificate: id.cert.der, chain: id.chain, keyType: 'rsa',
    sign: (data) => { const md = forge.md.sha256.create(); md.update(bin(data)); return fromBin(key.sign(md)); },
  };
}

export class LocalP12Transport implements SigningTransport {
  readonly kind = 'local-p12';
  constructor(private readonly p12: Buffer) {}

  /** Open and check the certificate without signing (import page, "is my passphrase right?"). */
  inspect(passphrase: string, expectedSubject?: ExpectedSubject): CertificateInfo {
    const id = openP12(this.p12, passphrase);
    checkSigningCertificate(id.cert, now(), expectedSubject);
    return id.cert;
  }

  async sign(pdf: Buffer, req: SignRequest): Promise<Buffer> {
    const id = openP12(this.p12, req.passphrase);
    checkSigningCertificate(id.cert, now(), req.expectedSubject);
    return signPdfWith(pdf, nativeSigner(id), { ...req, name: req.name ?? id.cert.commonName ?? undefined });
  }
}

// ---------------------------------------------------------------------------------------------
// CMS

const { Class, Type } = forge.asn1;
const A = forge.asn1.create;
const oidNode = (o: string) => A(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(o).getBytes());
const octets = (b: Buffer) => A(Class.UNIVERSAL, Type.OCTETSTRING, false, bin(b));
const seq = (xs: forge.asn1.Asn1[]) => A(Class.UNIVERSAL, Type.SEQUENCE, true, xs);
const set = (xs: forge.asn1.Asn1[]) => A(Class.UNIVERSAL, Type.SET, true, xs);
const int = (n: number) => A(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(n));
const nul = () => A(Class.UNIVERSAL, Type.NULL, false, '');
const parse = (b: Buffer) => (forge.asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: object) => forge.asn1.Asn1)(forge.util.createBuffer(bin(b)), { decodeBitStrings: false });

const OID = {
  data: '1.2.840.113549.1.7.1', signedData: '1.2.840.113549.1.7.2', sha256: '2.16.840.1.101.3.4.2.1',
  contentType: '1.2.840.113549.1.9.3', messageDigest: '1.2.840.113549.1.9.4', signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256WithRSA: '1.2.840.113549.1.1.11', ecdsaWithSHA256: '1.2.840.10045.4.3.2',
};

/** The signed attributes, each DER-encoded and in DER SET order. */
function signedAttributes(digest: Buffer, certDer: Buffer): forge.asn1.Asn1[] {
  const attr = (type: string, value: forge.asn1.Asn1) => seq([oidNode(type), set([value])]);
  const certHash = crypto.createHash('sha256').update(certDer).digest();
  const attrs = [
    attr(OID.contentType, oidNode(OID.data)),
    attr(OID.messageDigest, octets(digest)),
    // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { hashAlgorithm DEFAULT sha256 (omitted), certHash } }
    attr(OID.signingCertificateV2, seq([seq([seq([octets(certHash)])])])),
  ];
  return attrs.map((a) => ({ a, der: derOf(a) })).sort((x, y) => Buffer.compare(x.der, y.der)).map((x) => x.a);
}

/** CMS SignedData (detached) over a document digest (SHA-256 of the PDF's signed byte ranges). */
export async function cmsForDigest(digest: Buffer, signer: CmsSigner): Promise<Buffer> {
  const cert = parseCertificate(signer.certificate);
  const attrs = signedAttributes(digest, signer.certificate);
  const toSign = derOf(set(attrs));
  const signature = await signer.sign(toSign);
  const sigAlg = signer.keyType === 'ec' ? seq([oidNode(OID.ecdsaWithSHA256)]) : seq([oidNode(OID.sha256WithRSA), nul()]);
  const signerInfo = seq([
    int(1),
    seq([parse(cert.issuerRaw), parse(cert.serialRaw)]),
    seq([oidNode(OID.sha256), nul()]),
    A(Class.CONTEXT_SPECIFIC, 0, true, attrs),
    sigAlg,
    octets(Buffer.from(signature)),
  ]);
  const signedData = seq([
    int(1),
    set([seq([oidNode(OID.sha256), nul()])]),
    seq([oidNode(OID.data)]),
    A(Class.CONTEXT_SPECIFIC, 0, true, [signer.certificate, ...signer.chain].map(parse)),
    set([signerInfo]),
  ]);
  return derOf(seq([oidNode(OID.signedData), A(Class.CONTEXT_SPECIFIC, 0, true, [signedData])]));
}

// ---------------------------------------------------------------------------------------------
// The incremental update

export interface PreparedSignature {
  /** The PDF with the update appended and the /Contents placeholder still zeros. */
  pdf: Buffer;
  byteRange: [number, number, number, number];
  /** Hex digits available inside <...>. */
  contentsHexLength: number;
}

const BR_WIDTH = 10;
const pdfText = (s: string) => PDFHexString.fromText(s).toString();
const pdfDate = (d: Date) => `(D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`;

interface Tail { startxref: number; kind: 'table' | 'stream'; size: number }

function readTail(pdf: Buffer): Tail {
  const from = Math.max(0, pdf.length - 2048);
  const s = pdf.subarray(from).toString('latin1');
  const all = [...s.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const m = all[all.length - 1];
  if (!m) throw new SigningError('sign_pdf_invalid', 'Berkas PDF tidak lengkap (penanda akhir startxref/%%EOF tidak ditemukan).');
  const off = Number(m[1]);
  const head = pdf.subarray(off, off + 4096).toString('latin1');
  if (head.startsWith('xref')) {
    const t = head.indexOf('trailer');
    const size = t >= 0 ? /\/Size\s+(\d+)/.exec(head.slice(t)) : null;
    if (!size) {
      const tr = pdf.subarray(off).toString('latin1');
      const s2 = /trailer[\s\S]*?\/Size\s+(\d+)/.exec(tr);
      if (!s2) throw new SigningError('sign_pdf_invalid', 'Trailer PDF tidak dapat dibaca.');
      return { startxref: off, kind: 'table', size: Number(s2[1]) };
    }
    return { startxref: off, kind: 'table', size: Number(size[1]) };
  }
  if (/^\d+\s+\d+\s+obj/.test(head)) {
    const dictEnd = head.indexOf('stream');
    const size = /\/Size\s+(\d+)/.exec(dictEnd > 0 ? head.slice(0, dictEnd) : head);
    if (!size) throw new SigningError('sign_pdf_invalid', 'Tabel referensi silang (xref stream) PDF tidak dapat dibaca.');
    return { startxref: off, kind: 'stream', size: Number(size[1]) };
  }
  throw new SigningError('sign_pdf_invalid', 'Struktur PDF rusak (startxref tidak menunjuk ke tabel referensi silang). Simpan ulang berkas itu lalu ulangi.');
}

/**
 * Append the signature dictionary (with zeroed /Contents), its widget and the updated page /
 * AcroForm objects as one incremental update.
 */
export async function prepareSignature(pdf: Buffer, req: Omit<SignRequest, 'passphrase' | 'expectedSubject'>): Promise<PreparedSignature> {
  if (pdf.subarray(0, 1024).indexOf('%PDF-') < 0) throw new SigningError('sign_pdf_invalid', 'Berkas ini bukan PDF.');
  const tail = readTail(pdf);
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: false, parseSpeed: ParseSpeeds.Fastest });
  } catch {
    throw new SigningError('sign_pdf_invalid', 'Berkas PDF tidak dapat dibaca.');
  }
  if (doc.isEncrypted) throw new SigningError('sign_pdf_encrypted', 'PDF terenkripsi tidak dapat ditandatangani.');
  const ctx = doc.context;
  const rootRef = ctx.trailerInfo.Root;
  if (!(rootRef instanceof PDFRef)) throw new SigningError('sign_pdf_invalid', 'Katalog PDF tidak ditemukan.');
  let next = Math.max(ctx.largestObjectNumber + 1, tail.size);
  const written = new Map<number, string>(); // object number -> body
  const dirty = new Map<number, { ref: PDFRef; obj: PDFObject }>();
  const touch = (ref: PDFRef, obj: PDFObject) => dirty.set(ref.objectNumber, { ref, obj });

  const page = doc.getPage(0);
  const sigRef = PDFRef.of(next++);
  const widgetRef = PDFRef.of(next++);

  // page /Annots += widget
  const annots = page.node.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) { const arr = ctx.lookup(annots, PDFArray); arr.push(widgetRef); touch(annots, arr); }
  else if (annots instanceof PDFArray) { annots.push(widgetRef); touch(page.ref, page.node); }
  else { page.node.set(PDFName.of('Annots'), ctx.obj([widgetRef])); touch(page.ref, page.node); }

  // catalog /AcroForm: /Fields += widget, /SigFlags 3
  const catalog = ctx.lookup(rootRef, PDFDict);
  const afEntry = catalog.get(PDFName.of('AcroForm'));
  let af: PDFDict;
  let afHolder: { ref: PDFRef; obj: PDFObject };
  if (afEntry instanceof PDFRef) { af = ctx.lookup(afEntry, PDFDict); afHolder = { ref: afEntry, obj: af }; }
  else if (afEntry instanceof PDFDict) { af = afEntry; afHolder = { ref: rootRef, obj: catalog }; }
  else {
    af = ctx.obj({});
    const afRef = PDFRef.of(next++);
    catalog.set(PDFName.of('AcroForm'), afRef);
    touch(rootRef, catalog);
    afHolder = { ref: afRef, obj: af };
  }
  const fieldsEntry = af.get(PDFName.of('Fields'));
  let fields: PDFArray;
  if (fieldsEntry instanceof PDFRef) { fields = ctx.lookup(fieldsEntry, PDFArray); touch(fieldsEntry, fields); }
  else if (fieldsEntry instanceof PDFArray) fields = fieldsEntry;
  else { fields = ctx.obj([]); af.set(PDFName.of('Fields'), fields); }
  const taken = new Set<string>();
  for (let i = 0; i < fields.size(); i++) {
    const f = fields.lookup(i);
    const t = f instanceof PDFDict ? f.get(PDFName.of('T')) : undefined;
    if (t instanceof PDFString || t instanceof PDFHexString) taken.add(t.decodeText());
  }
  let fieldName = req.fieldName;
  if (!fieldName || taken.has(fieldName)) { let n = taken.size + 1; while (taken.has(`TTE${n}`)) n++; fieldName = `TTE${n}`; }
  fields.push(widgetRef);
  af.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  touch(afHolder.ref, afHolder.obj);

  const reserve = req.reserveBytes ?? 8192;
  const zeros = '0'.repeat(reserve * 2);
  const brPlaceholder = `[0 ${'0'.repeat(BR_WIDTH)} ${'0'.repeat(BR_WIDTH)} ${'0'.repeat(BR_WIDTH)}]`;
  const sigDict = [
    '<<', '/Type /Sig', '/Filter /Adobe.PPKLite', '/SubFilter /ETSI.CAdES.detached',
    `/ByteRange ${brPlaceholder}`, `/Contents <${zeros}>`, `/M ${pdfDate(req.signingTime)}`,
    req.name ? `/Name ${pdfText(req.name)}` : '', `/Reason ${pdfText(req.reason)}`, `/Location ${pdfText(req.location)}`,
    req.contactInfo ? `/ContactInfo ${pdfText(req.contactInfo)}` : '',
    '/Prop_Build << /App << /Name /Naskah >> >>', '>>',
  ].filter(Boolean).join('\n');
  written.set(sigRef.objectNumber, sigDict);
  written.set(widgetRef.objectNumber,
    `<< /Type /Annot /Subtype /Widget /FT /Sig /T ${pdfText(fieldName)} /V ${sigRef} /F 132 /Rect [0 0 0 0] /P ${page.ref} >>`);
  for (const { ref, obj } of dirty.values()) written.set(ref.objectNumber, obj.toString());

  // assemble
  const parts: Buffer[] = [pdf];
  let pos = pdf.length;
  const push = (s: string | Buffer) => { const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s; parts.push(b); pos += b.length; };
  if (pdf[pdf.length - 1] !== 0x0a && pdf[pdf.length - 1] !== 0x0d) push('\n');
  const offsets = new Map<number, number>();
  let sigObjOffset = 0;
  for (const num of [...written.keys()].sort((a, b) => a - b)) {
    const gen = dirty.get(num)?.ref.generationNumber ?? 0;
    offsets.set(num, pos);
    if (num === sigRef.objectNumber) sigObjOffset = pos;
    push(`${num} ${gen} obj\n${written.get(num)}\nendobj\n`);
  }
  const genOf = (num: number) => dirty.get(num)?.ref.generationNumber ?? 0;
  const trailerExtra = [
    `/Root ${rootRef}`,
    ctx.trailerInfo.Info ? `/Info ${ctx.trailerInfo.Info}` : '',
    ctx.trailerInfo.ID ? `/ID ${ctx.trailerInfo.ID}` : '',
    `/Prev ${tail.startxref}`,
  ].filter(Boolean).join(' ');
  const groups = (nums: number[]) => {
    const out: number[][] = [];
    for (const n of nums) { const g = out[out.length - 1]; if (g && g[g.length - 1] === n - 1) g.push(n); else out.push([n]); }
    return out;
  };
  if (tail.kind === 'table') {
    const xrefAt = pos;
    const size = Math.max(next, tail.size);
    let x = 'xref\n';
    for (const g of groups([...offsets.keys()].sort((a, b) => a - b))) {
      x += `${g[0]} ${g.length}\n`;
      for (const n of g) x += `${String(offsets.get(n)).padStart(10, '0')} ${String(genOf(n)).padStart(5, '0')} n\r\n`;
    }
    push(`${x}trailer\n<< /Size ${size} ${trailerExtra} >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  } else {
    const xrefNum = next++;
    const xrefAt = pos;
    offsets.set(xrefNum, xrefAt);
    const nums = [...offsets.keys()].sort((a, b) => a - b);
    const rows = Buffer.alloc(nums.length * 7);
    nums.forEach((n, i) => { rows[i * 7] = 1; rows.writeUInt32BE(offsets.get(n)!, i * 7 + 1); rows.writeUInt16BE(genOf(n), i * 7 + 5); });
    const index = groups(nums).map((g) => `${g[0]} ${g.length}`).join(' ');
    const size = Math.max(next, tail.size);
    push(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${size} /Index [${index}] /W [1 4 2] ${trailerExtra} /Length ${rows.length} >>\nstream\n`);
    push(rows);
    push(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`);
  }
  const out = Buffer.concat(parts);

  // fill in /ByteRange around /Contents <...>
  const sigText = out.subarray(sigObjOffset, sigObjOffset + sigDict.length + 64).toString('latin1');
  const brAt = sigObjOffset + sigText.indexOf(`/ByteRange ${brPlaceholder}`) + '/ByteRange '.length;
  const contentsLt = sigObjOffset + sigText.indexOf('/Contents <') + '/Contents '.length;
  const contentsEnd = contentsLt + zeros.length + 2;
  const byteRange: [number, number, number, number] = [0, contentsLt, contentsEnd, out.length - contentsEnd];
  const brText = `[${byteRange.join(' ')}]`;
  if (brText.length > brPlaceholder.length) throw new SigningError('sign_too_large', 'Berkas PDF terlalu besar untuk ditandatangani.');
  out.write(brText.slice(0, -1) + ' '.repeat(brPlaceholder.length - brText.length) + ']', brAt, 'latin1');
  return { pdf: out, byteRange, contentsHexLength: zeros.length };
}

/** SHA-256 of the two signed byte ranges. */
export function byteRangeDigest(pdf: Buffer, br: readonly number[]): Buffer {
  return crypto.createHash('sha256').update(pdf.subarray(br[0], br[0] + br[1])).update(pdf.subarray(br[2], br[2] + br[3])).digest();
}

/** Sign `pdf` with any CmsSigner (no certificate checks here: the transport makes them). */
export async function signPdfWith(pdf: Buffer, signer: CmsSigner, req: Omit<SignRequest, 'passphrase' | 'expectedSubject'>): Promise<Buffer> {
  const prepared = await prepareSignature(pdf, req);
  const cms = await cmsForDigest(byteRangeDigest(prepared.pdf, prepared.byteRange), signer);
  const hex = cms.toString('hex');
  if (hex.length > prepared.contentsHexLength) {
    throw new SigningError('sign_too_large', `Tanda tangan (${cms.length} byte) lebih besar dari ruang yang disediakan (${prepared.contentsHexLength / 2} byte).`);
  }
  prepared.pdf.write(hex, prepared.byteRange[1] + 1, 'latin1');
  return prepared.pdf;
}
