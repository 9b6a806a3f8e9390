import { QueryTypes, type Model, type ModelStatic, type Transaction } from 'sequelize';
import { db, isSqlite, selectPlain } from '../../platform/db';
import { KeyedCache, invalidateOn } from '../../platform/cache';
import { config } from '../../config';
import { IncomingLetter } from '../../models';

/**
 * The register's word index: letter_search_terms (term, letter_id), primary key in that order
 * (migration 20261126000000-search-terms). Each word of a letter's search_text is a row, so a
 * word's letters are one index range already in id order: the newest page of a search reads
 * that range backwards and stops after a page, whatever the size of the register (the FULLTEXT
 * and FTS5 indexes return every match, and the register then sorts or scans them).
 *
 * Words are what SQLite's FTS5 (unicode61, remove_diacritics) and InnoDB's parser take: runs of
 * letters and digits, lower case, without diacritics. A query word matches every indexed word
 * it begins (as "word*" in both full-text indexes). The rows are written in the transaction
 * that writes the letter's search_text (indexLetterText); the candidates are checked against
 * the letter's current search_text before they are shown, so the page is what the text says.
 */

/** Longest indexed word (longer ones are cut, and so is a query word: it still matches as a prefix). */
export const TERM_MAX = 64;

/** Lower case without diacritics (NFD, marks dropped), as the word index stores words. */
export const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();

const cut = (w: string): string => (w.length <= TERM_MAX ? w : Array.from(w).slice(0, TERM_MAX).join(''));

/** The distinct words of a text, as indexed. Migration 20261126000000 keeps a frozen copy: change both or neither. */
export function searchTerms(text: string): string[] {
  const out = new Set<string>();
  for (const w of fold(text).split(/[^\p{L}\p{N}]+/u)) if (w) out.add(cut(w));
  return [...out];
}

/** The words of a search query (at most 8, as the register always took). */
export function queryWords(q: string): string[] {
  return [...new Set(fold(q).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0).map(cut))].slice(0, 8);
}

/**
 * Keep the word index of a letter in step with its search_text, in the transaction that writes
 * it: `previous` is the text before the change (null for a new letter).
 */
export async function indexLetterText(t: Transaction, letterId: number, text: string, previous: string | null = null): Promise<void> {
  const s = db();
  const now = searchTerms(text);
  const before = previous === null ? [] : searchTerms(previous);
  const nowSet = new Set(now);
  const beforeSet = new Set(before);
  const gone = before.filter((w) => !nowSet.has(w));
  const added = now.filter((w) => !beforeSet.has(w));
  if (gone.length) {
    await s.query('DELETE FROM letter_search_terms WHERE letter_id = ? AND term IN (?)', { replacements: [letterId, gone], transaction: t });
  }
  if (added.length) {
    const values = added.map((w) => `(${s.escape(w)},${Number(letterId)})`).join(',');
    await s.query(`${isSqlite(s) ? 'INSERT OR IGNORE' : 'INSERT IGNORE'} INTO letter_search_terms (term, letter_id) VALUES ${values}`, { transaction: t });
  }
}

/** Above this many indexed words for one query word ("a", "2"), the word index is not used. */
export const MAX_EXPANSION = 32;

/** The smallest string greater than every string that starts with `w`. */
function prefixEnd(w: string): string {
  const cps = Array.from(w);
  const last = cps.pop()!.codePointAt(0)!;
  return cps.join('') + String.fromCodePoint(last + 1);
}

/**
 * The indexed words that start with `w`, at most MAX_EXPANSION + 1: one index probe per word
 * (a loose scan over the primary key), not one per letter.
 */
export async function expandWord(w: string): Promise<string[]> {
  ensureHooks();
  return expansions.get(w, async () => ({ value: await loadExpansion(w), extra: undefined }));
}

/**
 * Expansions are kept like the organization (CACHE_SECONDS, platform/cache.ts): a letter written
 * through the model in this process drops them (at once and at commit), so a word it brings is
 * found at once; another process's new words within the TTL.
 */
const expansions = new KeyedCache<string[]>(() => config().cacheMs);
const hooked = new WeakSet<object>();
function ensureHooks(): void {
  if (hooked.has(IncomingLetter.options)) return;
  invalidateOn([IncomingLetter] as unknown as ModelStatic<Model>[], [expansions]);
  hooked.add(IncomingLetter.options);
}

async function loadExpansion(w: string): Promise<string[]> {
  const s = db();
  const replacements = { lo: w, hi: prefixEnd(w), k: MAX_EXPANSION };
  if (!isSqlite(s)) {
    // InnoDB reads one entry per distinct word ("Using index for group-by").
    const rows = await s.query<{ term: string }>('SELECT DISTINCT term FROM letter_search_terms WHERE term >= :lo AND term < :hi ORDER BY term LIMIT :k1',
      { replacements: { ...replacements, k1: MAX_EXPANSION + 1 }, type: QueryTypes.SELECT });
    return rows.map((r) => r.term);
  }
  // SQLite has no such scan for DISTINCT: step from word to word with min().
  const rows = await s.query<{ term: string | null }>(
    `WITH RECURSIVE x(term, n) AS (
       SELECT (SELECT min(term) FROM letter_search_terms WHERE term >= :lo AND term < :hi), 1
       UNION ALL
       SELECT (SELECT min(term) FROM letter_search_terms WHERE term > x.term AND term < :hi), n + 1 FROM x WHERE x.term IS NOT NULL AND n <= :k)
     SELECT term FROM x WHERE term IS NOT NULL`,
    { replacements, type: QueryTypes.SELECT });
  return rows.map((r) => r.term!);
}

/**
 * SQL for the newest `n` letter ids below `below` (all when null) that have one of `terms`,
 * newest first, as column letter_id: a backward read of each word's range, merged.
 */
export function postingsSql(terms: string[], below: number | null, n: number): string {
  const s = db();
  const cond = below === null ? '' : ` AND letter_id < ${Math.trunc(Number(below))}`;
  const one = (t: string) => `SELECT letter_id FROM letter_search_terms WHERE term = ${s.escape(t)}${cond} ORDER BY letter_id DESC LIMIT ${Math.trunc(n)}`;
  if (terms.length === 1) return one(terms[0]);
  return `SELECT letter_id FROM (${terms.map((t, i) => `SELECT letter_id FROM (${one(t)}) p${i}`).join(' UNION ')}) u ORDER BY letter_id DESC LIMIT ${Math.trunc(n)}`;
}

/** The newest `n` letter ids below `below` (all when null) that have one of `terms`, newest first. */
export async function postings(terms: string[], below: number | null, n: number): Promise<number[]> {
  const rows = await selectPlain<{ letter_id: number | string }>(postingsSql(terms, below, n));
  return rows.map((r) => Number(r.letter_id));
}

const ASCII = /^[\x00-\x7f]*$/;
/** An ASCII letter or digit (lower case: the text is folded first). */
const alnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/** Whether every query word begins a word of `text`. */
export function textMatches(text: string, words: string[]): boolean {
  if (ASCII.test(text) && words.every((w) => ASCII.test(w))) {
    // Plain ASCII (most registers): folding is lower-casing, and a query word (letters and
    // digits only) begins a word of the text where it occurs after a non-alphanumeric or at the start.
    const t = text.toLowerCase();
    return words.every((w) => {
      for (let i = t.indexOf(w); i >= 0; i = t.indexOf(w, i + 1)) if (i === 0 || !alnum(t.charCodeAt(i - 1))) return true;
      return false;
    });
  }
  const have = searchTerms(text);
  return words.every((w) => have.some((t) => t.startsWith(w)));
}
