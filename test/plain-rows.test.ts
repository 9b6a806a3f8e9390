import { expect } from 'chai';
import { Agency, AuditEvent, Disposition, DispositionReport, InboxItem, IncomingLetter, Klasifikasi, LetterFile } from '../models';
import { selectModelRows, sqlId } from '../platform/plainRows';
import { letterPageData } from '../modules/surat-masuk';
import { actorOf, buildLetter, buildUser } from './helpers/factories';

/**
 * platform/plainRows: the letter page reads its rows as plain objects by hand-written SQL. Each
 * must carry exactly what the model instance would (names, Dates, DATE strings, booleans,
 * nulls), on SQLite and MariaDB alike, or the page would show other values than the rest.
 */
describe('Plain rows (the letter page\'s reads)', () => {
  const typed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Date ? `Date:${v.toISOString()}` : v]));

  it('give the values and types a model instance holds, for every table the letter page reads', async () => {
    const letter = await buildLetter();
    const kadis = await buildUser({ role: 'kabid' });
    const d = await Disposition.create({
      letterId: letter.id, parentId: null, fromPositionId: letter.addressedPositionId, fromUserId: kadis.id, fromActing: null, toPositionId: letter.addressedPositionId,
      instructions: JSON.stringify(['tindak_lanjut']), note: null, priority: 'biasa', dueAt: new Date('2026-12-09T03:00:00.123Z'), status: 'dibaca',
      readAt: new Date('2026-12-08T01:02:03.456Z'), readByUserId: kadis.id, completedAt: null, completedByUserId: null, completedActing: null, result: null,
      recalledAt: null, recallReason: null, remindedAt: null, escalatedAt: null,
    });
    await DispositionReport.create({ dispositionId: d.id, userId: kadis.id, positionId: letter.addressedPositionId, acting: null, kind: 'laporan', body: 'Sedang dikerjakan', createdAt: new Date() });
    const cases: [string, () => Promise<unknown[]>, () => Promise<{ get(o: { plain: true }): object }[]>][] = [
      ['letter', () => selectModelRows(IncomingLetter, `SELECT l.* FROM incoming_letters l WHERE l.id = ${letter.id}`), () => IncomingLetter.findAll({ where: { id: letter.id } })],
      ['inbox items', () => selectModelRows(InboxItem, `SELECT i.* FROM inbox_items i WHERE i.letter_id = ${letter.id} ORDER BY i.id`), () => InboxItem.findAll({ where: { letterId: letter.id }, order: [['id', 'ASC']] })],
      ['files', () => selectModelRows(LetterFile, `SELECT f.* FROM incoming_letter_files f WHERE f.letter_id = ${letter.id} ORDER BY f.id`), () => LetterFile.findAll({ where: { letterId: letter.id }, order: [['id', 'ASC']] })],
      ['dispositions', () => selectModelRows(Disposition, `SELECT d.* FROM dispositions d WHERE d.letter_id = ${letter.id}`), () => Disposition.findAll({ where: { letterId: letter.id } })],
      ['audit events', () => selectModelRows(AuditEvent, `SELECT e.* FROM audit_events e WHERE e.entity_type = 'incoming_letter' AND e.entity_id = '${letter.id}' ORDER BY e.seq`),
        () => AuditEvent.findAll({ where: { entityType: 'incoming_letter', entityId: String(letter.id) }, order: [['seq', 'ASC']] })],
    ];
    for (const [label, plain, model] of cases) {
      const [a, b] = [await plain(), await model()];
      expect(b.length, `${label}: rows exist`).to.be.greaterThan(0);
      expect(a.map((r) => typed(r as Record<string, unknown>)), label).to.deep.equal(b.map((r) => typed(r.get({ plain: true }) as Record<string, unknown>)));
    }
    const [item] = await selectModelRows(InboxItem, `SELECT i.* FROM inbox_items i WHERE i.letter_id = ${letter.id}`);
    expect(item.unread).to.be.a('boolean');
    const [dr] = await selectModelRows(Disposition, `SELECT d.* FROM dispositions d WHERE d.id = ${d.id}`);
    expect(dr.readAt).to.be.instanceOf(Date);
    expect(dr.readAt!.toISOString()).to.equal('2026-12-08T01:02:03.456Z');

    const page = await letterPageData(letter.id, await actorOf(kadis));
    expect(page!.letter.agendaNumber).to.equal(letter.agendaNumber);
    expect(page!.letter.senderCity, 'a sender without a city').to.equal(null);
    expect(page!.letter.klasifikasiName, 'the classification joined in').to.equal((await Klasifikasi.findByPk(letter.klasifikasiCode))!.name);
    await Agency.update({ city: 'Kota Sindangraja' }, { where: { id: letter.senderAgencyId } });
    expect((await letterPageData(letter.id, null))!.letter.senderCity, 'the sender agency joined in').to.equal('Kota Sindangraja');
    expect(page!.tree.count).to.equal(1);
    expect(page!.tree.all[0].reports.map((r) => r.report.body)).to.deep.equal(['Sedang dikerjakan']);
    expect(page!.tree.all[0].open).to.equal(true);
    expect(page!.chain).to.include(letter.addressedPositionId);
    expect(await letterPageData(2_000_000_000, null)).to.equal(null);
    expect(page!.events.length, 'the audit trail is there').to.be.greaterThan(0);
    expect(page!.files.length, 'the scan is there').to.be.greaterThan(0);
  });

  it('refuse anything but a positive integer id in their SQL', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) expect(() => sqlId(bad), String(bad)).to.throw(TypeError);
    expect(sqlId(42)).to.equal('42');
  });
});
