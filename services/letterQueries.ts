import { Op, literal, type WhereOptions } from 'sequelize';
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

function searchWhere(q: string): WhereOptions | null {
  const words = terms(q);
  if (!words.length) return null;
  const s = db();
  if (isSqlite(s)) {
    const match = words.map((w) => `"${w}"*`).join(' AND ');
    return { id: { [Op.in]: literal(`(SELECT rowid FROM incoming_letters_fts WHERE incoming_letters_fts MATCH ${s.escape(match)})`) } };
  }
  // InnoDB ignores words shorter than innodb_ft_min_token_size (3): those fall back to LIKE.
  const long = words.filter((w) => w.length >= 3);
  const short = words.filter((w) => w.length < 3);
  const conds: WhereOptions[] = [];
  if (long.length) conds.push(literal(`MATCH(search_text) AGAINST(${s.escape(long.map((w) => `+${w}*`).join(' '))} IN BOOLEAN MODE)`) as unknown as WhereOptions);
  for (const w of short) conds.push({ searchText: { [Op.like]: `%${w}%` } });
  return { [Op.and]: conds };
}

function registerWhere(f: RegisterFilters): WhereOptions[] {
  const w: WhereOptions[] = [];
  if (f.from) w.push({ receivedDate: { [Op.gte]: f.from } });
  if (f.to) w.push({ receivedDate: { [Op.lte]: f.to } });
  if (f.sender) w.push({ senderAgencyId: Number(f.sender) });
  if (f.sifat) w.push({ sifat: f.sifat });
  if (f.status) w.push({ status: f.status });
  if (f.klasifikasi) w.push({ [Op.or]: [{ klasifikasiCode: f.klasifikasi }, { klasifikasiCode: { [Op.like]: `${f.klasifikasi}.%` } }] });
  if (f.q) { const sw = searchWhere(f.q); if (sw) w.push(sw); }
  return w;
}

export interface RegisterRow { letter: IncomingLetter; masked: boolean }

/**
 * One page of the register (Buku Agenda Surat Masuk), newest first, by keyset on id so a
 * deep page costs what the first does. Confidential letters outside the reader's chain are
 * listed (the register is complete) with their perihal and summary withheld.
 */
export async function registerPage(actor: AnyActor, f: RegisterFilters, after: number | null, limit = 50)
  : Promise<{ rows: RegisterRow[]; next: number | null }> {
  const where = registerWhere(f);
  if (after) where.push({ id: { [Op.lt]: after } });
  const letters = await IncomingLetter.findAll({
    where: { [Op.and]: where }, order: [['id', 'DESC']], limit: limit + 1,
    attributes: { exclude: ['searchText'] },
  });
  const more = letters.length > limit;
  const page = letters.slice(0, limit);
  const rows = await maskConfidential(actor, page);
  return { rows, next: more ? page[page.length - 1].id : null };
}

async function maskConfidential(actor: AnyActor, letters: IncomingLetter[]): Promise<RegisterRow[]> {
  const secret = letters.filter((l) => CONFIDENTIAL.includes(l.sifat as Sifat)).map((l) => l.id);
  const mine = positionIds(actor);
  const allowed = new Set<number>();
  if (secret.length && mine.length) {
    const items = await InboxItem.findAll({ where: { letterId: secret, positionId: mine }, attributes: ['letterId'] });
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

export interface InboxRow { item: InboxItem; letter: IncomingLetter; overdue: boolean }

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
  const items = await InboxItem.findAll({ where: { [Op.and]: where }, order: [['unread', 'DESC'], ['id', 'DESC']], limit: limit + 1 });
  const more = items.length > limit;
  const page = items.slice(0, limit);
  const letters = await IncomingLetter.findAll({ where: { id: [...new Set(page.map((i) => i.letterId))] }, attributes: { exclude: ['searchText'] } });
  const byId = new Map(letters.map((l) => [l.id, l]));
  const t = now();
  const rows = page.map((item) => ({ item, letter: byId.get(item.letterId)!, overdue: !!item.dueAt && !item.doneAt && item.dueAt < t }));
  const last = page[page.length - 1];
  return { rows, next: more && last ? `${last.unread ? 1 : 0}.${last.id}` : null };
}

/** Unread and overdue counts for the navigation. */
export async function inboxCounters(actor: AnyActor): Promise<{ unread: number; overdue: number }> {
  const mine = positionIds(actor);
  if (!mine.length) return { unread: 0, overdue: 0 };
  const [unread, overdue] = await Promise.all([
    InboxItem.count({ where: { positionId: mine, unread: true } }),
    InboxItem.count({ where: { positionId: mine, doneAt: null, dueAt: { [Op.lt]: now() } } }),
  ]);
  return { unread, overdue };
}
