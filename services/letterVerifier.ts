import crypto from 'node:crypto';
import { OutgoingLetter, CONFIDENTIAL, type Sifat } from '../models';
import { pdfVerifier, type SignatureCheck } from './signingPort';

/**
 * What the public verification page (/verifikasi/<code>) says about a signed letter, and about
 * a PDF someone uploads there. The registry is the signed PDF's SHA-256 kept at signing: a file
 * whose hash matches is exactly the letter this office signed; one changed byte changes the hash.
 * The signatures inside the file are checked by the signing core when it provides a checker.
 */

export type LetterState = 'berlaku' | 'dicabut' | 'diganti';
export interface PublicLetter {
  code: string;
  number: string;
  date: string | null;
  /** null for Rahasia / Sangat Rahasia letters. */
  perihal: string | null;
  confidential: boolean;
  signerName: string;
  signerTitle: string;
  signedAt: Date | null;
  sha256: string;
  state: LetterState;
  replacement: { number: string | null; code: string | null } | null;
}

const CODE_RE = /^[A-Za-z0-9_-]{16,40}$/;

export async function findByCode(code: string): Promise<OutgoingLetter | null> {
  if (!CODE_RE.test(code)) return null;
  const l = await OutgoingLetter.findOne({ where: { verificationCode: code } });
  return l && l.signedBlobSha && (l.status === 'ditandatangani' || l.status === 'dikirim') ? l : null;
}

export async function publicLetter(l: OutgoingLetter): Promise<PublicLetter> {
  const confidential = CONFIDENTIAL.includes(l.sifat as Sifat);
  const repl = l.replacedById ? await OutgoingLetter.findByPk(l.replacedById, { attributes: ['letterNumber', 'verificationCode'] }) : null;
  return {
    code: l.verificationCode!, number: l.letterNumber ?? '', date: l.letterDate, perihal: confidential ? null : l.perihal, confidential,
    signerName: l.signedName ?? '', signerTitle: l.signedTitle ?? '', signedAt: l.signedAt, sha256: l.signedBlobSha!,
    state: l.replacedById ? 'diganti' : l.revokedAt ? 'dicabut' : 'berlaku',
    replacement: repl ? { number: repl.letterNumber, code: repl.verificationCode } : null,
  };
}

export type UploadVerdict = 'asli' | 'asli_tidak_berlaku' | 'surat_lain' | 'berubah' | 'bukan_pdf';
export interface UploadCheck {
  sha256: string;
  size: number;
  verdict: UploadVerdict;
  /** The registered letter whose signed PDF has exactly these bytes (when not this page's letter). */
  other: { number: string | null; code: string | null } | null;
  /** null: the signature check is not available on this server. */
  signatures: SignatureCheck[] | null;
  signatureError: string | null;
}

/**
 * Check an uploaded file against the letter of this page: its SHA-256 against the registry,
 * and its signatures through the core's checker (when present). The bytes are not kept.
 */
export async function checkUpload(letter: OutgoingLetter, file: Buffer): Promise<UploadCheck> {
  const sha256 = crypto.createHash('sha256').update(file).digest('hex');
  const base = { sha256, size: file.length, other: null, signatures: null, signatureError: null };
  if (file.subarray(0, 1024).indexOf('%PDF-') === -1) return { ...base, verdict: 'bukan_pdf' };
  let signatures: SignatureCheck[] | null = null;
  let signatureError: string | null = null;
  const v = pdfVerifier();
  if (v) {
    try { signatures = await v(file); } catch (e) { signatureError = (e as Error).message.slice(0, 300); }
  }
  if (sha256 === letter.signedBlobSha) {
    return { ...base, signatures, signatureError, verdict: letter.revokedAt || letter.replacedById ? 'asli_tidak_berlaku' : 'asli' };
  }
  const other = await OutgoingLetter.findOne({ where: { signedBlobSha: sha256 }, attributes: ['letterNumber', 'verificationCode', 'status'] });
  if (other) return { ...base, signatures, signatureError, verdict: 'surat_lain', other: { number: other.letterNumber, code: other.verificationCode } };
  return { ...base, signatures, signatureError, verdict: 'berubah' };
}
