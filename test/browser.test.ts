import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { IncomingLetter, InboxItem } from '../models';
import { buildAgency, pdfBytes, uniq } from './helpers/factories';
import { tanggalJam } from '../platform/dates';
import { startBrowserRig, clickAndWait, flashOk, type BrowserRig } from './helpers/browser';

/**
 * The foundation journey in a real headless Chromium, clicking through the real pages:
 * the secretariat registers a letter with a PDF scan and finds it in the register; the
 * Kepala Dinas sees it unread in the inbox with the counter, opens it, and it is read.
 */
describe('Browser journey: register a letter, the Kepala Dinas reads it', function () {
  this.timeout(120_000);
  let rig: BrowserRig;
  let base: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-browser-'));
  before(async () => { rig = await startBrowserRig(); base = rig.base; });
  after(async () => {
    await rig?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const signIn = (login: string) => rig.signIn(login);
  const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText);
  const unreadCount = async (page: Page) => Number((await page.$('[data-testid=unread-count]')) ? await text(page, '[data-testid=unread-count]') : 0);

  it('walks the whole journey', async () => {
    const agency = await buildAgency({ name: uniq('Dinas Perhubungan ') });
    const perihal = uniq('Permohonan Subdomain dishub ');
    const scanPath = path.join(tmp, 'surat-permohonan.pdf');
    fs.writeFileSync(scanPath, pdfBytes(perihal));

    // The Kepala Dinas's counter before the letter arrives.
    const kadis = await signIn('kadis');
    await kadis.goto(`${base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    const before = await unreadCount(kadis);

    // The secretariat registers the letter.
    const clerk = await signIn('sekretariat');
    expect(clerk.url()).to.equal(`${base}/surat-masuk`);
    await clickAndWait(clerk, 'a[href="/surat-masuk/baru"].btn');
    await clerk.type('#senderNumber', '400.14.2.1/77/Dishub/2026');
    await clerk.$eval('#letterDate', (el) => { (el as HTMLInputElement).value = '2026-11-20'; });
    await clerk.select('#senderAgencyId', String(agency.id));
    await clerk.type('#perihal', perihal);
    await clerk.select('#urgensi', 'segera');
    await clerk.type('#klasifikasi', '400.14.2.1 — Nama Domain dan Subdomain');
    await clerk.type('#summary', 'Subdomain untuk layanan informasi angkutan umum.');
    const file = await clerk.$('#scan');
    await (file as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(scanPath);
    await clickAndWait(clerk, 'form[data-testid=letter-form] button[type=submit]');

    const letter = await IncomingLetter.findOne({ where: { perihal } });
    expect(letter, 'letter saved').to.not.equal(null);
    expect(clerk.url()).to.equal(`${base}/surat-masuk/${letter!.id}`);
    expect(await flashOk(clerk)).to.include(`nomor agenda ${letter!.agendaNumber}`);
    expect(await text(clerk, '[data-testid=agenda-number]')).to.equal(letter!.agendaNumber);
    expect(await clerk.$('[data-testid=scan-preview] iframe')).to.not.equal(null);

    // ...and finds it in the register by searching.
    await clerk.goto(`${base}/surat-masuk`, { waitUntil: 'domcontentloaded' });
    await clerk.type('#q', perihal.split(' ').pop()!);
    await clickAndWait(clerk, 'form.filters button[type=submit]');
    const rows = await clerk.$$eval('[data-testid=register] tbody tr', (trs) => trs.map((t) => (t as HTMLElement).innerText));
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include(letter!.agendaNumber).and.include(perihal);

    // The Kepala Dinas sees it unread, with the counter one higher.
    await kadis.goto(`${base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    expect(await unreadCount(kadis)).to.equal(before + 1);
    const item = `li.inbox-item[data-letter-id="${letter!.id}"]`;
    expect(await kadis.$eval(item, (el) => el.classList.contains('unread'))).to.equal(true);
    expect(await text(kadis, item)).to.include(perihal);

    // Opens it: the page shows it was read by them, and the inbox no longer counts it.
    await clickAndWait(kadis, `${item} a`);
    expect(await text(kadis, 'h1')).to.equal(perihal);
    const read = await InboxItem.findOne({ where: { letterId: letter!.id } });
    expect(read!.readAt, 'the read time is stored').to.be.instanceOf(Date);
    expect(await text(kadis, '[data-testid=recipients]')).to.include(`Dibaca ${tanggalJam(read!.readAt)} oleh Dr. Hendra Wiratama`);
    await kadis.goto(`${base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    expect(await kadis.$eval(item, (el) => el.classList.contains('unread'))).to.equal(false);
    expect(await unreadCount(kadis)).to.equal(before);
    expect((await read!.reload()).unread).to.equal(false);
  });
});
