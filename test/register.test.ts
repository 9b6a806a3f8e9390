import { expect } from 'chai';
import { AuditEvent, IncomingLetter, InboxItem, LetterFile, Blob, Agency } from '../models';
import { blobStore } from '../platform/blobstore';
import { today } from '../platform/dates';
import { signIn, csrfOf, textOf } from './helpers/app';
import { buildAgency, buildLetter, pdfBytes, positionByRole, uniq } from './helpers/factories';

/** Fill and post the registration form as the browser does (multipart, token in the URL). */
async function postLetter(agent: Awaited<ReturnType<typeof signIn>>, fields: Record<string, string>, files: { field: string; data: Buffer; name: string }[] = []) {
  const page = await agent.get('/surat-masuk/baru');
  const key = /name="submissionKey" value="([0-9a-f]{32})"/.exec(page.text)?.[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  const req = agent.post(`/surat-masuk?_csrf=${encodeURIComponent(token ?? '')}`);
  const all = { submissionKey: key ?? '', ...fields };
  for (const [k, v] of Object.entries(all)) req.field(k, v);
  for (const f of files) req.attach(f.field, f.data, f.name);
  return { res: await req, key };
}

export async function validFields(o: Record<string, string> = {}): Promise<Record<string, string>> {
  const agency = await buildAgency();
  return {
    senderNumber: uniq('400.14/'), letterDate: today(), receivedDate: today(), senderAgencyId: String(agency.id),
    perihal: uniq('Permohonan Subdomain '), sifat: 'biasa', urgensi: 'segera', klasifikasi: '400.14.2.1 — Nama Domain dan Subdomain',
    jenisNaskah: 'surat_permohonan', lampiran: '1 (satu) berkas', summary: 'Ringkasan uji', addressedPositionId: String((await positionByRole('kepala')).id), ...o,
  };
}

describe('Surat Masuk registration', () => {
  it('registers a letter with its scan: agenda number, blob, inbox item of the addressed position, audit event', async () => {
    const clerk = await signIn('sekretariat');
    const fields = await validFields();
    const scan = pdfBytes('scan');
    const { res } = await postLetter(clerk, fields, [{ field: 'scan', data: scan, name: 'surat permohonan.pdf' }, { field: 'lampiranFiles', data: pdfBytes('lamp'), name: 'lampiran.pdf' }]);
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    const letter = await IncomingLetter.findOne({ where: { perihal: fields.perihal } });
    expect(letter).to.not.equal(null);
    // The agenda year is the office's (WIB) year on the app clock, not the machine's (UTC) year.
    expect(letter!.agendaNumber).to.match(new RegExp(`^\\d{4}/SM/${today().slice(0, 4)}$`));
    expect(letter!.klasifikasiCode).to.equal('400.14.2.1');
    expect(res.headers.location).to.equal(`/surat-masuk/${letter!.id}`);
    const files = await LetterFile.findAll({ where: { letterId: letter!.id }, order: [['id', 'ASC']] });
    expect(files.map((f) => [f.kind, f.originalName, f.mime])).to.deep.equal([['scan', 'surat permohonan.pdf', 'application/pdf'], ['lampiran', 'lampiran.pdf', 'application/pdf']]);
    expect(await blobStore().exists(files[0].blobSha)).to.equal(true);
    expect(await blobStore().hash(files[0].blobSha)).to.equal(files[0].blobSha);
    expect(await Blob.findByPk(files[0].blobSha)).to.not.equal(null);
    const items = await InboxItem.findAll({ where: { letterId: letter!.id } });
    expect(items.map((i) => [i.positionId, i.kind, i.unread])).to.deep.equal([[(await positionByRole('kepala')).id, 'tujuan', true]]);
    const ev = await AuditEvent.findOne({ where: { entityType: 'incoming_letter', entityId: String(letter!.id), action: 'surat_masuk.diregistrasi' } });
    expect(ev).to.not.equal(null);
    expect(ev!.actorPositionId).to.equal((await positionByRole('sekretariat')).id);
    const page = await clerk.get(res.headers.location);
    expect(textOf(page.text)).to.include(`Surat masuk terdaftar dengan nomor agenda ${letter!.agendaNumber}`);
  });

  it('gives 50 concurrent registrations 50 distinct consecutive agenda numbers', async function () {
    this.timeout(120_000);
    const agency = await buildAgency();
    const letters = await Promise.all(Array.from({ length: 50 }, (_, i) => buildLetter({ senderAgencyId: agency.id, senderNumber: `SEQ/${i}/${uniq()}` })));
    const seqs = letters.map((l) => l.agendaSeq).sort((a, b) => a - b);
    expect(new Set(seqs).size).to.equal(50);
    expect(seqs[49] - seqs[0]).to.equal(49);
    expect(new Set(letters.map((l) => l.agendaNumber)).size).to.equal(50);
    const year = Number(today().slice(0, 4));
    expect(letters.every((l) => l.agendaYear === year)).to.equal(true);
  });

  it('warns about the same sender and number, links to it, and registers only after an explicit confirm', async () => {
    const first = await buildLetter();
    const clerk = await signIn('sekretariat');
    const fields = await validFields({ senderAgencyId: String(first.senderAgencyId), senderNumber: first.senderNumber });
    const scan = { field: 'scan', data: pdfBytes(), name: 'dup.pdf' };
    const { res, key } = await postLetter(clerk, fields, [scan]);
    expect(res.status).to.equal(409);
    expect(res.text).to.include(`href="/surat-masuk/${first.id}"`);
    expect(textOf(res.text)).to.include('Kemungkinan surat ganda');
    expect(await IncomingLetter.count({ where: { senderNumber: first.senderNumber } })).to.equal(1);
    // The uploaded scan was kept for the confirming submit: the form lists it, no re-upload.
    expect(res.text).to.include('data-testid="pending-files"');
    const token = await csrfOf(clerk, '/surat-masuk/baru');
    const again = clerk.post(`/surat-masuk?_csrf=${token}`);
    for (const [k, v] of Object.entries({ ...fields, submissionKey: key!, confirmDuplicate: '1' })) again.field(k, v);
    const ok = await again;
    expect(ok.status, ok.text.slice(0, 300)).to.equal(303);
    expect(await IncomingLetter.count({ where: { senderNumber: first.senderNumber } })).to.equal(2);
  });

  it('creates one letter when the same form is submitted twice (double click, back button, retry)', async () => {
    const clerk = await signIn('sekretariat');
    const fields = await validFields();
    const { res, key } = await postLetter(clerk, fields, [{ field: 'scan', data: pdfBytes(), name: 'a.pdf' }]);
    expect(res.status).to.equal(303);
    const token = await csrfOf(clerk, '/surat-masuk/baru');
    const [r2, r3] = await Promise.all([0, 1].map(() => {
      const r = clerk.post(`/surat-masuk?_csrf=${token}`);
      for (const [k, v] of Object.entries({ ...fields, submissionKey: key! })) r.field(k, v);
      return r.attach('scan', pdfBytes(), 'a.pdf');
    }));
    expect(await IncomingLetter.count({ where: { perihal: fields.perihal } })).to.equal(1);
    for (const r of [r2, r3]) expect(r.headers.location).to.equal(res.headers.location);
    const page = await clerk.get(r3.headers.location);
    expect(textOf(page.text)).to.match(/sudah dikirim sebelumnya|terdaftar dengan nomor agenda/);
  });

  it('adds a new sender to the directory inline', async () => {
    const clerk = await signIn('sekretariat');
    const name = uniq('Pemerintah Desa Uji ');
    const fields = await validFields({ senderAgencyId: 'baru', newSenderName: name, newSenderKind: 'desa', newSenderCity: 'Sindangraja' });
    const { res } = await postLetter(clerk, fields, [{ field: 'scan', data: pdfBytes(), name: 'a.pdf' }]);
    expect(res.status).to.equal(303);
    const ag = await Agency.findOne({ where: { name } });
    expect(ag?.kind).to.equal('desa');
    const letter = await IncomingLetter.findOne({ where: { perihal: fields.perihal } });
    expect(letter!.senderAgencyId).to.equal(ag!.id);
    expect(letter!.senderName).to.equal(name);
  });

  it('lets the secretariat correct metadata with a reason, auditing before and after', async () => {
    const letter = await buildLetter({ perihal: 'Permohonan Subdomian salah ketik' });
    const clerk = await signIn('sekretariat');
    const form = await clerk.get(`/surat-masuk/${letter.id}/koreksi`);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const version = /name="version" value="(\d+)"/.exec(form.text)![1];
    const base = {
      _csrf: token, version, senderAgencyId: String(letter.senderAgencyId), senderNumber: letter.senderNumber, letterDate: letter.letterDate,
      receivedDate: letter.receivedDate, perihal: 'Permohonan Subdomain', sifat: 'biasa', urgensi: 'biasa', klasifikasi: letter.klasifikasiCode,
      jenisNaskah: 'surat_permohonan', lampiran: '', summary: '', addressedPositionId: String(letter.addressedPositionId),
    };
    const noReason = await clerk.post(`/surat-masuk/${letter.id}/koreksi`).type('form').send({ ...base, reason: '' });
    expect(noReason.status).to.equal(422);
    expect(textOf(noReason.text)).to.include('Alasan koreksi wajib diisi');
    expect((await letter.reload()).perihal).to.equal('Permohonan Subdomian salah ketik');
    const ok = await clerk.post(`/surat-masuk/${letter.id}/koreksi`).type('form').send({ ...base, reason: 'salah ketik perihal' });
    expect(ok.status).to.equal(303);
    expect((await letter.reload()).perihal).to.equal('Permohonan Subdomain');
    const ev = await AuditEvent.findOne({ where: { entityType: 'incoming_letter', entityId: String(letter.id), action: 'surat_masuk.dikoreksi' } });
    expect(ev!.data('before')!.perihal).to.equal('Permohonan Subdomian salah ketik');
    expect(ev!.data('after')!.perihal).to.equal('Permohonan Subdomain');
    expect(ev!.data('after')!.alasan).to.equal('salah ketik perihal');
    // A second post of the stale form (old version) is refused, not applied silently.
    const stale = await clerk.post(`/surat-masuk/${letter.id}/koreksi`).type('form').send({ ...base, perihal: 'Lain', reason: 'x' });
    expect(stale.status).to.equal(303);
    expect((await letter.reload()).perihal).to.equal('Permohonan Subdomain');
    const page = await clerk.get(`/surat-masuk/${letter.id}`);
    expect(textOf(page.text)).to.include('Data dikoreksi');
    expect(textOf(page.text)).to.include('Permohonan Subdomian salah ketik → Permohonan Subdomain');
  });
});

describe('Buku Agenda (register)', () => {
  it('filters, searches full text, pages by keyset and exports CSV', async () => {
    const agency = await buildAgency({ name: uniq('Dinas Penyaring ') });
    const word = uniq('zebrakuda');
    const made = [];
    for (let i = 0; i < 55; i++) made.push(await buildLetter({ senderAgencyId: agency.id, perihal: `Permohonan ${i % 5 === 0 ? word : 'biasa'} nomor ${i}`, sifat: i === 3 ? 'terbatas' : 'biasa' }));
    const clerk = await signIn('sekretariat');
    const first = await clerk.get(`/surat-masuk?sender=${agency.id}`);
    expect(first.status).to.equal(200);
    const rows = (h: string) => [...h.matchAll(/<a href="\/surat-masuk\/(\d+)">/g)].map((m) => Number(m[1]));
    const page1 = rows(first.text);
    expect(page1).to.have.length(50);
    expect(page1[0]).to.equal(made[54].id); // newest first
    const nextLink = /href="(\/surat-masuk\?[^"]*setelah=\d+[^"]*)"/.exec(first.text)![1].replace(/&amp;/g, '&');
    const second = await clerk.get(nextLink);
    const page2 = rows(second.text);
    expect(page2).to.deep.equal(made.slice(0, 5).map((l) => l.id).reverse());
    const search = await clerk.get(`/surat-masuk?q=${word}`);
    expect(rows(search.text).sort()).to.deep.equal(made.filter((_, i) => i % 5 === 0).map((l) => l.id).sort());
    const bySifat = await clerk.get(`/surat-masuk?sender=${agency.id}&sifat=terbatas`);
    expect(rows(bySifat.text)).to.deep.equal([made[3].id]);
    const none = await clerk.get(`/surat-masuk?q=${uniq('tidakada')}`);
    expect(textOf(none.text)).to.include('Tidak ada surat yang cocok');
    const csv = await clerk.get(`/surat-masuk.csv?sender=${agency.id}`);
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).to.match(/^Nomor Agenda,Tanggal Diterima,Pengirim/);
    expect(lines).to.have.length(56);
    expect(csv.text).to.include(made[0].agendaNumber);
  });

  it('filters by received-date range and klasifikasi', async () => {
    const agency = await buildAgency();
    const old = await buildLetter({ senderAgencyId: agency.id, letterDate: '2026-01-02', receivedDate: '2026-01-05', klasifikasi: '800' });
    const recent = await buildLetter({ senderAgencyId: agency.id, klasifikasi: '400.14.3' });
    const clerk = await signIn('sekretariat');
    const ids = async (q: string) => [...(await clerk.get(`/surat-masuk?sender=${agency.id}&${q}`)).text.matchAll(/<a href="\/surat-masuk\/(\d+)">/g)].map((m) => Number(m[1]));
    expect(await ids('from=2026-01-01&to=2026-01-31')).to.deep.equal([old.id]);
    expect(await ids('klasifikasi=400.14.3')).to.deep.equal([recent.id]);
    expect(await ids(`from=${today()}`)).to.deep.equal([recent.id]);
  });

  it('is limited to the secretariat and the Sekretaris', async () => {
    for (const u of ['kabid', 'staf.egov1', 'domain']) {
      const a = await signIn(u);
      expect((await a.get('/surat-masuk')).status, u).to.equal(403);
      expect((await a.get('/surat-masuk.csv')).status, u).to.equal(403);
      expect((await a.get('/surat-masuk/baru')).status, u).to.equal(403);
    }
    expect((await (await signIn('sekretaris')).get('/surat-masuk')).status).to.equal(200);
    expect((await (await signIn('sekretaris')).get('/surat-masuk/baru')).status).to.equal(403);
  });
});
