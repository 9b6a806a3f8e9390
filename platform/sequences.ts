import { QueryTypes, type Transaction } from 'sequelize';
import { db, isSqlite } from './db';

/**
 * Take the next value of a named counter inside the caller's transaction. The UPDATE takes
 * the row lock first, so concurrent callers queue on MariaDB and each gets a distinct,
 * consecutive value; a rolled-back transaction gives its value back.
 */
export async function nextValue(t: Transaction, name: string): Promise<number> {
  const s = db();
  // With QueryTypes.UPDATE both dialects answer [undefined, affectedRows].
  const bump = async () => (await s.query('UPDATE sequences SET value = value + 1 WHERE name = ?', { replacements: [name], transaction: t, type: QueryTypes.UPDATE }))[1];
  if (!(await bump())) {
    const ins = isSqlite(s) ? 'INSERT OR IGNORE INTO sequences (name, value) VALUES (?, 0)' : 'INSERT IGNORE INTO sequences (name, value) VALUES (?, 0)';
    await s.query(ins, { replacements: [name], transaction: t });
    await bump();
  }
  const rows = await s.query<{ value: number | string }>('SELECT value FROM sequences WHERE name = ?', { replacements: [name], transaction: t, type: QueryTypes.SELECT });
  return Number(rows[0].value);
}

export async function currentValue(name: string): Promise<number> {
  const rows = await db().query<{ value: number | string }>('SELECT value FROM sequences WHERE name = ?', { replacements: [name], type: QueryTypes.SELECT });
  return rows.length ? Number(rows[0].value) : 0;
}
