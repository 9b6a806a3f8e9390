import { Op, type Transaction } from 'sequelize';
import { Assignment, Position, Unit, User } from '../../models';
import { today } from '../../platform/dates';
import type { Holding } from '../../platform/actor';

/** Assignments in force on `date` (YYYY-MM-DD): started, and not yet ended. */
const inForce = (date: string) => ({ startDate: { [Op.lte]: date }, [Op.or]: [{ endDate: null }, { endDate: { [Op.gte]: date } }] });

/** The positions a user holds on a date, definitive ones first. */
export async function holdingsOf(userId: number, date: string = today()): Promise<Holding[]> {
  const rows = await Assignment.findAll({
    where: { userId, ...inForce(date) },
    include: [{ model: Position, as: 'position', where: { active: true }, include: [{ model: Unit, as: 'unit' }] }],
    order: [['kind', 'ASC'], ['id', 'ASC']],
  });
  const order = { definitif: 0, plt: 1, plh: 2 } as const;
  return rows
    .map((a) => ({ positionId: a.positionId, kind: a.kind, position: (a as unknown as { position: Holding['position'] }).position }))
    .sort((x, y) => order[x.kind] - order[y.kind]);
}

/** Who holds a position on a date: the definitive holder and any Plt/Plh. */
export async function holdersOf(positionId: number, date: string = today(), transaction?: Transaction): Promise<{ user: User; kind: Assignment['kind'] }[]> {
  const rows = await Assignment.findAll({
    transaction,
    where: { positionId, ...inForce(date) }, include: [{ model: User, as: 'user', where: { active: true } }], order: [['id', 'ASC']],
  });
  return rows.map((a) => ({ user: (a as unknown as { user: User }).user, kind: a.kind }));
}

export { positionLabels } from './orgDirectory';

/** NIP: 18 digits; birth date (8), appointment year-month (6), sex (1: 1/2), serial (3). */
export function nipProblem(nip: string): string | null {
  if (!/^\d+$/.test(nip)) return 'NIP hanya boleh berisi angka.';
  if (nip.length !== 18) return `NIP harus 18 digit (terisi ${nip.length} digit).`;
  const y = +nip.slice(0, 4), m = +nip.slice(4, 6), d = +nip.slice(6, 8);
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1940 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return 'NIP tidak valid: 8 digit pertama harus tanggal lahir (TTTTBBHH).';
  const ay = +nip.slice(8, 12), am = +nip.slice(12, 14);
  if (ay < y + 17 || am < 1 || am > 12) return 'NIP tidak valid: digit 9-14 harus tahun dan bulan pengangkatan (TTTTBB).';
  if (!['1', '2'].includes(nip[14])) return 'NIP tidak valid: digit ke-15 (jenis kelamin) harus 1 atau 2.';
  return null;
}
