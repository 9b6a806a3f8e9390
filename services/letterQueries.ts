import { Op, QueryTypes, literal, type WhereOptions } from 'sequelize';
import { IncomingLetter, InboxItem, CONFIDENTIAL, SIFAT, LETTER_STATUS, type Sifat } from '../models';
import { db, isSqlite } from '../lib/db';
import { parseIsoDate } from '../lib/dates';
import { now } from '../lib/clock';
import { type AnyActor, positionIds } from './actor';

export interface RegisterFilters {
  from?: string; to?: string; sender?: string; sifat?: string; status?: string; klasifikasi?: string; q?: string;
}

/** Filters from the query string, dropping anything malformed (the page shows what applies). */
export function cleanFilters(q: Record<string, unknown>): RegisterFilters {
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).trim() : '');
  const f: RegisterFilters = {};
  if (parseIsoDate(s('from'))) f.from = s('from');
  if (parseIsoDate(s('to'))) f.to = s('to');
  if (/^\d{1,9}$/.test(s('sender'))) f.sender = s('sender');
  if ((SIFAT as readonly string[]).includes(s('sifat'))) f.sifat = s('sifat');
  if ((LETTER_STATUS as readonly string[]).includes(s('status'))) f.status = s('status');
  if (/^[0-9]+(\.[0-9]+)*$/.test(s('klasifikasi'))) f.klasifikasi = s('klasifikasi');
  if (s('q')) f.q = s('q').slice(0, 200);
  return f;
}

/** Words of a search query, reduced to letters and digits, for FTS5 / InnoDB FULLTEXT. */
function terms(q: string): string[] {
  return q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0).slice(0, 8);
}

/**
 * The search as conditions. SQLite: the FTS5 index gives the matching rowids. MariaDB: `match`
 * is the MATCH ... AGAINST expression for the words InnoDB indexes; words shorter than
 * innodb_ft_min_token_size (3) fall back to LIKE in `where`.
 */
function searchParts(q: string): { where: WhereOptions[]; match: string | null } | null {
  const words = terms(q);
  if (!words.length) return null;
  const s = db();
  if (isSqlite(s)) {
    const fts = words.map((w) => `"${w}"*`).join(' AND ');
    return { where: [{ id: { [Op.in]: literal(`(SELECT rowid FROM incoming_letters_fts WHERE incoming_letters_fts MATCH ${s.escape(fts)})`) } }], match: null };
  }
  const long = words.filter((w) => w.length >= 3);
  const short = words.filter((w) => w.length < 3);
  return {
    where: short.map((w) => ({ searchText: { [Op.like]: `%${w}%` } })),
    match: long.length ? `MATCH(search_text) AGAINST(${s.escape(long.map((w) => `+${w}*`).join(' '))} IN BOOLEAN MODE)` : null,
  };
}

function registerWhere(f: RegisterFilters): { where: WhereOptions[]; match: string | null } {
  const w: WhereOptions[] = [];
  if (f.from) w.push({ receivedDate: { [Op.gte]: f.from } });
  if (f.to) w.push({ receivedDate: { [Op.lte]: f.to } });
  if (f.sender) w.push({ senderAgencyId: Number(f.sender) });
  if (f.sifat) w.push({ sifat: f.sifat });
  if (f.status) w.push({ status: f.status });
  if (f.klasifikasi) w.push({ [Op.or]: [{ klasifikasiCode: f.klasifikasi }, { klasifikasiCode: { [Op.like]: `${f.klasifikasi}.%` } }] });
  const search = f.q ? searchParts(f.q) : null;
  if (search) w.push(...search.where);
  return { where: w, match: search?.match ?? null };
}

/** Ids the MariaDB search scans newest-first before it turns to the FULLTEXT index (see searchNewestFirst). */
export const SEARCH_WINDOW = 20_000;

/**
 * MariaDB search, newest first. Through the FULLTEXT index InnoDB reads every matching row
 * (a random read each) and sorts them all by id before the LIMIT applies: for a common word
 * in a large register that is thousands of reads per page. So the SEARCH_WINDOW ids below the
 * cursor are scanned first along the primary key, newest down, testing MATCH on each row;
 * with the test in HAVING the optimizer keeps the primary-key range (in WHERE it would switch
 * to the FULLTEXT index), and MATCH still answers from the full-text result: same words, same
 * semantics. The scan stops at a page of matches. Only when the window holds fewer does the
 * FULLTEXT index fetch the rest, from below the window, where rarer words have few rows.
 */
async function searchNewestFirst(where: WhereOptions[], match: string, after: number | null, want: number): Promise<LetterSummary[]> {
  // The window's lower end: SEARCH_WINDOW ids below the cursor, or below the newest id plus one.
  const floor = after ? after - SEARCH_WINDOW : literal(`(SELECT max(id) FROM incoming_letters) - ${SEARCH_WINDOW - 1}`);
  const recent = await IncomingLetter.findAll({
    attributes: ['id', [literal(match), 'ft_match']],
    where: { [Op.and]: [...where, { id: after ? { [Op.lt]: after, [Op.gte]: floor } : { [Op.gte]: floor } }] },
    having: literal('ft_match > 0'), order: [['id', 'DESC']], limit: want, raw: true,
  });
  let ids = recent.map((r) => r.id);
  if (ids.length < want && (typeof floor !== 'number' || floor > 1)) {
    // A letter registered in between moves max(id), and the two ranges may then overlap by its
    // few ids: ask for a whole page again, drop the repeats, keep the newest.
    const older = await IncomingLetter.findAll({
      attributes: ['id'], where: { [Op.and]: [...where, literal(match) as unknown as WhereOptions, { id: { [Op.lt]: floor } }] },
      order: [['id', 'DESC']], limit: want, raw: true,
    });
    ids = [...new Set([...ids, ...older.map((r) => r.id)])].slice(0, want);
  }
  if (!ids.length) return [];
  return listRows({ id: ids });
}

async function listRows(where: WhereOptions, limit?: number): Promise<LetterSummary[]> {
  return await IncomingLetter.findAll({ where, order: [['id', 'DESC']], limit, attributes: [...LIST_ATTRIBUTES], raw: true }) as unknown as LetterSummary[];
}

/**
 * What a list shows of a letter. Lists read plain rows (no model instances): a register page
 * is 50 letters on every request, and building models costs more than the query.
 */
export const LIST_ATTRIBUTES = ['id', 'agendaNumber', 'receivedDate', 'senderName', 'senderNumber', 'letterDate', 'perihal',
  'sifat', 'urgensi', 'status', 'klasifikasiCode', 'jenisNaskahCode', 'addressedPositionId'] as const;
export type LetterSummary = Pick<IncomingLetter, (typeof LIST_ATTRIBUTES)[number]>;

export interface RegisterRow { letter: LetterSummary; masked: boolean }

/**
 * One page of the register (Buku Agenda Surat Masuk), newest first, by keyset on id so a
 * deep page costs what the first does. Confidential letters outside the reader's chain are
 * listed (the register is complete) with their perihal and summary withheld.
 */
export async function registerPage(actor: AnyActor, f: RegisterFilters, after: number | null, limit = 50)
  : Promise<{ rows: RegisterRow[]; next: number | null }> {
  const { where, match } = registerWhere(f);
  let letters: LetterSummary[];
  if (match) letters = await searchNewestFirst(where, match, after, limit + 1);
  else {
    if (after) where.push({ id: { [Op.lt]: after } });
    letters = await listRows({ [Op.and]: where }, limit + 1);
  }
  const more = letters.length > limit;
  const page = letters.slice(0, limit);
  const rows = await maskConfidential(actor, page);
  return { rows, next: more ? page[page.length - 1].id : null };
}

async function maskConfidential(actor: AnyActor, letters: LetterSummary[]): Promise<RegisterRow[]> {
  const secret = letters.filter((l) => CONFIDENTIAL.includes(l.sifat as Sifat)).map((l) => l.id);
  const mine = positionIds(actor);
  const allowed = new Set<number>();
  if (secret.length && mine.length) {
    const items = await InboxItem.findAll({ where: { letterId: secret, positionId: mine }, attributes: ['letterId'], raw: true });
    for (const i of items) allowed.add(i.letterId);
  }
  return letters.map((l) => ({ letter: l, masked: secret.includes(l.id) && !allowed.has(l.id) }));
}

/** Every letter matching the filters, in batches, for the CSV export. */
export async function* registerAll(actor: AnyActor, f: RegisterFilters, batch = 1000): AsyncGenerator<RegisterRow> {
  let after: number | null = null;
  for (;;) {
    const { rows, next } = await registerPage(actor, f, after, batch);
    for (const r of rows) yield r;
    if (!next) return;
    after = next;
  }
}

export interface InboxEntry { id: number; letterId: number; positionId: number; unread: boolean; dueAt: Date | null; doneAt: Date | null }
export interface InboxRow { item: InboxEntry; letter: LetterSummary; overdue: boolean }

/** A DATETIME read raw: a Date from MariaDB, text from SQLite. */
const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** One page of an actor's inbox: unread first, then newest, by keyset on (unread, id). */
export async function inboxPage(actor: AnyActor, cursor: string | null, limit = 30)
  : Promise<{ rows: InboxRow[]; next: string | null }> {
  const mine = positionIds(actor);
  if (!mine.length) return { rows: [], next: null };
  const where: WhereOptions[] = [{ positionId: mine }];
  const m = cursor ? /^([01])\.(\d+)$/.exec(cursor) : null;
  if (m) {
    const u = m[1] === '1';
    const id = Number(m[2]);
    where.push(u ? { [Op.or]: [{ unread: false }, { unread: true, id: { [Op.lt]: id } }] } : { unread: false, id: { [Op.lt]: id } });
  }
  const raw = await InboxItem.findAll({
    where: { [Op.and]: where }, order: [['unread', 'DESC'], ['id', 'DESC']], limit: limit + 1,
    attributes: ['id', 'letterId', 'positionId', 'unread', 'dueAt', 'doneAt'], raw: true,
  }) as unknown as (Omit<InboxEntry, 'dueAt' | 'doneAt'> & { dueAt: Date | string | null; doneAt: Date | string | null })[];
  const items: InboxEntry[] = raw.map((i) => ({ ...i, unread: !!i.unread, dueAt: asDate(i.dueAt), doneAt: asDate(i.doneAt) }));
  const more = items.length > limit;
  const page = items.slice(0, limit);
  const letters = page.length ? await listRows({ id: [...new Set(page.map((i) => i.letterId))] }) : [];
  const byId = new Map(letters.map((l) => [l.id, l]));
  const t = now();
  const rows = page.map((item) => ({ item, letter: byId.get(item.letterId)!, overdue: !!item.dueAt && !item.doneAt && item.dueAt < t }));
  const last = page[page.length - 1];
  return { rows, next: more && last ? `${last.unread ? 1 : 0}.${last.id}` : null };
}

/** A DATETIME(3) value as Sequelize stores it (UTC; SQLite keeps it as text with the offset), for raw SQL. */
function storedDate(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${isSqlite() ? ' +00:00' : ''}`;
}

/**
 * Unread and overdue counts for the navigation, the user's unread notifications, and the
 * outgoing drafts waiting for their paraf or signature. Every signed-in page asks for them, so
 * the counts go in one statement; each subquery is answered from its own index
 * (inbox_items_position_unread, inbox_items_position_due, notifications_user_unread,
 * outgoing_letters_holder) without reading the rows.
 */
export async function navCounters(actor: AnyActor): Promise<{ unread: number; overdue: number; notif: number; konsep: number }> {
  const mine = positionIds(actor);
  const userId = actor.user?.id ?? 0;
  const [row] = await db().query<{ unread: number | string; overdue: number | string; notif: number | string; konsep: number | string }>(
    mine.length
      ? `SELECT (SELECT count(*) FROM inbox_items WHERE position_id IN (:mine) AND unread = 1) AS unread,
      (SELECT count(*) FROM inbox_items WHERE position_id IN (:mine) AND done_at IS NULL AND due_at < :now) AS overdue,
      (SELECT count(*) FROM notifications WHERE user_id = :userId AND read_at IS NULL) AS notif,
      (SELECT count(*) FROM outgoing_letters WHERE current_holder_position_id IN (:mine) AND status IN ('dalam_paraf', 'siap_ttd')) AS konsep`
      : 'SELECT 0 AS unread, 0 AS overdue, (SELECT count(*) FROM notifications WHERE user_id = :userId AND read_at IS NULL) AS notif, 0 AS konsep',
    { replacements: { mine, now: storedDate(now()), userId }, type: QueryTypes.SELECT });
  return { unread: Number(row.unread), overdue: Number(row.overdue), notif: Number(row.notif), konsep: Number(row.konsep) };
}
