import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'chai';
import supertest from 'supertest';
import { AuditEvent, Blob, LoginThrottle, Notification, OutgoingCountersign, OutgoingLetter, OutgoingRecipient, User } from '../models';
import { app, signIn, csrfOf, textOf } from './helpers/app';
import { actorOf, positionByRole } from './helpers/factories';
import { SIGN_PASS, certFor, readyDraft, expectReject, captureLog, testCa } from './helpers/signing';
import { signLetter, blobBytes, PASSPHRASE_MAX_ATTEMPTS } from '../modules/ttd/letterSigner';
import { requestCountersign, countersignLetter } from '../modules/ttd/letterCountersigner';
import { dispatchLetter } from '../modules/ttd/letterDispatcher';
import { revokeLetter } from '../modules/ttd/letterRevoker';
import { verifyCommand } from '../cli/signing';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors';
import { SigningError } from '../platform/pdfSign';

/**
 * Issue #5: countersignature (tanda tangan kedua / pengesahan) in the app. The Kepala Dinas signs,
 * asks the Sekretaris to countersign; she adds an incremental signature; pdfsig finds both valid,
 * the verification page and `naskah verify` list both signers.
 */
describe('Surat Keluar: countersignature (pengesahan)', function () {
  this.timeout(180_000);
  let dir: string;
  let nss: string;

  before(async () => {
    await certFor('kadis');
    await certFor('sekretaris');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-countersign-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), testCa.certPem);
    nss = path.join(dir, 'nssdb');
    fs.mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'Naskah Test CA', '-t', 'CT,C,C', '-i', path.join(dir, 'ca.pem')]);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => { await LoginThrottle.destroy({ where: {} }); });

  const signed = async () => signLetter({ actor: await actorOf('kadis'), letterId: (await readyDraft()).id, passphrase: SIGN_PASS });
  const pdfsig = (pdf: Buffer): string => {
    const f = path.join(dir, `${crypto.randomBytes(6).toString('hex')}.pdf`);
    fs.writeFileSync(f, pdf);
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, f], { encoding: 'utf8' });
    return r.stdout + r.stderr;
  };

  it('through the pages: request, notification, the Sekretaris countersigns; both signatures valid in pdfsig; verification page and naskah verify list both', async () => {
    const l = await signed();
    const firstSha = l.signedBlobSha!;
    const sekr = await positionByRole('sekretaris');
    const kadis = await signIn('kadis');
    const page = await kadis.get(`/surat-keluar/${l.id}`);
    expect(page.text).to.contain('data-testid="countersign-request-form"').and.contain(`value="${sekr.id}"`);

    // Before the request the Sekretaris does not see the letter at all.
    const sek = await signIn('sekretaris');
    expect((await sek.get(`/surat-keluar/${l.id}`)).status).to.equal(404);

    const token = await csrfOf(kadis, `/surat-keluar/${l.id}`);
    // Without the CSRF token nothing happens.
    expect((await kadis.post(`/surat-keluar/${l.id}/minta-pengesahan`).type('form').send({ positionId: String(sekr.id) })).status).to.equal(403);
    const req = await kadis.post(`/surat-keluar/${l.id}/minta-pengesahan`).type('form').send({ _csrf: token, positionId: String(sekr.id), note: 'Mohon pengesahan' });
    expect(req.status).to.equal(303);
    const row = (await OutgoingCountersign.findOne({ where: { letterId: l.id } }))!;
    expect(row.status).to.equal('diminta');
    expect(row.positionId).to.equal(sekr.id);
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.pengesahan_diminta', entityId: String(l.id) } })).to.equal(1);
    const sekUser = (await User.findOne({ where: { username: 'sekretaris' } }))!;
    const note = await Notification.findOne({ where: { userId: sekUser.id, kind: 'pengesahan_diminta', url: `/surat-keluar/${l.id}` } });
    expect(note, 'the Sekretaris is notified').to.not.equal(null);
    const kadisPage = textOf((await kadis.get(`/surat-keluar/${l.id}`)).text);
    expect(kadisPage).to.contain('Menunggu tanda tangan kedua (pengesahan) dari Sekretaris Dinas');
    // Kirim waits for the countersignature.
    expect((await kadis.get(`/surat-keluar/${l.id}`)).text).to.not.contain('data-testid="dispatch-link"');
    await expectReject(dispatchLetter({ actor: await actorOf('kasi.egov'), letterId: l.id, choices: {} }), ConflictError, 'menunggu tanda tangan kedua');

    // The Sekretaris sees the action; a wrong passphrase is a clear message, audited, nothing changes.
    const shown = await sek.get(`/surat-keluar/${l.id}`);
    expect(shown.status).to.equal(200);
    expect(shown.text).to.contain('data-testid="countersign-form"');
    const bad = await sek.post(`/surat-keluar/${l.id}/sahkan`).type('form').send({ _csrf: await csrfOf(sek, `/surat-keluar/${l.id}`), passphrase: 'salah' });
    expect(bad.status).to.equal(303);
    expect(textOf((await sek.get(`/surat-keluar/${l.id}`)).text)).to.contain('Passphrase sertifikat salah');
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.pengesahan_gagal', entityId: String(l.id) } })).to.equal(1);
    expect((await OutgoingLetter.findByPk(l.id))!.signedBlobSha).to.equal(firstSha);

    // The Kepala Dinas (the first signer) cannot countersign his own letter.
    const own = await kadis.post(`/surat-keluar/${l.id}/sahkan`).type('form').send({ _csrf: await csrfOf(kadis, `/surat-keluar/${l.id}`), passphrase: SIGN_PASS });
    expect(own.status).to.equal(403);

    const ok = await sek.post(`/surat-keluar/${l.id}/sahkan`).type('form').send({ _csrf: await csrfOf(sek, `/surat-keluar/${l.id}`), passphrase: SIGN_PASS });
    expect(ok.status).to.equal(303);
    const after = (await OutgoingLetter.findByPk(l.id))!;
    const done = (await OutgoingCountersign.findOne({ where: { letterId: l.id } }))!;
    expect(done.status).to.equal('ditandatangani');
    expect(after.signedBlobSha).to.not.equal(firstSha);
    expect(done.previousBlobSha).to.equal(firstSha);
    expect(done.signedBlobSha).to.equal(after.signedBlobSha);
    expect(await Blob.findByPk(firstSha), 'the first signed PDF is kept').to.not.equal(null);
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.disahkan', entityId: String(l.id) } })).to.equal(1);
    const first = await blobBytes(firstSha);
    const both = await blobBytes(after.signedBlobSha!);
    expect(crypto.createHash('sha256').update(both).digest('hex')).to.equal(after.signedBlobSha);
    expect(both.subarray(0, first.length).equals(first), 'incremental: the first signed PDF is a prefix').to.equal(true);
    const sig = pdfsig(both);
    expect(sig.match(/Signature is Valid/g), sig).to.have.length(2);
    expect(sig.match(/Certificate is Trusted/g), sig).to.have.length(2);
    expect(sig).to.contain('Ratna Kusumawardani').and.contain('Hendra Wiratama');
    expect(textOf((await sek.get(`/surat-keluar/${l.id}`)).text)).to.contain('Tanda tangan kedua (pengesahan): Ratna Kusumawardani');
    // Now Kirim is offered again.
    expect((await kadis.get(`/surat-keluar/${l.id}`)).text).to.contain('data-testid="dispatch-link"');

    // The public page lists both signers; the final PDF is authentic, the one before is an older version.
    const pub = supertest.agent(app());
    const vp = await pub.get(`/verifikasi/${l.verificationCode}`);
    expect(vp.text).to.contain('data-testid="signer-penanda_tangan"').and.contain('data-testid="signer-pengesahan"');
    expect(textOf(vp.text)).to.contain('Dr. Hendra Wiratama').and.contain('Ratna Kusumawardani, S.Sos., M.Si., Sekretaris Dinas').and.contain(after.signedBlobSha!);
    const vtoken = /name="_csrf" value="([^"]+)"/.exec(vp.text)![1];
    const up = (buf: Buffer) => pub.post(`/verifikasi/${l.verificationCode}?_csrf=${encodeURIComponent(vtoken)}`).attach('berkas', buf, 'surat.pdf');
    const finalCheck = await up(both);
    expect(finalCheck.text).to.contain('ASLI DAN TIDAK BERUBAH');
    expect((finalCheck.text.match(/tanda tangan sah/g) ?? []).length).to.equal(2);
    expect((await up(first)).text).to.contain('BUKAN VERSI TERAKHIR');

    // naskah verify: both signatures, and the registry names the letter with both signers.
    const f = path.join(dir, 'both.pdf');
    fs.writeFileSync(f, both);
    const { result, out } = await captureLog(() => verifyCommand([f, '--ca', path.join(dir, 'ca.pem')]));
    expect(result, out).to.equal(0);
    expect(out).to.contain('Tanda tangan #1: SAH').and.contain('Tanda tangan #2: SAH');
    expect(out).to.contain('Penanda tangan : Ratna Kusumawardani, S.Sos., M.Si.');
    expect(out).to.contain('TERDAFTAR: berkas ini sama persis').and.contain(`Nomor          : ${after.letterNumber}`);
    expect(out).to.contain('Pengesahan     : Ratna Kusumawardani, S.Sos., M.Si., Sekretaris Dinas');

    // No second countersignature, and no second request.
    await expectReject(countersignLetter({ actor: await actorOf('sekretaris'), letterId: l.id, passphrase: SIGN_PASS }), ConflictError, 'sudah diberikan');
    await expectReject(requestCountersign({ actor: await actorOf('kadis'), letterId: l.id, positionId: (await positionByRole('kabid')).id }), ConflictError);
  });

  it('authorization: only the signer requests, only the requested position countersigns (others 403/404)', async () => {
    const l = await signed();
    const sekr = await positionByRole('sekretaris');
    const kabid = await positionByRole('kabid');
    await expectReject(requestCountersign({ actor: await actorOf('kasi.egov'), letterId: l.id, positionId: sekr.id }), ForbiddenError);
    await expectReject(requestCountersign({ actor: await actorOf('sekretaris'), letterId: l.id, positionId: sekr.id }), NotFoundError);
    await expectReject(requestCountersign({ actor: await actorOf('kadis'), letterId: l.id, positionId: l.signerPositionId }), ValidationError);
    await expectReject(requestCountersign({ actor: await actorOf('kadis'), letterId: l.id, positionId: (await positionByRole('staf')).id }), ValidationError);
    await requestCountersign({ actor: await actorOf('kadis'), letterId: l.id, positionId: sekr.id });
    // The Kabid was in the paraf chain and sees the letter, but was not asked: 403.
    await expectReject(countersignLetter({ actor: await actorOf('kabid'), letterId: l.id, passphrase: SIGN_PASS }), ForbiddenError);
    // Someone who cannot see the letter: 404, also through the page.
    await expectReject(countersignLetter({ actor: await actorOf('kasi.idc'), letterId: l.id, passphrase: SIGN_PASS }), NotFoundError);
    const idc = await signIn('kasi.idc');
    const r = await idc.post(`/surat-keluar/${l.id}/sahkan`).type('form').send({ _csrf: await csrfOf(idc, '/surat-keluar'), passphrase: SIGN_PASS });
    expect(r.status).to.equal(404);
    const kb = await signIn('kabid');
    const r2 = await kb.post(`/surat-keluar/${l.id}/sahkan`).type('form').send({ _csrf: await csrfOf(kb, `/surat-keluar/${l.id}`), passphrase: SIGN_PASS });
    expect(r2.status).to.equal(403);
    expect((await kb.get(`/surat-keluar/${l.id}`)).text).to.not.contain('countersign-form');
    expect(kabid.id).to.not.equal(sekr.id);
    expect((await OutgoingCountersign.findOne({ where: { letterId: l.id } }))!.status).to.equal('diminta');
  });

  it('a revoked letter takes no countersignature; wrong passphrases are throttled', async () => {
    const sekr = await positionByRole('sekretaris');
    const l = await signed();
    await requestCountersign({ actor: await actorOf('kadis'), letterId: l.id, positionId: sekr.id });
    for (let i = 0; i < PASSPHRASE_MAX_ATTEMPTS - 1; i++) {
      await expectReject(countersignLetter({ actor: await actorOf('sekretaris'), letterId: l.id, passphrase: 'salah' }), SigningError, 'Passphrase');
    }
    const last = await expectReject(countersignLetter({ actor: await actorOf('sekretaris'), letterId: l.id, passphrase: 'salah' }));
    expect((last as { status?: number }).status).to.equal(429);
    const locked = await expectReject(countersignLetter({ actor: await actorOf('sekretaris'), letterId: l.id, passphrase: SIGN_PASS }));
    expect((locked as { status?: number }).status).to.equal(429);
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.pengesahan_gagal', entityId: String(l.id) } })).to.be.at.least(PASSPHRASE_MAX_ATTEMPTS);
    await LoginThrottle.destroy({ where: {} });

    await revokeLetter({ actor: await actorOf('kadis'), letterId: l.id, reason: 'salah alamat surat' });
    await expectReject(countersignLetter({ actor: await actorOf('sekretaris'), letterId: l.id, passphrase: SIGN_PASS }), ConflictError, 'dicabut');
    const sek = await signIn('sekretaris');
    expect((await sek.get(`/surat-keluar/${l.id}`)).text).to.not.contain('countersign-form');
    const cur = (await OutgoingLetter.findByPk(l.id))!;
    expect(cur.signedBlobSha).to.equal(l.signedBlobSha);

    const l2 = await signed();
    await revokeLetter({ actor: await actorOf('kadis'), letterId: l2.id, reason: 'salah alamat surat' });
    await expectReject(requestCountersign({ actor: await actorOf('kadis'), letterId: l2.id, positionId: sekr.id }), ConflictError, 'dicabut');
    // Through the page: a message on the letter page, not a 500.
    const kadis = await signIn('kadis');
    const r = await kadis.post(`/surat-keluar/${l2.id}/minta-pengesahan`).type('form').send({ _csrf: await csrfOf(kadis, `/surat-keluar/${l2.id}`), positionId: String(sekr.id) });
    expect(r.status).to.equal(303);
    expect(textOf((await kadis.get(`/surat-keluar/${l2.id}`)).text)).to.contain('Surat ini sudah dicabut');
    // A bad position id is a message too.
    const l3 = await signed();
    const r3 = await kadis.post(`/surat-keluar/${l3.id}/minta-pengesahan`).type('form').send({ _csrf: await csrfOf(kadis, `/surat-keluar/${l3.id}`), positionId: 'abc' });
    expect(r3.status).to.equal(303);
    expect(textOf((await kadis.get(`/surat-keluar/${l3.id}`)).text)).to.contain('Pilih jabatan pejabat');
  });

  it('the signer withdraws a request not yet given (with a reason): the letter can be sent; nobody else may withdraw it', async () => {
    const l = await signed();
    const sekr = await positionByRole('sekretaris');
    await requestCountersign({ actor: await actorOf('kadis'), letterId: l.id, positionId: sekr.id });
    await expectReject(dispatchLetter({ actor: await actorOf('kadis'), letterId: l.id, choices: {} }), ConflictError, 'menunggu tanda tangan kedua');
    const kadis = await signIn('kadis');
    const page = await kadis.get(`/surat-keluar/${l.id}`);
    expect(page.text).to.contain('data-testid="countersign-cancel-form"');
    const sek = await signIn('sekretaris');
    const denied = await sek.post(`/surat-keluar/${l.id}/batal-pengesahan`).type('form').send({ _csrf: await csrfOf(sek, `/surat-keluar/${l.id}`), reason: 'Saya tidak berwenang' });
    expect(denied.status).to.equal(403);
    const short = await kadis.post(`/surat-keluar/${l.id}/batal-pengesahan`).type('form').send({ _csrf: await csrfOf(kadis, `/surat-keluar/${l.id}`), reason: 'x' });
    expect(short.status).to.equal(303);
    expect(textOf((await kadis.get(`/surat-keluar/${l.id}`)).text)).to.contain('Tuliskan alasan pembatalan permintaan');
    expect(await OutgoingCountersign.count({ where: { letterId: l.id } })).to.equal(1);
    const res = await kadis.post(`/surat-keluar/${l.id}/batal-pengesahan`).type('form').send({ _csrf: await csrfOf(kadis, `/surat-keluar/${l.id}`), reason: 'Sekretaris sedang cuti; surat dikirim tanpa pengesahan.' });
    expect(res.status).to.equal(303);
    expect(textOf((await kadis.get(`/surat-keluar/${l.id}`)).text)).to.contain('Permintaan tanda tangan kedua dibatalkan');
    expect(await OutgoingCountersign.count({ where: { letterId: l.id } })).to.equal(0);
    expect((await OutgoingLetter.findByPk(l.id))!.countersignPositionId).to.equal(null);
    const ev = await AuditEvent.findOne({ where: { entityType: 'outgoing_letter', entityId: String(l.id), action: 'surat_keluar.pengesahan_dibatalkan' } });
    expect(ev!.data('after')).to.include({ alasan: 'Sekretaris sedang cuti; surat dikirim tanpa pengesahan.' });
    const sekUser = (await User.findOne({ where: { username: 'sekretaris' } }))!;
    expect(await Notification.count({ where: { userId: sekUser.id, kind: 'pengesahan_dibatalkan' } })).to.be.greaterThan(0);
    // The Sekretaris no longer sees it; the letter goes out.
    expect((await sek.get(`/surat-keluar/${l.id}`)).status).to.equal(404);
    const choices: Record<number, { channel: string }> = {};
    for (const r of await OutgoingRecipient.findAll({ where: { letterId: l.id } })) if (!r.positionId) choices[r.id] = { channel: 'kurir' };
    await dispatchLetter({ actor: await actorOf('kadis'), letterId: l.id, choices });
    expect((await OutgoingLetter.findByPk(l.id))!.status).to.equal('dikirim');
  });
});
