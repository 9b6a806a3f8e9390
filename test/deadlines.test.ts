import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { Op } from 'sequelize';
import { Assignment, AuditEvent, Disposition, Holiday, Notification, Position, Setting, User, type IncomingLetter } from '../models';
import { FixedClock, setClock, systemClock } from '../platform/clock';
import { tx } from '../platform/db';
import { tanggalJam } from '../platform/dates';
import { config, loadConfig, setConfig, type Config } from '../config';
import { startScheduler, stopScheduler, schedulerStatus } from '../platform/scheduler';
import { sweepDeadlines } from '../modules/disposisi/deadlineSweeper';
import { sendDispositions } from '../modules/disposisi/dispositionSender';
import { reportOnDisposition } from '../modules/disposisi/dispositionReporter';
import { recallDisposition } from '../modules/disposisi/dispositionRecaller';
import { deliverPendingEmails } from '../platform/mailer';
import { notifyUsers } from '../platform/notifier';
import { setSetting } from '../platform/settings';
import { csrfOf, signIn, textOf, type Agent } from './helpers/app';
import { actorOf, buildLetter, buildUser, uniq } from './helpers/factories';

/** An instant given in WIB (UTC+7), e.g. wib('2026-12-07T12:00'). */
const wib = (local: string): Date => new Date(`${local}:00+07:00`);
const MONDAY = '2026-12-07';

let clock: FixedClock;
const at = (local: string): void => clock.set(wib(local));

async function positionOf(username: string): Promise<Position> {
  const actor = await actorOf(username);
  return actor.holdings[0].position;
}
const userId = async (username: string): Promise<number> => (await User.findOne({ where: { username } }))!.id;

/** `from` disposes the letter to `to` (usernames), with a datetime-local deadline or '' for the SOP default. */
async function dispose(letter: IncomingLetter, from: string, to: string, dueAt = ''): Promise<Disposition> {
  const [made] = await sendDispositions({
    actor: await actorOf(from), letterId: letter.id, viaPositionId: (await positionOf(from)).id,
    form: { targets: [String((await positionOf(to)).id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt },
  });
  return made;
}

/** A new letter disposed Kadis -> Kabid, due `due` (WIB) on the test Monday. */
async function kadisToKabid(due = `${MONDAY}T12:00`): Promise<{ letter: IncomingLetter; d: Disposition }> {
  const letter = await buildLetter({ perihal: uniq('Permohonan subdomain tenggat ') });
  return { letter, d: await dispose(letter, 'kadis', 'kabid', due) };
}

const notes = (dispositionId: number, kind: string) => Notification.findAll({ where: { dispositionId, kind }, order: [['id', 'ASC']] });
const recipients = async (dispositionId: number, kind: string): Promise<number[]> => (await notes(dispositionId, kind)).map((n) => n.userId).sort((a, b) => a - b);

describe('Deadlines: reminders and escalation', () => {
  beforeEach(() => { clock = new FixedClock(wib(`${MONDAY}T08:00`)); setClock(clock); });
  afterEach(() => setClock(systemClock));

  it('reminds the recipient once within the lead window, and not before', async () => {
    const { letter, d } = await kadisToKabid(`${MONDAY}T12:00`);
    at(`${MONDAY}T10:59`);
    await sweepDeadlines();
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(0);
    expect((await d.reload()).remindedAt).to.equal(null);

    at(`${MONDAY}T11:00`);
    const first = await sweepDeadlines();
    expect(first.reminded).to.be.at.least(1);
    const reminders = await notes(d.id, 'pengingat_tenggat');
    expect(reminders.map((n) => n.userId)).to.deep.equal([await userId('kabid')]);
    expect(reminders[0].title).to.include(letter.perihal);
    expect(reminders[0].body).to.include(tanggalJam(wib(`${MONDAY}T12:00`)));
    expect(reminders[0].url).to.equal(`/surat-masuk/${letter.id}`);
    expect(reminders[0].dedupeKey).to.equal(`pengingat:${d.id}`);
    await d.reload();
    expect(d.remindedAt!.getTime()).to.equal(wib(`${MONDAY}T11:00`).getTime());
    // Bookkeeping only: a user's form on this disposition stays valid.
    expect(d.version).to.equal(0);

    at(`${MONDAY}T11:30`);
    await sweepDeadlines();
    await sweepDeadlines();
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(1);
    expect(await notes(d.id, 'lewat_tenggat')).to.have.length(0);
    expect(await notes(d.id, 'eskalasi')).to.have.length(0);
  });

  it('escalates an overdue disposition to the recipient and the disposer, once', async () => {
    const { letter, d } = await kadisToKabid(`${MONDAY}T12:00`);
    at(`${MONDAY}T10:30`);
    await sweepDeadlines();
    expect((await d.reload()).escalatedAt).to.equal(null);

    at(`${MONDAY}T12:00`);
    for (let i = 0; i < 3; i++) await sweepDeadlines();
    clock.advance(3 * 3600_000);
    await sweepDeadlines();

    expect(await recipients(d.id, 'lewat_tenggat')).to.deep.equal([await userId('kabid')]);
    expect(await recipients(d.id, 'eskalasi')).to.deep.equal([await userId('kadis')]);
    const [esc] = await notes(d.id, 'eskalasi');
    expect(esc.title).to.equal('Disposisi ke Kepala Bidang Aplikasi Informatika lewat tenggat');
    expect(esc.body).to.include(letter.perihal).and.include('Belum dibaca');
    // Past the deadline without having been reminded: no late reminder.
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(0);
    await d.reload();
    expect(d.escalatedAt!.getTime()).to.equal(wib(`${MONDAY}T12:00`).getTime());
    expect(d.status).to.equal('terkirim');
    const events = await AuditEvent.findAll({ where: { action: 'disposisi.lewat_tenggat', entityType: 'incoming_letter', entityId: String(letter.id) } });
    expect(events).to.have.length(1);
    expect(events[0].actorUserId).to.equal(null);
    expect(JSON.parse(events[0].after!)).to.include({ id: d.id, to: d.toPositionId });
  });

  it('escalates to the nearest superior holder when the disposer has left the position', async () => {
    // A Kasi of their own, under the Kabid, so ending the assignment touches no demo user.
    const kabid = await positionOf('kabid');
    const pos = await Position.create({ unitId: kabid.unitId, superiorId: kabid.id, name: uniq('Kepala Seksi Sementara '), rank: 3, role: 'kasi', eselon: null });
    const kasi = await buildUser({ positionId: pos.id });
    const staffPos = await Position.create({ unitId: kabid.unitId, superiorId: pos.id, name: uniq('Pelaksana Sementara '), rank: 4, role: 'staf', eselon: null });
    await buildUser({ positionId: staffPos.id });
    const letter = await buildLetter();
    await dispose(letter, 'kadis', 'kabid');
    await dispose(letter, 'kabid', kasi.username);
    const [d] = await sendDispositions({
      actor: await actorOf(kasi.username), letterId: letter.id, viaPositionId: pos.id,
      form: { targets: [String(staffPos.id)], instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: `${MONDAY}T12:00` },
    });
    // The Kasi is transferred out; nobody holds the position (no Plt/Plh) when the deadline passes.
    await Assignment.update({ endDate: '2026-12-06' }, { where: { userId: kasi.id } });
    at(`${MONDAY}T12:00`);
    await sweepDeadlines();
    expect(await recipients(d.id, 'eskalasi')).to.deep.equal([await userId('kabid')]);
    const [event] = await AuditEvent.findAll({ where: { action: 'disposisi.lewat_tenggat', entityId: String(letter.id) } });
    expect(JSON.parse(event.after!)).to.include({ id: d.id, escalatedToPositionId: kabid.id });
  });

  it("escalates to the disposer's superior only when the setting is on", async () => {
    const off = await buildLetter();
    await dispose(off, 'kadis', 'kabid');
    const dOff = await dispose(off, 'kabid', 'kasi.egov', `${MONDAY}T10:00`);
    const on = await buildLetter();
    await dispose(on, 'kadis', 'kabid');
    const dOn = await dispose(on, 'kabid', 'kasi.egov', `${MONDAY}T12:00`);
    try {
      at(`${MONDAY}T10:00`);
      await sweepDeadlines();
      expect(await recipients(dOff.id, 'lewat_tenggat')).to.deep.equal([await userId('kasi.egov')]);
      expect(await recipients(dOff.id, 'eskalasi')).to.deep.equal([await userId('kabid')]);

      await setSetting('disposisi.eskalasi_atasan', true);
      at(`${MONDAY}T12:00`);
      await sweepDeadlines();
      await sweepDeadlines();
      expect(await recipients(dOn.id, 'eskalasi')).to.deep.equal([await userId('kadis'), await userId('kabid')].sort((a, b) => a - b));
      expect((await notes(dOn.id, 'eskalasi')).map((n) => n.title)).to.deep.equal(Array(2).fill('Disposisi ke Kepala Seksi e-Government lewat tenggat'));
      // The one escalated while the setting was off is not escalated again.
      expect(await recipients(dOff.id, 'eskalasi')).to.deep.equal([await userId('kabid')]);
    } finally {
      await Setting.destroy({ where: { key: 'disposisi.eskalasi_atasan' } });
    }
  });

  it('never reminds or escalates completed or recalled dispositions', async () => {
    const done = await kadisToKabid(`${MONDAY}T12:00`);
    await reportOnDisposition({ actor: await actorOf('kabid'), dispositionId: done.d.id, expectedVersion: done.d.version, body: 'Sudah ditindaklanjuti.', files: [], complete: true });
    const recalled = await kadisToKabid(`${MONDAY}T12:00`);
    await recallDisposition({ actor: await actorOf('kadis'), dispositionId: recalled.d.id, expectedVersion: recalled.d.version, reason: 'Salah tujuan.' });
    for (const t of ['11:30', '12:00', '15:00']) {
      at(`${MONDAY}T${t}`);
      await sweepDeadlines();
    }
    for (const { d, status } of [{ d: done.d, status: 'selesai' }, { d: recalled.d, status: 'ditarik' }]) {
      await d.reload();
      expect(d.status).to.equal(status);
      expect([d.remindedAt, d.escalatedAt]).to.deep.equal([null, null]);
      for (const kind of ['pengingat_tenggat', 'lewat_tenggat', 'eskalasi']) expect(await notes(d.id, kind), `${status} ${kind}`).to.have.length(0);
    }
  });

  it('sends nothing twice after a crash that lost the flags (restart safety)', async () => {
    const { d } = await kadisToKabid(`${MONDAY}T12:00`);
    at(`${MONDAY}T11:15`);
    await sweepDeadlines();
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(1);
    // A crash after the notifications were written but before the flag was: the flag is gone.
    await Disposition.update({ remindedAt: null }, { where: { id: d.id }, silent: true });
    await sweepDeadlines();
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(1);
    expect((await d.reload()).remindedAt).to.not.equal(null);

    at(`${MONDAY}T12:30`);
    await sweepDeadlines();
    await Disposition.update({ remindedAt: null, escalatedAt: null }, { where: { id: d.id }, silent: true });
    await sweepDeadlines();
    await sweepDeadlines();
    expect(await notes(d.id, 'lewat_tenggat')).to.have.length(1);
    expect(await notes(d.id, 'eskalasi')).to.have.length(1);
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(1);
    expect((await d.reload()).escalatedAt).to.not.equal(null);
  });

  it('handles concurrent sweeps once, and keeps a classified letter\'s subject out of the notices', async () => {
    const secret = await buildLetter({ perihal: uniq('Perihal rahasia '), sifat: 'rahasia' });
    const d = await dispose(secret, 'kadis', 'kabid', `${MONDAY}T12:00`);
    at(`${MONDAY}T12:00`);
    await Promise.all([sweepDeadlines(), sweepDeadlines(), sweepDeadlines()]);
    expect(await notes(d.id, 'lewat_tenggat')).to.have.length(1);
    expect(await notes(d.id, 'eskalasi')).to.have.length(1);
    expect(await AuditEvent.count({ where: { action: 'disposisi.lewat_tenggat', entityId: String(secret.id) } })).to.equal(1);
    for (const n of [...await notes(d.id, 'lewat_tenggat'), ...await notes(d.id, 'eskalasi')]) {
      const said = `${n.title} ${n.body}`;
      expect(said).to.not.include(secret.perihal);
      expect(said).to.include(secret.agendaNumber).and.include('Rahasia');
    }
  });

  it('computes the SOP default deadline on the working calendar, skipping weekends and holidays', async () => {
    // Kabid: 1 hari kerja = 07:30-16:00 = 8.5 h. Friday 15:00 leaves 1 h that day, 7.5 h on Monday: 15:00.
    clock.set(wib('2026-11-27T15:00'));
    const letter = await buildLetter();
    const d = await dispose(letter, 'kadis', 'kabid');
    expect(d.dueAt.toISOString()).to.equal(wib('2026-11-30T15:00').toISOString());

    await Holiday.create({ date: '2026-11-30', name: 'Libur uji' });
    try {
      const other = await buildLetter();
      const d2 = await dispose(other, 'kadis', 'kabid');
      expect(d2.dueAt.toISOString()).to.equal(wib('2026-12-01T15:00').toISOString());
    } finally {
      await Holiday.destroy({ where: { date: '2026-11-30' } });
    }

    at('2026-11-30T14:59');
    await sweepDeadlines();
    expect(await notes(d.id, 'pengingat_tenggat')).to.have.length(1);
    expect(await notes(d.id, 'eskalasi')).to.have.length(0);
    at('2026-11-30T15:00');
    await sweepDeadlines();
    expect(await notes(d.id, 'eskalasi')).to.have.length(1);
  });
});

/** A real SMTP server on an ephemeral (or given) port, keeping what it receives. */
interface Received { to: string[]; subject: string; headers: string; text: string }
async function smtpServer(port = 0): Promise<{ server: SMTPServer; port: number; messages: Received[]; stop(): Promise<void> }> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return { server, port: actual, messages, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function parseMessage(raw: string, to: string[]): Received {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(headers)?.[1] ?? '';
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
    body = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  } else if (/base64/i.test(header('Content-Transfer-Encoding'))) {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { to, subject: header('Subject'), headers, text: body };
}

/** The test configuration (as test/hooks.ts builds it) with SMTP_URL pointing at `port`. */
function configWithSmtp(port: number): Config {
  const c = config();
  return loadConfig({
    ...process.env, NODE_ENV: 'test', DB_URL: c.dbUrl, BLOB_DIR: c.blobDir, SESSION_SECRET: c.sessionSecret, DEMO_SEED: c.demoSeed,
    SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Naskah Uji <naskah@sindangrajakab.go.id>',
  });
}

describe('Deadlines: e-mail through a real SMTP server', function () {
  this.timeout(60_000);
  let original: Config;
  beforeEach(() => { original = config(); clock = new FixedClock(wib(`${MONDAY}T08:00`)); setClock(clock); });
  afterEach(() => { setConfig(original); setClock(systemClock); });

  it('mails the escalation in Indonesian to the disposer and marks the notification sent', async () => {
    const smtp = await smtpServer();
    try {
      setConfig(configWithSmtp(smtp.port));
      const { letter, d } = await kadisToKabid(`${MONDAY}T12:00`);
      at(`${MONDAY}T12:00`);
      await sweepDeadlines();

      const subject = '[Naskah] Disposisi ke Kepala Bidang Aplikasi Informatika lewat tenggat';
      const mails = smtp.messages.filter((m) => m.subject === subject && m.text.includes(letter.perihal));
      expect(mails, JSON.stringify(smtp.messages.map((m) => [m.to, m.subject]))).to.have.length(1);
      const [mail] = mails;
      expect(mail.to).to.deep.equal(['kadis@sindangrajakab.go.id']);
      // The display name keeps its academic titles whole (commas and dots), quoted as one name.
      expect(mail.headers).to.match(/^To: "Dr\. Hendra Wiratama, S\.Kom\., M\.T\." <kadis@sindangrajakab\.go\.id>$/m);
      expect(mail.headers).to.match(/^From: .*naskah@sindangrajakab\.go\.id/m);
      const text = mail.text.replace(/\r\n/g, '\n');
      expect(text).to.include('Yth. ');
      expect(text).to.include('melewati tenggat');
      expect(text).to.include(`/surat-masuk/${letter.id}`);
      expect(text).to.include('Pesan otomatis dari Naskah');
      // The recipient's own notice went out too.
      expect(smtp.messages.some((m) => m.to.includes('kabid@sindangrajakab.go.id') && m.subject.startsWith('[Naskah] Disposisi lewat tenggat'))).to.equal(true);

      const [row] = await notes(d.id, 'eskalasi');
      expect(row.emailStatus).to.equal('sent');
      expect(row.emailAttempts).to.equal(1);
      expect(row.emailedAt!.getTime()).to.equal(wib(`${MONDAY}T12:00`).getTime());
      expect(row.emailError).to.equal(null);

      // Sweeping again sends nothing more.
      const count = smtp.messages.length;
      await sweepDeadlines();
      expect(smtp.messages.length).to.equal(count);
    } finally {
      await smtp.stop();
    }
  });

  it('keeps the e-mail pending with the error while the SMTP server is down, and delivers it later', async () => {
    const probe = await smtpServer();
    const port = probe.port;
    await probe.stop();
    setConfig(configWithSmtp(port));
    const { d } = await kadisToKabid(`${MONDAY}T12:00`);
    at(`${MONDAY}T12:00`);
    await sweepDeadlines();
    let [row] = await notes(d.id, 'eskalasi');
    expect(row.emailStatus).to.equal('pending');
    expect(row.emailAttempts).to.equal(1);
    expect(row.emailError).to.be.a('string').and.not.equal('');
    expect(row.emailedAt).to.equal(null);

    const smtp = await smtpServer(port);
    try {
      at(`${MONDAY}T12:01`);
      await sweepDeadlines();
      // The sweep's delivery stops at the first failure; run until the queue is empty.
      for (let i = 0; i < 5 && (await Notification.count({ where: { emailStatus: 'pending' } })); i++) await deliverPendingEmails();
      [row] = await notes(d.id, 'eskalasi');
      expect(row.emailStatus).to.equal('sent');
      expect(row.emailAttempts).to.equal(2);
      expect(row.emailError).to.equal(null);
      expect(smtp.messages.filter((m) => m.to.includes('kadis@sindangrajakab.go.id') && m.subject.includes('Kepala Bidang Aplikasi Informatika lewat tenggat')).length).to.be.at.least(1);
    } finally {
      await smtp.stop();
    }
  });
});

describe('Notifications pages', () => {
  beforeEach(() => { clock = new FixedClock(wib(`${MONDAY}T08:00`)); setClock(clock); });
  afterEach(() => setClock(systemClock));

  const badge = (html: string): number => Number(/data-testid="notif-count">(\d+)</.exec(html)?.[1] ?? 0);
  const unreadOf = async (username: string) => Notification.count({ where: { userId: await userId(username), readAt: null } });

  it('lists the escalation, counts it in the nav, marks read, and guards ownership and CSRF', async () => {
    const { letter, d } = await kadisToKabid(`${MONDAY}T12:00`);
    at(`${MONDAY}T12:00`);
    await sweepDeadlines();
    const [esc] = await notes(d.id, 'eskalasi');
    const [kabidNote] = await notes(d.id, 'lewat_tenggat');
    clock.advance(5 * 60_000);

    const kadis: Agent = await signIn('kadis');
    const page = await kadis.get('/notifikasi');
    expect(page.status).to.equal(200);
    const text = textOf(page.text);
    expect(text).to.include('Disposisi ke Kepala Bidang Aplikasi Informatika lewat tenggat');
    expect(text).to.include(tanggalJam(esc.createdAt));
    expect(page.text).to.match(new RegExp(`<li class="notif unread[^"]*" data-notification-id="${esc.id}"`));
    const unread = await unreadOf('kadis');
    expect(unread).to.be.at.least(1);
    expect(badge(page.text)).to.equal(unread);
    expect(text).to.include(`${unread} belum dibaca`);

    const token = await csrfOf(kadis, '/notifikasi');
    const open = await kadis.post(`/notifikasi/${esc.id}/baca`).type('form').send({ _csrf: token });
    expect(open.status).to.equal(303);
    expect(open.headers.location).to.equal(`/surat-masuk/${letter.id}`);
    expect((await esc.reload()).readAt!.getTime()).to.equal(clock.now().getTime());
    const after = await kadis.get('/notifikasi');
    expect(badge(after.text)).to.equal(unread - 1);
    expect(after.text).to.match(new RegExp(`<li class="notif [^"]*" data-notification-id="${esc.id}"`));
    expect(after.text).to.not.match(new RegExp(`<li class="notif unread[^"]*" data-notification-id="${esc.id}"`));
    // Reading it again changes nothing and still goes to the letter.
    expect((await kadis.post(`/notifikasi/${esc.id}/baca`).type('form').send({ _csrf: token })).headers.location).to.equal(`/surat-masuk/${letter.id}`);

    // Someone else's notification does not exist for this user.
    const other = await kadis.post(`/notifikasi/${kabidNote.id}/baca`).type('form').send({ _csrf: token });
    expect(other.status).to.equal(404);
    expect((await kabidNote.reload()).readAt).to.equal(null);
    expect((await kadis.post('/notifikasi/abc/baca').type('form').send({ _csrf: token })).status).to.equal(404);

    // Without the CSRF token nothing changes.
    expect((await kadis.post(`/notifikasi/${kabidNote.id}/baca`).type('form').send({})).status).to.equal(403);
    const before = await unreadOf('kadis');
    expect((await kadis.post('/notifikasi/baca-semua').type('form').send({})).status).to.equal(403);
    expect(await unreadOf('kadis')).to.equal(before);

    const all = await kadis.post('/notifikasi/baca-semua').type('form').send({ _csrf: token });
    expect(all.status).to.equal(303);
    expect(all.headers.location).to.equal('/notifikasi');
    expect(await unreadOf('kadis')).to.equal(0);
    const done = await kadis.get('/notifikasi');
    expect(done.text).to.not.include('data-testid="notif-count"');
    expect(textOf(done.text)).to.include('notifikasi ditandai sudah dibaca');
    // The recipient's notification is untouched by the disposer's "read all".
    expect((await kabidNote.reload()).readAt).to.equal(null);

    // The list's "Tandai dibaca" returns to the list instead of opening the letter.
    const kabid = await signIn('kabid');
    const kt = await csrfOf(kabid, '/notifikasi');
    const mark = await kabid.post(`/notifikasi/${kabidNote.id}/baca`).type('form').send({ _csrf: kt, kembali: '' });
    expect(mark.headers.location).to.equal('/notifikasi');
    expect((await kabidNote.reload()).readAt).to.not.equal(null);
  });

  it('shows an empty state and pages by 50 from the newest', async () => {
    const user = await buildUser({ positionId: null });
    const agent = await signIn(user.username);
    const empty = textOf((await agent.get('/notifikasi')).text);
    expect(empty).to.include('Belum ada notifikasi');

    await tx(async (t) => {
      for (let i = 1; i <= 55; i++) {
        clock.advance(1000);
        await notifyUsers(t, [user], { kind: 'disposisi_baru', title: `Notifikasi uji nomor ${i}.`, url: '/kotak-masuk', dedupeKey: `uji:${i}` });
      }
    });
    const ids = async (html: string) => [...html.matchAll(/data-notification-id="(\d+)"/g)].map((m) => Number(m[1]));
    const first = await agent.get('/notifikasi');
    const firstIds = await ids(first.text);
    expect(firstIds).to.have.length(50);
    expect(textOf(first.text)).to.include('Notifikasi uji nomor 55.').and.include('Notifikasi uji nomor 6.').and.not.include('Notifikasi uji nomor 5.');
    expect(firstIds).to.deep.equal([...firstIds].sort((a, b) => b - a));
    expect(badge(first.text)).to.equal(55);
    const next = /href="\/notifikasi\?sebelum=(\d+)"/.exec(first.text);
    expect(next?.[1]).to.equal(String(firstIds[49]));

    const second = await agent.get(`/notifikasi?sebelum=${next![1]}`);
    const secondIds = await ids(second.text);
    expect(secondIds).to.have.length(5);
    expect(Math.max(...secondIds)).to.be.below(Math.min(...firstIds));
    expect(second.text).to.not.match(/sebelum=\d+"/);
    expect(textOf(second.text)).to.include('Notifikasi uji nomor 1.');

    // Rubbish in the cursor is ignored (first page); a cursor past the end is an empty page.
    expect(await ids((await agent.get('/notifikasi?sebelum=x%27')).text)).to.deep.equal(firstIds);
    expect(textOf((await agent.get(`/notifikasi?sebelum=${Math.min(...secondIds)}`)).text)).to.include('Tidak ada notifikasi yang lebih lama');
    expect(await Notification.count({ where: { userId: user.id, id: { [Op.in]: [...firstIds, ...secondIds] } } })).to.equal(55);
  });
});

describe('Scheduler', () => {
  afterEach(() => stopScheduler());
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('runs the jobs every interval without overlapping, logs failures and keeps going', async () => {
    let active = 0;
    let maxActive = 0;
    let slowRuns = 0;
    let afterFailure = 0;
    const logged: string[] = [];
    startScheduler({
      intervalMs: 10,
      log: (message) => logged.push(message),
      jobs: [
        { name: 'lambat', run: async () => { active++; maxActive = Math.max(maxActive, active); await sleep(45); active--; slowRuns++; } },
        { name: 'rusak', run: async () => { throw new Error('boom'); } },
        { name: 'sesudahnya', run: async () => { afterFailure++; } },
      ],
    });
    await sleep(250);
    expect(schedulerStatus().active).to.equal(true);
    expect(schedulerStatus().skipped).to.be.above(0);
    await stopScheduler();
    const runs = slowRuns;
    expect(runs).to.be.at.least(2);
    expect(maxActive).to.equal(1);
    expect(afterFailure).to.be.at.least(runs - 1);
    expect(logged.length).to.be.at.least(runs - 1);
    expect(logged[0]).to.include('rusak');
    await sleep(60);
    expect(slowRuns).to.equal(runs);
    expect(schedulerStatus().active).to.equal(false);
  });

  it('runs the real sweep', async () => {
    setClock(new FixedClock(wib(`${MONDAY}T08:00`)));
    try {
      const { d } = await kadisToKabid(`${MONDAY}T12:00`);
      setClock(new FixedClock(wib(`${MONDAY}T13:00`)));
      let done!: () => void;
      const ran = new Promise<void>((r) => { done = r; });
      startScheduler({ intervalMs: 60_000, jobs: [{ name: 'tenggat', run: async () => { await sweepDeadlines(); done(); } }] });
      await ran;
      expect(await notes(d.id, 'eskalasi')).to.have.length(1);
    } finally {
      setClock(systemClock);
    }
  });
});
