import { config } from '../../../config';
import type { SigningTransport, SignRequest } from '../../../platform/pdfSign';
import { BsreClient, type SignCall } from './client';

/** The deployment's BSrE client (SIGNING_TRANSPORT=bsre), or null for the local P12 transport. */
let override: BsreClient | null | undefined;
export function bsreClient(): BsreClient | null {
  if (override !== undefined) return override;
  const b = config().bsre;
  return b ? new BsreClient({ url: b.url, user: b.user, password: b.password, api: b.api, timeoutMs: b.timeoutMs }) : null;
}
/** Tests and the CLI point the app at a client of their own (null: back to the configuration). */
export function setBsreClient(c: BsreClient | null | undefined): void { override = c; }

/** Milliseconds Naskah keeps listening for a signing answer after telling the signer "unknown". */
export const lateGraceMs = (): number => config().bsre?.lateGraceMs ?? 300_000;

/**
 * A signer's signature through BSrE: the keys stay at BSrE, the signer is named by NIK and proves
 * it with the passphrase (never stored). The whole PDF goes out and the signed PDF comes back.
 */
export class BsreTransport implements SigningTransport {
  readonly kind = 'bsre';
  constructor(private readonly client: BsreClient, private readonly nik: string,
    private readonly late?: Pick<SignCall, 'graceMs' | 'whenLate'>) {}

  async sign(pdf: Buffer, req: SignRequest): Promise<Buffer> {
    const [out] = await this.client.sign({ nik: this.nik, passphrase: req.passphrase, files: [pdf], reason: req.reason, location: req.location, ...this.late });
    return out;
  }
}
