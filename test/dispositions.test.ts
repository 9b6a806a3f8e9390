import { expect } from 'chai';
import { Assignment, AuditEvent, Disposition, DispositionReport, DispositionReportFile, IncomingLetter, InboxItem, Notification, Position, User } from '../models';
import { setClock, systemClock, FixedClock } from '../platform/clock';
import { localDateTimeValue } from '../platform/dates';
import { ConflictError, ForbiddenError, ValidationError } from '../platform/errors';
import { sendDispositions, type DisposeForm } from '../modules/disposisi/dispositionSender';
import { reportOnDisposition } from '../modules/disposisi/dispositionReporter';
import { recallDisposition } from '../modules/disposisi/dispositionRecaller';
import { markRead } from '../modules/surat-masuk/letterReader';
import { signIn, textOf, type Agent } from './helpers/app';
import { actorOf, buildLetter, buildUser, pdfBytes, positionByRole } from './helpers/factories';

const form = (targets: number[], o: Partial<DisposeForm> = {}): DisposeForm =>
  ({ targets: targets.map(String), instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '', ...o });

async function dispose(login: string, letterId: number, targets: number[], o: Partial<DisposeForm> = {}) {
  const actor = await actorOf(login);
  const via = (await sendableVia(login, letterId));
  return sendDispositions({ actor, letterId, viaPositionId: via, form: form(targets, o) });
}
async function sendableVia(login: string, letterId: number): Promise<number> {
  const actor = await actorOf(login);
  const letter = await IncomingLetter.findByPk(letterId);
  const open = await Disposition.findOne({ where: { letterId, toPositionId: actor.holdings.map((h) => h.positionId), status: ['terkirim', 'dibaca', 'diproses'] } });
  return open?.toPositionId ?? letter!.addressedPositionId;
}
const pos = positionByRole;
const posByName = async (name: string) => (await Position.findOne({ where: { name } }))!;

/** Post a form on the letter page as a signed-in user (token from the page itself). */
async function postFrom(agent: Agent, letterId: number, url: string, fields: Record<string, string | string[]>) {
  const page = await agent.get(`/surat-masuk/${letterId}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  return agent.post(url).type('form').send({ _csrf: token, ...fields });
}

describe('Disposisi', () => {
  afterEach(() => setClock(systemClock));

  it('the Kepala Dinas disposes to the Kabid: paraf, deadline from the SOP, inbox, notification, audit', async () => {
    const letter = await buildLetter();
    const kadis = await signIn('kadis');
    const kabid = await pos('kabid');
    const res = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, {
      via: String(letter.addressedPositionId), targets: [String(kabid.id)], instructions: ['pelajari_laporkan', 'koordinasikan'], note: 'Segera cek kelengkapan', priority: 'segera', dueAt: '',
    });
    expect(res.status, res.text.slice(0, 400)).to.equal(303);
    const d = await Disposition.findOne({ where: { letterId: letter.id } });
    const kadisUser = await User.findOne({ where: { username: 'kadis' } });
    expect(d).to.deep.include({ fromPositionId: letter.addressedPositionId, fromUserId: kadisUser!.id, fromActing: null, toPositionId: kabid.id, status: 'terkirim', priority: 'segera', note: 'Segera cek kelengkapan' });
    expect(d!.instructionCodes()).to.deep.equal(['pelajari_laporkan', 'koordinasikan']);
    expect(d!.dueAt.getTime()).to.be.greaterThan(Date.now());
    expect((await letter.reload()).status).to.equal('didisposisi');
    const item = await InboxItem.findOne({ where: { letterId: letter.id, positionId: kabid.id } });
    expect(item).to.deep.include({ kind: 'disposisi', unread: true });
    expect(item!.dueAt!.getTime()).to.equal(d!.dueAt.getTime());
    const own = await InboxItem.findOne({ where: { letterId: letter.id, positionId: letter.addressedPositionId } });
    expect(own!.doneAt, 'the Kadis acted on the letter').to.be.instanceOf(Date);
    const kabidUser = await User.findOne({ where: { username: 'kabid' } });
    expect(await Notification.count({ where: { userId: kabidUser!.id, dispositionId: d!.id, kind: 'disposisi_baru' } })).to.equal(1);
    expect(await AuditEvent.count({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'disposisi.dikirim' } })).to.equal(1);
    const page = textOf((await kadis.get(`/surat-masuk/${letter.id}`)).text);
    expect(page).to.include('Kepala Bidang Aplikasi Informatika').and.include('Pelajari dan laporkan · Koordinasikan').and.include('Belum dibaca');
    expect(page).to.match(/Paraf: \w+ Dr\. Hendra Wiratama, S\.Kom\., M\.T\., Kepala Dinas Komunikasi dan Informatika, \d+ \w+ \d{4} \d{2}\.\d{2}/);
  });

  it('runs down the hierarchy; the staff member reports with a file and completes; the Kepala Dinas sees the whole tree done', async () => {
    const letter = await buildLetter();
    const [kabid, kasi, staf] = [await pos('kabid'), await posByName('Kepala Seksi e-Government'), await posByName('Pranata Komputer Ahli Pertama (e-Government)')];
    await dispose('kadis', letter.id, [kabid.id]);
    const kabidAgent = await signIn('kabid');
    await kabidAgent.get(`/surat-masuk/${letter.id}`); // opening marks it read
    const d1 = await Disposition.findOne({ where: { letterId: letter.id, toPositionId: kabid.id } });
    expect(d1!.status).to.equal('dibaca');
    expect(d1!.readAt).to.be.instanceOf(Date);
    const r2 = await postFrom(kabidAgent, letter.id, `/surat-masuk/${letter.id}/disposisi`, { via: String(kabid.id), targets: [String(kasi.id)], instructions: ['tindak_lanjuti'], priority: 'biasa', dueAt: '' });
    expect(r2.status).to.equal(303);
    expect((await d1!.reload()).status, 'disposing further puts the Kabid\'s own disposition in progress').to.equal('diproses');
    await dispose('kasi.egov', letter.id, [staf.id], { instructions: ['siapkan_jawaban'] });
    const d3 = await Disposition.findOne({ where: { letterId: letter.id, toPositionId: staf.id } });
    expect(d3!.parentId).to.equal((await Disposition.findOne({ where: { letterId: letter.id, toPositionId: kasi.id } }))!.id);

    const stafAgent = await signIn('staf.egov1');
    const page = await stafAgent.get(`/surat-masuk/${letter.id}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const version = new RegExp(`action="/disposisi/${d3!.id}/laporan[^"]*"[\\s\\S]*?name="version" value="(\\d+)"`).exec(page.text)![1];
    const rep = await stafAgent.post(`/disposisi/${d3!.id}/laporan?_csrf=${encodeURIComponent(token)}`)
      .field('version', version).field('body', 'Subdomain sudah dicek: tersedia.').field('complete', '0').attach('files', pdfBytes('hasil cek'), 'hasil-cek.pdf');
    expect(rep.status, rep.text.slice(0, 300)).to.equal(303);
    const report = await DispositionReport.findOne({ where: { dispositionId: d3!.id } });
    expect(report).to.deep.include({ kind: 'laporan', body: 'Subdomain sudah dicek: tersedia.' });
    const file = await DispositionReportFile.findOne({ where: { reportId: report!.id } });
    expect(file!.originalName).to.equal('hasil-cek.pdf');
    const kasiUser = await User.findOne({ where: { username: 'kasi.egov' } });
    expect(await Notification.count({ where: { userId: kasiUser!.id, kind: 'laporan_disposisi', dispositionId: d3!.id } }), 'the report goes up to the disposer').to.equal(1);
    // The kadis (in the chain) may download the report's file.
    const kadisAgent = await signIn('kadis');
    const dl = await kadisAgent.get(`/berkas-laporan/${file!.id}?unduh=1`);
    expect(dl.status).to.equal(200);
    expect(dl.headers['content-type']).to.equal('application/pdf');

    const page2 = await stafAgent.get(`/surat-masuk/${letter.id}`);
    const token2 = /name="_csrf" value="([^"]+)"/.exec(page2.text)![1];
    const done = await stafAgent.post(`/disposisi/${d3!.id}/laporan?_csrf=${encodeURIComponent(token2)}`)
      .field('version', String((await d3!.reload()).version)).field('body', 'Jawaban sudah disiapkan.').field('complete', '1');
    expect(done.status).to.equal(303);
    expect((await d3!.reload()).status).to.equal('selesai');
    for (const [login, d] of [['kasi.egov', kasi.id], ['kabid', kabid.id]] as const) {
      const x = await Disposition.findOne({ where: { letterId: letter.id, toPositionId: d } });
      await reportOnDisposition({ actor: await actorOf(login), dispositionId: x!.id, expectedVersion: x!.version, body: 'Selesai.', files: [], complete: true });
    }
    const tree = await kadisAgent.get(`/surat-masuk/${letter.id}`);
    const statuses = [...tree.text.matchAll(/data-testid="disposition" data-disposition-id="\d+" data-status="(\w+)"/g)].map((m) => m[1]);
    expect(statuses).to.deep.equal(['selesai', 'selesai', 'selesai']);
    const t = textOf(tree.text);
    expect(t).to.include('Subdomain sudah dicek: tersedia.').and.include('Jawaban sudah disiapkan.').and.include('hasil-cek.pdf');
    expect((await letter.reload()).status).to.equal('diproses');
  });

  it('only the current holder may dispose, only to allowed targets, with instructions and a future deadline', async () => {
    const letter = await buildLetter();
    const kabid = await pos('kabid');
    const kasiIdc = await posByName('Kepala Seksi Infrastruktur dan Data Center');
    const kasiEgov = await posByName('Kepala Seksi e-Government');
    // The Kabid does not hold the letter yet.
    try { await sendDispositions({ actor: await actorOf('kabid'), letterId: letter.id, viaPositionId: kabid.id, form: form([kasiEgov.id]) }); expect.fail('disposed without holding'); }
    catch (e) { expect(e).to.be.instanceOf(ForbiddenError); }
    const kadis = await signIn('kadis');
    const empty = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), targets: [String(kabid.id)], note: '', priority: 'biasa', dueAt: '' });
    expect(empty.status).to.equal(422);
    expect(textOf(empty.text)).to.include('Pilih minimal satu instruksi, atau tulis instruksi sendiri.');
    const none = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), instructions: ['tindak_lanjuti'], priority: 'biasa', dueAt: '' });
    expect(textOf(none.text)).to.include('Pilih minimal satu penerima disposisi.');
    const past = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, {
      via: String(letter.addressedPositionId), targets: [String(kabid.id)], instructions: ['tindak_lanjuti'], priority: 'biasa', dueAt: localDateTimeValue(new Date(Date.now() - 3_600_000)),
    });
    expect(past.status).to.equal(422);
    expect(textOf(past.text)).to.match(/Tenggat .* sudah lewat; pilih waktu yang akan datang\./);
    const badDate = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), targets: [String(kabid.id)], instructions: ['tindak_lanjuti'], priority: 'biasa', dueAt: '2026-02-30T10:00' });
    expect(textOf(badDate.text)).to.include('Tenggat tidak valid');
    const unknown = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), targets: [String(kabid.id)], instructions: ['terbang'], priority: 'biasa', dueAt: '' });
    expect(textOf(unknown.text)).to.include('Ada instruksi yang tidak dikenal.');
    expect(await Disposition.count({ where: { letterId: letter.id } }), 'nothing saved by refused attempts').to.equal(0);
    // With a custom deadline it works; the form kept values on errors before.
    const due = localDateTimeValue(new Date(Date.now() + 2 * 86_400_000));
    expect((await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/disposisi`, { via: String(letter.addressedPositionId), targets: [String(kabid.id)], instructions: ['tindak_lanjuti'], priority: 'biasa', dueAt: due })).status).to.equal(303);
    expect(localDateTimeValue((await Disposition.findOne({ where: { letterId: letter.id } }))!.dueAt)).to.equal(due);
    // The Kasi e-Government is not allowed to dispose to the other section's head.
    await dispose('kabid', letter.id, [kasiEgov.id]);
    try { await dispose('kasi.egov', letter.id, [kasiIdc.id]); expect.fail('disposed sideways'); }
    catch (e) { expect((e as ValidationError).fields.targets).to.equal('Kepala Seksi Infrastruktur dan Data Center bukan tujuan disposisi yang diizinkan untuk Kepala Seksi e-Government.'); }
    // A second, still open disposition to the same target is refused; another recipient can be added.
    try { await dispose('kadis', letter.id, [kabid.id]); expect.fail('duplicate'); }
    catch (e) { expect((e as ValidationError).fields.targets).to.match(/sudah didisposisikan ke Kepala Bidang Aplikasi Informatika dan belum selesai/); }
    const sek = await pos('sekretaris');
    await dispose('kadis', letter.id, [sek.id]);
    expect(await Disposition.count({ where: { letterId: letter.id, fromPositionId: letter.addressedPositionId } })).to.equal(2);
  });

  it('staff of another section cannot see or act on a disposition that does not reach them (404)', async () => {
    const letter = await buildLetter();
    const [d] = await dispose('kadis', letter.id, [(await pos('kabid')).id]);
    const other = await signIn('staf.idc1');
    expect((await other.get(`/surat-masuk/${letter.id}`)).status).to.equal(404);
    const token = /name="_csrf" value="([^"]+)"/.exec((await other.get('/kotak-masuk')).text)![1];
    for (const url of [`/disposisi/${d.id}/tarik`, `/surat-masuk/${letter.id}/disposisi`, `/surat-masuk/${letter.id}/tutup`]) {
      expect((await other.post(url).type('form').send({ _csrf: token, version: '0', reason: 'x', targets: '1', via: '1' })).status, url).to.equal(404);
    }
    expect((await other.post(`/disposisi/${d.id}/laporan?_csrf=${encodeURIComponent(token)}`).field('version', '0').field('body', 'x')).status).to.equal(404);
    expect((await d.reload()).status).to.equal('terkirim');
  });

  it('the disposer recalls while unread (recorded); not after it is read; a recalled disposition cannot be acted on', async () => {
    const letter = await buildLetter();
    const kabid = await pos('kabid');
    const sek = await pos('sekretaris');
    const [d] = await dispose('kadis', letter.id, [sek.id]);
    const kadis = await signIn('kadis');
    const noReason = await postFrom(kadis, letter.id, `/disposisi/${d.id}/tarik`, { version: String(d.version), reason: '' });
    expect(noReason.status).to.equal(422);
    expect(textOf(noReason.text)).to.include('Tuliskan alasan penarikan disposisi.');
    const ok = await postFrom(kadis, letter.id, `/disposisi/${d.id}/tarik`, { version: String(d.version), reason: 'Salah tujuan' });
    expect(ok.status).to.equal(303);
    await d.reload();
    expect(d).to.deep.include({ status: 'ditarik', recallReason: 'Salah tujuan' });
    expect(await InboxItem.count({ where: { letterId: letter.id, positionId: sek.id } }), 'gone from the recipient\'s inbox').to.equal(0);
    expect(await AuditEvent.count({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'disposisi.ditarik' } })).to.equal(1);
    try { await reportOnDisposition({ actor: await actorOf('sekretaris'), dispositionId: d.id, expectedVersion: d.version, body: 'x', files: [], complete: true }); expect.fail('acted on recalled'); }
    catch (e) { expect((e as Error).message).to.include('sudah ditarik'); }
    const [d2] = await dispose('kadis', letter.id, [kabid.id]);
    await markRead(await actorOf('kabid'), letter);
    await d2.reload();
    try { await recallDisposition({ actor: await actorOf('kadis'), dispositionId: d2.id, expectedVersion: d2.version, reason: 'x' }); expect.fail('recalled a read one'); }
    catch (e) { expect((e as ValidationError).fields.reason).to.equal('Disposisi sudah dibaca penerima, sehingga tidak dapat ditarik lagi.'); }
    // Only the disposer may recall.
    const [d3] = await dispose('kadis', letter.id, [(await pos('kasubbag')).id]);
    try { await recallDisposition({ actor: await actorOf('kabid'), dispositionId: d3.id, expectedVersion: d3.version, reason: 'x' }); expect.fail('recalled by other'); }
    catch (e) { expect(e).to.be.instanceOf(ForbiddenError); }
  });

  it('only a recipient reports; a completed disposition cannot be acted on again', async () => {
    const letter = await buildLetter();
    const [d] = await dispose('kadis', letter.id, [(await pos('kabid')).id]);
    try { await reportOnDisposition({ actor: await actorOf('kadis'), dispositionId: d.id, expectedVersion: d.version, body: 'x', files: [], complete: false }); expect.fail('disposer reported'); }
    catch (e) { expect(e).to.be.instanceOf(ForbiddenError); }
    await reportOnDisposition({ actor: await actorOf('kabid'), dispositionId: d.id, expectedVersion: d.version, body: 'Beres.', files: [], complete: true });
    await d.reload();
    expect(d.status).to.equal('selesai');
    expect(d.result).to.equal('Beres.');
    try { await reportOnDisposition({ actor: await actorOf('kabid'), dispositionId: d.id, expectedVersion: d.version, body: 'lagi', files: [], complete: false }); expect.fail('acted on completed'); }
    catch (e) { expect(e).to.be.instanceOf(ConflictError); expect((e as Error).message).to.include('sudah selesai'); }
  });

  it('two officials acting on the same disposition at once: one succeeds, the other is told it changed', async () => {
    const letter = await buildLetter();
    const kabid = await pos('kabid');
    const plt = await buildUser({ positionId: kabid.id, kind: 'plt', startDate: '2020-01-01', endDate: '2099-12-31' });
    try {
      const [d] = await dispose('kadis', letter.id, [kabid.id]);
      const results = await Promise.allSettled([
        reportOnDisposition({ actor: await actorOf('kabid'), dispositionId: d.id, expectedVersion: d.version, body: 'Versi Kabid', files: [], complete: true }),
        reportOnDisposition({ actor: await actorOf(plt), dispositionId: d.id, expectedVersion: d.version, body: 'Versi Plt', files: [], complete: true }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).to.be.instanceOf(ConflictError);
      expect(rejected.reason.message).to.match(/baru saja diubah oleh pengguna lain|sudah selesai/);
      expect(await DispositionReport.count({ where: { dispositionId: d.id } }), 'nothing overwritten silently').to.equal(1);
      // Via the page: a stale form is refused with a message, not applied.
      const [d2] = await dispose('kadis', letter.id, [(await pos('sekretaris')).id]);
      const sek = await signIn('sekretaris');
      await sek.get(`/surat-masuk/${letter.id}`); // reading it bumps the version
      const notMine = await postFrom(sek, letter.id, `/disposisi/${d2.id}/tarik`, { version: String((await d2.reload()).version), reason: 'x' });
      expect(notMine.status, 'only the disposer may recall').to.equal(403);
      const page = await sek.get(`/surat-masuk/${letter.id}`);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const first = await sek.post(`/disposisi/${d2.id}/laporan?_csrf=${encodeURIComponent(token)}`).field('version', String((await d2.reload()).version)).field('body', 'Laporan 1').field('complete', '0');
      expect(first.status).to.equal(303);
      const second = await sek.post(`/disposisi/${d2.id}/laporan?_csrf=${encodeURIComponent(token)}`).field('version', String(d2.version)).field('body', 'Laporan basi').field('complete', '0');
      expect(second.status).to.equal(303);
      const after = await sek.get(second.headers.location);
      expect(textOf(after.text)).to.include('baru saja diubah oleh pengguna lain');
      expect(await DispositionReport.count({ where: { dispositionId: d2.id } })).to.equal(1);
    } finally {
      await Assignment.destroy({ where: { userId: plt.id } });
    }
  });

  it('an acting official (Plt) receives dispositions to the position and acts as such', async () => {
    const letter = await buildLetter();
    const kabid = await pos('kabid');
    const plt = await buildUser({ name: 'Plt Kabid Uji', positionId: kabid.id, kind: 'plt', startDate: '2020-01-01', endDate: '2099-12-31' });
    try {
      const [d] = await dispose('kadis', letter.id, [kabid.id]);
      expect(await Notification.count({ where: { userId: plt.id, dispositionId: d.id } }), 'the Plt is notified too').to.equal(1);
      const kasi = await posByName('Kepala Seksi e-Government');
      const [d2] = await sendDispositions({ actor: await actorOf(plt), letterId: letter.id, viaPositionId: kabid.id, form: form([kasi.id]) });
      expect(d2.fromActing).to.equal('plt');
      const page = textOf((await (await signIn('kadis')).get(`/surat-masuk/${letter.id}`)).text);
      expect(page).to.include('Plt Kabid Uji, Plt. Kepala Bidang Aplikasi Informatika');
    } finally {
      await Assignment.destroy({ where: { userId: plt.id } });
    }
  });

  it('the addressed official closes the letter: open dispositions end, inboxes settle, nothing more can be disposed', async () => {
    const letter = await buildLetter();
    const kabid = await pos('kabid');
    const [d] = await dispose('kadis', letter.id, [kabid.id]);
    const kabidAgent = await signIn('kabid');
    expect((await postFrom(kabidAgent, letter.id, `/surat-masuk/${letter.id}/tutup`, { mode: 'selesai', version: String((await letter.reload()).version) })).status, 'only the addressed official').to.equal(403);
    const kadis = await signIn('kadis');
    const res = await postFrom(kadis, letter.id, `/surat-masuk/${letter.id}/tutup`, { mode: 'arsipkan', note: 'Sudah ditangani lewat telepon', version: String((await letter.reload()).version) });
    expect(res.status).to.equal(303);
    expect((await letter.reload()).status).to.equal('diarsipkan');
    expect((await d.reload()).status).to.equal('selesai');
    expect(d.result).to.include('Sudah ditangani lewat telepon');
    expect(await InboxItem.count({ where: { letterId: letter.id, doneAt: null } })).to.equal(0);
    try { await dispose('kadis', letter.id, [kabid.id]); expect.fail('disposed a closed letter'); }
    catch (e) { expect(e).to.be.instanceOf(ForbiddenError); }
  });

  it('computes the default deadline on the working calendar from the SOP time of the recipient', async () => {
    // Friday 20 November 2026, 15:00 WIB: the Kabid's 1 working day (8.5 h) is 1 h on Friday and
    // 7.5 h from Monday 07:30, so it is due Monday 15:00 WIB.
    setClock(new FixedClock(new Date('2026-11-20T08:00:00Z')));
    const letter = await buildLetter({ letterDate: '2026-11-19', receivedDate: '2026-11-20' });
    const [d] = await dispose('kadis', letter.id, [(await pos('kabid')).id]);
    expect(d.dueAt.toISOString()).to.equal('2026-11-23T08:00:00.000Z');
  });
});
