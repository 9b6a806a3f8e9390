import { DataTypes, type Attributes, type Model, type ModelStatic } from 'sequelize';
import { selectPlain } from './db';

/**
 * Rows of a model's table as plain objects with the model's attribute names and types, for the
 * pages read most (the letter page): one hand-written SELECT through the lean read path
 * (selectPlain), no query generator, no instances. The values are what a model instance would
 * hold: DATETIME as a Date, DATEONLY as 'YYYY-MM-DD', BOOLEAN as true/false, NULL as null,
 * whatever the dialect returned (SQLite gives DATETIME as text and BOOLEAN as 0/1).
 *
 * The SQL must select the table's columns by their field names (`t.*`); extra columns
 * (`x AS extra_name`) are kept under their own names.
 */
type Conv = (v: unknown) => unknown;

/** A DATETIME as a raw query returns it: a Date (MariaDB) or UTC text such as "YYYY-MM-DD HH:MM:SS.SSS +00:00" (SQLite). */
export const dbDate = (v: unknown): Date | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(String(v));
  return m ? new Date(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`) : new Date(String(v));
};
const toBool: Conv = (v) => (v === null || v === undefined ? null : v === true || v === 1 || v === '1' || v === 'true');
const toNumber: Conv = (v) => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));
const same: Conv = (v) => (v === undefined ? null : v);

interface Reader { fields: [field: string, attr: string, conv: Conv][]; known: Set<string> }
const readers = new WeakMap<object, Reader>();

function readerOf(model: ModelStatic<Model>): Reader {
  let r = readers.get(model);
  if (!r) {
    const fields: Reader['fields'] = [];
    for (const [attr, def] of Object.entries(model.getAttributes())) {
      const key = (def.type as { key?: string }).key ?? '';
      const conv = key === DataTypes.DATE.key ? dbDate
        : key === DataTypes.BOOLEAN.key ? toBool
          : key === DataTypes.INTEGER.key || key === DataTypes.FLOAT.key || key === DataTypes.DOUBLE.key ? toNumber
            : same;
      fields.push([def.field ?? attr, attr, conv]);
    }
    r = { fields, known: new Set(fields.map((f) => f[0])) };
    readers.set(model, r);
  }
  return r;
}

/** One raw row of `model`'s table as the model's attributes. */
export function plainOf<M extends Model>(model: ModelStatic<M>, row: Record<string, unknown>): Attributes<M> & Record<string, unknown> {
  const r = readerOf(model as unknown as ModelStatic<Model>);
  const out: Record<string, unknown> = {};
  for (const [field, attr, conv] of r.fields) out[attr] = conv(row[field]);
  for (const k of Object.keys(row)) if (!r.known.has(k)) out[k] = row[k];
  return out as Attributes<M> & Record<string, unknown>;
}

/** Run `sql` (a plain SELECT of `model`'s columns) and return the rows as the model's attributes. */
export async function selectModelRows<M extends Model>(model: ModelStatic<M>, sql: string): Promise<(Attributes<M> & Record<string, unknown>)[]> {
  const rows = await selectPlain<Record<string, unknown>>(sql);
  return rows.map((row) => plainOf(model, row));
}

/** A positive integer id for inlining into SQL, or throws: selectPlain takes no replacements. */
export function sqlId(v: number): string {
  if (!Number.isSafeInteger(v) || v <= 0) throw new TypeError(`not an id: ${v}`);
  return String(v);
}

