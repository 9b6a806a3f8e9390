import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { OutgoingLetter, OutgoingRecipient } from '../models';
import { buildAgency, buildLetter, actorOf, uniq } from './helpers/factories';
import { demoChain } from './helpers/outgoing';
import { sendDispositions } from '../modules/disposisi/dispositionSender';
import { startBrowserRig, clickAndWait, textIn, flashOk, type BrowserRig } from './helpers/browser';

/**
 * Issue #4 journey in headless Chromium: a staff member of Seksi e-Government answers an
 * incoming subdomain request with "Balas"; the Kasi returns the draft with a note; the staff
 * member fixes it and submits again; the Kasi and then the Kabid give paraf; the Kepala Dinas
 * finds it ready to sign.
 */
describe('Browser journey: a reply drafted, returned, fixed, paraf by Kasi and Kabid, ready for the Kepala Dinas', function () {
  this.timeout(240_000);
  let rig: BrowserRig;
  before(async () => { rig = await startBrowserRig(); });
  after(async () => { await rig?.close(); });

  async function openDraftFromList(page: Page, tab: string, draftId: number) {
    await page.goto(`${rig.base}/surat-keluar?tab=${tab}`, { waitUntil: 'domcontentloaded' });
    await clickAndWait(page, `li[data-draft-id="${draftId}"] a`);
  }

  it('Balas → Kasi returns → fixed → Kasi and Kabid paraf → Kepala Dinas: siap ditandatangani', async () => {
    const { staf, kasi, kabid } = await demoChain();
    const agency = await buildAgency({ name: uniq('Dinas Penanaman Modal Uji ') });
    await agency.update({ headTitle: `Kepala ${agency.name}` });
    const sub = `${uniq('perizinan')}.sindangrajakab.go.id`;
    const letter = await buildLetter({ perihal: `Permohonan Subdomain ${sub}`, senderAgencyId: agency.id, klasifikasi: '400.14.2.1' });
    // The letter came down the hierarchy to the staff member (issue #3).
    const kadisPos = letter.addressedPositionId;
    await sendDispositions({ actor: await actorOf('kadis'), letterId: letter.id, viaPositionId: kadisPos, form: { targets: [String(kabid.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '' } });
    await sendDispositions({ actor: await actorOf('kabid'), letterId: letter.id, viaPositionId: kabid.id, form: { targets: [String(kasi.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '' } });
    await sendDispositions({ actor: await actorOf('kasi.egov'), letterId: letter.id, viaPositionId: kasi.id, form: { targets: [String(staf.id)], instructions: ['siapkan_jawaban'], note: '', priority: 'biasa', dueAt: '' } });

    // The staff member answers from the letter page.
    const stafPage = await rig.signIn('staf.egov1');
    await stafPage.goto(`${rig.base}/surat-masuk/${letter.id}`, { waitUntil: 'domcontentloaded' });
    await clickAndWait(stafPage, '[data-testid=reply-button]');
    expect(await textIn(stafPage, '[data-testid=reply-to]')).to.include(letter.senderNumber);
    expect(await stafPage.$eval('#f_subdomain', (el) => (el as HTMLInputElement).value)).to.equal(sub);
    expect(await stafPage.$eval('#perihal', (el) => (el as HTMLInputElement).value)).to.equal(`Balasan atas Permohonan Subdomain ${sub}`);
    await stafPage.select('#f_keputusan', 'aktif');
    await stafPage.$eval('#f_tanggalAktif', (el) => { (el as HTMLInputElement).value = '2026-11-20'; });
    await clickAndWait(stafPage, '[data-testid=draft-form] button[type=submit]');
    expect(await flashOk(stafPage)).to.include('Konsep surat dibuat (versi 1)');
    const draftId = Number(/\/surat-keluar\/(\d+)$/.exec(stafPage.url())![1]);
    expect(await textIn(stafPage, '[data-testid=draft-meta]')).to.include(`Yth. Kepala ${agency.name}`);
    expect(await textIn(stafPage, '[data-testid=paraf-chain]')).to.include(kasi.name).and.include(kabid.name).and.include('Kepala Dinas Komunikasi dan Informatika');
    await clickAndWait(stafPage, '[data-testid=submit-form] button[type=submit]');
    expect(await flashOk(stafPage)).to.include(`Konsep diajukan kepada ${kasi.name} untuk paraf.`);

    // The Kasi sees it waiting in the navigation and returns it with a note.
    const kasiPage = await rig.signIn('kasi.egov');
    expect(Number(await textIn(kasiPage, '[data-testid=konsep-count]'))).to.be.greaterThan(0);
    await openDraftFromList(kasiPage, 'paraf', draftId);
    await kasiPage.click('[data-testid=return] > summary');
    await kasiPage.type('#return-note', 'Cantumkan alamat IP server tujuan.');
    await clickAndWait(kasiPage, '[data-testid=return-form] button[type=submit]');
    expect(await flashOk(kasiPage)).to.include('Konsep dikembalikan');
    expect(await kasiPage.$eval('[data-testid=draft-status]', (el) => el.getAttribute('data-status'))).to.equal('dikembalikan');

    // The staff member reads the note, fixes the body in the editor, and submits again.
    await stafPage.goto(`${rig.base}/surat-keluar/${draftId}`, { waitUntil: 'domcontentloaded' });
    expect(await textIn(stafPage, '[data-testid=return-note]')).to.include(kasi.name).and.include('Cantumkan alamat IP server tujuan.');
    await clickAndWait(stafPage, '[data-testid=edit-link]');
    await stafPage.waitForSelector('[data-testid=body-editor]');
    await stafPage.click('[data-testid=body-editor]');
    await stafPage.keyboard.down('Control'); await stafPage.keyboard.press('End'); await stafPage.keyboard.up('Control');
    await stafPage.keyboard.press('Enter');
    await stafPage.click('.editor-toolbar button[data-cmd=bold]');
    await stafPage.keyboard.type('Subdomain diarahkan ke alamat IP 10.20.30.40.');
    // One more tembusan, in a row added with the button.
    const rowsBefore = (await stafPage.$$('[data-testid=tembusan-rows] .recipient-row')).length;
    await stafPage.click('[data-testid=tembusan-rows] [data-testid=add-row]');
    const rows = await stafPage.$$('[data-testid=tembusan-rows] .recipient-row');
    expect(rows.length).to.equal(rowsBefore + 1);
    await rows[rows.length - 1].$eval('input', (el) => { (el as HTMLInputElement).value = ''; });
    await (await rows[rows.length - 1].$('input'))!.type('Inspektur Kabupaten Sindangraja');
    await clickAndWait(stafPage, '[data-testid=draft-form] button[name=save]');
    expect(await flashOk(stafPage)).to.include('Konsep disimpan sebagai versi 2');
    const saved = await OutgoingLetter.findByPk(draftId);
    expect(saved!.bodyHtml).to.match(/<b>Subdomain diarahkan ke alamat IP 10\.20\.30\.40\.<\/b>/);
    expect((await OutgoingRecipient.findAll({ where: { letterId: draftId, kind: 'tembusan' } })).map((r) => r.name)).to.include('Inspektur Kabupaten Sindangraja');
    await clickAndWait(stafPage, '[data-testid=versions-link]');
    expect(await textIn(stafPage, '[data-testid=body-diff] ins')).to.include('Subdomain diarahkan ke alamat IP 10.20.30.40.');
    await stafPage.goto(`${rig.base}/surat-keluar/${draftId}`, { waitUntil: 'domcontentloaded' });
    await clickAndWait(stafPage, '[data-testid=submit-form] button[type=submit]');
    expect(await flashOk(stafPage)).to.include(`Konsep diajukan kepada ${kasi.name} untuk paraf.`);

    // The Kasi, then the Kabid, give paraf on version 2.
    await openDraftFromList(kasiPage, 'paraf', draftId);
    expect(await textIn(kasiPage, '[data-testid=paraf-form] button')).to.include('versi 2');
    await clickAndWait(kasiPage, '[data-testid=paraf-form] button[type=submit]');
    expect(await flashOk(kasiPage)).to.include(`Konsep diteruskan kepada ${kabid.name}`);
    const kabidPage = await rig.signIn('kabid');
    await openDraftFromList(kabidPage, 'paraf', draftId);
    await clickAndWait(kabidPage, '[data-testid=paraf-form] button[type=submit]');
    expect(await flashOk(kabidPage)).to.include('Semua paraf lengkap');

    // The Kepala Dinas: "Siap tanda tangan" lists it; the page says it is ready, with both parafs.
    const kadisPage = await rig.signIn('kadis');
    await kadisPage.goto(`${rig.base}/surat-keluar`, { waitUntil: 'domcontentloaded' });
    expect(await kadisPage.$eval('[data-testid=tab-ttd]', (el) => el.className)).to.include('active');
    await clickAndWait(kadisPage, `li[data-draft-id="${draftId}"] a`);
    expect(await textIn(kadisPage, '[data-testid=ready-banner]')).to.include('Siap ditandatangani oleh Kepala Dinas Komunikasi dan Informatika');
    const states = await kadisPage.$$eval('[data-testid=paraf-step]', (els) => els.map((e) => e.getAttribute('data-status')));
    expect(states).to.deep.equal(['paraf', 'paraf']);
    expect(await textIn(kadisPage, '[data-testid=paraf-chain]')).to.include('versi 2');
    // The preview in the page: the letter with the KONSEP watermark and the two paraf marks.
    const frame = await (await kadisPage.waitForSelector('[data-testid=letter-preview] iframe'))!.contentFrame();
    await frame!.waitForFunction(() => document.body && document.body.innerText.length > 100);
    const letterText = await frame!.evaluate(() => document.body.innerText);
    expect(letterText).to.include('KONSEP').and.include('Subdomain diarahkan ke alamat IP 10.20.30.40.').and.include(letter.senderNumber);
  });
});
