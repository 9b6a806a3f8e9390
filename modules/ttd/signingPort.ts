import { LocalP12Transport, type SigningTransport, type SignRequest } from '../../platform/pdfSign';
import { verifyPdfSignatures } from '../../lib/pdf/pdfVerify';

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

/** What the core says about one signature in a PDF. */
export interface SignatureCheck {
  signerName: string | null;
  signedAt: Date | null;
  /** The signed byte ranges hash to the signed digest and the CMS signature verifies. */
  valid: boolean;
  /** The signature covers the whole file (nothing appended after it). */
  coversWholeFile: boolean;
  /** The certificate chains to a trusted CA (null: not known). */
  trusted: boolean | null;
  problem?: string | null;
}
export type PdfVerifier = (pdf: Buffer) => Promise<SignatureCheck[]>;
/** The core's check (lib/pdf/pdfVerify.ts), in the page's terms. Trust is not decided here (no anchors). */
const coreVerifier: PdfVerifier = async (pdf) => verifyPdfSignatures(pdf).signatures.map((sig) => ({
  signerName: sig.signerName, signedAt: sig.signingTime, valid: sig.intact, coversWholeFile: sig.coversWholeFile, trusted: null,
  problem: sig.problems.length ? sig.problems.join('; ') : null,
}));
let verifier: PdfVerifier | null = coreVerifier;
export function setPdfVerifier(v: PdfVerifier | null): void { verifier = v; }
export function pdfVerifier(): PdfVerifier | null { return verifier; }
