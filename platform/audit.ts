import crypto from 'node:crypto';
import { Op, QueryTypes, type Transaction } from 'sequelize';
import { AuditEvent } from '../models';
import { db, isSqlite } from './db';
import { now } from './clock';
import { nextValue, currentValue } from './sequences';
import { type AnyActor, holdingFor } from './actor';

const GENESIS = '0'.repeat(64);
const CHAIN = 'audit-chain';

export interface EventInput {
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  /** Positions the action was addressed to; picks which of the actor's holdings acted. */
  viaPositionIds?: number[];
}

type HashFields = Pick<AuditEvent, 'seq' | 'at' | 'actorUserId' | 'actorPositionId' | 'acting' | 'action' | 'entityType' | 'entityId' | 'before' | 'after' | 'ip' | 'prevHash'>;

function hashOf(e: HashFields): string {
  const payload = JSON.stringify([e.seq, new Date(e.at).toISOString(), e.actorUserId, e.actorPositionId, e.acting, e.action,
    e.entityType, String(e.entityId), e.before, e.after, e.ip, e.prevHash]);
  return crypto.createHash('sha256').update(payload).digest('hex');
}

/**
 * Append an audit event inside the caller's transaction. The chain head is a locked
 * counter row, so events are strictly ordered even when transactions run concurrently;
 * call this last in a transaction to keep the lock short.
 */
export async function recordEvent(t: Transaction, actor: AnyActor, input: EventInput): Promise<AuditEvent> {
  const seq = await nextValue(t, CHAIN);
  let prevHash = GENESIS;
  if (seq > 1) {
    // The counter row is locked by now, so the previous event is committed; a locking read
    // sees it whatever snapshot the transaction started with (MariaDB's consistent reads).
    const lock = isSqlite() ? '' : ' LOCK IN SHARE MODE';
    const prev = await db().query<{ hash: string }>(`SELECT hash FROM audit_events WHERE seq = ?${lock}`, { replacements: [seq - 1], transaction: t, type: QueryTypes.SELECT });
    // A missing predecessor is never papered over with the genesis hash: verify would call
    // the chain whole where it is not.
    if (!prev[0]) throw new Error(`audit chain: event ${seq - 1} not found while appending ${seq}`);
    prevHash = prev[0].hash;
  }
  const holding = actor.user ? holdingFor(actor, input.viaPositionIds) : undefined;
  const fields: HashFields = {
    seq,
    at: new Date(Math.floor(now().getTime())),
    actorUserId: actor.user?.id ?? null,
    actorPositionId: holding?.positionId ?? null,
    acting: holding && holding.kind !== 'definitif' ? holding.kind : null,
    action: input.action,
    entityType: input.entityType,
    entityId: String(input.entityId),
    before: input.before === undefined ? null : JSON.stringify(input.before),
    after: input.after === undefined ? null : JSON.stringify(input.after),
    ip: actor.ip,
    prevHash,
  };
  return AuditEvent.create({ ...fields, hash: hashOf(fields) }, { transaction: t });
}

export interface ChainProblem { seq: number | null; problem: string }

/**
 * Walk the whole chain and report every event that was edited, removed or moved: a gap in
 * `seq`, a `prevHash` that is not the previous event's hash, a hash that no longer matches
 * the event, or a chain shorter than the counter says it should be.
 */
export async function verifyChain(batch = 5000): Promise<{ count: number; problems: ChainProblem[] }> {
  const problems: ChainProblem[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS;
  let count = 0;
  for (;;) {
    const rows = await AuditEvent.findAll({ where: { seq: { [Op.gte]: expectedSeq } }, order: [['seq', 'ASC']], limit: batch });
    if (!rows.length) break;
    for (const e of rows) {
      count++;
      if (e.seq !== expectedSeq) problems.push({ seq: e.seq, problem: `urutan terputus: diharapkan seq ${expectedSeq}, ditemukan ${e.seq} (ada kejadian yang dihapus atau dipindah)` });
      if (e.prevHash !== prevHash) problems.push({ seq: e.seq, problem: 'prev_hash tidak sama dengan hash kejadian sebelumnya (urutan diubah atau kejadian dihapus)' });
      if (hashOf(e) !== e.hash) problems.push({ seq: e.seq, problem: 'isi kejadian tidak cocok dengan hash-nya (kejadian diubah)' });
      prevHash = e.hash;
      expectedSeq = e.seq + 1;
    }
  }
  const head = await currentValue(CHAIN);
  if (head !== expectedSeq - 1) problems.push({ seq: null, problem: `rantai berakhir di seq ${expectedSeq - 1}, penghitung mencatat ${head} (kejadian terakhir dihapus)` });
  return { count, problems };
}
