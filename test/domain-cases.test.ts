import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import supertest from 'supertest';
import { Op } from 'sequelize';
import {
  AuditEvent, DomainCase, DomainCaseDocument, DomainCaseSlot, DomainRegistryEntry, IncomingLetter, Notification, OutgoingLetter, OutgoingRecipient, SigningCertificate, User,
} from '../models';
import { app, signIn, csrfOf, textOf, type Agent } from './helpers/app';
import { actorOf, buildAgency, buildLetter, pdfBytes, positionByRole, uniq } from './helpers/factories';
import { submitDraft } from '../modules/surat-keluar/draftSubmitter';
import { giveParaf } from '../modules/surat-keluar/parafGiver';
import { signLetter } from '../modules/ttd/letterSigner';
import { dispatchLetter } from '../modules/ttd/letterDispatcher';
import { sweepDomainCases } from '../modules/domain/domainSweeper';
import { openCase, completeStep, uploadDocument, verifySlot } from '../modules/domain/domainCases';
import { draftCaseLetter, lettersOffered } from '../modules/domain/domainLetters';
import { definitionOf } from '../modules/domain/domainCaseTypes';
import { SEED_CASE_TYPES } from '../modules/domain/caseTypeDefinitions';
import { createDevCa, issueSignerP12 } from '../platform/devCa';
import { blobStore } from '../platform/blobstore';
import { readZip } from '../lib/zip';
import { setClock, systemClock, FixedClock } from '../platform/clock';

/**
 * Issue #6 end to end, through the real pages (supertest on the app, real database, real
 * Chromium for the summary PDF, python3's zipfile for the package): a .go.id case with one
 * registrar "revisi" loop through payment and activation to the signed and sent reply; a
 * subdomain case from letter to active subdomain and reply; preflight refusals; the package
 * unpacked and checked against its manifest; bad input; SLA escalation and expiry reminders.
 */
describe('Kasus domain (issue #6)', function () {
  this.timeout(180_000);
  const PASS = 'rahasia-uji-domain';
  const ca = createDevCa();
  const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const bigPdf = () => Buffer.concat([pdfBytes('Berkas besar'), Buffer.from('\n%' + 'x'.repeat(260 * 1024) + '\n')]);

  before(async () => {
    const u = (await User.findOne({ where: { username: 'kadis' } }))!;
    const p12 = issueSignerP12(ca, { name: u.name, nip: u.nip }, PASS);
    const { sha256 } = await blobStore().putBuffer(p12);
    await SigningCertificate.update({ active: false }, { where: { userId: u.id } });
    await SigningCertificate.create({ userId: u.id, p12BlobSha: sha256, subject: `CN=${u.name}`, serial: null, validFrom: new Date(Date.now() - 86_400_000), validTo: new Date(Date.now() + 365 * 86_400_000), uploadedByUserId: null, uploadedAt: new Date() });
  });
  afterEach(() => setClock(systemClock));

  async function requestLetter(perihal: string) {
    const agency = await buildAgency({ name: uniq('Dinas Pemohon ') });
    const letter = await buildLetter({ perihal, senderAgencyId: agency.id, addressedPositionId: (await positionByRole('pejabat_domain')).id });
    return { agency, letter };
  }

  async function openVia(a: Agent, body: Record<string, string>) {
    const token = await csrfOf(a, '/domain/kasus/baru');
    return a.post('/domain/kasus').type('form').send({ _csrf: token, techName: 'Budi Santoso', techEmail: 'budi@pemohon.go.id', techPhone: '(0265) 321456', purpose: 'Situs web resmi untuk layanan publik', ...body });
  }
  const caseIdOf = (res: { status: number; headers: Record<string, string>; text: string }) => {
    expect(res.status, textOf(res.text).slice(0, 1500)).to.equal(303);
    const m = /\/domain\/kasus\/(\d+)$/.exec(res.headers.location);
    expect(m, res.headers.location).to.not.equal(null);
    return Number(m![1]);
  };
  async function step(a: Agent, id: number, key: string, fields: Record<string, string | string[]> = {}, file?: { data: Buffer; name: string }) {
    const token = await csrfOf(a, `/domain/kasus/${id}`);
    const req = a.post(`/domain/kasus/${id}/langkah/${key}?_csrf=${encodeURIComponent(token)}`).field('_csrf', token);
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) req.field(k, x);
    if (file) req.attach('berkas', file.data, file.name);
    return req;
  }
  async function upload(a: Agent, id: number, slot: string, data: Buffer, name: string) {
    const token = await csrfOf(a, `/domain/kasus/${id}`);
    return a.post(`/domain/kasus/${id}/dokumen/${slot}?_csrf=${encodeURIComponent(token)}`).field('_csrf', token).attach('berkas', data, name);
  }
  async function verify(a: Agent, id: number, slot: string, state: string, note = '') {
    const token = await csrfOf(a, `/domain/kasus/${id}`);
    return a.post(`/domain/kasus/${id}/dokumen/${slot}/periksa`).type('form').send({ _csrf: token, state, note });
  }
  const ok = (res: { status: number; text: string }) => expect(res.status, textOf(res.text).slice(0, 2500)).to.equal(303);
  const current = async (id: number) => (await DomainCase.findByPk(id))!;

  async function signAndSend(draftId: number) {
    const drafter = await actorOf('domain');
    const l0 = (await OutgoingLetter.findByPk(draftId))!;
    await submitDraft({ actor: drafter, letterId: draftId, expectedLockVersion: l0.lockVersion });
    for (const who of ['kasi.egov', 'kabid']) {
      const l = (await OutgoingLetter.findByPk(draftId))!;
      if (l.status !== 'dalam_paraf') break;
      await giveParaf({ actor: await actorOf(who), letterId: draftId, versionHash: l.currentHash, note: '' });
    }
    expect((await OutgoingLetter.findByPk(draftId))!.status).to.equal('siap_ttd');
    await signLetter({ actor: await actorOf('kadis'), letterId: draftId, passphrase: PASS });
    const signed = (await OutgoingLetter.findByPk(draftId))!;
    const recipients = await OutgoingRecipient.findAll({ where: { letterId: draftId } });
    const choices: Record<number, { channel: string }> = {};
    for (const r of recipients) if (!r.positionId) choices[r.id] = { channel: 'kurir' };
    await dispatchLetter({ actor: await actorOf('domain'), letterId: signed.id, choices });
  }

  it('a .go.id case: preflight refusals, package checked against its manifest, one registrar revision, payment, activation, signed reply closes it', async () => {
    const NAME = `${uniq('wisata')}kab.go.id`;
    const { agency, letter } = await requestLetter(`Permohonan Nama Domain ${NAME}`);
    const a = await signIn('domain');

    // Opened from the letter: the form is prefilled from it.
    let res = await a.get(`/domain/kasus/baru?surat=${letter.id}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain(`value="${NAME}"`);
    expect(res.text).to.contain(`<option value="${agency.id}" selected`);
    const id = caseIdOf(await openVia(a, { typeKey: 'domain-baru', nameKind: 'go.id', requestedName: NAME, applicantAgencyId: String(agency.id), letterId: String(letter.id) }));
    let c = await current(id);
    expect(c.requestedName).to.equal(NAME);
    expect(c.trackingCode).to.match(/^DOM-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(c.currentStepKey).to.equal('terima');
    expect(c.stepDueAt!.getTime()).to.be.greaterThan(c.createdAt.getTime());
    expect((await DomainCaseSlot.findAll({ where: { caseId: id } })).map((s) => s.slotKey).sort()).to.deep.equal(['identitas', 'sk-pejabat', 'surat-kuasa', 'surat-permohonan']);
    // The letter page links the case; the tracking page shows the first step.
    expect((await a.get(`/surat-masuk/${letter.id}`)).text).to.contain(c.trackingCode);
    const pub = await supertest(app()).get(`/lacak/${c.trackingCode}`);
    expect(pub.status).to.equal(200);
    expect(textOf(pub.text)).to.contain(NAME);
    expect(pub.text).to.not.contain('Budi Santoso');

    // A step out of order: refused on the case page, nothing moves.
    res = await step(a, id, 'unggah', { tanggal: '2026-11-20', referensi: 'X' });
    expect(res.status).to.equal(409);
    expect(textOf(res.text)).to.contain('Langkah ini belum gilirannya');
    expect((await current(id)).currentStepKey).to.equal('terima');
    // Someone who sees the case but is not its Pejabat Domain: 403.
    const kasi = await signIn('kasi.egov');
    expect((await kasi.get(`/domain/kasus/${id}`)).status).to.equal(200);
    expect((await step(kasi, id, 'terima')).status).to.equal(403);
    // Staff outside the domain work do not even see it.
    expect((await (await signIn('staf.idc2')).get(`/domain/kasus/${id}`)).status).to.equal(404);

    ok(await step(a, id, 'terima', { catatan: 'Diparaf Kepala Dinas' }));
    // The cover letter to the Sekda, drafted in one click from the case.
    const tok = await csrfOf(a, `/domain/kasus/${id}`);
    res = await a.post(`/domain/kasus/${id}/surat/pengantar-sekda`).type('form').send({ _csrf: tok });
    expect(res.status, textOf(res.text).slice(0, 1500)).to.equal(303);
    const coverId = Number(/\/surat-keluar\/(\d+)/.exec(res.headers.location)![1]);
    const cover = (await OutgoingLetter.findByPk(coverId))!;
    expect(cover.templateKey).to.equal('pengantar-sekda-domain');
    expect(cover.bodyHtml).to.contain(NAME);
    expect((await current(id)).sekdaLetterId).to.equal(coverId);
    res = await step(a, id, 'sekda-kirim', {});
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Tuliskan nomor surat pengantar');
    ok(await step(a, id, 'sekda-kirim', { nomor: '400.14.2.1/077/Kominfo', tanggal: '2026-11-20' }));
    res = await step(a, id, 'sekda-kembali', { tanggal: '2026-11-21' });
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Unggah pindaian surat yang sudah ditandatangani Sekda');
    ok(await step(a, id, 'sekda-kembali', { tanggal: '2026-11-21' }, { data: pdfBytes('Surat permohonan bertanda tangan Sekda'), name: 'permohonan-ttd-sekda.pdf' }));
    expect((await current(id)).currentStepKey).to.equal('kelengkapan');

    // Preflight: refused with every reason, the package too.
    res = await step(a, id, 'kelengkapan');
    expect(res.status).to.equal(422);
    let text = textOf(res.text);
    expect(text).to.contain('Belum siap diunggah');
    expect(text).to.contain('"Surat penunjukan / SK Pejabat Pengelola Nama Domain" belum diunggah.');
    expect(text).to.contain('belum diperiksa dan ditandai lengkap');
    res = await a.get(`/domain/kasus/${id}/paket.zip`);
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Paket belum dapat dibuat');

    // Registrar limits: over 200 KB and PNG are kept with a warning, and cannot be marked complete.
    res = await upload(a, id, 'sk-pejabat', bigPdf(), 'sk-pejabat-besar.pdf');
    ok(res);
    res = await a.get(res.headers.location);
    expect(textOf(res.text)).to.match(/Ukuran \d+ KB melebihi batas registrar 200 KB/);
    res = await verify(a, id, 'sk-pejabat', 'lengkap');
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('belum memenuhi batas registrar');
    ok(await upload(a, id, 'identitas', PNG_1PX, 'ktp.png'));
    const png = await DomainCaseDocument.findOne({ where: { caseId: id, slotKey: 'identitas' } });
    expect(JSON.parse(png!.warnings!)[0]).to.contain('Jenis berkas PNG tidak diterima registrar');
    // Not a document at all: refused with a message, nothing stored.
    res = await upload(a, id, 'surat-kuasa', Buffer.from('bukan pdf'), 'kuasa.pdf');
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('bukan PDF, JPEG, atau PNG');
    expect(await DomainCaseDocument.count({ where: { caseId: id, slotKey: 'surat-kuasa' } })).to.equal(0);
    // A decompression bomb (150 KB inflating to 150 MB): refused before anything loads it.
    const bombData = zlib.deflateSync(Buffer.alloc(150 * 1024 * 1024, 0x20), { level: 9 });
    const bomb = Buffer.concat([Buffer.from(`%PDF-1.7\n3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${bombData.length} >>\nstream\n`, 'latin1'), bombData, Buffer.from('\nendstream\nendobj\n%%EOF\n')]);
    res = await upload(a, id, 'surat-kuasa', bomb, 'kuasa-bom.pdf');
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Berkas "kuasa-bom.pdf" ditolak: PDF ini strukturnya mengembang melebihi 64 MB saat dibuka.');
    expect(await DomainCaseDocument.count({ where: { caseId: id, slotKey: 'surat-kuasa' } })).to.equal(0);
    // A revision needs a note.
    res = await verify(a, id, 'surat-permohonan', 'revisi', '');
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Tuliskan apa yang perlu direvisi');

    ok(await upload(a, id, 'sk-pejabat', pdfBytes('SK Pejabat Pengelola Nama Domain'), 'sk-pejabat.pdf'));
    ok(await upload(a, id, 'identitas', pdfBytes('KTP dan kartu ASN'), 'identitas.pdf'));
    ok(await upload(a, id, 'surat-kuasa', pdfBytes('Surat kuasa'), 'surat-kuasa.pdf'));
    for (const s of ['surat-permohonan', 'sk-pejabat', 'surat-kuasa', 'identitas']) ok(await verify(a, id, s, 'lengkap'));
    expect(await DomainCaseDocument.count({ where: { caseId: id, slotKey: 'sk-pejabat' } })).to.equal(2);
    ok(await step(a, id, 'kelengkapan', { catatan: 'Lengkap' }));

    // The package: unpacked by python3's zipfile, every hash checked against the manifest.
    res = await a.get(`/domain/kasus/${id}/paket.zip`).buffer(true).parse((r, cb) => { const ch: Buffer[] = []; r.on('data', (d: Buffer) => ch.push(d)); r.on('end', () => cb(null, Buffer.concat(ch))); });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/zip');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paket-'));
    fs.writeFileSync(path.join(dir, 'paket.zip'), res.body as Buffer);
    execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])', path.join(dir, 'paket.zip'), path.join(dir, 'x')]);
    const names = fs.readdirSync(path.join(dir, 'x')).sort();
    expect(names).to.deep.equal(['01-surat-permohonan.pdf', '02-sk-pejabat.pdf', '03-surat-kuasa.pdf', '04-identitas.pdf', 'manifest.json', 'ringkasan-pengajuan.pdf']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'x', 'manifest.json'), 'utf8'));
    expect(manifest.name).to.equal(NAME);
    expect(manifest.applicant).to.equal(agency.name);
    expect(manifest.documents).to.have.length(4);
    for (const d of [...manifest.documents, manifest.summary]) {
      const bytes = fs.readFileSync(path.join(dir, 'x', d.file));
      expect(crypto.createHash('sha256').update(bytes).digest('hex'), d.file).to.equal(d.sha256);
      expect(bytes.length, d.file).to.equal(d.size);
    }
    expect(manifest.documents[0].sha256).to.equal((await DomainCaseDocument.findOne({ where: { caseId: id, slotKey: 'surat-permohonan' } }))!.blobSha);
    const summary = execFileSync('pdftotext', ['-raw', path.join(dir, 'x', 'ringkasan-pengajuan.pdf'), '-']).toString();
    expect(summary).to.contain(NAME);
    expect(summary).to.contain(agency.name);
    expect(summary).to.contain('Fajar Ramadhan');
    // Each hash is printed in two halves of 32 characters.
    expect(summary).to.contain(manifest.documents[1].sha256.slice(0, 32));
    expect(summary).to.contain(manifest.documents[1].sha256.slice(32));
    expect(execFileSync('pdfinfo', [path.join(dir, 'x', 'ringkasan-pengajuan.pdf')]).toString()).to.match(/Pages:\s+1\n/);
    expect(readZip(res.body as Buffer).map((e) => e.name)).to.include('manifest.json');

    // Upload to the registrar, which asks for a revision of the ID card: back to the document check.
    ok(await step(a, id, 'unggah', { tanggal: '2026-11-22', referensi: 'REG-2026-11-0042' }));
    expect((await current(id)).registrarRef).to.equal('REG-2026-11-0042');
    res = await step(a, id, 'jawaban', { hasil: 'revisi', tanggal: '2026-11-23' });
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Salin catatan registrar');
    ok(await step(a, id, 'jawaban', { hasil: 'revisi', tanggal: '2026-11-23', catatan: 'KTP tidak terbaca, pindai ulang berwarna', slot: ['identitas'] }));
    c = await current(id);
    expect(c.currentStepKey).to.equal('kelengkapan');
    expect((await DomainCaseSlot.findOne({ where: { caseId: id, slotKey: 'identitas' } }))!.state).to.equal('revisi');
    res = await step(a, id, 'kelengkapan');
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('perlu revisi: KTP tidak terbaca');
    ok(await upload(a, id, 'identitas', pdfBytes('KTP berwarna'), 'identitas-v2.pdf'));
    ok(await verify(a, id, 'identitas', 'lengkap'));
    ok(await step(a, id, 'kelengkapan'));
    ok(await step(a, id, 'unggah', { tanggal: '2026-11-23', referensi: 'REG-2026-11-0042' }));
    ok(await step(a, id, 'jawaban', { hasil: 'disetujui', tanggal: '2026-11-23' }));
    // Payment with proof; then activation puts the domain in the registry for a year.
    res = await step(a, id, 'pembayaran', { jumlah: '55500', tanggal: '2026-11-23' });
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('Unggah bukti transfer bank');
    ok(await step(a, id, 'pembayaran', { jumlah: '55.500', tanggal: '2026-11-23' }, { data: pdfBytes('Bukti transfer'), name: 'bukti.pdf' }));
    ok(await step(a, id, 'aktivasi', { tanggal: '2026-11-23' }));
    const entry = (await DomainRegistryEntry.findOne({ where: { fqdn: NAME } }))!;
    expect(entry.status).to.equal('aktif');
    expect(entry.ownerAgencyId).to.equal(agency.id);
    expect(entry.expiresAt).to.equal('2027-11-23');
    c = await current(id);
    expect(c.currentStepKey).to.equal('laporan');
    expect(c.registryId).to.equal(entry.id);

    // The report step is closed by the letter, not by hand.
    res = await step(a, id, 'laporan');
    expect(res.status).to.equal(409);
    expect(textOf(res.text)).to.contain('ditandatangani dan dikirim');
    const page = await a.get(`/domain/kasus/${id}`);
    expect(page.text).to.contain('data-letter="balasan-disetujui"');
    const tok2 = await csrfOf(a, `/domain/kasus/${id}`);
    res = await a.post(`/domain/kasus/${id}/surat/balasan-disetujui`).type('form').send({ _csrf: tok2 });
    expect(res.status).to.equal(303);
    const replyId = Number(/\/surat-keluar\/(\d+)/.exec(res.headers.location)![1]);
    const reply = (await OutgoingLetter.findByPk(replyId))!;
    expect(reply.replyToLetterId).to.equal(letter.id);
    expect(reply.bodyHtml).to.contain(NAME);
    expect(reply.bodyHtml).to.contain(c.trackingCode);
    expect((await current(id)).replyLetterId).to.equal(replyId);
    // Drafting it twice is refused while the first draft lives.
    res = await a.post(`/domain/kasus/${id}/surat/balasan-disetujui`).type('form').send({ _csrf: tok2 });
    expect(res.status).to.equal(409);
    await signAndSend(replyId);
    c = await current(id);
    expect(c.status).to.equal('selesai');
    expect(c.closedAt).to.not.equal(null);
    expect((await IncomingLetter.findByPk(letter.id))!.status).to.equal('dibalas');
    const after = await supertest(app()).get(`/lacak/${c.trackingCode}`);
    expect(textOf(after.text)).to.contain('Selesai');
    // Every change audited, the chain intact.
    const actions = (await AuditEvent.findAll({ where: { entityType: 'domain_case', entityId: String(id) }, order: [['seq', 'ASC']] })).map((e) => e.action);
    expect(actions[0]).to.equal('domain.kasus_dibuka');
    expect(actions.filter((x) => x === 'domain.langkah').length).to.equal(11);
    expect(actions).to.include('domain.kasus_ditutup');
  });

  it('a subdomain case: letter scan as the request, Data Center verifies and creates it, the reply closes the case', async () => {
    const { agency, letter } = await requestLetter('Permohonan Pembuatan Subdomain perizinan');
    const a = await signIn('domain');
    const id = caseIdOf(await openVia(a, {
      typeKey: 'subdomain-baru', nameKind: 'subdomain', requestedName: 'perizinan', applicantAgencyId: String(agency.id), letterId: String(letter.id),
      hostingDiskGb: '20', hostingStack: 'PHP 8.2 + MariaDB', hostingApp: 'baru',
    }));
    let c = await current(id);
    expect(c.requestedName).to.equal('perizinan.sindangrajakab.go.id');
    expect(JSON.parse(c.hosting!)).to.deep.equal({ diskGb: 20, stack: 'PHP 8.2 + MariaDB', app: 'baru', notes: null });
    // The request letter's scan is already the first document.
    const scanDoc = (await DomainCaseDocument.findOne({ where: { caseId: id, slotKey: 'surat-permohonan' } }))!;
    expect(scanDoc.version).to.equal(1);
    expect(scanDoc.warnings).to.equal(null);
    ok(await step(a, id, 'koordinasi', { catatan: 'Dikoordinasikan dengan DC' }));
    // The Data Center records its own steps; the Pejabat Domain may too, others not.
    const dc = await signIn('operator.dc');
    {
      const r = await step(dc, id, 'verifikasi-dc', { tersedia: 'tidak' });
      expect(r.status).to.equal(422);
      expect(textOf(r.text)).to.contain('Tuliskan mengapa tidak tersedia');
    }
    ok(await step(dc, id, 'verifikasi-dc', { tersedia: 'ya', disk: '20 GB di VM web-02' }));
    expect((await step(dc, id, 'keputusan', { hasil: 'disetujui' })).status).to.equal(403);
    ok(await step(a, id, 'keputusan', { hasil: 'disetujui' }));
    ok(await step(dc, id, 'pelaksanaan', { tanggal: '2026-11-23', catatan: 'A record ke 10.10.2.15' }));
    const entry = (await DomainRegistryEntry.findOne({ where: { fqdn: 'perizinan.sindangrajakab.go.id' } }))!;
    expect(entry.status).to.equal('aktif');
    expect(entry.kind).to.equal('subdomain');
    expect(entry.expiresAt).to.equal(null);
    expect(entry.hostingNotes).to.contain('10.10.2.15');
    ok(await step(a, id, 'konfirmasi'));
    expect((await current(id)).currentStepKey).to.equal('laporan');
    // Subdomains have no registrar package.
    const res = await a.get(`/domain/kasus/${id}/paket.zip`);
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.contain('hanya untuk permohonan ke registrar');
    const tok = await csrfOf(a, `/domain/kasus/${id}`);
    const made = await a.post(`/domain/kasus/${id}/surat/balasan-aktif`).type('form').send({ _csrf: tok });
    expect(made.status).to.equal(303);
    const replyId = Number(/\/surat-keluar\/(\d+)/.exec(made.headers.location)![1]);
    const reply = (await OutgoingLetter.findByPk(replyId))!;
    expect(reply.templateKey).to.equal('balasan-subdomain');
    expect(JSON.parse(reply.templateValues)).to.include({ subdomain: 'perizinan.sindangrajakab.go.id', keputusan: 'aktif' });
    await signAndSend(replyId);
    c = await current(id);
    expect(c.status).to.equal('selesai');
    // The name is now taken: a new request for it is refused with the reason.
    const again = await openVia(a, { typeKey: 'subdomain-baru', nameKind: 'subdomain', requestedName: 'perizinan', applicantAgencyId: String(agency.id) });
    expect(again.status).to.equal(422);
    expect(textOf(again.text)).to.contain('Nama perizinan.sindangrajakab.go.id sudah dipakai (status: aktif)');
    // The live check says so as the user types.
    const live = await a.get('/domain/cek-nama?name=perizinan&kind=subdomain&type=subdomain-baru');
    expect(live.body.ok).to.equal(false);
    expect(live.body.taken).to.contain('sudah dipakai');
    const free = await a.get('/domain/cek-nama?name=perpustakaan&kind=subdomain&type=subdomain-baru');
    expect(free.body).to.include({ ok: true, fqdn: 'perpustakaan.sindangrajakab.go.id' });
  });

  it('a rejection by the Pejabat Domain jumps to the report step and the case ends "ditolak"', async () => {
    const { agency } = await requestLetter('Permohonan subdomain uji tolak');
    const a = await signIn('domain');
    const id = caseIdOf(await openVia(a, { typeKey: 'subdomain-baru', nameKind: 'subdomain', requestedName: uniq('tolak'), applicantAgencyId: String(agency.id) }));
    ok(await step(a, id, 'koordinasi'));
    ok(await step(a, id, 'verifikasi-dc', { tersedia: 'tidak', catatan: 'Kapasitas disk habis' }));
    const r = await step(a, id, 'keputusan', { hasil: 'ditolak' });
    expect(r.status).to.equal(422);
    ok(await step(a, id, 'keputusan', { hasil: 'ditolak', catatan: 'Kapasitas penyimpanan Data Center tidak mencukupi' }));
    const c = await current(id);
    expect(c.currentStepKey).to.equal('laporan');
    expect(c.outcome).to.equal('ditolak');
    const page = await a.get(`/domain/kasus/${id}`);
    expect(page.text).to.contain('data-letter="balasan-ditolak"');
    expect(page.text).to.not.contain('data-letter="balasan-aktif"');
    const tok = await csrfOf(a, `/domain/kasus/${id}`);
    const made = await a.post(`/domain/kasus/${id}/surat/balasan-ditolak`).type('form').send({ _csrf: tok });
    const reply = (await OutgoingLetter.findByPk(Number(/\/surat-keluar\/(\d+)/.exec(made.headers.location)![1])))!;
    expect(JSON.parse(reply.templateValues).alasan).to.equal('Kapasitas penyimpanan Data Center tidak mencukupi');
    await signAndSend(reply.id);
    expect((await current(id)).status).to.equal('ditolak');
  });

  it('bad input on the form: every problem on the page, nothing saved; a double submit opens one case; only the Pejabat Domain opens cases', async () => {
    const a = await signIn('domain');
    const before = await DomainCase.count();
    const res = await openVia(a, { typeKey: 'domain-baru', nameKind: 'go.id', requestedName: 'Dinas Sosial!', applicantAgencyId: '', techEmail: 'bukan-email', techPhone: 'abc', techNip: '123' });
    expect(res.status).to.equal(422);
    const text = textOf(res.text);
    expect(text).to.contain('Periksa kembali isian yang ditandai');
    expect(text).to.contain('Pilih perangkat daerah pemohon');
    expect(text).to.contain('Alamat e-mail narahubung tidak valid');
    expect(text).to.contain('Nomor telepon narahubung');
    expect(res.text).to.contain('value="Dinas Sosial!"');
    expect(await DomainCase.count()).to.equal(before);
    const staff = await signIn('staf.egov1');
    expect((await staff.get('/domain/kasus/baru')).status).to.equal(403);
    const token = await csrfOf(staff, '/kotak-masuk');
    expect((await staff.post('/domain/kasus').type('form').send({ _csrf: token, typeKey: 'domain-baru' })).status).to.equal(403);
    // Without the CSRF token: refused.
    expect((await a.post('/domain/kasus').type('form').send({ typeKey: 'domain-baru' })).status).to.equal(403);
    // A double submit (double click, back button, retry) opens one case.
    const ag0 = await buildAgency();
    const body = { typeKey: 'subdomain-baru', nameKind: 'subdomain', requestedName: uniq('ganda'), applicantAgencyId: String(ag0.id), submissionKey: crypto.randomBytes(16).toString('hex') };
    const count0 = await DomainCase.count();
    const [r1, r2] = await Promise.all([openVia(a, body), openVia(a, body)]);
    const r3 = await openVia(a, body);
    expect([r1.status, r2.status, r3.status]).to.deep.equal([303, 303, 303]);
    expect(new Set([r1.headers.location, r2.headers.location, r3.headers.location]).size).to.equal(1);
    expect(await DomainCase.count()).to.equal(count0 + 1);
    // A change request must name a domain the registry knows.
    const ag = await buildAgency();
    const change = await openVia(a, { typeKey: 'domain-ubah', nameKind: 'go.id', requestedName: uniq('tidakada') + 'kab.go.id', applicantAgencyId: String(ag.id) });
    expect(change.status).to.equal(422);
    expect(textOf(change.text)).to.contain('tidak ada di registri domain daerah');
  });

  it('a step past its SOP time escalates once to the Pejabat Domain and their superior; expiring domains are reminded at 30, 14 and 7 days', async () => {
    const { agency } = await requestLetter('Permohonan subdomain uji tenggat');
    const a = await signIn('domain');
    const id = caseIdOf(await openVia(a, { typeKey: 'subdomain-baru', nameKind: 'subdomain', requestedName: uniq('tenggat'), applicantAgencyId: String(agency.id) }));
    const c = await current(id);
    const pejabat = (await User.findOne({ where: { username: 'domain' } }))!;
    const kasi = (await User.findOne({ where: { username: 'kasi.egov' } }))!;
    await sweepDomainCases();
    expect(await Notification.count({ where: { userId: pejabat.id, kind: 'domain_terlambat', url: `/domain/kasus/${id}` } })).to.equal(0);
    setClock(new FixedClock(new Date(c.stepDueAt!.getTime() + 60_000)));
    await sweepDomainCases();
    await sweepDomainCases();
    expect(await Notification.count({ where: { userId: pejabat.id, kind: 'domain_terlambat', url: `/domain/kasus/${id}` } })).to.equal(1);
    expect(await Notification.count({ where: { userId: kasi.id, kind: 'eskalasi', url: `/domain/kasus/${id}` } })).to.equal(1);
    expect((await current(id)).stepLateNotifiedAt).to.not.equal(null);
    const board = await (await signIn('domain')).get('/domain');
    expect(board.text).to.match(new RegExp(`data-case-id="${id}" data-late="1"`));
    setClock(systemClock);

    // Expiry reminders.
    const fqdn = `${uniq('kedaluwarsa')}kab.go.id`;
    const start = new Date(Date.UTC(2026, 10, 23, 2));
    const e = await DomainRegistryEntry.create({ fqdn, kind: 'go.id', ownerAgencyId: agency.id, status: 'aktif', registeredAt: '2025-12-20', activatedAt: '2025-12-20', expiresAt: '2026-12-20', hostingNotes: null, dnsNotes: null, lastReminderDays: null, createdAt: start, updatedAt: start });
    const count = () => Notification.count({ where: { userId: pejabat.id, kind: 'domain_kedaluwarsa', url: `/domain/registri/${e.id}` } });
    setClock(new FixedClock(start)); // 27 days left: the 30-day reminder
    await sweepDomainCases(); await sweepDomainCases();
    expect(await count()).to.equal(1);
    setClock(new FixedClock(new Date(Date.UTC(2026, 11, 1, 2)))); // 19 days: nothing new
    await sweepDomainCases();
    expect(await count()).to.equal(1);
    setClock(new FixedClock(new Date(Date.UTC(2026, 11, 6, 2)))); // 14 days
    await sweepDomainCases();
    expect(await count()).to.equal(2);
    setClock(new FixedClock(new Date(Date.UTC(2026, 11, 14, 2)))); // 6 days
    await sweepDomainCases(); await sweepDomainCases();
    expect(await count()).to.equal(3);
  });

  /** Drive a case through its steps by the services, as the Pejabat Domain (and the DC for its steps) would. */
  async function walk(caseId: number, opts: { reject?: 'jawaban' | 'keputusan' } = {}) {
    const pejabat = await actorOf('domain');
    const dc = await actorOf('operator.dc');
    const tmp = async (title: string) => {
      const bytes = pdfBytes(title);
      const p = path.join(blobStore().tmpDir(), `walk-${crypto.randomBytes(6).toString('hex')}`);
      fs.writeFileSync(p, bytes);
      return [{ path: p, originalname: `${title}.pdf`, size: bytes.length, fieldname: 'berkas' }];
    };
    const today = new Date().toISOString().slice(0, 10);
    for (let guard = 0; guard < 30; guard++) {
      const c = await current(caseId);
      if (c.status !== 'berjalan') return c;
      const def = await definitionOf(c.typeVersionId);
      const step = def.steps.find((x) => x.key === c.currentStepKey)!;
      if (step.kind === 'laporan') return c;
      if (step.kind === 'preflight' || step.kind === 'unggah') {
        for (const slot of await DomainCaseSlot.findAll({ where: { caseId } })) {
          if (slot.state === 'lengkap') continue;
          if (!slot.currentDocumentId) await uploadDocument({ actor: pejabat, caseId, slotKey: slot.slotKey, files: await tmp(slot.slotKey) });
          await verifySlot({ actor: pejabat, caseId, slotKey: slot.slotKey, state: 'lengkap' });
        }
      }
      const form: Record<string, string> = {
        sekda_kirim: { nomor: '400.14/1/Kominfo', tanggal: today }, sekda_kembali: { tanggal: today }, unggah: { tanggal: today, referensi: 'REG-1' },
        jawaban: opts.reject === 'jawaban' ? { hasil: 'ditolak', tanggal: today, catatan: 'Nama tidak sesuai ketentuan registrar' } : { hasil: 'disetujui', tanggal: today },
        pembayaran: { jumlah: '55500', tanggal: today }, aktivasi: { tanggal: today }, registrar_selesai: { tanggal: today }, buat_dc: { tanggal: today },
        verifikasi_dc: { tersedia: 'ya' }, keputusan: opts.reject === 'keputusan' ? { hasil: 'ditolak', catatan: 'Tidak dapat difasilitasi' } : { hasil: 'disetujui' },
      }[step.kind as string] as Record<string, string> ?? {};
      const files = step.kind === 'sekda_kembali' || step.kind === 'pembayaran' ? await tmp(step.kind) : undefined;
      await completeStep({ actor: step.actor === 'operator_dc' ? dc : pejabat, caseId, stepKey: step.key, form, files });
    }
    throw new Error('walk did not reach the report step');
  }

  it('every seeded case type reaches its report step, offers a report letter that drafts, and closes when it is sent; registry effects per type', async () => {
    const pejabat = await actorOf('domain');
    const agency = await buildAgency();
    const at = new Date();
    for (const seed of SEED_CASE_TYPES) {
      const kind = seed.def.nameKinds[0];
      const label = `${uniq('t')}${kind === 'go.id' ? 'kab' : ''}`;
      const fqdn = kind === 'subdomain' ? `${label}.sindangrajakab.go.id` : `${label}.${kind}`;
      // Changes, deletions, suspensions and takeovers act on a name in the registry; a change of a suspended name keeps it suspended.
      const startStatus = seed.key === 'subdomain-ubah' ? 'suspensi' : 'aktif';
      if (seed.def.effect !== 'daftar') await DomainRegistryEntry.create({ fqdn, kind, ownerAgencyId: agency.id, status: startStatus, registeredAt: '2025-01-01', activatedAt: '2025-01-01', expiresAt: kind === 'subdomain' ? null : '2027-01-01', hostingNotes: null, dnsNotes: null, lastReminderDays: null, createdAt: at, updatedAt: at });
      const c0 = await openCase(pejabat, { typeKey: seed.key, nameKind: kind, requestedName: label, applicantAgencyId: String(agency.id), purpose: 'Uji semua jenis kasus', techName: 'Budi', techEmail: 'budi@uji.go.id', techPhone: '0265 123456' });
      const c = await walk(c0.id);
      expect(c.currentStepKey, seed.key).to.equal('laporan');
      const def = await definitionOf(c.typeVersionId);
      const offered = lettersOffered(c, def).filter((l) => l.role === 'balasan' && l.when !== 'belum_lengkap');
      expect(offered.length, `${seed.key}: a report letter is offered`).to.be.greaterThan(0);
      const draft = await draftCaseLetter({ actor: pejabat, caseId: c.id, letterKey: offered[0].key });
      expect(draft.bodyHtml, seed.key).to.contain(fqdn);
      await signAndSend(draft.id);
      const done = await current(c.id);
      expect(done.status, seed.key).to.equal('selesai');
      expect(done.openName, seed.key).to.equal(null);
      const entry = (await DomainRegistryEntry.findOne({ where: { fqdn } }))!;
      const want = { daftar: 'aktif', ubah: startStatus, hapus: 'dihapus', suspensi: 'suspensi', ambil_alih: 'aktif' }[seed.def.effect];
      expect(entry.status, seed.key).to.equal(want);
      expect(await AuditEvent.count({ where: { entityType: 'domain_registry', entityId: String(entry.id), action: 'domain.registri_diubah_kasus' } }), seed.key).to.equal(1);
    }
  });

  it('two clicks on the same case letter at once: one draft, linked; the other refused, leaving no draft behind', async () => {
    const pejabat = await actorOf('domain');
    const agency = await buildAgency();
    const c0 = await openCase(pejabat, { typeKey: 'domain-baru', nameKind: 'go.id', requestedName: `${uniq('ganda')}kab`, applicantAgencyId: String(agency.id), purpose: 'Uji dua klik', techName: 'Budi', techEmail: 'budi@uji.go.id', techPhone: '0265 123456' });
    const drafts = async () => OutgoingLetter.count({ where: { drafterUserId: pejabat.user.id, perihal: { [Op.like]: `%${c0.requestedName}%` } } });
    const before = await drafts();
    const results = await Promise.allSettled([0, 1].map(() => draftCaseLetter({ actor: pejabat, caseId: c0.id, letterKey: 'pengantar-sekda' })));
    const won = results.filter((r): r is PromiseFulfilledResult<OutgoingLetter> => r.status === 'fulfilled');
    expect(won, 'one draft made').to.have.length(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.message).to.include('Kasus berubah saat konsep dibuat');
    expect(await drafts() - before, 'the refused click left no draft, not even a cancelled one').to.equal(1);
    expect((await current(c0.id)).sekdaLetterId).to.equal(won[0].value.id);
  });

  it('a registrar rejection ends the case "ditolak" with the rejection reply; the report letter is offered only at the report step', async () => {
    const pejabat = await actorOf('domain');
    const agency = await buildAgency();
    const c0 = await openCase(pejabat, { typeKey: 'domain-baru', nameKind: 'go.id', requestedName: `${uniq('tolak')}kab`, applicantAgencyId: String(agency.id), purpose: 'Uji penolakan registrar', techName: 'Budi', techEmail: 'budi@uji.go.id', techPhone: '0265 123456' });
    const def = await definitionOf(c0.typeVersionId);
    expect(lettersOffered(c0, def).map((l) => l.key)).to.deep.equal(['pengantar-sekda', 'balasan-belum-lengkap']);
    const c = await walk(c0.id, { reject: 'jawaban' });
    expect(c.outcome).to.equal('ditolak');
    expect(lettersOffered(c, def).map((l) => l.key)).to.deep.equal(['balasan-ditolak']);
    const draft = await draftCaseLetter({ actor: pejabat, caseId: c.id, letterKey: 'balasan-ditolak' });
    expect(JSON.parse(draft.templateValues).alasan).to.equal('Nama tidak sesuai ketentuan registrar');
    await signAndSend(draft.id);
    expect((await current(c.id)).status).to.equal('ditolak');
  });
});
