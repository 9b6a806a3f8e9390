import { Op, QueryTypes, literal, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { IncomingLetter, InboxItem, Notification, OutgoingLetter, CONFIDENTIAL, SIFAT, LETTER_STATUS, type Sifat } from '../../models';
import { KeyedCache, invalidateOn } from '../../platform/cache';
import { config } from '../../config';
import { db, isSqlite, selectPlain } from '../../platform/db';
import { parseIsoDate } from '../../platform/dates';
import { now } from '../../platform/clock';
import { type AnyActor, positionIds } from '../../platform/actor';
import { expandWord, postings, postingsSql, queryWords, textMatches, MAX_EXPANSION } from './letterSearch';

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

/** The register's filters but the search. */
function filterWhere(f: RegisterFilters): WhereOptions[] {
  const w: WhereOptions[] = [];
  if (f.from) w.push({ receivedDate: { [Op.gte]: f.from } });
  if (f.to) w.push({ receivedDate: { [Op.lte]: f.to } });
  if (f.sender) w.push({ senderAgencyId: Number(f.sender) });
  if (f.sifat) w.push({ sifat: f.sifat });
  if (f.status) w.push({ status: f.status });
  if (f.klasifikasi) w.push({ [Op.or]: [{ klasifikasiCode: f.klasifikasi }, { klasifikasiCode: { [Op.like]: `${f.klasifikasi}.%` } }] });
  return w;
}

function registerWhere(f: RegisterFilters): { where: WhereOptions[]; match: string | null } {
  const w = filterWhere(f);
  const search = f.q ? searchParts(f.q) : null;
  if (search) w.push(...search.where);
  return { where: w, match: search?.match ?? null };
}

/** Candidate ids the word-index search checks for one page before it leaves the page to the full-text index. */
export const WORD_SCAN_LIMIT = 20_000;

/**
 * The search through the word index (modules/surat-masuk/letterSearch.ts), newest first: the postings of
 * the sparsest query word below the cursor, read backwards a batch at a time; each batch's
 * letters are read with the other filters and kept when their search_text has every query
 * word. Null when the full-text search is to answer instead: a query word that begins more than
 * MAX_EXPANSION indexed words, a page that needs more than WORD_SCAN_LIMIT candidates (rare
 * words together, or narrow filters), or on MariaDB a word shorter than InnoDB's minimum token
 * (3), which the register has always matched anywhere in the text.
 */
async function searchByWords(words: string[], where: WhereOptions[], after: number | null, want: number, mine: number[]): Promise<Listed[] | null> {
  if (!isSqlite() && words.some((w) => Array.from(w).length < 3)) return null;
  const expanded = await Promise.all(words.map(expandWord));
  if (expanded.some((e) => e.length === 0)) return [];
  if (expanded.some((e) => e.length > MAX_EXPANSION)) return null;
  let driver = 0;
  let first: number[] | null = null;
  if (expanded.length > 1) {
    // The sparsest word drives: its first page of postings reaches furthest back.
    const firsts = await Promise.all(expanded.map((e) => postings(e, after, want)));
    const reach = firsts.map((p) => (p.length < want ? -1 : p[p.length - 1]));
    driver = reach.indexOf(Math.min(...reach));
    first = firsts[driver];
  }
  // One query word: every posting of a word it begins is a match by construction (the index is
  // written from the text in the same transaction), so the text is neither read nor checked.
  const withText = words.length > 1;
  const out: Listed[] = [];
  let below = after;
  let batch = want;
  let scanned = 0;
  for (;;) {
    const c = first ? { n: first.length, last: first[first.length - 1] ?? null, rows: await rowsOf(first, where, mine, withText) }
      : await candidates(expanded[driver], below, batch, where, mine, withText);
    first = null;
    // Rows are passed on as read (a letter with a searchText or pid the views never read): an
    // object rest (`{ searchText, ...l }`) copies each row through V8's slow path.
    for (const l of c.rows) if (!withText || textMatches(l.searchText ?? '', words)) out.push(l);
    if (out.length >= want || c.n < batch || c.last === null) break;
    scanned += c.n;
    if (scanned >= WORD_SCAN_LIMIT) return null;
    below = c.last;
    batch = Math.min(batch * 4, 1000);
  }
  return out.slice(0, want);
}

/** A listed letter with its search text (read only when the words are checked against it). */
type Candidate = Listed & { searchText?: string };

/** The letters among `ids` that pass the filters, newest first; with their search text when `withText`. */
async function rowsOf(ids: number[], where: WhereOptions[], mine: number[], withText: boolean): Promise<Candidate[]> {
  if (!ids.length) return [];
  if (!where.length) {
    return selectRows<Candidate>(`SELECT ${listSelect('l')}${withText ? ', l.search_text AS searchText' : ''}, ${allowedColumn(mine, 'l')}
      FROM incoming_letters l WHERE l.id IN (${ints(ids)}) ORDER BY l.id DESC`);
  }
  return await IncomingLetter.findAll({
    where: { [Op.and]: [...where, { id: ids }] }, attributes: withText ? [...LIST_ATTRIBUTES, 'searchText'] : [...LIST_ATTRIBUTES], order: [['id', 'DESC']], raw: true,
  }) as unknown as Candidate[];
}

/**
 * The next `n` postings of `terms` below `below` (n: how many, last: the oldest of them) and
 * their letters that pass the filters. Without filters, one statement joins the postings to
 * their letters.
 */
async function candidates(terms: string[], below: number | null, n: number, where: WhereOptions[], mine: number[], withText: boolean)
  : Promise<{ n: number; last: number | null; rows: Candidate[] }> {
  if (where.length) {
    const ids = await postings(terms, below, n);
    return { n: ids.length, last: ids[ids.length - 1] ?? null, rows: await rowsOf(ids, where, mine, withText) };
  }
  const joined = await selectRows<Candidate & { pid: number | string; id: number | null }>(
    `SELECT p.letter_id AS pid, ${listSelect('l')}${withText ? ', l.search_text AS searchText' : ''}, ${allowedColumn(mine, 'l')}
     FROM (${postingsSql(terms, below, n)}) p LEFT JOIN incoming_letters l ON l.id = p.letter_id ORDER BY p.letter_id DESC`);
  const rows: Candidate[] = [];
  for (const r of joined) if (r.id !== null) rows.push(r);
  return { n: joined.length, last: joined.length ? Number(joined[joined.length - 1].pid) : null, rows };
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
async function searchNewestFirst(where: WhereOptions[], match: string, after: number | null, want: number, mine: number[]): Promise<Listed[]> {
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
  return listByIds(ids, mine);
}

async function listRows(where: WhereOptions, limit?: number): Promise<LetterSummary[]> {
  return await IncomingLetter.findAll({ where, order: [['id', 'DESC']], limit, attributes: [...LIST_ATTRIBUTES], raw: true }) as unknown as LetterSummary[];
}

/*
 * The hot lists (the register's pages, the inbox) read their rows with plain SQL: the same
 * statements Sequelize's findAll writes for them, without building the statement from options
 * on every request. Values are integers (ids) written into the SQL; the rows are what findAll's
 * raw rows are (the driver's type casts are the connection's).
 */
const ints = (xs: Iterable<number>): string => [...xs].map((x) => String(Math.trunc(Number(x)))).join(',');
const selectRows = <T>(sql: string): Promise<T[]> => selectPlain<T>(sql);

/** `LIST_ATTRIBUTES` as a select list of table `alias`, by the model's column names. */
const listColumns = new Map<string, string>();
function listSelect(alias = 'incoming_letters'): string {
  let cols = listColumns.get(alias);
  if (!cols) {
    const attrs = IncomingLetter.getAttributes() as Record<string, { field?: string }>;
    cols = LIST_ATTRIBUTES.map((k) => `${alias}.${attrs[k].field ?? k} AS ${k}`).join(', ');
    listColumns.set(alias, cols);
  }
  return cols;
}

/**
 * Whether the reader may see a listed letter's content, as the column `allowed`: a confidential
 * letter only when it reached one of the reader's positions (as maskConfidential decides), in
 * the statement that lists the letters rather than in a second one.
 */
function allowedColumn(mine: number[], alias = 'incoming_letters'): string {
  const secret = CONFIDENTIAL.map((x) => `'${x}'`).join(', ');
  const reached = mine.length
    ? `EXISTS (SELECT 1 FROM inbox_items ai WHERE ai.letter_id = ${alias}.id AND ai.position_id IN (${ints(mine)}))`
    : '0';
  return `CASE WHEN ${alias}.sifat IN (${secret}) THEN ${reached} ELSE 1 END AS allowed`;
}

/** Letters by id, newest first, with `allowed` for `mine` when given. */
async function listByIds(ids: number[], mine: number[] | null = null): Promise<Listed[]> {
  if (!ids.length) return [];
  return selectRows<Listed>(`SELECT ${listSelect()}${mine ? `, ${allowedColumn(mine)}` : ''} FROM incoming_letters WHERE id IN (${ints(ids)}) ORDER BY id DESC`);
}

/**
 * What a list shows of a letter. Lists read plain rows (no model instances): a register page
 * is 50 letters on every request, and building models costs more than the query.
 */
export const LIST_ATTRIBUTES = ['id', 'agendaNumber', 'receivedDate', 'senderName', 'senderNumber', 'letterDate', 'perihal',
  'sifat', 'urgensi', 'status', 'klasifikasiCode', 'jenisNaskahCode', 'addressedPositionId'] as const;
export type LetterSummary = Pick<IncomingLetter, (typeof LIST_ATTRIBUTES)[number]>;

export interface RegisterRow { letter: LetterSummary; masked: boolean }
/** A listed letter, with `allowed` when the statement that read it decided the masking (see allowedColumn). */
type Listed = LetterSummary & { allowed?: number | string | boolean };

/**
 * One page of the register (Buku Agenda Surat Masuk), newest first, by keyset on id so a
 * deep page costs what the first does. Confidential letters outside the reader's chain are
 * listed (the register is complete) with their perihal and summary withheld.
 */
export async function registerPage(actor: AnyActor, f: RegisterFilters, after: number | null, limit = 50)
  : Promise<{ rows: RegisterRow[]; next: number | null }> {
  // The word index answers a search when it can; the full-text indexes otherwise.
  const mine = positionIds(actor);
  const words = f.q ? queryWords(f.q) : [];
  let letters = words.length ? await searchByWords(words, filterWhere(f), after, limit + 1, mine) : null;
  if (!letters) {
    const { where, match } = registerWhere(f);
    if (match) letters = await searchNewestFirst(where, match, after, limit + 1, mine);
    else if (!where.length) {
      letters = await selectRows<Listed>(`SELECT ${listSelect()}, ${allowedColumn(mine)} FROM incoming_letters${after ? ` WHERE id < ${ints([after])}` : ''}
        ORDER BY id DESC LIMIT ${ints([limit + 1])}`);
    } else {
      if (after) where.push({ id: { [Op.lt]: after } });
      letters = await listRows({ [Op.and]: where }, limit + 1);
    }
  }
  const more = letters.length > limit;
  const page = letters.slice(0, limit);
  let rows = await maskConfidential(actor, page);
  // A text search never answers with a confidential letter outside the reader's chain: even a
  // masked row would confirm, word by word, what its perihal, summary or number holds. The
  // cursor stays that of the unfiltered page, so paging skips nothing.
  if (f.q) rows = rows.filter((r) => !r.masked);
  return { rows, next: more ? page[page.length - 1].id : null };
}

async function maskConfidential(actor: AnyActor, letters: Listed[]): Promise<RegisterRow[]> {
  const listed = letters.map((l) => {
    if (l.allowed === undefined) return { letter: l as LetterSummary, secret: CONFIDENTIAL.includes(l.sifat as Sifat), allowed: undefined };
    return { letter: l as LetterSummary, secret: CONFIDENTIAL.includes(l.sifat as Sifat), allowed: Number(l.allowed) === 1 };
  });
  const unknown = listed.filter((x) => x.secret && x.allowed === undefined).map((x) => x.letter.id);
  const mine = positionIds(actor);
  const reached = new Set<number>();
  if (unknown.length && mine.length) {
    const items = await selectRows<{ letterId: number | string }>(`SELECT letter_id AS letterId FROM inbox_items WHERE letter_id IN (${ints(unknown)}) AND position_id IN (${ints(mine)})`);
    for (const i of items) reached.add(Number(i.letterId));
  }
  return listed.map((x) => ({ letter: x.letter, masked: x.secret && !(x.allowed ?? reached.has(x.letter.id)) }));
}

/** Every letter matching the filters that the reader may read, in batches, for the CSV export. */
export async function* registerAll(actor: AnyActor, f: RegisterFilters, batch = 1000): AsyncGenerator<RegisterRow> {
  let after: number | null = null;
  for (;;) {
    const { rows, next } = await registerPage(actor, f, after, batch);
    // The export is a copy that leaves the system: confidential letters outside the reader's
    // chain are not in it at all (no sender, no number).
    for (const r of rows) if (!r.masked) yield r;
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
  let cond = '';
  const m = cursor ? /^([01])\.(\d+)$/.exec(cursor) : null;
  if (m) {
    const id = ints([Number(m[2])]);
    cond = m[1] === '1' ? ` AND (ii.unread = 0 OR (ii.unread = 1 AND ii.id < ${id}))` : ` AND ii.unread = 0 AND ii.id < ${id}`;
  }
  // The items and their letters in one statement (each item's letter by its primary key).
  const raw = await selectRows<LetterSummary & { itemId: number | string; itemPosition: number | string; itemUnread: boolean | number; itemDue: Date | string | null; itemDone: Date | string | null }>(
    `SELECT ii.id AS itemId, ii.position_id AS itemPosition, ii.unread AS itemUnread, ii.due_at AS itemDue, ii.done_at AS itemDone, ${listSelect('l')}
     FROM inbox_items ii JOIN incoming_letters l ON l.id = ii.letter_id
     WHERE ii.position_id IN (${ints(mine)})${cond} ORDER BY ii.unread DESC, ii.id DESC LIMIT ${ints([limit + 1])}`);
  const more = raw.length > limit;
  const t = now();
  const rows: InboxRow[] = raw.slice(0, limit).map((letter) => {
    const item: InboxEntry = { id: Number(letter.itemId), letterId: letter.id, positionId: Number(letter.itemPosition), unread: !!letter.itemUnread,
      dueAt: asDate(letter.itemDue), doneAt: asDate(letter.itemDone) };
    return { item, letter, overdue: !!item.dueAt && !item.doneAt && item.dueAt < t };
  });
  const page = rows.map((r) => r.item);
  const last = page[page.length - 1];
  return { rows, next: more && last ? `${last.unread ? 1 : 0}.${last.id}` : null };
}

/** A DATETIME(3) value as Sequelize stores it (UTC; SQLite keeps it as text with the offset), for raw SQL. */
function storedDate(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${isSqlite() ? ' +00:00' : ''}`;
}

export interface NavCounters { unread: number; overdue: number; notif: number; konsep: number }

/**
 * The navigation's counts by user and positions, kept like the organization (CACHE_SECONDS, see
 * platform/cache.ts): a write to inbox items, notifications or outgoing letters through the models
 * drops them all at once (and again at commit); another process's writes show within the TTL.
 * The overdue count changes with time alone, so an entry also ends, on the app clock, when the
 * next open item of the positions falls due.
 */
const counterCache = new KeyedCache<NavCounters, { from: number; until: number }>(() => config().cacheMs);
const counterHooked = new WeakSet<object>();
function ensureCounterHooks(): void {
  for (const m of [InboxItem, Notification, OutgoingLetter] as unknown as ModelStatic<Model>[]) {
    if (counterHooked.has(m.options)) continue;
    invalidateOn([m], [counterCache]);
    counterHooked.add(m.options);
  }
}

/**
 * Unread and overdue counts for the navigation, the user's unread notifications, and the
 * outgoing drafts waiting for their paraf or signature. Every signed-in page asks for them, so
 * the counts go in one statement; each subquery is answered from its own index
 * (inbox_items_position_unread, inbox_items_position_due, notifications_user_unread,
 * outgoing_letters_holder) without reading the rows.
 */
export async function navCounters(actor: AnyActor): Promise<NavCounters> {
  const mine = positionIds(actor);
  const userId = actor.user?.id ?? 0;
  ensureCounterHooks();
  const t = now().getTime();
  const value = await counterCache.get(`${userId}:${mine.join(',')}`, () => loadCounters(mine, userId, now()),
    (e) => t >= e.from && t < e.until);
  return { ...value };
}

async function loadCounters(mine: number[], userId: number, at: Date): Promise<{ value: NavCounters; extra: { from: number; until: number } }> {
  const [row] = await db().query<{ unread: number | string; overdue: number | string; notif: number | string; konsep: number | string; next_due: Date | string | null }>(
    mine.length
      ? `SELECT (SELECT count(*) FROM inbox_items WHERE position_id IN (:mine) AND unread = 1) AS unread,
      (SELECT count(*) FROM inbox_items WHERE position_id IN (:mine) AND done_at IS NULL AND due_at < :now) AS overdue,
      (SELECT count(*) FROM notifications WHERE user_id = :userId AND read_at IS NULL) AS notif,
      (SELECT count(*) FROM outgoing_letters WHERE current_holder_position_id IN (:mine) AND status IN ('dalam_paraf', 'siap_ttd')) AS konsep,
      (SELECT min(due_at) FROM inbox_items WHERE position_id IN (:mine) AND done_at IS NULL AND due_at >= :now) AS next_due`
      : 'SELECT 0 AS unread, 0 AS overdue, (SELECT count(*) FROM notifications WHERE user_id = :userId AND read_at IS NULL) AS notif, 0 AS konsep, NULL AS next_due',
    { replacements: { mine, now: storedDate(at), userId }, type: QueryTypes.SELECT });
  const next = asDate(row.next_due)?.getTime() ?? Number.POSITIVE_INFINITY;
  return {
    value: { unread: Number(row.unread), overdue: Number(row.overdue), notif: Number(row.notif), konsep: Number(row.konsep) },
    extra: { from: at.getTime(), until: Number.isNaN(next) ? 0 : next },
  };
}
