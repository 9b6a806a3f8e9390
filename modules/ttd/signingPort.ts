import { LocalP12Transport, type SigningTransport, type SignRequest } from '../../platform/pdfSign';
import { verifyPdfSignatures, type VerifyReport } from '../../lib/pdf/pdfVerify';

/**
 * Where the letter services reach the signing core (platform/pdfSign.ts). A transport is chosen per
 * signing from the signer's certificate record: the local P12 transport now; a remote service
 * (BSrE: NIK + passphrase) later returns its own transport from the same factory.
 *
 * The verification page asks `pdfVerifier()` for the cryptographic check of an uploaded PDF's
 * signatures: the core's verifyPdfSignatures by default (a remote service may replace it with
 * `setPdfVerifier`; with none set, the page compares the file's SHA-256 with the registry only
 * and says that the signature itself was not checked).
 */
export type { SigningTransport, SignRequest };

export interface CertificateRef { p12: Buffer; nip: string | null }
export type TransportFactory = (c: CertificateRef) => SigningTransport;

const localFactory: TransportFactory = (c) => new LocalP12Transport(c.p12);
let factory: TransportFactory = localFactory;
export function setTransportFactory(f: TransportFactory | null): void { factory = f ?? localFactory; }
export const transportFor = (c: CertificateRef): SigningTransport => factory(c);

/** What the core says about one signature (or document timestamp) in a PDF. */
export interface SignatureCheck {
  signerName: string | null;
  signedAt: Date | null;
  /** "Sah": intact, trusted chain, not revoked, nothing disallowed changed after it. */
  valid: boolean;
  /** The signature covers the whole file (nothing appended after it). */
  coversWholeFile: boolean;
  /** The certificate chains to a trusted CA (null: not known). */
  trusted: boolean | null;
  problem?: string | null;
  /** 'signature' or 'document_timestamp' (a document timestamp is listed as such). */
  kind?: 'signature' | 'document_timestamp';
  /** PAdES level reached (B-B, B-T, B-LT, B-LTA). */
  level?: string | null;
  /** The signature timestamp's (or document timestamp's) time and authority. */
  timestampTime?: Date | null;
  timestampAuthority?: string | null;
  /** Something not allowed was changed after this signature. */
  modifiedAfterSigning?: boolean;
  /** Each failing check, in Indonesian. */
  problems?: string[];
  /** Remarks that do not make it invalid. */
  notes?: string[];
  /** Issuer chain (CNs), leaf first. */
  chain?: string[];
}
export type PdfVerifier = (pdf: Buffer) => Promise<SignatureCheck[]>;
/** The core's check (lib/pdf/pdfVerify.ts) with the default trust store (lib/pdf/trustStore.ts), in the page's terms. */
export const toSignatureChecks = (r: VerifyReport): SignatureCheck[] => r.signatures.map((sig) => ({
  signerName: sig.signerName, signedAt: sig.kind === 'document_timestamp' ? sig.timestamp?.genTime ?? null : sig.signingTime,
  valid: sig.valid, coversWholeFile: sig.coversWholeFile, trusted: sig.trusted,
  problem: sig.problems.length ? sig.problems.join('; ') : null,
  kind: sig.kind, level: sig.level, timestampTime: sig.timestamp?.genTime ?? null, timestampAuthority: sig.timestamp?.tsaName ?? null,
  modifiedAfterSigning: sig.modifiedAfterSigning, problems: sig.problems, notes: sig.notes, chain: sig.chain,
}));
const coreVerifier: PdfVerifier = async (pdf) => toSignatureChecks(verifyPdfSignatures(pdf));
let verifier: PdfVerifier | null = coreVerifier;
export function setPdfVerifier(v: PdfVerifier | null): void { verifier = v; }
export function pdfVerifier(): PdfVerifier | null { return verifier; }
