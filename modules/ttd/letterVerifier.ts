import crypto from 'node:crypto';
import { OutgoingCountersign, OutgoingLetter, CONFIDENTIAL, type Sifat } from '../../models';
import { verifyPdfSignatures, type VerifyReport } from '../../lib/pdf/pdfVerify';
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
  /** Everyone who signed, in order: the signer, then the countersigner (pengesahan) if any. */
  signers: { name: string; title: string; signedAt: Date | null; role: 'penanda_tangan' | 'pengesahan' }[];
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
  const cs = await OutgoingCountersign.findOne({ where: { letterId: l.id, status: 'ditandatangani' } });
  const signers: PublicLetter['signers'] = [{ name: l.signedName ?? '', title: l.signedTitle ?? '', signedAt: l.signedAt, role: 'penanda_tangan' }];
  if (cs) signers.push({ name: cs.signedName ?? '', title: cs.signedTitle ?? '', signedAt: cs.signedAt, role: 'pengesahan' });
  return {
    code: l.verificationCode!, number: l.letterNumber ?? '', date: l.letterDate, perihal: confidential ? null : l.perihal, confidential,
    signerName: l.signedName ?? '', signerTitle: l.signedTitle ?? '', signedAt: l.signedAt, signers, sha256: l.signedBlobSha!,
    state: l.replacedById ? 'diganti' : l.revokedAt ? 'dicabut' : 'berlaku',
    replacement: repl ? { number: repl.letterNumber, code: repl.verificationCode } : null,
  };
}

export type UploadVerdict = 'asli' | 'asli_tidak_berlaku' | 'versi_sebelumnya' | 'surat_lain' | 'berubah' | 'bukan_pdf';
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
  // This letter's PDF before its countersignature: authentic, but not the final document.
  if (await OutgoingCountersign.findOne({ where: { letterId: letter.id, previousBlobSha: sha256, status: 'ditandatangani' } })) {
    return { ...base, signatures, signatureError, verdict: 'versi_sebelumnya' };
  }
  const other = await OutgoingLetter.findOne({ where: { signedBlobSha: sha256 }, attributes: ['letterNumber', 'verificationCode', 'status'] });
  if (other) return { ...base, signatures, signatureError, verdict: 'surat_lain', other: { number: other.letterNumber, code: other.verificationCode } };
  return { ...base, signatures, signatureError, verdict: 'berubah' };
}

/** A letter of this office's registry that a PDF (or a signed revision inside it) is. */
export interface RegistryMatch {
  number: string | null;
  date: string | null;
  /** null for Rahasia / Sangat Rahasia letters. */
  perihal: string | null;
  state: LetterState;
  signers: PublicLetter['signers'];
  code: string | null;
  /**
   * 'persis': the file is exactly the letter's signed PDF; 'sebelum_pengesahan': it is the
   * letter's signed PDF before its countersignature; 'revisi': the file holds the registered
   * PDF as an earlier revision (a signature of the file covers exactly those bytes) and has
   * more appended after it.
   */
  kind: 'persis' | 'sebelum_pengesahan' | 'revisi';
  /** For 'revisi' (and 'sebelum_pengesahan' found in a revision): the 1-based signature whose revision matched. */
  signatureIndex: number | null;
  /** The SHA-256 that matched the registry. */
  sha256: string;
}

/**
 * Look a PDF up in the office's registry of signed letters: its SHA-256, and the SHA-256 of
 * each signed revision inside it (the bytes up to the end of what each signature covers), against
 * the letters' signed PDFs and the PDFs they had before their countersignature.
 */
export async function findInRegistry(pdf: Buffer, report: VerifyReport = verifyPdfSignatures(pdf)): Promise<RegistryMatch | null> {
  const candidates: { sha256: string; signatureIndex: number | null }[] = [{ sha256: report.sha256, signatureIndex: null }];
  for (const s of report.signatures) {
    const end = s.byteRange[2] + s.byteRange[3];
    if (end > 0 && end < pdf.length) candidates.push({ sha256: crypto.createHash('sha256').update(pdf.subarray(0, end)).digest('hex'), signatureIndex: s.index });
  }
  // The whole file first, then the newest revision.
  const ordered = [candidates[0], ...candidates.slice(1).reverse()];
  for (const c of ordered) {
    let letter = await OutgoingLetter.findOne({ where: { signedBlobSha: c.sha256 } });
    let before = false;
    if (!letter) {
      const cs = await OutgoingCountersign.findOne({ where: { previousBlobSha: c.sha256, status: 'ditandatangani' } });
      letter = cs ? await OutgoingLetter.findByPk(cs.letterId) : null;
      before = !!letter;
    }
    if (!letter || !letter.signedBlobSha) continue;
    const pub = await publicLetter(letter);
    return {
      number: pub.number || null, date: pub.date, perihal: pub.perihal, state: pub.state, signers: pub.signers, code: pub.code,
      kind: before ? 'sebelum_pengesahan' : c.signatureIndex === null ? 'persis' : 'revisi', signatureIndex: c.signatureIndex, sha256: c.sha256,
    };
  }
  return null;
}
