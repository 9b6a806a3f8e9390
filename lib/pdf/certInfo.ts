/**
 * What the signing code needs to know about an X.509 certificate, read straight from its DER
 * (works for RSA and EC certificates alike, and keeps the exact issuer / serial bytes that a CMS
 * SignerInfo must repeat).
 */
import crypto from 'node:crypto';
import { children, content, oid, raw, readTlv, type Tlv } from './der';

export interface CertificateInfo {
  der: Buffer;
  sha256: string;              // hex fingerprint of the DER
  subject: string;             // "CN=..., serialNumber=..., O=..." for display
  issuer: string;
  commonName: string | null;
  /** Digits of the subject's serialNumber attribute (2.5.4.5): where the NIP (or NIK) is carried. */
  idNumber: string | null;
  /** E-mail from the subjectAltName (rfc822Name) or the subject's emailAddress. */
  emails: string[];
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** null when the certificate has no keyUsage extension (any use allowed). */
  keyUsage: { digitalSignature: boolean; nonRepudiation: boolean; keyCertSign: boolean } | null;
  isCa: boolean;
  /** Exact encodings, for the CMS SignerInfo's IssuerAndSerialNumber. */
  issuerRaw: Buffer;
  serialRaw: Buffer;
}

const ATTR: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O',
  '2.5.4.11': 'OU', '2.5.4.12': 'title', '1.2.840.113549.1.9.1': 'emailAddress', '2.5.4.42': 'GN', '2.5.4.4': 'SN',
};

function decodeString(t: Tlv): string {
  const b = content(t);
  switch (t.tag) {
    case 0x1e: { // BMPString: UTF-16BE
      const sw = Buffer.from(b); sw.swap16(); return sw.toString('utf16le');
    }
    case 0x14: return b.toString('latin1'); // T61String, near enough
    default: return b.toString('utf8');     // UTF8String, PrintableString, IA5String...
  }
}

function decodeTime(t: Tlv): Date {
  const s = content(t).toString('latin1');
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error(`certificate time not understood: ${s}`);
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function readName(t: Tlv): { text: string; attrs: { type: string; value: string }[] } {
  const attrs: { type: string; value: string }[] = [];
  for (const rdn of children(t)) for (const atv of children(rdn)) {
    const [typ, val] = children(atv);
    const o = oid(typ);
    attrs.push({ type: ATTR[o] ?? o, value: decodeString(val) });
  }
  return { text: [...attrs].reverse().map((a) => `${a.type}=${a.value}`).join(', '), attrs };
}

export function parseCertificate(der: Buffer): CertificateInfo {
  const cert = readTlv(der, 0);
  const [tbs] = children(cert);
  const f = children(tbs);
  let i = 0;
  if (f[0].tag === 0xa0) i++; // [0] version
  const serial = f[i++];
  i++; // signature algorithm
  const issuerT = f[i++];
  const [nb, na] = children(f[i++]);
  const subjectT = f[i++];
  i++; // subjectPublicKeyInfo
  const subject = readName(subjectT);
  const issuer = readName(issuerT);
  const emails: string[] = subject.attrs.filter((a) => a.type === 'emailAddress').map((a) => a.value);
  let keyUsage: CertificateInfo['keyUsage'] = null;
  let isCa = false;
  for (; i < f.length; i++) {
    if (f[i].tag !== 0xa3) continue;
    const [exts] = children(f[i]);
    for (const ext of children(exts)) {
      const parts = children(ext);
      const id = oid(parts[0]);
      const value = readTlv(content(parts[parts.length - 1]), 0);
      if (id === '2.5.29.17') {
        for (const gn of children(value)) if (gn.tag === 0x81) emails.push(content(gn).toString('latin1'));
      } else if (id === '2.5.29.15') {
        const bits = content(value);
        const b0 = bits.length > 1 ? bits[1] : 0;
        keyUsage = { digitalSignature: !!(b0 & 0x80), nonRepudiation: !!(b0 & 0x40), keyCertSign: !!(b0 & 0x04) };
      } else if (id === '2.5.29.19') {
        const bc = children(value);
        isCa = bc.length > 0 && bc[0].tag === 0x01 && content(bc[0])[0] !== 0;
      }
    }
  }
  const sn = subject.attrs.find((a) => a.type === 'serialNumber')?.value ?? null;
  const digits = sn ? sn.replace(/\D/g, '') : '';
  return {
    der,
    sha256: crypto.createHash('sha256').update(der).digest('hex'),
    subject: subject.text,
    issuer: issuer.text,
    commonName: subject.attrs.filter((a) => a.type === 'CN').map((a) => a.value).pop() ?? null,
    idNumber: digits || null,
    emails: [...new Set(emails.map((e) => e.toLowerCase()))],
    serialHex: content(serial).toString('hex').replace(/^00(?=[0-9a-f])/, ''),
    notBefore: decodeTime(nb),
    notAfter: decodeTime(na),
    keyUsage,
    isCa,
    issuerRaw: Buffer.from(raw(issuerT)),
    serialRaw: Buffer.from(raw(serial)),
  };
}

/** "Dr. Hendra Wiratama, S.Kom., M.T." and "HENDRA WIRATAMA" are the same person's name. */
export function normalizePersonName(name: string): string {
  let s = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  s = s.split(',')[0]; // academic degrees follow the first comma
  s = s.replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ').trim();
  const prefixes = new Set(['dr', 'drs', 'dra', 'ir', 'prof', 'h', 'hj', 'kh', 'drg', 'apt', 'ns']);
  const words = s.split(' ');
  while (words.length > 1 && prefixes.has(words[0])) words.shift();
  return words.join(' ');
}
