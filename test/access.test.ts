import { expect } from 'chai';
import supertest from 'supertest';
import { Assignment, AuditEvent, IncomingLetter, InboxItem, LetterFile, Position, Unit, User } from '../models';
import { today } from '../platform/dates';
import { app, signIn, csrfOf, textOf, type Agent } from './helpers/app';
import { actorOf, buildAgency, buildLetter, buildNip, buildUser, pdfBytes, positionByRole, uniq } from './helpers/factories';

/**
 * The policy layer end to end: who finds a letter in their inbox, who may open it and its
 * scan, what opening it records, acting officials by date, confidential letters, the admin
 * area, and the security headers.
 */

const dayFromToday = (days: number): string => new Date(Date.parse(`${today()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The unread badge in the navigation (0 when not shown). */
const unreadBadge = (html: string): number => Number(/data-testid="unread-count"[^>]*>\s*(\d+)\s*</.exec(html)?.[1] ?? 0);

/** Letter ids listed in an inbox page, with their unread state. */
const inboxRows = (html: string): Map<number, boolean> =>
  new Map([...html.matchAll(/<li class="inbox-item ([^"]*)" data-letter-id="(\d+)"/g)].map((m) => [Number(m[2]), /\bunread\b/.test(m[1])]));

const kadisPositionId = async (): Promise<number> => (await positionByRole('kepala')).id;

const getBytes = (agent: Agent, url: string) => agent.get(url).responseType('blob');

describe('Access: inbox, reading and the unread counter', () => {
  it('puts a letter addressed to the Kepala Dinas in the kadis inbox, unread and counted, and not in a staff inbox', async () => {
    const letter = await buildLetter({ perihal: uniq('Permohonan Hosting ') });
    const kadis = await signIn('kadis');
    const page = await kadis.get('/kotak-masuk');
    expect(page.status).to.equal(200);
    const rows = inboxRows(page.text);
    expect(rows.get(letter.id), 'letter not in the kadis inbox').to.equal(true);
    expect(textOf(page.text)).to.include(letter.perihal);
    const unread = await InboxItem.count({ where: { positionId: await kadisPositionId(), unread: true } });
    expect(unreadBadge(page.text)).to.equal(unread);
    expect(unread).to.be.greaterThan(0);

    const staff = await signIn('staf.egov1');
    const theirs = await staff.get('/kotak-masuk');
    expect(theirs.status).to.equal(200);
    expect(inboxRows(theirs.text).has(letter.id)).to.equal(false);
    expect(theirs.text).to.not.include(letter.perihal);
  });

  it('marks the letter read on first opening (time, reader, audit event), drops the counter, and keeps the first read time', async () => {
    const letter = await buildLetter();
    const kadisPos = await kadisPositionId();
    const kadis = await signIn('kadis');
    const kadisUser = (await User.findOne({ where: { username: 'kadis' } }))!;
    const before = unreadBadge((await kadis.get('/kotak-masuk')).text);
    expect(before).to.be.greaterThan(0);

    const t0 = Date.now();
    const open = await kadis.get(`/surat-masuk/${letter.id}`);
    expect(open.status).to.equal(200);
    expect(textOf(open.text)).to.include(letter.perihal);
    const item = (await InboxItem.findOne({ where: { letterId: letter.id, positionId: kadisPos } }))!;
    expect(item.unread).to.equal(false);
    expect(item.readByUserId).to.equal(kadisUser.id);
    expect(item.readAt).to.be.instanceOf(Date);
    expect(item.readAt!.getTime()).to.be.within(t0 - 2000, Date.now() + 2000);
    const events = await AuditEvent.findAll({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'surat_masuk.dibaca' } });
    expect(events).to.have.length(1);
    expect(events[0].actorUserId).to.equal(kadisUser.id);
    expect(events[0].actorPositionId).to.equal(kadisPos);
    // The page shows who read it, and the counter went down by one.
    expect(open.text).to.include('data-testid="read-at"');
    expect(textOf(open.text)).to.include(`oleh ${kadisUser.name}`);
    const after = await kadis.get('/kotak-masuk');
    expect(unreadBadge(after.text)).to.equal(before - 1);
    // Read letters sort after the unread ones: on a busy inbox it may be on a later page, but
    // it must not be listed as unread anywhere on this one.
    expect(inboxRows(after.text).get(letter.id)).to.not.equal(true);

    // A second opening changes nothing.
    const readAt = item.readAt!.getTime();
    await new Promise((r) => setTimeout(r, 20));
    expect((await kadis.get(`/surat-masuk/${letter.id}`)).status).to.equal(200);
    const again = (await InboxItem.findOne({ where: { letterId: letter.id, positionId: kadisPos } }))!;
    expect(again.readAt!.getTime()).to.equal(readAt);
    expect(again.readByUserId).to.equal(kadisUser.id);
    expect(await AuditEvent.count({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'surat_masuk.dibaca' } })).to.equal(1);
  });

  it('does not mark the letter read when the secretariat (outside the chain) opens it', async () => {
    const letter = await buildLetter();
    const clerk = await signIn('sekretariat');
    const res = await clerk.get(`/surat-masuk/${letter.id}`);
    expect(res.status).to.equal(200);
    expect(textOf(res.text)).to.include(letter.perihal);
    const item = (await InboxItem.findOne({ where: { letterId: letter.id } }))!;
    expect(item.unread).to.equal(true);
    expect(item.readAt).to.equal(null);
    expect(item.readByUserId).to.equal(null);
    expect(await AuditEvent.count({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'surat_masuk.dibaca' } })).to.equal(0);
    expect(textOf(res.text)).to.include('Belum dibaca');
  });
});

describe('Access: acting officials (Plt / Plh) by date', () => {
  it('gives a Plt of the Kepala Dinas, in force today, the letter in the inbox and read access', async () => {
    const letter = await buildLetter({ perihal: uniq('Surat untuk Plt ') });
    const plt = await buildUser({ kind: 'plt', positionId: await kadisPositionId(), startDate: dayFromToday(-3), endDate: dayFromToday(30) });
    try {
      const a = await signIn(plt.username);
      const inbox = await a.get('/kotak-masuk');
      expect(inbox.status).to.equal(200);
      expect(inboxRows(inbox.text).get(letter.id)).to.equal(true);
      expect(textOf(inbox.text)).to.include('Plt. Kepala Dinas');
      const open = await a.get(`/surat-masuk/${letter.id}`);
      expect(open.status).to.equal(200);
      expect(textOf(open.text)).to.include(letter.perihal);
      const scan = (await LetterFile.findOne({ where: { letterId: letter.id, kind: 'scan' } }))!;
      const file = await getBytes(a, `/berkas/${scan.id}`);
      expect(file.status).to.equal(200);
      expect(file.headers['content-type']).to.equal('application/pdf');
      const item = (await InboxItem.findOne({ where: { letterId: letter.id } }))!;
      expect(item.readByUserId).to.equal(plt.id);
      const ev = await AuditEvent.findOne({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'surat_masuk.dibaca' } });
      expect(ev!.acting).to.equal('plt');
    } finally {
      await Assignment.destroy({ where: { userId: plt.id } });
    }
  });

  for (const [label, startDate, endDate] of [['an expired Plh', -10, -1], ['a Plh not yet started', 2, 9]] as const) {
    it(`gives ${label} of the Kepala Dinas neither the inbox item nor the letter (404)`, async () => {
      const letter = await buildLetter({ perihal: uniq('Surat bukan untuk Plh ') });
      const plh = await buildUser({ kind: 'plh', positionId: await kadisPositionId(), startDate: dayFromToday(startDate), endDate: dayFromToday(endDate) });
      try {
        const a = await signIn(plh.username);
        const inbox = await a.get('/kotak-masuk');
        expect(inboxRows(inbox.text).has(letter.id)).to.equal(false);
        expect(inbox.text).to.not.include('href="/kotak-masuk"'); // no position, so no inbox in the nav
        const open = await a.get(`/surat-masuk/${letter.id}`);
        expect(open.status).to.equal(404);
        expect(open.text).to.not.include(letter.perihal);
        const scan = (await LetterFile.findOne({ where: { letterId: letter.id, kind: 'scan' } }))!;
        expect((await a.get(`/berkas/${scan.id}`)).status).to.equal(404);
        expect((await InboxItem.findOne({ where: { letterId: letter.id } }))!.unread).to.equal(true);
      } finally {
        await Assignment.destroy({ where: { userId: plh.id } });
      }
    });
  }
});

describe('Access: confidential letters', () => {
  const NAME = 'Surat Rahasia – Pemeriksaan Ñ (2026).pdf';

  async function registerConfidential() {
    const clerk = await signIn('sekretariat');
    const agency = await buildAgency();
    const page = await clerk.get('/surat-masuk/baru');
    const key = /name="submissionKey" value="([0-9a-f]{32})"/.exec(page.text)![1];
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const perihal = uniq('Laporan Pemeriksaan Rahasia ');
    const scan = pdfBytes(perihal);
    const req = clerk.post(`/surat-masuk?_csrf=${encodeURIComponent(token)}`);
    const fields = {
      submissionKey: key, senderNumber: uniq('R/'), letterDate: today(), receivedDate: today(), senderAgencyId: String(agency.id), perihal,
      sifat: 'rahasia', urgensi: 'segera', klasifikasi: '400.14.2.1', jenisNaskah: 'surat_permohonan', lampiran: '', summary: 'Isi yang dirahasiakan',
      addressedPositionId: String(await kadisPositionId()),
    };
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    const res = await req.attach('scan', scan, NAME);
    expect(res.status, textOf(res.text).slice(0, 300)).to.equal(303);
    const letter = (await IncomingLetter.findOne({ where: { perihal } }))!;
    return { clerk, agency, letter, scan, res };
  }

  it('lets the secretariat register it without sending it to a page it may not open, and masks the perihal in the register', async () => {
    const { clerk, agency, letter, res } = await registerConfidential();
    expect(letter.sifat).to.equal('rahasia');
    // The clerk lands on a page they may see, with the agenda number.
    const landing = await clerk.get(res.headers.location);
    expect(landing.status, `redirected to ${res.headers.location}`).to.equal(200);
    expect(textOf(landing.text)).to.include(`Surat masuk terdaftar dengan nomor agenda ${letter.agendaNumber}`);

    const reg = await clerk.get(`/surat-masuk?sender=${agency.id}`);
    expect(reg.status).to.equal(200);
    const text = textOf(reg.text);
    expect(text).to.include(letter.agendaNumber);
    expect(text).to.include('(dirahasiakan)');
    expect(reg.text).to.not.include(letter.perihal);
    // The CSV export leaves the system: the letter is not in it at all (no sender, no number).
    const csv = await clerk.get(`/surat-masuk.csv?sender=${agency.id}`);
    expect(csv.status).to.equal(200);
    expect(csv.text).to.include('Nomor Agenda');
    expect(csv.text).to.not.include(letter.perihal).and.not.include(letter.agendaNumber).and.not.include(letter.senderNumber);
    // Searching for its words or its number does not find it (not even masked).
    for (const q of [letter.perihal.split(' ').pop()!, 'dirahasiakan', letter.senderNumber]) {
      const search = await clerk.get(`/surat-masuk?sender=${agency.id}&q=${encodeURIComponent(q)}`);
      expect(search.text, q).to.not.include(letter.perihal).and.not.include(`/surat-masuk/${letter.id}"`);
    }

  });

  it('shows the addressed Kepala Dinas the content and the scan with safe download headers', async () => {
    const { letter, scan } = await registerConfidential();
    const kadis = await signIn('kadis');
    const reg = await kadis.get('/kotak-masuk');
    expect(textOf(reg.text)).to.include(letter.perihal);
    const page = await kadis.get(`/surat-masuk/${letter.id}`);
    expect(page.status).to.equal(200);
    expect(textOf(page.text)).to.include(letter.perihal);
    expect(textOf(page.text)).to.include('Isi yang dirahasiakan');
    const file = (await LetterFile.findOne({ where: { letterId: letter.id, kind: 'scan' } }))!;
    expect(file.originalName).to.equal(NAME);
    expect(page.text).to.include(`/berkas/${file.id}`);

    const res = await getBytes(kadis, `/berkas/${file.id}`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    const cd = String(res.headers['content-disposition']);
    expect(cd).to.match(/^inline;/);
    expect(cd).to.include("filename*=UTF-8''Surat%20Rahasia%20%E2%80%93%20Pemeriksaan%20%C3%91%20%282026%29.pdf");
    expect(cd).to.include('filename="Surat Rahasia _ Pemeriksaan _ (2026).pdf"');
    expect(String(res.headers['cache-control'])).to.include('no-store');
    expect(Buffer.compare(res.body as Buffer, scan)).to.equal(0);

    const dl = await getBytes(kadis, `/berkas/${file.id}?unduh=1`);
    expect(dl.status).to.equal(200);
    expect(String(dl.headers['content-disposition'])).to.match(/^attachment; filename="[^"]+"; filename\*=UTF-8''Surat%20Rahasia/);
  });

  it('hides it from everyone outside the chain (404), even the Sekretaris who reads the register', async () => {
    const { letter } = await registerConfidential();
    const file = (await LetterFile.findOne({ where: { letterId: letter.id, kind: 'scan' } }))!;
    for (const u of ['sekretariat', 'sekretaris', 'kabid', 'staf.egov1']) {
      const a = await signIn(u);
      const res = await a.get(`/surat-masuk/${letter.id}`);
      expect(res.status, u).to.equal(404);
      expect(res.text, u).to.not.include(letter.perihal);
      expect((await a.get(`/berkas/${file.id}`)).status, u).to.equal(404);
    }
    expect((await InboxItem.findOne({ where: { letterId: letter.id } }))!.unread).to.equal(true);
  });
});

describe('Access: the admin area', () => {
  it('refuses non-admins with 403', async () => {
    for (const u of ['kadis', 'sekretariat', 'staf.egov1']) {
      const a = await signIn(u);
      for (const url of ['/admin', '/admin/pengguna', '/admin/unit/baru']) {
        const res = await a.get(url);
        expect(res.status, `${u} ${url}`).to.equal(403);
        expect(textOf(res.text)).to.include('Anda tidak berwenang melakukan tindakan ini.');
      }
      expect((await a.get('/kotak-masuk')).text).to.not.include('href="/admin"');
    }
    // A forged post with a valid token of the non-admin's own session saves nothing.
    const kadis = await signIn('kadis');
    const token = await csrfOf(kadis, '/kotak-masuk');
    const name = uniq('Unit Ilegal ');
    const res = await kadis.post('/admin/unit').type('form').send({ _csrf: token, name, kind: 'seksi', code: 'ILG' });
    expect(res.status).to.equal(403);
    expect(await Unit.count({ where: { name } })).to.equal(0);
  });

  it('lets the admin (no position) build a unit, a position, a user and an assignment, each audited; the new user then signs in to an inbox', async () => {
    const admin = await signIn('admin');
    const adminUser = (await User.findOne({ where: { username: 'admin' } }))!;
    expect((await actorOf(adminUser)).holdings).to.have.length(0);
    const home = await admin.get('/admin');
    expect(home.status).to.equal(200);
    expect(home.text).to.not.include('href="/kotak-masuk"');
    for (const e of ['Unit Kerja', 'Jabatan', 'Pengguna', 'Penugasan Jabatan']) expect(textOf(home.text)).to.include(e);

    const post = async (entity: string, fields: Record<string, string>) => {
      const token = await csrfOf(admin, `/admin/${entity}/baru`);
      const res = await admin.post(`/admin/${entity}`).type('form').send({ _csrf: token, ...fields });
      expect(res.status, textOf(res.text).slice(0, 600)).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/${entity}`);
      return res;
    };
    const audited = async (action: string, entityType: string, id: number) => {
      const ev = await AuditEvent.findOne({ where: { action, entityType, entityId: String(id) } });
      expect(ev, `${action} ${id} not audited`).to.not.equal(null);
      expect(ev!.actorUserId).to.equal(adminUser.id);
      expect(ev!.actorPositionId).to.equal(null);
      return ev!;
    };

    const parentUnit = (await Unit.findOne({ where: { kind: 'bidang' }, order: [['id', 'ASC']] }))!;
    const unitName = uniq('Seksi Persandian ');
    await post('unit', { name: unitName, kind: 'seksi', code: uniq('Sandi').slice(0, 20), parentId: String(parentUnit.id), sortOrder: '9' });
    const unit = (await Unit.findOne({ where: { name: unitName } }))!;
    expect(unit.parentId).to.equal(parentUnit.id);
    await audited('unit.dibuat', 'unit', unit.id);

    const superior = (await actorOf('kasi.egov')).holdings[0].positionId;
    const posName = uniq('Sandiman Ahli Pertama ');
    await post('jabatan', { name: posName, unitId: String(unit.id), role: 'staf', superiorId: String(superior), rank: '4', eselon: '', active: '1' });
    const pos = (await Position.findOne({ where: { name: posName } }))!;
    expect([pos.unitId, pos.role, pos.superiorId, pos.rank, pos.active]).to.deep.equal([unit.id, 'staf', superior, 4, true]);
    await audited('jabatan.dibuat', 'jabatan', pos.id);

    const username = uniq('sandi.');
    const password = 'SandiAman2026x';
    const nip = buildNip();
    await post('pengguna', { name: 'Rina Kartika, S.Kom.', username, nip, pangkat: 'Penata Muda', golongan: 'III/a', email: `${username}@contoh.go.id`, password, active: '1' });
    const user = (await User.findOne({ where: { username } }))!;
    expect([user.nip, user.isAdmin, user.active]).to.deep.equal([nip, false, true]);
    expect(user.passwordHash).to.not.include(password);
    const ev = await audited('pengguna.dibuat', 'pengguna', user.id);
    expect(ev.after ?? '').to.not.include('passwordHash');
    expect(ev.after ?? '').to.not.include(password);

    await post('penugasan', { userId: String(user.id), positionId: String(pos.id), kind: 'definitif', startDate: dayFromToday(-1), endDate: '', decreeNumber: 'SK/123/2026' });
    const asg = (await Assignment.findOne({ where: { userId: user.id } }))!;
    expect([asg.positionId, asg.kind, asg.endDate]).to.deep.equal([pos.id, 'definitif', null]);
    await audited('penugasan.dibuat', 'penugasan', asg.id);

    // The new user signs in and lands on an inbox reachable from the navigation.
    const agent = supertest.agent(app());
    const token = await csrfOf(agent, '/masuk');
    const login = await agent.post('/masuk').type('form').send({ _csrf: token, login: username, password });
    expect(login.status).to.equal(302);
    const landing = await agent.get('/');
    expect(landing.headers.location).to.equal('/kotak-masuk');
    const inbox = await agent.get('/kotak-masuk');
    expect(inbox.status).to.equal(200);
    expect(inbox.text).to.match(/<a href="\/kotak-masuk"[^>]*>\s*Kotak Masuk/);
    expect(textOf(inbox.text)).to.include(posName);
    expect(inbox.text).to.not.include('href="/admin"');
    // And by NIP as well.
    const byNip = await signIn(nip, password);
    expect((await byNip.get('/kotak-masuk')).status).to.equal(200);
  });
});

describe('Access: health check and security headers', () => {
  it('answers /healthz with 200 JSON: database ok and a chromium field', async () => {
    const res = await supertest(app()).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/application\/json/);
    expect(res.body.database.ok).to.equal(true);
    expect(res.body).to.have.property('chromium');
    expect(res.body.chromium).to.have.property('ok');
  });

  it('sends a Content-Security-Policy whose script-src has no unsafe-inline', async () => {
    for (const url of ['/masuk', '/healthz']) {
      const res = await supertest(app()).get(url);
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp, url).to.not.equal('');
      const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '));
      expect(scriptSrc, `${url}: ${csp}`).to.not.equal(undefined);
      expect(scriptSrc).to.not.include("'unsafe-inline'");
      expect(scriptSrc).to.not.include("'unsafe-eval'");
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
    }
    const kadis = await signIn('kadis');
    const page = await kadis.get('/kotak-masuk');
    expect(String(page.headers['content-security-policy'])).to.match(/script-src 'self'(;|$)/);
  });
});
