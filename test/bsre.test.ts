import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { config, setConfig, type Config } from '../config';
import { AuditEvent, LetterNumber, LoginThrottle, Notification, OutgoingLetter, SigningAttempt, SigningServiceStatus, User } from '../models';
import { startBsreMock, type BsreMock } from '../modules/ttd/bsre/mock';
import { BsreClient, BsreError } from '../modules/ttd/bsre/client';
import { signLetter, blobBytes, PASSPHRASE_MAX_ATTEMPTS } from '../modules/ttd/letterSigner';
import { signLetters } from '../modules/ttd/bulkSigner';
import { sweepAttempts } from '../modules/ttd/signingAttempts';
import { checkSigningService, clearStatusCache, signerCertificateStatus, warnExpiringCertificates } from '../modules/ttd/certificateStatus';
import { nikProblem } from '../modules/org/org';
import { AppError, ConflictError } from '../platform/errors';
import { actorOf, positionByRole } from './helpers/factories';
import { requestCountersign, countersignLetter } from '../modules/ttd/letterCountersigner';
import { readyDraft, expectReject, certFor } from './helpers/signing';
import { signIn, csrfOf, textOf } from './helpers/app';
import { renderLetterPdf } from '../modules/templat';
import { blobStore } from '../platform/blobstore';
import { letterDocOf, contentOf, hashContent } from '../modules/surat-keluar';

/**
 * Issue #15 §1: signing through BSrE's Esign Client Service, against the repository's BSrE mock
 * over real HTTP: statuses, error codes, outage, a timeout after the request left (the outcome is
 * unknown), bulk signing, and concurrency. Every signed file is checked by pdfsig with the mock's
 * CA trusted in a temporary NSS database.
 */
describe('TTE through BSrE (Esign Client Service mock)', function () {
  this.timeout(180_000);
  const PASS = 'bsre-rahasia-1';
  let mock: BsreMock;
  let saved: Config;
  let kadisNik: string;
  let dir: string;
  let nss: string;

  const useBsre = (o: Partial<NonNullable<Config['bsre']>> = {}) => {
    setConfig({ ...saved, signingTransport: 'bsre', bsre: { url: mock.url, user: 'esign', password: 'rahasia-gw', api: 'v2', timeoutMs: 5000, statusCacheMs: 0, lateGraceMs: 60_000, ...o } });
    clearStatusCache();
  };
  const pdfsig = (b: Buffer): string => {
    const f = path.join(dir, `s-${Date.now()}-${Math.random()}.pdf`);
    fs.writeFileSync(f, b);
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, f], { encoding: 'utf8' });
    return r.stdout + r.stderr;
  };
  const until = async (fn: () => Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) { if (await fn()) return; await new Promise((r) => setTimeout(r, 100)); }
    throw new Error('condition not reached in time');
  };
  const numbersOf = (draftId: number) => LetterNumber.count({ where: { draftId } });

  before(async () => {
    saved = config();
    const kadis = (await User.findOne({ where: { username: 'kadis' } }))!;
    expect(kadis.nik, 'the demo seed gives signers a NIK').to.match(/^\d{16}$/);
    kadisNik = kadis.nik!;
    const sekr = (await User.findOne({ where: { username: 'sekretaris' } }))!;
    mock = await startBsreMock({
      user: 'esign', password: 'rahasia-gw',
      users: {
        [kadisNik]: { status: 'ISSUE', passphrase: PASS, name: kadis.name },
        '3207125506900002': { status: 'SUSPEND', passphrase: PASS, name: 'Pejabat Ditangguhkan' },
        [sekr.nik!]: { status: 'ISSUE', passphrase: PASS, name: sekr.name },
      },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-bsre-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), mock.ca.certPem);
    nss = path.join(dir, 'nssdb');
    fs.mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'Mock BSrE CA', '-t', 'CT,C,C', '-i', path.join(dir, 'ca.pem')]);
  });
  beforeEach(async () => {
    useBsre();
    mock.set({ mode: 'normal', latencyMs: 0 });
    await mock.setDown(false);
    await LoginThrottle.destroy({ where: {} });
    await SigningServiceStatus.destroy({ where: {} });
  });
  after(async () => { setConfig(saved); await mock?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('the client speaks v1 and v2: statuses, gateway credentials, errors, v1 one-time download', async () => {
    for (const api of ['v1', 'v2'] as const) {
      const c = new BsreClient({ url: mock.url, user: 'esign', password: 'rahasia-gw', api, timeoutMs: 5000 });
      expect((await c.status(kadisNik)).status).to.equal('ISSUE');
      expect((await c.status('3207125506900002')).status).to.equal('SUSPEND');
      const nr = await c.status('3207120101900009');
      expect([nr.status, nr.statusCode]).to.deep.equal(['NOT_REGISTERED', 1110]);
      const bad = new BsreClient({ url: mock.url, user: 'esign', password: 'salah', api, timeoutMs: 5000 });
      const e = await expectReject(bad.status(kadisNik), BsreError) as BsreError;
      expect(e.bsreCode).to.equal('bsre_auth');
      const pdf = await blobBytes((await readyDraftRender()).sha);
      const wrong = await expectReject(c.sign({ nik: kadisNik, passphrase: 'keliru', files: [pdf] }), BsreError) as BsreError;
      expect(wrong.bsreCode).to.equal('bsre_passphrase');
      expect(wrong.message).to.contain('Passphrase salah');
      const unknown = await expectReject(c.sign({ nik: '3207120101900009', passphrase: PASS, files: [pdf] }), BsreError) as BsreError;
      expect(unknown.bsreCode).to.equal('bsre_not_registered');
      const notPdf = await expectReject(c.sign({ nik: kadisNik, passphrase: PASS, files: [Buffer.from('bukan pdf')] }), BsreError) as BsreError;
      expect(notPdf.bsreCode).to.equal('bsre_invalid_pdf');
      const [signed] = await c.sign({ nik: kadisNik, passphrase: PASS, files: [pdf] });
      const out = pdfsig(signed);
      expect(out, api).to.contain('Signature is Valid');
      expect(out, api).to.contain('Certificate is Trusted');
    }
    // v1 returns the document's id; BSrE hands the file out once more, then no longer.
    const before = mock.log.length;
    const v1 = new BsreClient({ url: mock.url, user: 'esign', password: 'rahasia-gw', api: 'v1', timeoutMs: 5000 });
    const r = await fetch(`${mock.url}/api/sign/pdf`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('esign:rahasia-gw').toString('base64')}` }, body: multipartOf(kadisNik, PASS, await blobBytes((await readyDraftRender()).sha)) });
    expect(r.status).to.equal(200);
    const idDok = r.headers.get('id_dokumen')!;
    expect((await v1.download(idDok)).subarray(0, 5).toString()).to.equal('%PDF-');
    await expectReject(v1.download(idDok), BsreError);
    expect(mock.log.length).to.be.greaterThan(before);
    // The gateway is up but its VPN to BSrE is not: an outage too, with the gateway's words.
    mock.set({ mode: 'vpn_down' });
    const vpn = await expectReject(v1.status(kadisNik), BsreError) as BsreError;
    expect([vpn.bsreCode, /vpn/.test(vpn.detail ?? '')]).to.deep.equal(['bsre_unreachable', true]);
    mock.set({ mode: 'normal' });
    // Nothing listens: unreachable, not "unknown".
    const dead = new BsreClient({ url: 'http://127.0.0.1:9', user: 'esign', password: 'x', api: 'v2', timeoutMs: 2000 });
    const down = await expectReject(dead.status(kadisNik), BsreError) as BsreError;
    expect([down.bsreCode, down.detail]).to.deep.equal(['bsre_unreachable', 'koneksi ditolak: layanan tidak berjalan di alamat itu']);
  });

  it('signs a letter through BSrE: one number, the signed PDF valid and trusted (pdfsig), the attempt recorded as done', async () => {
    const d = await readyDraft();
    const calls = mock.log.length;
    const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    expect(l.status).to.equal('ditandatangani');
    expect(mock.log.length).to.equal(calls + 1);
    const signed = await blobBytes(l.signedBlobSha!);
    const out = pdfsig(signed);
    expect(out).to.contain('Signature is Valid');
    expect(out).to.contain('Certificate is Trusted');
    expect(await numbersOf(d.id)).to.equal(1);
    const a = (await SigningAttempt.findAll({ where: { letterId: d.id } }));
    expect(a.map((x) => [x.status, x.transport, x.plannedNumber, x.signedBlobSha])).to.deep.equal([['berhasil', 'bsre', l.letterNumber, l.signedBlobSha]]);
    const ev = (await AuditEvent.findOne({ where: { action: 'surat_keluar.ditandatangani', entityId: String(d.id) } }))!;
    expect((typeof ev.after === 'string' ? JSON.parse(ev.after) : ev.after).layanan).to.equal('bsre');
  });

  it('a wrong passphrase says so (BSrE 2031), takes no number and is throttled; a suspended certificate is refused before any passphrase is sent', async () => {
    const d = await readyDraft();
    const kadis = await actorOf('kadis');
    const e = await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: 'salah' }), AppError);
    expect(e.message).to.contain('Passphrase salah');
    expect(await numbersOf(d.id)).to.equal(0);
    expect((await OutgoingLetter.findByPk(d.id))!.status).to.equal('siap_ttd');
    for (let i = 1; i < PASSPHRASE_MAX_ATTEMPTS - 1; i++) await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: 'salah' }));
    const locked = await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: 'salah' }), AppError) as AppError;
    expect(locked.code).to.equal('signing_throttled');
    await LoginThrottle.destroy({ where: {} });

    // The Kepala Dinas's certificate is suspended at BSrE: the page says so, and signing never calls BSrE's sign.
    mock.users.get(kadisNik)!.status = 'SUSPEND';
    try {
      const st = await signerCertificateStatus(kadis.user.id);
      expect([st.usable, st.tone]).to.deep.equal([false, 'error']);
      expect(st.text).to.contain('ditangguhkan');
      const agent = await signIn('kadis');
      const page = textOf((await agent.get(`/surat-keluar/${d.id}`)).text);
      expect(page).to.contain('ditangguhkan');
      const html = (await agent.get(`/surat-keluar/${d.id}`)).text;
      expect(html).to.not.contain('data-testid="sign-form"');
      const calls = mock.log.length;
      const r = await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: PASS }), AppError) as AppError;
      expect(r.code).to.equal('bsre_status');
      expect(mock.log.length).to.equal(calls);
      // The drafter sees it too.
      const drafter = await signIn('kasi.egov');
      expect(textOf((await drafter.get(`/surat-keluar/${d.id}`)).text)).to.contain('ditangguhkan');
    } finally { mock.users.get(kadisNik)!.status = 'ISSUE'; }

    // A signer without a NIK is told to have it recorded.
    const kadisUser = (await User.findByPk(kadis.user.id))!;
    await kadisUser.update({ nik: null });
    try {
      const r = await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS }), AppError) as AppError;
      expect(r.code).to.equal('bsre_no_nik');
    } finally { await kadisUser.update({ nik: kadisNik }); }
    expect(await numbersOf(d.id)).to.equal(0);
  });

  it('outage: BSrE unreachable -> the letter waits ("menunggu TTE") with the reason, the drafter is told; the scheduler sees it back and says so; one click signs', async () => {
    const d = await readyDraft();
    const kadis = await actorOf('kadis');
    await mock.setDown(true);
    const e = await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: PASS }), AppError) as AppError;
    expect(e.code).to.equal('bsre_unreachable');
    expect(e.message).to.contain('tidak dapat dihubungi');
    expect((await OutgoingLetter.findByPk(d.id))!.status).to.equal('siap_ttd');
    expect(await numbersOf(d.id)).to.equal(0);
    expect((await SigningServiceStatus.findByPk('bsre'))!.reachable).to.equal(false);
    const drafter = (await User.findOne({ where: { username: 'kasi.egov' } }))!;
    expect(await Notification.count({ where: { userId: drafter.id, kind: 'tte_tertunda' } })).to.be.greaterThan(0);
    const agent = await signIn('kadis');
    const page = textOf((await agent.get(`/surat-keluar/${d.id}`)).text);
    expect(page).to.contain('Menunggu TTE: layanan BSrE tidak dapat dihubungi');
    expect(await checkSigningService()).to.equal('terputus');

    await mock.setDown(false);
    expect(await checkSigningService()).to.equal('pulih');
    expect(await Notification.count({ where: { userId: kadis.user.id, kind: 'tte_pulih' } })).to.be.greaterThan(0);
    expect(await checkSigningService()).to.equal('tersedia');
    const l = await signLetter({ actor: kadis, letterId: d.id, passphrase: PASS });
    expect(l.status).to.equal('ditandatangani');
    expect(await numbersOf(d.id)).to.equal(1);
  });

  it('a timeout after BSrE accepted: the outcome is unknown, the letter cannot be signed twice, and the late signed file is used with its one number', async () => {
    useBsre({ timeoutMs: 800, lateGraceMs: 20_000 });
    mock.set({ mode: 'hold', holdMs: 2500 });
    const d = await readyDraft();
    const kadis = await actorOf('kadis');
    const e = await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: PASS }), AppError) as AppError;
    expect(e.code).to.equal('signing_pending');
    expect(e.message).to.contain('belum diketahui');
    const open = (await SigningAttempt.findOne({ where: { letterId: d.id } }))!;
    expect(open.status).to.equal('tidak_pasti');
    await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: PASS }), ConflictError, 'belum diketahui');
    const agent = await signIn('kadis');
    expect((await agent.get(`/surat-keluar/${d.id}`)).text).to.contain('data-testid="attempt-open"');
    await until(async () => (await OutgoingLetter.findByPk(d.id))!.status === 'ditandatangani');
    const l = (await OutgoingLetter.findByPk(d.id))!;
    expect(l.letterNumber).to.equal(open.plannedNumber);
    expect(await numbersOf(d.id)).to.equal(1);
    expect((await SigningAttempt.findByPk(open.id))!.status).to.equal('berhasil');
    expect(pdfsig(await blobBytes(l.signedBlobSha!))).to.contain('Signature is Valid');
  });

  it('no answer at all: after the grace the attempt closes, no number was used, and signing again gives the letter one number and one file', async () => {
    useBsre({ timeoutMs: 600, lateGraceMs: 800 });
    mock.set({ mode: 'hold', holdMs: -1 });
    const d = await readyDraft();
    const kadis = await actorOf('kadis');
    await expectReject(signLetter({ actor: kadis, letterId: d.id, passphrase: PASS }), AppError, 'belum diketahui');
    const a = (await SigningAttempt.findOne({ where: { letterId: d.id } }))!;
    await until(async () => (await SigningAttempt.findByPk(a.id))!.status === 'gagal');
    expect((await SigningAttempt.findByPk(a.id))!.errorCode).to.equal('tanpa_jawaban');
    expect(await numbersOf(d.id)).to.equal(0);
    mock.set({ mode: 'normal' });
    useBsre();
    const l = await signLetter({ actor: kadis, letterId: d.id, passphrase: PASS });
    expect(l.letterNumber).to.equal(a.plannedNumber);
    expect(await numbersOf(d.id)).to.equal(1);
    // An attempt a crash left open is closed by the scheduler once its time is over.
    const d2 = await readyDraft();
    const stale = await SigningAttempt.create({ letterId: d2.id, kind: 'ttd', userId: kadis.user.id, transport: 'bsre', batchId: null, plannedNumber: 'X/1', status: 'berjalan', startedAt: new Date(Date.now() - 7200_000), settleBy: new Date(Date.now() - 60_000) });
    expect(await sweepAttempts()).to.be.greaterThanOrEqual(1);
    expect((await SigningAttempt.findByPk(stale.id))!.status).to.equal('gagal');
  });

  it('bulk: three letters with one passphrase, each numbered on its own; one failing does not fail the others; a wrong passphrase stops the run', async () => {
    const kadis = await actorOf('kadis');
    const ds = [await readyDraft(), await readyDraft(), await readyDraft()];
    const already = await readyDraft();
    await signLetter({ actor: kadis, letterId: already.id, passphrase: PASS });
    const r = await signLetters({ actor: kadis, letterIds: [ds[0].id, already.id, ds[1].id, ds[2].id], passphrase: PASS });
    expect([r.signed, r.failed, r.skipped]).to.deep.equal([3, 1, 0]);
    expect(r.items.find((i) => i.letterId === already.id)!.message).to.contain('sudah ditandatangani');
    const nums = (await OutgoingLetter.findAll({ where: { id: ds.map((d) => d.id) } })).map((l) => l.letterNumber);
    expect(new Set(nums).size).to.equal(3);
    expect(nums.every(Boolean)).to.equal(true);
    expect(new Set((await SigningAttempt.findAll({ where: { letterId: ds.map((d) => d.id), status: 'berhasil' } })).map((a) => a.batchId)).size).to.equal(1);

    const more = [await readyDraft(), await readyDraft()];
    const w = await signLetters({ actor: kadis, letterIds: more.map((d) => d.id), passphrase: 'salah' });
    expect([w.signed, w.failed, w.skipped]).to.deep.equal([0, 1, 1]);
    expect(w.items[1].message).to.contain('Tidak dicoba');
    expect(await LetterNumber.count({ where: { draftId: more.map((d) => d.id) } })).to.equal(0);

    // Through the page: the form on the "Siap tanda tangan" tab, CSRF and all.
    const agent = await signIn('kadis');
    const list = (await agent.get('/surat-keluar?tab=ttd')).text;
    expect(list).to.contain('data-testid="bulk-sign-form"');
    const csrf = await csrfOf(agent, '/surat-keluar?tab=ttd');
    const res = await agent.post('/surat-keluar/tandatangani-banyak').type('form').send(`_csrf=${encodeURIComponent(csrf)}&passphrase=${PASS}&letterId=${more[0].id}&letterId=${more[1].id}`);
    expect(res.status).to.equal(303);
    const after = (await agent.get('/surat-keluar?tab=ttd')).text;
    expect(textOf(after)).to.contain('2 dari 2 surat ditandatangani');
    expect(after).to.contain('data-testid="bulk-item-ok"');
    const none = await agent.post('/surat-keluar/tandatangani-banyak').type('form').send(`_csrf=${encodeURIComponent(csrf)}&passphrase=${PASS}`);
    expect(none.status).to.equal(303);
    expect(textOf((await agent.get('/surat-keluar?tab=ttd')).text)).to.contain('Pilih sedikitnya satu surat');
  });

  it('a countersignature through BSrE keeps the first signature valid; both are trusted', async () => {
    const d = await readyDraft();
    await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    await requestCountersign({ actor: await actorOf('kadis'), letterId: d.id, positionId: (await positionByRole('sekretaris')).id, note: '' });
    const wrong = await expectReject(countersignLetter({ actor: await actorOf('sekretaris'), letterId: d.id, passphrase: 'keliru' }), BsreError) as BsreError;
    expect(wrong.bsreCode).to.equal('bsre_passphrase');
    const { letter } = await countersignLetter({ actor: await actorOf('sekretaris'), letterId: d.id, passphrase: PASS });
    const out = pdfsig(await blobBytes(letter.signedBlobSha!));
    expect(out.match(/Signature is Valid/g)?.length).to.equal(2);
    expect(out.match(/Certificate is Trusted/g)?.length).to.equal(2);
  });

  it('concurrent: the same letter signed twice at once gets one number and one file; two letters at once get two numbers', async () => {
    mock.set({ latencyMs: 150 });
    const kadis = await actorOf('kadis');
    const d = await readyDraft();
    const rs = await Promise.allSettled([1, 2, 3].map(() => signLetter({ actor: kadis, letterId: d.id, passphrase: PASS })));
    expect(rs.filter((r) => r.status === 'fulfilled').length).to.equal(1);
    for (const r of rs) if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(ConflictError);
    expect(await numbersOf(d.id)).to.equal(1);
    const pair = [await readyDraft(), await readyDraft()];
    const done = await Promise.all(pair.map((x) => signLetter({ actor: kadis, letterId: x.id, passphrase: PASS })));
    expect(done[0].letterNumber).to.not.equal(done[1].letterNumber);
  });

  it('NIK: validated, unique, never shown on the admin pages or in the audit trail', async () => {
    expect(nikProblem('3207121104720001')).to.equal(null);
    expect(nikProblem('3207125104720001')).to.equal(null);
    expect(nikProblem('32071211047200')).to.contain('16 digit');
    expect(nikProblem('0007121104720001')).to.contain('provinsi');
    expect(nikProblem('3207121199720001')).to.contain('tanggal lahir');
    expect(nikProblem('3207121104720000')).to.contain('0000');
    const admin = await signIn('admin');
    const staf = (await User.findOne({ where: { username: 'staf.egov2' } }))!;
    const form = (await admin.get(`/admin/pengguna/${staf.id}`)).text;
    if (staf.nik) expect(form).to.not.contain(staf.nik);
    const csrf = await csrfOf(admin, `/admin/pengguna/${staf.id}`);
    const base = { _csrf: csrf, name: staf.name, username: staf.username, nip: staf.nip ?? '', pangkat: staf.pangkat ?? '', golongan: staf.golongan ?? '', email: staf.email ?? '', phone: '', active: '1' };
    const bad = await admin.post(`/admin/pengguna/${staf.id}`).type('form').send({ ...base, nik: '12345' });
    expect(bad.status).to.equal(422);
    expect(textOf(bad.text)).to.contain('NIK harus 16 digit');
    const taken = await admin.post(`/admin/pengguna/${staf.id}`).type('form').send({ ...base, nik: kadisNik });
    expect(textOf(taken.text)).to.contain('NIK sudah tercatat');
    const ok = await admin.post(`/admin/pengguna/${staf.id}`).type('form').send({ ...base, nik: '3207121010960099' });
    expect(ok.status).to.equal(303);
    expect((await User.findByPk(staf.id))!.nik).to.equal('3207121010960099');
    // Saving again with the field empty keeps it.
    await admin.post(`/admin/pengguna/${staf.id}`).type('form').send({ ...base, nik: '' });
    expect((await User.findByPk(staf.id))!.nik).to.equal('3207121010960099');
    expect((await admin.get('/admin/pengguna')).text).to.not.contain('3207121010960099');
    expect((await admin.get(`/admin/pengguna/${staf.id}`)).text).to.not.contain('3207121010960099');
    const evs = await AuditEvent.findAll({ where: { entityType: 'pengguna', entityId: String(staf.id) } });
    expect(JSON.stringify(evs.map((e) => [e.before, e.after]))).to.not.contain('3207121010960099');
  });

  it('local certificates: the status warns 30 and 7 days before expiry, once each as a notification', async () => {
    setConfig(saved);
    const c = await certFor('sekretaris', { notAfter: new Date(Date.now() + 20 * 86_400_000) });
    const st = await signerCertificateStatus(c.userId);
    expect([st.tone, st.usable]).to.deep.equal(['warn', true]);
    expect(st.text).to.match(/berakhir .* \(\d+ hari lagi\)/);
    const n0 = await Notification.count({ where: { userId: c.userId, kind: 'sertifikat_berakhir' } });
    await warnExpiringCertificates();
    await warnExpiringCertificates();
    expect(await Notification.count({ where: { userId: c.userId, kind: 'sertifikat_berakhir' } })).to.equal(n0 + 1);
    const c7 = await certFor('sekretaris', { notAfter: new Date(Date.now() + 5 * 86_400_000) });
    await warnExpiringCertificates();
    expect(await Notification.count({ where: { userId: c7.userId, kind: 'sertifikat_berakhir' } })).to.equal(n0 + 2);
    await certFor('sekretaris', { notAfter: new Date(Date.now() - 86_400_000), notBefore: new Date(Date.now() - 400 * 86_400_000) });
    const gone = await signerCertificateStatus(c.userId);
    expect([gone.tone, gone.usable]).to.deep.equal(['error', false]);
    expect(gone.text).to.contain('kedaluwarsa');
    await certFor('sekretaris');
  });
});

/** A rendered, unsigned letter PDF (the blob of a draft's preview) for the client tests. */
async function readyDraftRender(): Promise<{ sha: string }> {
  const d = await readyDraft();
  const content = await contentOf(d);
  const pdf = await renderLetterPdf(await letterDocOf(d, content, hashContent(content)));
  return { sha: (await blobStore().putBuffer(pdf)).sha256 };
}

function multipartOf(nik: string, passphrase: string, pdf: Buffer): Blob {
  const fd = new FormData();
  fd.set('nik', nik); fd.set('passphrase', passphrase); fd.set('tampilan', 'invisible');
  fd.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'surat.pdf');
  return fd as unknown as Blob;
}
