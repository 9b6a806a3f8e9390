import { expect } from 'chai';
import { config, setConfig, type Config } from '../config';
import { OutgoingLetter, SigningServiceStatus, User } from '../models';
import { startBsreMock, type BsreMock } from '../modules/ttd/bsre/mock';
import { checkSigningService, clearStatusCache } from '../modules/ttd/certificateStatus';
import { readyDraft } from './helpers/signing';
import { startBrowserRig, clickAndWait, textIn, type BrowserRig } from './helpers/browser';

/**
 * Issue #15 in a real browser, against the BSrE mock over HTTP: the Kepala Dinas signs three
 * letters in one bulk action from the "Siap tanda tangan" tab (one passphrase, a summary per
 * letter); then signs another during a BSrE outage, is told the letter waits, and finishes it
 * with one click after the scheduler sees BSrE back.
 */
describe('Browser journey: BSrE bulk signing, and signing through an outage', function () {
  this.timeout(240_000);
  const PASS = 'bsre-peramban-1';
  let rig: BrowserRig;
  let mock: BsreMock;
  let saved: Config;

  before(async () => {
    saved = config();
    const kadis = (await User.findOne({ where: { username: 'kadis' } }))!;
    mock = await startBsreMock({ user: 'esign', password: 'gw', users: { [kadis.nik!]: { status: 'ISSUE', passphrase: PASS, name: kadis.name } } });
    setConfig({ ...saved, signingTransport: 'bsre', bsre: { url: mock.url, user: 'esign', password: 'gw', api: 'v2', timeoutMs: 5000, statusCacheMs: 0, lateGraceMs: 60_000 } });
    clearStatusCache();
    await SigningServiceStatus.destroy({ where: {} });
    rig = await startBrowserRig();
  });
  after(async () => { await rig?.close(); await mock?.close(); setConfig(saved); });

  it('three letters in one bulk action; one more through an outage and after it', async () => {
    const letters = [await readyDraft(), await readyDraft(), await readyDraft()];
    const page = await rig.signIn('kadis');
    await page.goto(`${rig.base}/surat-keluar?tab=ttd`, { waitUntil: 'domcontentloaded' });
    expect(await page.$eval('[data-testid=cert-status]', (el) => el.getAttribute('data-tone'))).to.equal('ok');
    for (const l of letters) await page.click(`input[name=letterId][value="${l.id}"]`);
    await page.type('[data-testid=bulk-sign-form] input[name=passphrase]', PASS);
    await clickAndWait(page, '[data-testid=bulk-sign-form] button[type=submit]');
    const summary = await textIn(page, '[data-testid=bulk-result]');
    expect(summary).to.contain('3 ditandatangani');
    expect((await page.$$('[data-testid=bulk-item-ok]')).length).to.equal(3);
    const signed = await OutgoingLetter.findAll({ where: { id: letters.map((l) => l.id) } });
    expect(signed.map((l) => l.status)).to.deep.equal(['ditandatangani', 'ditandatangani', 'ditandatangani']);
    for (const l of signed) expect(summary).to.contain(l.letterNumber!);

    // BSrE goes away; the Kepala Dinas signs a fourth letter from its page.
    const d = await readyDraft();
    await mock.setDown(true);
    await page.goto(`${rig.base}/surat-keluar/${d.id}`, { waitUntil: 'domcontentloaded' });
    await page.type('[data-testid=sign-form] input[name=passphrase]', PASS);
    await clickAndWait(page, '[data-testid=sign-form] button[type=submit]');
    expect(await textIn(page, '.flash-error')).to.contain('tidak dapat dihubungi');
    expect(await textIn(page, '[data-testid=tte-outage]')).to.contain('Menunggu TTE');
    expect((await OutgoingLetter.findByPk(d.id))!.status).to.equal('siap_ttd');

    // BSrE is back; the scheduler's check notices, and the page says the letter can be signed.
    await mock.setDown(false);
    expect(await checkSigningService()).to.equal('pulih');
    await page.goto(`${rig.base}/surat-keluar/${d.id}`, { waitUntil: 'domcontentloaded' });
    expect(await textIn(page, '[data-testid=tte-outage]')).to.contain('sudah dapat dihubungi lagi');
    await page.type('[data-testid=sign-form] input[name=passphrase]', PASS);
    await clickAndWait(page, '[data-testid=sign-form] button[type=submit]');
    const done = (await OutgoingLetter.findByPk(d.id))!;
    expect(done.status).to.equal('ditandatangani');
    expect(await textIn(page, '[data-testid=letter-number]')).to.equal(done.letterNumber);
  });
});
