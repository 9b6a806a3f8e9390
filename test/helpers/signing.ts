import { expect } from 'chai';
import { OutgoingLetter, SigningCertificate, User } from '../../models';
import { blobStore } from '../../platform/blobstore';
import { createDevCa, issueSignerP12 } from '../../platform/devCa';
import { trustDevCa } from '../../lib/pdf/trustStore';
import { createDraft } from '../../modules/surat-keluar/outgoingDraftCreator';
import { submitDraft } from '../../modules/surat-keluar/draftSubmitter';
import { giveParaf } from '../../modules/surat-keluar/parafGiver';
import { actorOf, uniq } from './factories';
import { demoChain } from './outgoing';

/** Signing fixtures: a dev CA, active certificates for demo users, drafts ready to sign. */
export const SIGN_PASS = 'rahasia-uji-123';
export const testCa = createDevCa();
// The app trusts the test CA as a configured dev CA (lib/pdf/trustStore.ts): what the verification page and `naskah verify` trust.
trustDevCa(testCa.certPem);

/** Give `login` a fresh active certificate (P12 from the test CA, passphrase SIGN_PASS). */
export async function certFor(login: string, o: { notAfter?: Date; notBefore?: Date } = {}): Promise<SigningCertificate> {
  const u = (await User.findOne({ where: { username: login } }))!;
  await SigningCertificate.update({ active: false }, { where: { userId: u.id } });
  const p12 = issueSignerP12(testCa, { name: u.name, nip: u.nip }, SIGN_PASS, o);
  const { sha256 } = await blobStore().putBuffer(p12);
  const from = o.notBefore ?? new Date(Date.now() - 86_400_000);
  const to = o.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  return SigningCertificate.create({ userId: u.id, p12BlobSha: sha256, subject: `CN=${u.name}`, serial: null, validFrom: from, validTo: to, uploadedByUserId: null, uploadedAt: new Date() });
}

/**
 * A draft by the Kasi e-Gov, paraf by the Kabid, to be signed by the Kepala Dinas ("siap_ttd").
 * `replyTo`: the incoming letter it answers; `stopBeforeParaf`: leave it waiting for the Kabid's paraf.
 */
export async function readyDraft(extra: Record<string, unknown> = {}, replyTo: number | null = null, stopBeforeParaf = false): Promise<OutgoingLetter> {
  const { kasi, kabid, kadis } = await demoChain();
  const actor = await actorOf('kasi.egov');
  const { letter } = await createDraft({
    actor, viaPositionId: kasi.id, templateKey: 'balasan-subdomain', replyToLetterId: replyTo, submissionKey: null,
    form: {
      perihal: uniq('Balasan Permohonan Subdomain '), klasifikasi: '400.14.2.1', sifat: 'biasa', urgensi: 'biasa',
      kepada: [''], kepadaText: ['Kepala Dinas Uji'], values: { subdomain: 'uji.sindangrajakab.go.id', keputusan: 'aktif', tanggalAktif: '2026-11-20' },
      verifiers: [String(kabid.id)], signer: String(kadis.id), signingForm: 'biasa', ...extra,
    },
  });
  await submitDraft({ actor, letterId: letter.id, expectedLockVersion: (await OutgoingLetter.findByPk(letter.id))!.lockVersion });
  const cur = (await OutgoingLetter.findByPk(letter.id))!;
  if (stopBeforeParaf) return cur;
  await giveParaf({ actor: await actorOf('kabid'), letterId: letter.id, versionHash: cur.currentHash, note: '' });
  const l = (await OutgoingLetter.findByPk(letter.id))!;
  expect(l.status).to.equal('siap_ttd');
  return l;
}

/** Expect a rejection (of a type, with a text); returns the error. */
export async function expectReject(p: Promise<unknown>, type?: new (...a: never[]) => Error, contains?: string): Promise<Error> {
  try { await p; } catch (e) {
    if (type) expect(e, String((e as Error).stack)).to.be.instanceOf(type);
    if (contains) expect((e as Error).message).to.contain(contains);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Run fn with console.log captured; returns its result and the printed text. */
export async function captureLog<T>(fn: () => Promise<T>): Promise<{ result: T; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  try { return { result: await fn(), out: lines.join('\n') }; } finally { console.log = orig; }
}
