import crypto from 'node:crypto';
import { OutgoingLetter } from '../../models';
import { AppError, ValidationError } from '../../platform/errors';
import type { Actor } from '../../platform/actor';
import { signLetter } from './letterSigner';

/** Letters one bulk signing may take (each is rendered and signed on its own). */
export const BULK_MAX = 50;

export interface BulkItem { letterId: number; perihal: string; ok: boolean; number?: string | null; message: string; skipped?: boolean }
export interface BulkSummary { batchId: string; signed: number; failed: number; skipped: number; items: BulkItem[] }

/** Refusals about the signer rather than the letter: the rest of the run would fail the same way, so it stops. */
const SIGNER_LEVEL = new Set([
  'signing_throttled', 'sign_passphrase', 'bsre_passphrase', 'bsre_unreachable', 'bsre_status', 'bsre_no_nik', 'bsre_auth', 'bsre_not_registered',
  'sign_cert_expired', 'sign_cert_not_yet_valid', 'sign_p12_invalid', 'sign_not_owner', 'sign_cert_usage', 'signing_pending',
]);

/**
 * bulkSigner: a signer signs a selection of the letters "siap ditandatangani" with one passphrase
 * entry. Each letter is signed on its own (its own number, render, signature and transaction, with
 * letterSigner's checks), so each succeeds or fails on its own; a refusal about the signer (wrong
 * passphrase, throttled, certificate unusable, BSrE unreachable or not answering) stops the run
 * and the letters not yet tried say so. The passphrase is held for the run only.
 */
export async function signLetters(p: { actor: Actor; letterIds: number[]; passphrase: string }): Promise<BulkSummary> {
  const ids = [...new Set(p.letterIds)].filter((x) => Number.isInteger(x) && x > 0);
  if (!ids.length) throw new ValidationError({ letterIds: 'Pilih sedikitnya satu surat untuk ditandatangani.' });
  if (ids.length > BULK_MAX) throw new ValidationError({ letterIds: `Paling banyak ${BULK_MAX} surat sekali tanda tangan.` });
  if (!p.passphrase) throw new ValidationError({ passphrase: 'Isi passphrase sertifikat elektronik Anda.' });
  const letters = new Map((await OutgoingLetter.findAll({ where: { id: ids }, attributes: ['id', 'perihal'] })).map((l) => [l.id, l]));
  const batchId = crypto.randomUUID();
  const items: BulkItem[] = [];
  let stop: string | null = null;
  for (const id of ids) {
    const perihal = letters.get(id)?.perihal ?? `Surat #${id}`;
    if (stop) { items.push({ letterId: id, perihal, ok: false, skipped: true, message: `Tidak dicoba: ${stop}` }); continue; }
    try {
      const l = await signLetter({ actor: p.actor, letterId: id, passphrase: p.passphrase, batchId });
      items.push({ letterId: id, perihal: l.perihal, ok: true, number: l.letterNumber, message: `Ditandatangani dengan nomor ${l.letterNumber}.` });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const message = err instanceof ValidationError ? Object.values(err.fields).join(' ') : err.message;
      items.push({ letterId: id, perihal, ok: false, message });
      if (SIGNER_LEVEL.has(err.code)) stop = err.code === 'signing_pending' ? 'BSrE belum menjawab surat sebelumnya.' : message;
    }
  }
  return {
    batchId, items,
    signed: items.filter((i) => i.ok).length, failed: items.filter((i) => !i.ok && !i.skipped).length, skipped: items.filter((i) => i.skipped).length,
  };
}
