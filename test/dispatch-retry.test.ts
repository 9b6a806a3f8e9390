import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { OutgoingDispatch, OutgoingRecipient, LoginThrottle } from '../models';
import { signIn, textOf } from './helpers/app';
import { actorOf, buildAgency, uniq } from './helpers/factories';
import { SIGN_PASS, certFor, readyDraft } from './helpers/signing';
import { signLetter } from '../modules/ttd/letterSigner';
import { dispatchLetter, deliverDispatchEmails, dispatchEmailBackoffMs, DISPATCH_EMAIL_MAX_ATTEMPTS } from '../modules/ttd/letterDispatcher';
import { config, loadConfig, setConfig, type Config } from '../config';
import { FixedClock, setClock, systemClock } from '../platform/clock';
import { startScheduler, stopScheduler } from '../platform/scheduler';

/**
 * Issue #5: e-mails of "Kirim" that fail are retried by the background scheduler with a backoff,
 * and given up after five attempts ('failed', shown on the letter page). A real SMTP server on
 * a local port refuses the recipient while `refusing` is set.
 */
describe('Surat Keluar: dispatch e-mails retried by the scheduler', function () {
  this.timeout(180_000);
  let server: SMTPServer;
  let original: Config;
  let refusing = true;
  const tries = new Map<string, number>();
  const delivered: string[] = [];
  let clock: FixedClock;

  before(async () => {
    await certFor('kadis');
    server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(address, _s, cb) {
        tries.set(address.address, (tries.get(address.address) ?? 0) + 1);
        if (refusing) { const e = new Error('Mailbox sementara tidak tersedia') as Error & { responseCode: number }; e.responseCode = 450; return cb(e); }
        cb();
      },
      onData(stream, session, cb) {
        stream.on('data', () => undefined);
        stream.on('end', () => { delivered.push(...session.envelope.rcptTo.map((r) => r.address)); cb(); });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    original = config();
    const c = config();
    setConfig(loadConfig({ ...process.env, NODE_ENV: 'test', DB_URL: c.dbUrl, BLOB_DIR: c.blobDir, SESSION_SECRET: c.sessionSecret, DEMO_SEED: c.demoSeed, DASHBOARD_CACHE_SECONDS: '0', SMTP_URL: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}` }));
  });
  after(async () => {
    await stopScheduler();
    setClock(systemClock);
    setConfig(original);
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(async () => {
    await LoginThrottle.destroy({ where: {} });
    clock = new FixedClock(new Date());
    setClock(clock);
  });
  afterEach(() => setClock(systemClock));

  /** A signed letter to one external agency, sent by e-mail to `email` (the first attempt is made at Kirim). */
  async function dispatched(email: string) {
    setClock(systemClock);
    const ag = await buildAgency();
    const d = await readyDraft({ kepada: [`a:${ag.id}`], kepadaText: [''] });
    const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: SIGN_PASS });
    setClock(clock);
    const ext = (await OutgoingRecipient.findOne({ where: { letterId: l.id, agencyId: ag.id } }))!;
    await dispatchLetter({ actor: await actorOf('kasi.egov'), letterId: l.id, choices: { [ext.id]: { channel: 'email', email } } });
    await deliverDispatchEmails(); // joins the run Kirim started
    return { letter: l, row: async () => (await OutgoingDispatch.findOne({ where: { letterId: l.id, channel: 'email' } }))! };
  }

  it('refused once: pending with a backoff, not retried before it, sent on a later run; the letter page shows it', async () => {
    refusing = true;
    const email = `${uniq('tu')}@skpd-uji.go.id`;
    const { letter, row } = await dispatched(email);
    let r = await row();
    expect(r.emailStatus).to.equal('pending');
    expect(r.emailAttempts).to.equal(1);
    expect(r.emailError).to.match(/Mailbox sementara tidak tersedia/);
    expect(r.emailNextAttemptAt!.getTime()).to.equal(clock.now().getTime() + dispatchEmailBackoffMs(1));
    expect(tries.get(email)).to.equal(1);
    const page = textOf((await (await signIn('kasi.egov')).get(`/surat-keluar/${letter.id}`)).text);
    expect(page).to.contain('antre (dicoba lagi otomatis)');

    refusing = false;
    await deliverDispatchEmails(); // before the backoff is over: not tried
    expect(tries.get(email)).to.equal(1);
    expect((await row()).emailStatus).to.equal('pending');

    clock.advance(dispatchEmailBackoffMs(1) + 1000);
    await deliverDispatchEmails();
    r = await row();
    expect(r.emailStatus).to.equal('sent');
    expect(r.emailAttempts).to.equal(2);
    expect(r.emailError).to.equal(null);
    expect(delivered).to.include(email);
    const after = await (await signIn('kasi.egov')).get(`/surat-keluar/${letter.id}`);
    expect(after.text).to.contain('data-testid="dispatch-email-sent"');
  });

  it(`refused ${DISPATCH_EMAIL_MAX_ATTEMPTS} times: 'failed', never tried again, shown as GAGAL on the letter page`, async () => {
    refusing = true;
    const email = `${uniq('tu')}@skpd-uji.go.id`;
    const { letter, row } = await dispatched(email);
    for (let attempt = 1; attempt < DISPATCH_EMAIL_MAX_ATTEMPTS; attempt++) {
      const r = await row();
      expect(r.emailStatus, `after attempt ${attempt}`).to.equal('pending');
      expect(r.emailAttempts).to.equal(attempt);
      clock.advance(dispatchEmailBackoffMs(attempt) + 1000);
      await deliverDispatchEmails();
    }
    let r = await row();
    expect(r.emailStatus).to.equal('failed');
    expect(r.emailAttempts).to.equal(DISPATCH_EMAIL_MAX_ATTEMPTS);
    expect(tries.get(email)).to.equal(DISPATCH_EMAIL_MAX_ATTEMPTS);
    clock.advance(24 * 3_600_000);
    refusing = false;
    await deliverDispatchEmails();
    r = await row();
    expect(r.emailStatus).to.equal('failed');
    expect(tries.get(email)).to.equal(DISPATCH_EMAIL_MAX_ATTEMPTS);
    const page = await (await signIn('kadis')).get(`/surat-keluar/${letter.id}`);
    expect(page.text).to.contain('data-testid="dispatch-email-failed"');
    expect(textOf(page.text)).to.contain(`GAGAL`).and.contain(`gagal setelah ${DISPATCH_EMAIL_MAX_ATTEMPTS} percobaan`).and.contain(email);
  });

  it('the scheduler job retries a failed e-mail on a later tick once its backoff is over', async () => {
    refusing = true;
    const email = `${uniq('tu')}@skpd-uji.go.id`;
    const { row } = await dispatched(email);
    expect((await row()).emailAttempts).to.equal(1);
    refusing = false;
    startScheduler({ intervalMs: 40, runAtStart: true, jobs: [{ name: 'e-mail surat keluar', run: deliverDispatchEmails }] });
    try {
      await new Promise((r) => setTimeout(r, 300)); // several ticks, all inside the backoff
      expect(tries.get(email)).to.equal(1);
      clock.advance(dispatchEmailBackoffMs(1) + 1000);
      const deadline = Date.now() + 10_000;
      while ((await row()).emailStatus !== 'sent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally { await stopScheduler(); }
    const r = await row();
    expect(r.emailStatus).to.equal('sent');
    expect(r.emailAttempts).to.equal(2);
  });
});
