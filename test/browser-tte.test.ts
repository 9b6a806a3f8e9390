import { expect } from 'chai';
import { OutgoingLetter, User } from '../models';
import { createDevCa, issueSignerP12 } from '../platform/devCa';
import { actorOf, uniq } from './helpers/factories';
import { demoChain } from './helpers/outgoing';
import { createDraft } from '../modules/surat-keluar/outgoingDraftCreator';
import { submitDraft } from '../modules/surat-keluar/draftSubmitter';
import { giveParaf } from '../modules/surat-keluar/parafGiver';
import { importCertificate } from '../modules/ttd/certificateImporter';
import { startBrowserRig, clickAndWait, textIn, flashOk, type BrowserRig } from './helpers/browser';

/**
 * Issue #5 in a real browser: a reply with two parafs is ready; the Kepala Dinas signs it with
 * the passphrase, opens the QR's verification page and sees it valid, sends it, and the Kabid
 * (an internal addressee) finds it in the inbox.
 */
describe('Browser journey: the Kepala Dinas signs, verifies and sends a letter', function () {
  this.timeout(180_000);
  const PASS = 'sandi-ttd-peramban';
  let rig: BrowserRig;
  before(async () => { rig = await startBrowserRig(); });
  after(async () => { await rig?.close(); });

  it('sign with the passphrase -> QR page says valid -> Kirim -> the Kabid has it in the inbox', async () => {
    const { staf, kasi, kabid, kadis } = await demoChain();
    const kadisUser = (await User.findOne({ where: { username: 'kadis' } }))!;
    const admin = await actorOf('admin');
    await importCertificate({ actor: admin, userId: kadisUser.id, p12: issueSignerP12(createDevCa(), { name: kadisUser.name, nip: kadisUser.nip }, PASS), passphrase: PASS });

    // A reply drafted by staff, paraf by the Kasi and the Kabid, addressed to the Kabid's position.
    const perihal = uniq('Pemberitahuan Aktivasi Subdomain ');
    const drafter = await actorOf('staf.egov1');
    const { letter } = await createDraft({
      actor: drafter, viaPositionId: staf.id, templateKey: 'balasan-subdomain', replyToLetterId: null, submissionKey: null,
      form: {
        perihal, klasifikasi: '400.14.2.1', sifat: 'biasa', urgensi: 'biasa', kepada: [`p:${kabid.id}`], kepadaText: [''],
        values: { subdomain: 'layanan.sindangrajakab.go.id', keputusan: 'aktif', tanggalAktif: '2026-11-20' },
        verifiers: [String(kasi.id), String(kabid.id)], signer: String(kadis.id), signingForm: 'biasa',
      },
    });
    await submitDraft({ actor: drafter, letterId: letter.id, expectedLockVersion: (await OutgoingLetter.findByPk(letter.id))!.lockVersion });
    for (const login of ['kasi.egov', 'kabid']) {
      const cur = (await OutgoingLetter.findByPk(letter.id))!;
      await giveParaf({ actor: await actorOf(login), letterId: letter.id, versionHash: cur.currentHash, note: '' });
    }
    expect((await OutgoingLetter.findByPk(letter.id))!.status).to.equal('siap_ttd');

    // The Kepala Dinas signs on the draft's page.
    const page = await rig.signIn('kadis');
    await page.goto(`${rig.base}/surat-keluar/${letter.id}`, { waitUntil: 'domcontentloaded' });
    await page.type('[data-testid=sign-form] input[name=passphrase]', PASS);
    await clickAndWait(page, '[data-testid=sign-form] button[type=submit]');
    const signed = (await OutgoingLetter.findByPk(letter.id))!;
    expect(signed.status).to.equal('ditandatangani');
    expect(await textIn(page, '[data-testid=letter-number]')).to.equal(signed.letterNumber);

    // The QR code's address: the public verification page says the letter is valid.
    await clickAndWait(page, '[data-testid=verify-link]');
    expect(page.url()).to.equal(`${rig.base}/verifikasi/${signed.verificationCode}`);
    const verification = await textIn(page, 'main');
    expect(verification).to.include('BERLAKU').and.include(signed.letterNumber!).and.include(signed.signedBlobSha!).and.include(kadisUser.name);

    // Kirim: the internal addressee receives it as an incoming letter.
    await page.goto(`${rig.base}/surat-keluar/${letter.id}`, { waitUntil: 'domcontentloaded' });
    await clickAndWait(page, '[data-testid=dispatch-link]');
    await clickAndWait(page, '[data-testid=dispatch-form] button[type=submit]');
    expect(await flashOk(page)).to.match(/dikirim|Kirim/i);
    expect((await OutgoingLetter.findByPk(letter.id))!.status).to.equal('dikirim');

    const kabidPage = await rig.signIn('kabid');
    await kabidPage.goto(`${rig.base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    expect(await textIn(kabidPage, '[data-testid=inbox]')).to.include(perihal);
  });
});
