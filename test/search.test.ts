import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { db } from '../platform/db';
import { IncomingLetter, InboxItem } from '../models';
import { signIn, textOf } from './helpers/app';
import { actorOf, buildAgency, buildLetter, buildPosition, buildUser, positionByRole, uniq } from './helpers/factories';
import { inboxPage, registerPage } from '../modules/surat-masuk/letterQueries';
import { correctLetter } from '../modules/surat-masuk/letterCorrector';
import { searchTerms, queryWords } from '../modules/surat-masuk/letterSearch';

const ids = (h: string) => [...h.matchAll(/<td data-label="No. Agenda"><a href="\/surat-masuk\/(\d+)">/g)].map((m) => Number(m[1]));
const termsOf = async (letterId: number) => (await db().query<{ term: string }>(
  'SELECT term FROM letter_search_terms WHERE letter_id = ? ORDER BY term', { replacements: [letterId], type: QueryTypes.SELECT })).map((r) => r.term);

describe('Register search (word index)', () => {
  // Letters of these tests go to a position of their own, not to another test's inbox.
  let to = 0;
  const mkLetter = async (o: Parameters<typeof buildLetter>[0] = {}) => buildLetter({ addressedPositionId: to || (to = (await buildPosition({ role: 'kabid', rank: 2 })).id), ...o });

  it('splits text into the indexed words: lower case, no diacritics, letters and digits', () => {
    expect(searchTerms('400.14.2.1/007/Dinkes/XI/2026 \nDinas KESEHATAN Café')).to.have.members(['400', '14', '2', '1', '007', 'dinkes', 'xi', '2026', 'dinas', 'kesehatan', 'cafe']);
    expect(queryWords('  Rapat, koordinasi!! rapat ')).to.deep.equal(['rapat', 'koordinasi']);
  });

  it('finds letters by perihal, sender, sender number and summary words, by word prefix, newest first', async () => {
    const tag = uniq('gajahoren');
    const agency = await buildAgency({ name: uniq('Dinas Pencarian ') });
    const a = await mkLetter({ perihal: `Permohonan ${tag} data` });
    const b = await mkLetter({ senderAgencyId: agency.id, summary: `Ringkasan tentang ${tag}` });
    const number = uniq('999.1/');
    const c = await mkLetter({ senderNumber: `${number}/Uji/XI/2026`, perihal: `Undangan ${tag}lanjutan` });
    const clerk = await signIn('sekretariat');
    // One word, in perihal, summary and (as a prefix) in a longer word.
    expect(ids((await clerk.get(`/surat-masuk?q=${tag}`)).text)).to.deep.equal([c.id, b.id, a.id]);
    // Upper case and diacritics in the query do not matter.
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(tag.toUpperCase().replace('E', 'É'))}`)).text)).to.deep.equal([c.id, b.id, a.id]);
    // The sender's name, the sender's number (its parts are words).
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(agency.name)}`)).text)).to.deep.equal([b.id]);
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(number.split('/')[1])}`)).text)).to.deep.equal([c.id]);
    // The agenda number.
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(a.agendaNumber)}`)).text)).to.include(a.id);
    // Every word must match: two words, then one that only one letter has.
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(`${tag} data`)}`)).text)).to.deep.equal([a.id]);
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(`undangan ${tag}`)}`)).text)).to.deep.equal([c.id]);
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(`${tag} ${uniq('tidakada')}`)}`)).text)).to.deep.equal([]);
    // Combined with a filter.
    expect(ids((await clerk.get(`/surat-masuk?sender=${agency.id}&q=${tag}`)).text)).to.deep.equal([b.id]);
  });

  it('follows a correction of the perihal, in the same transaction', async () => {
    const oldWord = uniq('kudanil');
    const newWord = uniq('badaklaut');
    const letter = await mkLetter({ perihal: `Permohonan ${oldWord}` });
    expect(await termsOf(letter.id)).to.include(oldWord);
    const clerk = await signIn('sekretariat');
    expect(ids((await clerk.get(`/surat-masuk?q=${oldWord}`)).text)).to.deep.equal([letter.id]);
    await correctLetter({
      actor: await actorOf('sekretariat'), letterId: letter.id, expectedVersion: letter.version, reason: 'salah ketik',
      form: {
        senderAgencyId: String(letter.senderAgencyId), senderNumber: letter.senderNumber, letterDate: letter.letterDate, receivedDate: letter.receivedDate,
        perihal: `Permohonan ${newWord}`, sifat: 'biasa', urgensi: 'biasa', klasifikasi: letter.klasifikasiCode, jenisNaskah: 'surat_permohonan',
        lampiran: '', summary: '', addressedPositionId: String(letter.addressedPositionId),
      },
    } as Parameters<typeof correctLetter>[0]);
    const terms = await termsOf(letter.id);
    expect(terms).to.include(newWord).and.not.include(oldWord);
    expect(terms.sort()).to.deep.equal(searchTerms((await IncomingLetter.findByPk(letter.id))!.searchText).sort());
    expect(ids((await clerk.get(`/surat-masuk?q=${oldWord}`)).text)).to.deep.equal([]);
    expect(ids((await clerk.get(`/surat-masuk?q=${newWord}`)).text)).to.deep.equal([letter.id]);
    expect(ids((await clerk.get(`/surat-masuk?q=${encodeURIComponent(`permohonan ${newWord}`)}`)).text)).to.deep.equal([letter.id]);
  });

  it('pages a search by keyset, newest first, without gaps or repeats', async () => {
    const word = uniq('kijangmas');
    const made: IncomingLetter[] = [];
    for (let i = 0; i < 57; i++) {
      made.push(await mkLetter({ perihal: i % 2 ? `Permohonan ${word} nomor ${i}` : `Undangan ${word}`, summary: i % 3 ? '' : 'rapat' }));
      if (i % 4 === 0) await mkLetter({ perihal: `Lain ${uniq('x')}` }); // letters in between that do not match
    }
    const clerk = await signIn('sekretariat');
    const first = await clerk.get(`/surat-masuk?q=${word}`);
    const page1 = ids(first.text);
    expect(page1).to.deep.equal(made.slice(7).map((l) => l.id).reverse());
    const next = /href="(\/surat-masuk\?[^"]*setelah=\d+[^"]*)"/.exec(first.text)![1].replace(/&amp;/g, '&');
    expect(next).to.include(`q=${word}`);
    const page2 = ids((await clerk.get(next)).text);
    expect(page2).to.deep.equal(made.slice(0, 7).map((l) => l.id).reverse());
    expect(/setelah=/.test((await clerk.get(next)).text)).to.equal(false);
    // The same through the service, smaller pages, two words (the sparser one drives).
    const actor = await actorOf('sekretariat');
    const want = made.filter((_, i) => i % 3 === 0).map((l) => l.id).reverse();
    const got: number[] = [];
    let after: number | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const { rows, next: n } = await registerPage(actor, { q: `rapat ${word}` }, after, 4);
      got.push(...rows.map((r) => r.letter.id));
      if (!n) break;
      after = n;
    }
    expect(got).to.deep.equal(want);
  });

  it('keeps the access rules: confidential letters stay masked, the register stays closed to staff', async () => {
    const word = uniq('rahasiaword');
    const agency = await buildAgency();
    const secret = await mkLetter({ senderAgencyId: agency.id, perihal: `Perihal ${word}`, sifat: 'rahasia' });
    const open = await mkLetter({ senderAgencyId: agency.id, perihal: `Biasa ${word}` });
    const clerk = await signIn('sekretariat');
    const res = await clerk.get(`/surat-masuk?q=${word}`);
    // A search is no oracle: the confidential letter does not match for a reader outside its chain
    // (not even as a masked row), while the register without a search still lists it, masked.
    expect(ids(res.text)).to.deep.equal([open.id]);
    expect(res.text).to.not.include(secret.perihal);
    expect(textOf(res.text)).to.not.include('(dirahasiakan)');
    expect(res.text).to.include(open.perihal);
    const byNumber = await clerk.get(`/surat-masuk?q=${encodeURIComponent(secret.senderNumber)}`);
    expect(ids(byNumber.text)).to.not.include(secret.id);
    const listed = await clerk.get(`/surat-masuk?sender=${agency.id}`);
    expect(ids(listed.text)).to.include(secret.id);
    expect(textOf(listed.text)).to.include('(dirahasiakan)');
    // A confidential letter addressed to the Sekretaris: its content in the Sekretaris's register
    // (first page and search), masked in the secretariat's.
    const theirs = await mkLetter({ perihal: `Rahasia ${word} sekretaris`, sifat: 'rahasia', addressedPositionId: (await positionByRole('sekretaris')).id });
    const sekretaris = await signIn('sekretaris');
    const found = await sekretaris.get(`/surat-masuk?q=${word}`);
    expect(ids(found.text)).to.deep.equal([theirs.id, open.id]);
    expect(found.text).to.include(theirs.perihal).and.not.include(secret.perihal);
    expect((await sekretaris.get('/surat-masuk')).text).to.include(theirs.perihal);
    expect((await clerk.get('/surat-masuk')).text).to.not.include(theirs.perihal);
    expect((await clerk.get(`/surat-masuk?q=${word}`)).text).to.not.include(theirs.perihal);
    const staff = await signIn('staf.egov1');
    const denied = await staff.get(`/surat-masuk?q=${word}`);
    expect(denied.status).to.equal(403);
    expect(denied.text).to.not.include(secret.perihal).and.not.include(open.perihal);
  });

  it('still answers words the word index leaves to the full-text search (very short or very common)', async () => {
    const word = uniq('zq');
    const letter = await mkLetter({ perihal: `Permohonan ${word} b` });
    const clerk = await signIn('sekretariat');
    // "b": a one-letter word begins many indexed words.
    const res = await clerk.get(`/surat-masuk?q=${encodeURIComponent(`${word} b`)}`);
    expect(res.status).to.equal(200);
    expect(ids(res.text)).to.deep.equal([letter.id]);
  });

  it('answers a word search from the word index (a letter without its index rows is not found)', async () => {
    const word = uniq('indekskata');
    const letter = await mkLetter({ perihal: `Permohonan ${word}` });
    const clerk = await signIn('sekretariat');
    expect(ids((await clerk.get(`/surat-masuk?q=${word}`)).text)).to.deep.equal([letter.id]);
    await db().query('DELETE FROM letter_search_terms WHERE letter_id = ? AND term = ?', { replacements: [letter.id, word] });
    expect(ids((await clerk.get(`/surat-masuk?q=${word}`)).text)).to.deep.equal([]);
  });

  it('pages an inbox by keyset (unread first, then newest) with each item\'s letter', async () => {
    const kepala = (await buildPosition({ role: 'kabid', rank: 2 })).id;
    for (let i = 0; i < 7; i++) await mkLetter({ perihal: `Inbox ${uniq('kotak')}`, addressedPositionId: kepala });
    const actor = await actorOf(await buildUser({ positionId: kepala }));
    await InboxItem.update({ unread: false }, { where: { positionId: kepala, letterId: (await InboxItem.findAll({ where: { positionId: kepala } })).slice(1, 4).map((i) => i.letterId) } });
    const want = await db().query<{ id: number | string; letter_id: number | string; unread: number | boolean }>(
      'SELECT id, letter_id, unread FROM inbox_items WHERE position_id = ? ORDER BY unread DESC, id DESC', { replacements: [kepala], type: QueryTypes.SELECT });
    const got: { id: number; letterId: number; unread: boolean; perihal: string }[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const { rows, next } = await inboxPage(actor, cursor, 3);
      got.push(...rows.map((r) => ({ id: r.item.id, letterId: r.item.letterId, unread: r.item.unread, perihal: r.letter.perihal })));
      for (const r of rows) expect(r.letter.id).to.equal(r.item.letterId);
      if (!next) break;
      cursor = next;
    }
    expect(got.map((g) => [g.id, g.letterId, g.unread])).to.deep.equal(want.map((w) => [Number(w.id), Number(w.letter_id), !!w.unread]));
  });
});
