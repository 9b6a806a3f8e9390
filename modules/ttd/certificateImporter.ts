import { Blob, SigningCertificate, User } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { blobStore } from '../../platform/blobstore';
import { ValidationError } from '../../platform/errors';
import { LocalP12Transport, SigningError } from '../../platform/pdfSign';
import { recordEvent } from '../../platform/audit';
import type { Actor } from '../../platform/actor';

export interface ImportCertificateProps { actor: Actor; userId: number; p12: Buffer | null; passphrase: string }

/** A P12 is a few kilobytes; anything this large is not one. */
export const MAX_P12_BYTES = 256 * 1024;

/**
 * certificateImporter: an admin imports a signer's P12 (PKCS#12) for a user. The passphrase is
 * used once, to prove the file opens, holds a private key and a signing certificate valid today
 * that belongs to that user (NIP in the subject's serialNumber, or the name), and is never stored.
 * The new certificate replaces the user's earlier ones (they stay on record, inactive). One
 * transaction, audited; the P12 itself is a blob like every other file.
 */
export async function importCertificate(p: ImportCertificateProps): Promise<SigningCertificate> {
  const e: Record<string, string> = {};
  const user = Number.isInteger(p.userId) && p.userId > 0 ? await User.findByPk(p.userId) : null;
  if (!user || !user.active) e.userId = 'Pilih pengguna (penanda tangan) yang aktif.';
  if (!p.p12 || !p.p12.length) e.p12 = 'Pilih berkas sertifikat (.p12 / .pfx).';
  else if (p.p12.length > MAX_P12_BYTES) e.p12 = 'Berkas terlalu besar untuk sebuah sertifikat P12 (maksimal 256 KB).';
  if (!p.passphrase) e.passphrase = 'Isi kata sandi (passphrase) sertifikat untuk memeriksanya. Kata sandi tidak disimpan.';
  if (Object.keys(e).length) throw new ValidationError(e);
  let info;
  try {
    info = new LocalP12Transport(p.p12!).inspect(p.passphrase, { nip: user!.nip ?? undefined, name: user!.nip ? undefined : user!.name });
  } catch (err) {
    if (!(err instanceof SigningError)) throw err;
    const field = err.code === 'sign_passphrase' ? 'passphrase' : 'p12';
    throw new ValidationError({ [field]: err.message });
  }
  const stored = await blobStore().putBuffer(p.p12!);
  return tx(async (t) => {
    await Blob.findOrCreate({ where: { sha256: stored.sha256 }, defaults: { sha256: stored.sha256, size: stored.size, mime: 'application/x-pkcs12' }, transaction: t });
    await SigningCertificate.update({ active: false }, { where: { userId: user!.id, active: true }, transaction: t });
    const cert = await SigningCertificate.create({
      userId: user!.id, p12BlobSha: stored.sha256, subject: info.subject.slice(0, 500), serial: info.serialHex.slice(0, 80),
      validFrom: info.notBefore, validTo: info.notAfter, uploadedByUserId: p.actor.user.id, uploadedAt: now(),
    }, { transaction: t });
    await recordEvent(t, p.actor, {
      action: 'sertifikat.diimpor', entityType: 'signing_certificate', entityId: cert.id,
      after: { pengguna: user!.id, subjek: info.subject, penerbit: info.issuer, serial: info.serialHex, berlaku: [info.notBefore.toISOString(), info.notAfter.toISOString()], sha256: info.sha256 },
    });
    return cert;
  });
}
