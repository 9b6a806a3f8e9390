import { Op } from 'sequelize';
import { InboxItem, IncomingLetter, OutgoingLetter, User } from '../models';
import { holdingsOf } from '../modules/org';
import { createDraft } from '../modules/surat-keluar';
import { submitDraft } from '../modules/surat-keluar';
import { giveParaf } from '../modules/surat-keluar';
import { defaultChain } from '../modules/surat-keluar';
import type { Actor } from '../platform/actor';

async function actor(username: string): Promise<Actor> {
  const user = await User.findOne({ where: { username } });
  if (!user) throw new Error(`seed: user ${username} missing`);
  return { user, holdings: await holdingsOf(user.id), ip: null };
}

/** The newest subdomain request that reached the actor's position, if any. */
async function subdomainRequestFor(a: Actor, except: number | null = null): Promise<IncomingLetter | null> {
  const items = await InboxItem.findAll({ where: { positionId: a.holdings.map((h) => h.positionId) }, attributes: ['letterId'] });
  const ids = items.map((i) => i.letterId).filter((id) => id !== except);
  return IncomingLetter.findOne({ where: { id: ids, perihal: { [Op.like]: 'Permohonan Subdomain %' } }, order: [['id', 'DESC']] });
}

async function replyDraft(a: Actor, letter: IncomingLetter | null, values: Record<string, string>) {
  const via = a.holdings[0].positionId;
  const chain = await defaultChain(via);
  const domain = letter ? /(\S+\.sindangrajakab\.go\.id)/.exec(letter.perihal)?.[1] : undefined;
  const { letter: draft } = await createDraft({
    actor: a, viaPositionId: via, templateKey: 'balasan-subdomain', replyToLetterId: letter?.id ?? null, submissionKey: null,
    form: {
      perihal: letter ? `Balasan atas ${letter.perihal}` : 'Balasan Permohonan Subdomain', klasifikasi: '400.14.2.1', sifat: 'biasa', urgensi: 'biasa',
      kepada: [letter ? `a:${letter.senderAgencyId}` : ''], kepadaText: [letter ? '' : 'Kepala Dinas Kesehatan'],
      tembusan: [''], tembusanText: ['Sekretaris Daerah Kabupaten Sindangraja'],
      values: { subdomain: domain ?? 'layanan.sindangrajakab.go.id', ...values },
      verifiers: chain.verifierIds.map(String), signer: String(chain.signerId), signingForm: chain.signingForm ?? 'biasa',
    },
  });
  return draft;
}

/**
 * Outgoing drafts of the demo: a staff member's reply waiting for the Kabid's paraf (the Kasi
 * gave hers), and a reply ready for the Kepala Dinas to sign. Runs after the letters.
 */
export async function seedDemoOutgoing(): Promise<void> {
  const staf = await actor('staf.egov1');
  const kasi = await actor('kasi.egov');
  const kabid = await actor('kabid');
  const refresh = async (d: OutgoingLetter) => (await OutgoingLetter.findByPk(d.id))!;

  const first = await replyDraft(staf, await subdomainRequestFor(staf), { keputusan: 'aktif', tanggalAktif: new Date().toISOString().slice(0, 10), narahubung: 'Teguh Santoso (Pengelola Data Center)' });
  await submitDraft({ actor: staf, letterId: first.id, expectedLockVersion: (await refresh(first)).lockVersion });
  await giveParaf({ actor: kasi, letterId: first.id, versionHash: (await refresh(first)).currentHash, note: 'Sudah sesuai hasil verifikasi.' });

  const second = await replyDraft(kasi, await subdomainRequestFor(kasi, first.replyToLetterId), { keputusan: 'ditolak', alasan: 'Nama yang dimohonkan sudah dipakai oleh aplikasi lain.', usulanNama: 'layanan-kesehatan.sindangrajakab.go.id' });
  await submitDraft({ actor: kasi, letterId: second.id, expectedLockVersion: (await refresh(second)).lockVersion });
  await giveParaf({ actor: kabid, letterId: second.id, versionHash: (await refresh(second)).currentHash });
}
