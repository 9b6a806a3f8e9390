import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import supertest from 'supertest';
import { SMTPServer } from 'smtp-server';
import { AuditEvent, IncomingLetter, InboxItem, LetterNumber, OutgoingDispatch, OutgoingLetter, OutgoingRecipient } from '../models';
import { app, signIn, csrfOf, textOf } from './helpers/app';
import { actorOf, buildAgency, buildLetter, positionByRole, uniq } from './helpers/factories';
import { demoChain } from './helpers/outgoing';
import { SIGN_PASS, certFor, readyDraft, expectReject } from './helpers/signing';
import { submitDraft } from '../modules/surat-keluar/draftSubmitter';
import { signLetter, blobBytes, PASSPHRASE_MAX_ATTEMPTS } from '../modules/ttd/letterSigner';
import { dispatchLetter, deliverDispatchEmails } from '../modules/ttd/letterDispatcher';
import { revokeLetter, replaceLetter } from '../modules/ttd/letterRevoker';
import { config, loadConfig, setConfig, type Config } from '../config';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { SigningError } from '../platform/pdfSign';
import { LoginThrottle } from '../models';

/**
 * Issue #5 around the signing core: sign action (number + render + stamp + PAdES through the
 * core's LocalP12Transport with a dev-CA P12), dispatch, revoke/replace, public verification.
 */
describe('Surat Keluar: TTE, dispatch and verification', function () {
  this.timeout(120_000);
  const PASS = SIGN_PASS;

  before(async () => { await certFor('kadis'); });
  beforeEach(async () => { await LoginThrottle.destroy({ where: {} }); });

  it('signs: number, stamped PDF signed (pdfsig valid), blobs, status, audit; refuses twice and non-signers', async () => {
    const d = await readyDraft();
    await expectReject(signLetter({ actor: await actorOf('kabid'), letterId: d.id, passphrase: PASS }), ForbiddenError);
    const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    expect(l.status).to.equal('ditandatangani');
    expect(l.letterNumber).to.match(/\S+/);
    expect(l.verificationCode).to.match(/^[A-Za-z0-9_-]{22}$/);
    const signed = await blobBytes(l.signedBlobSha!);
    expect(crypto.createHash('sha256').update(signed).digest('hex')).to.equal(l.signedBlobSha);
    const unsigned = await blobBytes(l.unsignedBlobSha!);
    expect(signed.subarray(0, unsigned.length).equals(unsigned)).to.equal(true);
    expect(signed.includes(Buffer.from('ETSI.CAdES.detached'))).to.equal(true);
    expect(await LetterNumber.count({ where: { draftId: d.id, number: l.letterNumber! } })).to.equal(1);
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.ditandatangani', entityId: String(d.id) } })).to.equal(1);
    const tmp = path.join(os.tmpdir(), `ttd-${d.id}.pdf`);
    fs.writeFileSync(tmp, signed);
    try {
      const out = execFileSync('pdfsig', [tmp], { encoding: 'utf8' });
      expect(out).to.contain('Signature is Valid');
      execFileSync('qpdf', ['--check', tmp]);
      const tampered = Buffer.from(signed); tampered[200] ^= 0x01;
      fs.writeFileSync(tmp, tampered);
      expect(execFileSync('pdfsig', [tmp], { encoding: 'utf8' })).to.not.contain('Signature is Valid');
    } finally { fs.rmSync(tmp, { force: true }); }
    await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS }), ConflictError, 'sudah ditandatangani');
  });

  it('through the pages: a wrong passphrase is a message on the letter page; the right one signs and shows the number', async () => {
    const d = await readyDraft();
    const agent = await signIn('kadis');
    const show = await agent.get(`/surat-keluar/${d.id}`);
    expect(show.text).to.contain('data-testid="sign-form"');
    const token = await csrfOf(agent, `/surat-keluar/${d.id}`);
    const bad = await agent.post(`/surat-keluar/${d.id}/tandatangani`).type('form').send({ _csrf: token, passphrase: 'salah' });
    expect(bad.status).to.equal(303);
    expect(textOf((await agent.get(`/surat-keluar/${d.id}`)).text)).to.contain('Passphrase sertifikat salah');
    await LoginThrottle.destroy({ where: {} });
    const ok = await agent.post(`/surat-keluar/${d.id}/tandatangani`).type('form').send({ _csrf: await csrfOf(agent, `/surat-keluar/${d.id}`), passphrase: PASS });
    expect(ok.status).to.equal(303);
    const after = await agent.get(`/surat-keluar/${d.id}`);
    const l = (await OutgoingLetter.findByPk(d.id))!;
    expect(after.text).to.contain(l.letterNumber!).and.contain(`/verifikasi/${l.verificationCode}`);
    const pdf = await agent.get(`/surat-keluar/${d.id}/ttd.pdf`).buffer(true);
    expect(pdf.status).to.equal(200);
    const kasi = await signIn('kasi.egov');
    expect((await kasi.get(`/surat-keluar/${d.id}/kirim`)).status).to.equal(200);
  });

  it('wrong passphrase: nothing signed, number not taken, audited, throttled after repeated attempts', async () => {
    const d = await readyDraft();
    const numbersBefore = await LetterNumber.count();
    for (let i = 0; i < PASSPHRASE_MAX_ATTEMPTS - 1; i++) {
      const e = await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: 'salah' }), SigningError);
      expect(e.message).to.contain('Passphrase');
    }
    const last = await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: 'salah' }));
    expect((last as { status?: number }).status).to.equal(429);
    const again = await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS }));
    expect((again as { status?: number }).status).to.equal(429);
    const cur = (await OutgoingLetter.findByPk(d.id))!;
    expect(cur.status).to.equal('siap_ttd');
    expect(cur.letterNumber).to.equal(null);
    expect(await LetterNumber.count()).to.equal(numbersBefore);
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.ttd_gagal', entityId: String(d.id) } })).to.be.at.least(PASSPHRASE_MAX_ATTEMPTS);
  });

  it('refuses an expired certificate and a draft not ready to sign', async () => {
    const d = await readyDraft();
    await certFor('kadis', { notBefore: new Date(Date.now() - 400 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    try {
      const e = await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS }), SigningError);
      expect(e.message).to.contain('kedaluwarsa');
      expect((await OutgoingLetter.findByPk(d.id))!.status).to.equal('siap_ttd');
    } finally { await certFor('kadis'); }
    const inParaf = await readyDraft({}, null, true);
    expect(inParaf.status).to.equal('dalam_paraf');
    // Before every paraf is in, the draft does not exist for the signer (issue #4 policy): 404.
    await expectReject(signLetter({ actor: await actorOf('kadis'), letterId: inParaf.id, passphrase: PASS }), NotFoundError);
  });

  it('dispatch: internal inbox as one incoming letter, e-mail with the signed PDF via SMTP, answered letter becomes dibalas', async () => {
    const incoming = await buildLetter({ perihal: uniq('Permohonan subdomain '), addressedPositionId: (await demoChain()).kasi.id });
    const kabid = await positionByRole('kabid');
    const ag = await buildAgency();
    const d = await readyDraft({ kepada: [`a:${ag.id}`], kepadaText: [''], tembusan: [`p:${kabid.id}`], tembusanText: [''] }, incoming.id);
    const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    const recips = await OutgoingRecipient.findAll({ where: { letterId: l.id } });
    const ext = recips.find((r) => r.agencyId === ag.id)!;
    const messages: string[] = [];
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, _s, cb) { const c: Buffer[] = []; stream.on('data', (x: Buffer) => c.push(x)); stream.on('end', () => { messages.push(Buffer.concat(c).toString('utf8')); cb(); }); },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const original: Config = config();
    try {
      const c = config();
      setConfig(loadConfig({ ...process.env, NODE_ENV: 'test', DB_URL: c.dbUrl, BLOB_DIR: c.blobDir, SESSION_SECRET: c.sessionSecret, DEMO_SEED: c.demoSeed, SMTP_URL: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}` }));
      const r = await dispatchLetter({ actor: await actorOf('kasi.egov'), letterId: l.id, choices: { [ext.id]: { channel: 'email', email: 'tu@skpd-uji.go.id' } } });
      expect(r.letter.status).to.equal('dikirim');
      expect(r.incoming).to.not.equal(null);
      expect(await InboxItem.count({ where: { letterId: r.incoming!.id, positionId: kabid.id, kind: 'tembusan' } })).to.equal(1);
      expect(r.incoming!.sourceOutgoingId).to.equal(l.id);
      await deliverDispatchEmails();
      const row = (await OutgoingDispatch.findOne({ where: { letterId: l.id, channel: 'email' } }))!;
      expect(row.emailStatus).to.equal('sent');
      expect(messages.length).to.equal(1);
      expect(messages[0]).to.contain('application/pdf');
    } finally { setConfig(original); await new Promise<void>((r) => server.close(() => r())); }
    const ans = (await IncomingLetter.findByPk(incoming.id))!;
    expect(ans.status).to.equal('dibalas');
    expect(ans.answeredByOutgoingId).to.equal(l.id);
    await expectReject(dispatchLetter({ actor: await actorOf('kasi.egov'), letterId: l.id, choices: {} }), ConflictError);
  });

  it('verification page: valid, upload identical = authentic, one changed byte = changed, non-PDF refused; revoke shows DICABUT', async () => {
    const d = await readyDraft();
    const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    const agent = supertest.agent(app());
    const page = await agent.get(`/verifikasi/${l.verificationCode}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(l.letterNumber!).and.contain(l.signedBlobSha!).and.contain('BERLAKU').and.contain(l.perihal);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const signed = await blobBytes(l.signedBlobSha!);
    const post = (buf: Buffer, name = 'surat.pdf') => agent.post(`/verifikasi/${l.verificationCode}?_csrf=${encodeURIComponent(token)}`).attach('berkas', buf, name);
    const ok = await post(signed);
    expect(ok.status).to.equal(200);
    expect(ok.text).to.contain('ASLI DAN TIDAK BERUBAH');
    // The signature inside the file is checked too, not only its hash.
    expect(ok.text).to.contain('data-testid="sig-list"').and.contain('tanda tangan sah, berkas tidak berubah sejak ditandatangani').and.not.contain('sig-unchecked');
    const changed = Buffer.from(signed); changed[changed.length - 100] ^= 0x01;
    const bad = await post(changed);
    expect(bad.text).to.contain('TELAH DIUBAH').and.not.contain('ASLI DAN TIDAK BERUBAH');
    // A byte changed inside the signed range: the signature no longer holds.
    const inside = Buffer.from(signed); inside[200] ^= 0x01;
    expect((await post(inside)).text).to.contain('TELAH DIUBAH').and.contain('TANDA TANGAN TIDAK SAH');
    const notPdf = await post(Buffer.from('hello'), 'x.txt');
    expect(notPdf.status).to.equal(400);
    expect(notPdf.text).to.contain('bukan PDF');
    expect((await agent.get('/verifikasi/tidak-ada-kode-seperti-ini')).status).to.equal(404);

    await expectReject(revokeLetter({ actor: await actorOf('kabid'), letterId: l.id, reason: 'salah alamat surat' }));
    await revokeLetter({ actor: await actorOf('kadis'), letterId: l.id, reason: 'salah alamat surat' });
    const after = await agent.get(`/verifikasi/${l.verificationCode}`);
    expect(after.text).to.contain('DICABUT');
    expect((await post(signed)).text).to.contain('TIDAK BERLAKU LAGI');
  });

  it('the number register masks a signed Rahasia letter\'s perihal for the secretariat, Sekretaris and admin, not for its signer', async () => {
    const d = await readyDraft({ sifat: 'rahasia', perihal: uniq('Penanganan insiden siber ') });
    const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    const n = (await LetterNumber.findOne({ where: { draftId: l.id } }))!;
    expect(n.perihal, 'the number row keeps the perihal for the letter\'s own chain').to.equal(l.perihal);
    for (const who of ['sekretariat', 'sekretaris', 'admin']) {
      const agent = await signIn(who);
      for (const url of [`/nomor-surat?tahun=${n.year}`, `/nomor-surat/${n.id}`]) {
        const page = await agent.get(url);
        expect(page.status, `${who} ${url}`).to.equal(200);
        expect(page.text, `${who} ${url}`).to.contain(n.number).and.not.contain(l.perihal);
        expect(textOf(page.text)).to.contain('(dirahasiakan)');
      }
    }
    // Recording the same number by hand is refused without telling its perihal.
    const clerk = await signIn('sekretariat');
    const token = await csrfOf(clerk, '/nomor-surat/manual');
    const dup = await clerk.post('/nomor-surat/manual').type('form').send({ _csrf: token, number: n.number, jenisNaskah: n.jenisNaskahCode, klasifikasi: n.klasifikasiCode, letterDate: n.letterDate, perihal: '', reason: 'dicatat ulang untuk uji' });
    expect(dup.text).to.contain('sudah dipakai').and.not.contain(l.perihal);
  });

  it('replace: a new draft names the old letter; once signed, the old one reads DIGANTI; Rahasia hides perihal', async () => {
    const d = await readyDraft({ sifat: 'rahasia' });
    const old = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: PASS });
    const page = await supertest(app()).get(`/verifikasi/${old.verificationCode}`);
    expect(page.text).to.not.contain(old.perihal);
    const draft = await replaceLetter({ actor: await actorOf('kadis'), letterId: old.id, reason: 'perbaikan tanggal aktif' });
    expect(draft.replacesId).to.equal(old.id);
    await submitDraft({ actor: await actorOf('kadis'), letterId: draft.id, expectedLockVersion: (await OutgoingLetter.findByPk(draft.id))!.lockVersion });
    const ready = (await OutgoingLetter.findByPk(draft.id))!;
    expect(ready.status).to.equal('siap_ttd');
    const neu = await signLetter({ actor: await actorOf('kadis'), letterId: draft.id, passphrase: PASS });
    expect((await OutgoingLetter.findByPk(old.id))!.replacedById).to.equal(neu.id);
    const again = await supertest(app()).get(`/verifikasi/${old.verificationCode}`);
    expect(again.text).to.contain('DIGANTI').and.contain(neu.letterNumber!);
  });
});

