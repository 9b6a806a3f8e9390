import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { Disposition, Position } from '../models';
import { localDateTimeValue } from '../platform/dates';
import { buildLetter, uniq } from './helpers/factories';
import { startBrowserRig, clickAndWait, textIn, flashOk, type BrowserRig } from './helpers/browser';

/**
 * Issue #3 journey in headless Chromium: the Kepala Dinas disposes to the Kabid with an
 * instruction and a deadline; the Kabid to a Kasi; the Kasi to a staff member; the staff member
 * reports and completes; the Kepala Dinas sees the whole tree complete.
 */
describe('Browser journey: a disposition down the hierarchy and back', function () {
  this.timeout(180_000);
  let rig: BrowserRig;
  before(async () => { rig = await startBrowserRig(); });
  after(async () => { await rig?.close(); });

  /** Open the letter from the inbox, as the user would, and dispose it to `target` (label). */
  async function disposeFromInbox(page: Page, letterId: number, target: string, instruction: string, due?: string) {
    await page.goto(`${rig.base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    await clickAndWait(page, `li.inbox-item[data-letter-id="${letterId}"] a`);
    const form = '[data-testid=dispose-form]';
    // The dispose panel is folded once the letter has dispositions: unfold it as the user would.
    if (!(await page.$eval('[data-testid=dispose]', (el) => (el as HTMLDetailsElement).open))) await page.click('[data-testid=dispose] > summary');
    const boxes = await page.$$(`${form} label.check`);
    let clicked = 0;
    for (const b of boxes) {
      const label = await b.evaluate((el) => (el.textContent ?? '').trim());
      if (label === target || label === instruction) { await b.click(); clicked++; }
    }
    expect(clicked, `found "${target}" and "${instruction}"`).to.equal(2);
    if (due) await page.$eval(`${form} #dueAt`, (el, v) => { (el as HTMLInputElement).value = v as string; }, due);
    await clickAndWait(page, `${form} button[type=submit]`);
    expect(await flashOk(page)).to.include('Disposisi terkirim ke 1 penerima');
  }

  it('Kadis → Kabid → Kasi → staf; the staff member reports and completes; the Kadis sees it all done', async () => {
    const perihal = uniq('Permohonan Subdomain perpustakaan ');
    const letter = await buildLetter({ perihal });
    const due = localDateTimeValue(new Date(Date.now() + 3 * 86_400_000));

    const kadis = await rig.signIn('kadis');
    await disposeFromInbox(kadis, letter.id, 'Kepala Bidang Aplikasi Informatika', 'Pelajari dan laporkan', due);
    const node = await textIn(kadis, '[data-testid=disposition-tree]');
    expect(node).to.include('Kepala Bidang Aplikasi Informatika').and.include('Pelajari dan laporkan').and.include('Belum dibaca');

    const kabid = await rig.signIn('kabid');
    await disposeFromInbox(kabid, letter.id, 'Kepala Seksi e-Government', 'Tindak lanjuti');
    const kasi = await rig.signIn('kasi.egov');
    await disposeFromInbox(kasi, letter.id, 'Pranata Komputer Ahli Pertama (e-Government)', 'Siapkan jawaban');

    const staf = await rig.signIn('staf.egov1');
    await staf.goto(`${rig.base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    await clickAndWait(staf, `li.inbox-item[data-letter-id="${letter.id}"] a`);
    const stafPos = await Position.findOne({ where: { name: 'Pranata Komputer Ahli Pertama (e-Government)' } });
    const mine = await Disposition.findOne({ where: { letterId: letter.id, toPositionId: stafPos!.id } });
    const card = `#disposisi-${mine!.id}`;
    await staf.click(`${card} details.action > summary`);
    await staf.type(`${card} textarea[name=body]`, 'Nama subdomain tersedia; konsep balasan sudah disiapkan.');
    await clickAndWait(staf, `${card} button[name=complete][value="1"]`);
    expect(await flashOk(staf)).to.include('Disposisi diselesaikan');
    // The Kasi and the Kabid complete theirs, reading their subordinates' reports.
    for (const [page, role] of [[kasi, 'Kepala Seksi e-Government'], [kabid, 'Kepala Bidang Aplikasi Informatika']] as const) {
      const p = await Position.findOne({ where: { name: role } });
      const d = await Disposition.findOne({ where: { letterId: letter.id, toPositionId: p!.id } });
      await page.goto(`${rig.base}/surat-masuk/${letter.id}`, { waitUntil: 'domcontentloaded' });
      expect(await textIn(page, '[data-testid=disposition-tree]')).to.include('Nama subdomain tersedia');
      await page.click(`#disposisi-${d!.id} details.action > summary`);
      await page.type(`#disposisi-${d!.id} textarea[name=body]`, 'Sudah ditindaklanjuti.');
      await clickAndWait(page, `#disposisi-${d!.id} button[name=complete][value="1"]`);
      expect(await flashOk(page)).to.include('Disposisi diselesaikan');
    }

    await kadis.goto(`${rig.base}/surat-masuk/${letter.id}`, { waitUntil: 'domcontentloaded' });
    const statuses = await kadis.$$eval('[data-testid=disposition]', (els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses).to.deep.equal(['selesai', 'selesai', 'selesai']);
    const tree = await textIn(kadis, '[data-testid=disposition-tree]');
    expect(tree).to.include('Kepala Seksi e-Government').and.include('Pranata Komputer Ahli Pertama (e-Government)')
      .and.include('Nama subdomain tersedia; konsep balasan sudah disiapkan.');
    expect(tree).to.not.include('Terlambat');
    // The depth shows the hierarchy: staff under Kasi under Kabid.
    const depth = await kadis.$eval(`#disposisi-${mine!.id}`, (el) => { let n = 0; for (let p = el.parentElement; p; p = p.parentElement) if (p.matches('ul.tree')) n++; return n; });
    expect(depth).to.equal(3);
    expect(await textIn(kadis, '[data-testid=dispositions] .section-head')).to.include('3 disposisi · 0 terbuka');
  });
});
