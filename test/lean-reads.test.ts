import { expect } from 'chai';
import { Op, col, fn } from 'sequelize';
import { AuditEvent, Disposition, InboxItem, IncomingLetter, Position, User } from '../models';
import { db, isSqlite, tx } from '../platform/db';
import { buildLetter } from './helpers/factories';

/**
 * platform/db.ts: on MariaDB a model read outside a transaction travels through the lean read
 * pool, not Sequelize's query machinery; its instances must be the ones Sequelize's own path
 * builds (inside a transaction a read takes that path), value for value and type for type.
 */
describe('Model reads through the lean pool', () => {
  /** How many statements went through Sequelize's query() while fn ran. */
  async function sequelizeQueries<T>(fn: () => Promise<T>): Promise<{ result: T; n: number }> {
    const s = db();
    const query = s.query.bind(s);
    let n = 0;
    (s as unknown as { query: unknown }).query = (...args: Parameters<typeof query>) => { n++; return query(...args); };
    try {
      return { result: await fn(), n };
    } finally {
      (s as unknown as { query: unknown }).query = query;
    }
  }
  const plain = (rows: unknown) => JSON.parse(JSON.stringify(rows, (_k, v: unknown) => (v instanceof Date ? `Date:${v.toISOString()}` : v)));
  const types = (row: { get(o: { plain: true }): Record<string, unknown> } | null) =>
    row ? Object.fromEntries(Object.entries(row.get({ plain: true })).map(([k, v]) => [k, v instanceof Date ? 'date' : v === null ? 'null' : typeof v])) : null;

  it('gives the same instances as Sequelize inside a transaction: dates, DATE strings, booleans, text, order, limit, attributes', async () => {
    const letter = await buildLetter();
    const reads: [string, () => Promise<unknown>][] = [
      ['letter by key', () => IncomingLetter.findByPk(letter.id)],
      ['no such letter', () => IncomingLetter.findByPk(2_000_000_000)],
      ['inbox items (booleans)', () => InboxItem.findAll({ where: { letterId: letter.id }, order: [['id', 'ASC']] })],
      ['positions (booleans, order, limit)', () => Position.findAll({ order: [['id', 'DESC']], limit: 5 })],
      ['users (some attributes)', () => User.findAll({ attributes: ['id', 'name', 'active', 'isAdmin'], where: { id: { [Op.gt]: 0 } }, order: [['id', 'ASC']] })],
      ['one audit event (text, date)', () => AuditEvent.findOne({ where: { entityType: 'incoming_letter', entityId: String(letter.id) }, order: [['seq', 'ASC']] })],
      ['an aggregate over a TINYINT (no model type: a number on both paths)', () => InboxItem.findAll({ attributes: [[fn('MAX', col('unread')), 'anyUnread']], where: { letterId: letter.id } })],
      ['dispositions (none)', () => Disposition.findAll({ where: { letterId: letter.id } })],
    ];
    for (const [label, read] of reads) {
      const outside = await sequelizeQueries(read);
      const inside = await tx(() => read());
      expect(plain(outside.result), label).to.deep.equal(plain(inside));
      const first = (x: unknown) => (Array.isArray(x) ? (x[0] ?? null) : x) as Parameters<typeof types>[0];
      expect(types(first(outside.result)), `${label}: value types`).to.deep.equal(types(first(inside)));
      // MariaDB: the read did not go through Sequelize's query(); SQLite keeps Sequelize's path.
      expect(outside.n, `${label}: statements through Sequelize`).to.equal(isSqlite() ? 1 : 0);
    }
    const items = await InboxItem.findAll({ where: { letterId: letter.id } });
    expect(items.length).to.be.greaterThan(0);
    expect(items[0].unread, 'a TINYINT(1) reads as a boolean').to.be.a('boolean');
    const found = await IncomingLetter.findByPk(letter.id);
    expect(found!.createdAt).to.be.instanceOf(Date);
    expect(found!.isNewRecord, 'a read record is not new: save() updates it').to.equal(false);
  });

  it('a read inside a transaction sees the transaction\'s own write (Sequelize\'s path)', async () => {
    const letter = await buildLetter();
    await tx(async () => {
      await IncomingLetter.update({ perihal: 'Diubah di dalam transaksi' }, { where: { id: letter.id } });
      expect((await IncomingLetter.findByPk(letter.id))!.perihal).to.equal('Diubah di dalam transaksi');
    });
  });
});
