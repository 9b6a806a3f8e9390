import { expect } from 'chai';
import { Disposition, Notification, User } from '../models';
import { setClock, systemClock, FixedClock } from '../platform/clock';
import { localDateTimeValue } from '../platform/dates';
import { sweepDeadlines } from '../modules/disposisi/deadlineSweeper';
import { buildLetter, uniq } from './helpers/factories';
import { startBrowserRig, clickAndWait, textIn, flashOk, type BrowserRig } from './helpers/browser';

/**
 * Issue #3, second journey: a deadline passes on the test clock; the scheduler's sweep flags
 * the disposition; the recipient sees it late, and the disposer gets the escalation.
 */
describe('Browser journey: a deadline passes and the disposition escalates', function () {
  this.timeout(180_000);
  let rig: BrowserRig;
  const clock = new FixedClock(new Date());
  before(async () => { setClock(clock); rig = await startBrowserRig(); });
  after(async () => { setClock(systemClock); await rig?.close(); });

  it('shows the lateness to the recipient and escalates to the Kepala Dinas', async () => {
    const perihal = uniq('Permohonan Hosting Aplikasi SIPD ');
    const letter = await buildLetter({ perihal });
    const kadis = await rig.signIn('kadis');
    await kadis.goto(`${rig.base}/surat-masuk/${letter.id}`, { waitUntil: 'domcontentloaded' });
    // A tight deadline: 20 minutes from now (test clock).
    const due = localDateTimeValue(new Date(clock.now().getTime() + 20 * 60_000));
    for (const b of await kadis.$$('[data-testid=dispose-form] label.check')) {
      const t = await b.evaluate((el) => (el.textContent ?? '').trim());
      if (t === 'Kepala Bidang Aplikasi Informatika' || t === 'Tindak lanjuti') await b.click();
    }
    await kadis.$eval('#dueAt', (el, v) => { (el as HTMLInputElement).value = v as string; }, due);
    await clickAndWait(kadis, '[data-testid=dispose-form] button[type=submit]');
    expect(await flashOk(kadis)).to.include('Disposisi terkirim');
    expect(await kadis.$('[data-testid=late]')).to.equal(null);

    // 25 minutes later the deadline has passed; the scheduler's sweep runs.
    clock.advance(25 * 60_000);
    const { escalated } = await sweepDeadlines();
    expect(escalated).to.be.greaterThan(0);
    const d = await Disposition.findOne({ where: { letterId: letter.id } });
    expect(d!.escalatedAt).to.be.instanceOf(Date);

    // The Kabid sees the letter late in the inbox, with the overdue counter, and marked on the tree.
    const kabid = await rig.signIn('kabid');
    await kabid.goto(`${rig.base}/kotak-masuk`, { waitUntil: 'domcontentloaded' });
    expect(await kabid.$eval(`li.inbox-item[data-letter-id="${letter.id}"]`, (el) => el.classList.contains('overdue'))).to.equal(true);
    expect(Number((await textIn(kabid, '[data-testid=overdue-count]')).replace(/\D/g, ''))).to.be.greaterThan(0);
    await clickAndWait(kabid, `li.inbox-item[data-letter-id="${letter.id}"] a`);
    expect(await textIn(kabid, `#disposisi-${d!.id} [data-testid=late]`)).to.equal('Terlambat');

    // The Kepala Dinas gets the escalation in the notifications, opens it and lands on the letter.
    await kadis.goto(`${rig.base}/notifikasi`, { waitUntil: 'domcontentloaded' });
    const kadisUser = await User.findOne({ where: { username: 'kadis' } });
    const n = await Notification.findOne({ where: { userId: kadisUser!.id, dispositionId: d!.id, kind: 'eskalasi' } });
    expect(n, 'escalation notification').to.not.equal(null);
    expect(Number(await textIn(kadis, '[data-testid=notif-count]'))).to.be.greaterThan(0);
    const item = `[data-notification-id="${n!.id}"]`;
    expect(await textIn(kadis, item)).to.include('Disposisi ke Kepala Bidang Aplikasi Informatika lewat tenggat');
    await clickAndWait(kadis, `${item} .notif-title button, ${item} .notif-title a`);
    expect(kadis.url()).to.include(`/surat-masuk/${letter.id}`);
    expect(await textIn(kadis, '[data-testid=dispositions] .section-head')).to.include('1 terlambat');
    expect((await n!.reload()).readAt).to.be.instanceOf(Date);
    // A second sweep sends nothing again.
    await sweepDeadlines();
    expect(await Notification.count({ where: { dispositionId: d!.id, kind: 'eskalasi' } })).to.equal(1);
  });
});
