import { QueryTypes, type QueryInterface } from 'sequelize';

// The register's word index (issue #2): letter_search_terms, one row per distinct word of a
// letter's search_text, primary key (term, letter_id), so a word's letters are one index range
// in id order and a newest-first search page reads a page of it (modules/surat-masuk/letterSearch.ts).
// The FULLTEXT / FTS5 indexes stay: the search falls back to them for very short or very
// common prefixes. Backfilled here in id batches. Immutable once merged.
type Ctx = { context: QueryInterface };

const TERM_MAX = 64;
/** Frozen copy of searchTerms in modules/surat-masuk/letterSearch.ts as of this migration. */
function searchTerms(text: string): string[] {
  const out = new Set<string>();
  for (const w of text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (w) out.add(w.length <= TERM_MAX ? w : Array.from(w).slice(0, TERM_MAX).join(''));
  }
  return [...out];
}

const BATCH = 5000;

export async function up({ context: q }: Ctx): Promise<void> {
  const s = q.sequelize;
  const sqlite = s.getDialect() === 'sqlite';
  if (sqlite) {
    await s.query('CREATE TABLE letter_search_terms (term TEXT NOT NULL, letter_id INTEGER NOT NULL, PRIMARY KEY (term, letter_id)) WITHOUT ROWID');
  } else {
    await s.query(`CREATE TABLE letter_search_terms (
      term VARCHAR(${TERM_MAX}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      letter_id INT NOT NULL,
      PRIMARY KEY (term, letter_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  }
  // Backfill: read the letters in id order, split their text here (the same words the app
  // writes), insert each batch's rows sorted by the key.
  let after = 0;
  for (;;) {
    const rows = await s.query<{ id: number | string; search_text: string | null }>(
      `SELECT id, search_text FROM incoming_letters WHERE id > ${after} ORDER BY id LIMIT ${BATCH}`, { type: QueryTypes.SELECT });
    if (!rows.length) break;
    const pairs: [string, number][] = [];
    for (const r of rows) for (const t of searchTerms(r.search_text ?? '')) pairs.push([t, Number(r.id)]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    for (let i = 0; i < pairs.length; i += 20_000) {
      const values = pairs.slice(i, i + 20_000).map(([t, id]) => `(${s.escape(t)},${id})`).join(',');
      await s.query(`${sqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE'} INTO letter_search_terms (term, letter_id) VALUES ${values}`);
    }
    after = Number(rows[rows.length - 1].id);
  }
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.sequelize.query('DROP TABLE IF EXISTS letter_search_terms');
}
