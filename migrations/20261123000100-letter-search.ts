import type { QueryInterface } from 'sequelize';

// Full-text search over the register: FULLTEXT on MariaDB/MySQL, an external-content FTS5
// table kept in step by triggers on SQLite. Immutable once merged.
type Ctx = { context: QueryInterface };

export async function up({ context: q }: Ctx): Promise<void> {
  const s = q.sequelize;
  if (s.getDialect() === 'sqlite') {
    await s.query(`CREATE VIRTUAL TABLE incoming_letters_fts USING fts5(search_text, content='incoming_letters', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`);
    await s.query(`CREATE TRIGGER incoming_letters_fts_ai AFTER INSERT ON incoming_letters BEGIN
      INSERT INTO incoming_letters_fts(rowid, search_text) VALUES (new.id, new.search_text); END`);
    await s.query(`CREATE TRIGGER incoming_letters_fts_ad AFTER DELETE ON incoming_letters BEGIN
      INSERT INTO incoming_letters_fts(incoming_letters_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`);
    await s.query(`CREATE TRIGGER incoming_letters_fts_au AFTER UPDATE OF search_text ON incoming_letters BEGIN
      INSERT INTO incoming_letters_fts(incoming_letters_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO incoming_letters_fts(rowid, search_text) VALUES (new.id, new.search_text); END`);
  } else {
    await s.query('ALTER TABLE incoming_letters ADD FULLTEXT INDEX incoming_letters_search (search_text)');
  }
}

export async function down({ context: q }: Ctx): Promise<void> {
  const s = q.sequelize;
  if (s.getDialect() === 'sqlite') {
    for (const t of ['ai', 'ad', 'au']) await s.query(`DROP TRIGGER IF EXISTS incoming_letters_fts_${t}`);
    await s.query('DROP TABLE IF EXISTS incoming_letters_fts');
  } else {
    await s.query('ALTER TABLE incoming_letters DROP INDEX incoming_letters_search');
  }
}
