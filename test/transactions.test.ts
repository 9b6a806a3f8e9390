import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Agency, LoginThrottle } from '../models';
import { currentTransaction, db, isSqlite, tx, TransactionEscapeError } from '../platform/db';
import { recordEvent, verifyChain } from '../platform/audit';
import { systemActor } from '../platform/actor';
import { uniq } from './helpers/factories';

/**
 * The one rule for transactions (platform/db.ts): every query a command makes while its
 * transaction runs belongs to that transaction, without being handed `t`; a query that
 * would escape it is refused at once; a nested tx() joins; and the audit chain stays whole
 * under concurrent transactions, rolled-back ones included.
 */
describe('Transactions: one rule on both databases', () => {
  it('a query or model call inside tx() without `t` runs in the transaction (sees its writes, rolls back with it)', async () => {
    const name = uniq('Dinas Transaksi ');
    let seenInside = -1;
    try {
      await tx(async () => {
        await Agency.create({ name, kind: 'skpd', headTitle: null, address: null, city: null, email: null, phone: null });
        seenInside = await Agency.count({ where: { name } });
        const raw = await db().query<{ n: number }>('SELECT COUNT(*) AS n FROM agencies WHERE name = ?', { replacements: [name], type: QueryTypes.SELECT });
        expect(Number(raw[0].n), 'a raw query sees the uncommitted row').to.equal(1);
        throw new Error('roll back');
      });
    } catch (err) { expect((err as Error).message).to.equal('roll back'); }
    expect(seenInside).to.equal(1);
    expect(await Agency.count({ where: { name } }), 'rolled back with the transaction').to.equal(0);
  });

  it('a query that names no transaction (transaction: null) inside tx() is refused at once, not left to wait on the lock', async () => {
    const started = Date.now();
    let caught: unknown = null;
    await tx(async () => {
      try { await Agency.findAll({ transaction: null, limit: 1 }); } catch (err) { caught = err; }
    });
    expect(caught).to.be.instanceOf(TransactionEscapeError);
    expect(Date.now() - started).to.be.below(1000);
    let raw: unknown = null;
    await tx(async () => {
      try { await db().query('UPDATE agencies SET city = city WHERE id = 0', { transaction: null }); } catch (err) { raw = err; }
    });
    expect(raw, 'raw SQL too').to.be.instanceOf(TransactionEscapeError);
  });

  it('a tx() inside a tx() joins it: both commit or both roll back', async () => {
    const a = uniq('Dinas Luar '), b = uniq('Dinas Dalam ');
    const mk = (name: string) => Agency.create({ name, kind: 'skpd', headTitle: null, address: null, city: null, email: null, phone: null });
    try {
      await tx(async (outer) => {
        await mk(a);
        await tx(async (inner) => { expect(inner).to.equal(outer); await mk(b); });
        throw new Error('undo both');
      });
    } catch { /* expected */ }
    expect(await Agency.count({ where: { name: [a, b] } })).to.equal(0);
    expect(currentTransaction(), 'nothing left active after the transaction').to.equal(null);
  });

  it('writes outside a transaction run concurrently with transactions without waiting on a lock (50 throttle upserts beside 20 transactions)', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => uniq(`probe:${i}:`));
    const started = Date.now();
    await Promise.all([
      ...keys.map((key) => LoginThrottle.upsert({ key, failures: 1, windowStart: new Date(), lockedUntil: null })),
      ...Array.from({ length: 20 }, () => tx(async (t) => { await recordEvent(t, systemActor('uji'), { action: 'uji.bersamaan', entityType: 'probe', entityId: 1 }); })),
    ]);
    expect(Date.now() - started, 'no lock waits (the busy timeout alone is 200 ms a try)').to.be.below(10_000);
    expect(await LoginThrottle.count({ where: { key: keys } })).to.equal(50);
    await LoginThrottle.destroy({ where: { key: keys } });
  });

  it('the audit chain stays whole under 20 concurrent audited commands, some rolled back', async function () {
    this.timeout(60_000);
    const before = await AuditEvent.count();
    const runs = Array.from({ length: 20 }, (_, i) => tx(async (t) => {
      // Read something first, so a REPEATABLE READ snapshot would predate the chain head.
      await Agency.count();
      await recordEvent(t, systemActor('uji'), { action: 'uji.rantai', entityType: 'probe', entityId: i });
      if (i % 5 === 4) throw new Error('rolled back');
      await new Promise((r) => setTimeout(r, i % 3));
    }).then(() => 'ok', () => 'rolled back'));
    const outcome = await Promise.all(runs);
    expect(outcome.filter((x) => x === 'ok')).to.have.length(16);
    expect(await AuditEvent.count()).to.equal(before + 16);
    const { problems } = await verifyChain();
    expect(problems, JSON.stringify(problems.slice(0, 3))).to.deep.equal([]);
  });

  it(`runs on ${isSqlite() ? 'SQLite' : 'MariaDB'} in the isolation the header promises`, async () => {
    if (isSqlite()) {
      const [{ journal_mode: mode }] = await db().query<{ journal_mode: string }>('PRAGMA journal_mode', { type: QueryTypes.SELECT });
      expect(['memory', 'wal']).to.include(mode);
    } else {
      const level = await tx(async () => (await db().query<{ l: string }>('SELECT @@SESSION.tx_isolation AS l', { type: QueryTypes.SELECT }))[0].l);
      expect(level).to.equal('READ-COMMITTED');
    }
  });
});
