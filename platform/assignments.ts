import { Op, type Transaction } from 'sequelize';
import { Assignment, Position, Unit, User } from '../models';
import { today } from './dates';
import type { Holding } from './actor';

/**
 * Who holds which position on a date (the assignments in force): the holdings an actor acts
 * through, and the holders a notice to a position reaches. Kept here, below the modules, because
 * signing in (platform/actor) and notifying (platform/notifier) both need it; modules/org re-exports it.
 */

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
