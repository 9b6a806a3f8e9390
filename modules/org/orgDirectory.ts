import type { Model, ModelStatic } from 'sequelize';
import { Assignment, Position, Unit, User, Agency, Klasifikasi, JenisNaskah, DispositionInstruction, type AssignmentKind } from '../../models';
import { CachedValue, invalidateOn } from '../../platform/cache';
import { config } from '../../config';
import { today } from '../../platform/dates';
import type { Holding } from '../../platform/actor';

/**
 * The organization as every signed-in page needs it (who the user is, which positions they
 * hold today, the names of positions and their holders) and the reference lists of the
 * register's filters, read once and kept for CACHE_SECONDS (see platform/cache.ts). An
 * organization is hundreds of rows, read on every request of every user; keeping them turns
 * five queries and a few hundred model instances per page into map look-ups.
 *
 * The cached User and Position instances are shared between requests: read them, never
 * change them (services load their own rows to change).
 */
interface AssignmentRow { id: number; userId: number; positionId: number; kind: AssignmentKind; startDate: string; endDate: string | null }
export interface OrgSnapshot {
  users: Map<number, User>;
  positions: Map<number, Position & { unit?: Unit }>;
  units: Map<number, Unit>;
  byUser: Map<number, AssignmentRow[]>;
  byPosition: Map<number, AssignmentRow[]>;
}

async function loadOrg(): Promise<OrgSnapshot> {
  const [users, positions, assignments, units] = await Promise.all([
    User.findAll(),
    Position.findAll({ include: [{ model: Unit, as: 'unit' }] }),
    Assignment.findAll({ raw: true, attributes: ['id', 'userId', 'positionId', 'kind', 'startDate', 'endDate'], order: [['id', 'ASC']] }),
    Unit.findAll(),
  ]);
  const byUser = new Map<number, AssignmentRow[]>();
  const byPosition = new Map<number, AssignmentRow[]>();
  for (const a of assignments as unknown as AssignmentRow[]) {
    (byUser.get(a.userId) ?? byUser.set(a.userId, []).get(a.userId)!).push(a);
    (byPosition.get(a.positionId) ?? byPosition.set(a.positionId, []).get(a.positionId)!).push(a);
  }
  return {
    users: new Map(users.map((u) => [u.id, u])),
    positions: new Map(positions.map((p) => [p.id, p as Position & { unit?: Unit }])),
    units: new Map(units.map((u) => [u.id, u])),
    byUser, byPosition,
  };
}

export interface ReferenceLists {
  agencies: { id: number; name: string }[];
  klasifikasi: Klasifikasi[];
  jenisNaskah: JenisNaskah[];
  /** Every standard disposition instruction, active or not, in their order. */
  instructions: DispositionInstruction[];
}

async function loadReference(): Promise<ReferenceLists> {
  const [agencies, klasifikasi, jenisNaskah, instructions] = await Promise.all([
    Agency.findAll({ order: [['name', 'ASC']], attributes: ['id', 'name'], raw: true }),
    Klasifikasi.findAll({ where: { active: true }, order: [['code', 'ASC']] }),
    JenisNaskah.findAll({ order: [['sortOrder', 'ASC'], ['name', 'ASC']] }),
    DispositionInstruction.findAll({ order: [['sortOrder', 'ASC']] }),
  ]);
  return { agencies: agencies as unknown as { id: number; name: string }[], klasifikasi, jenisNaskah, instructions };
}

const ttl = () => config().cacheMs;
const org = new CachedValue(loadOrg, ttl);
const reference = new CachedValue(loadReference, ttl);

// Hooks are lost when a model is initialized again (tests, CLI), so they are installed per
// initialization: Model.init gives each initialization a new options object.
const hooked = new WeakSet<object>();
function ensureHooks(): void {
  if (hooked.has(User.options)) return;
  invalidateOn([User, Position, Unit, Assignment] as unknown as ModelStatic<Model>[], [org as CachedValue<unknown>]);
  invalidateOn([Agency, Klasifikasi, JenisNaskah, DispositionInstruction] as unknown as ModelStatic<Model>[], [reference as CachedValue<unknown>]);
  hooked.add(User.options);
}

export async function orgSnapshot(): Promise<OrgSnapshot> {
  ensureHooks();
  return org.get();
}

export async function referenceLists(): Promise<ReferenceLists> {
  ensureHooks();
  return reference.get();
}

/** Drop the cached organization and reference lists (after changes made outside Sequelize's models). */
export function invalidateDirectory(): void {
  org.invalidate();
  reference.invalidate();
}

const inForce = (a: AssignmentRow, date: string) => a.startDate <= date && (a.endDate === null || a.endDate >= date);
const KIND_ORDER = { definitif: 0, plt: 1, plh: 2 } as const;

/** The signed-in user, as the directory has them (null when unknown). */
export async function directoryUser(id: number): Promise<User | null> {
  return (await orgSnapshot()).users.get(id) ?? null;
}

/** The positions a user holds on a date, definitive ones first (as holdingsOf, from the directory). */
export async function currentHoldings(userId: number, date: string = today()): Promise<Holding[]> {
  const s = await orgSnapshot();
  return (s.byUser.get(userId) ?? [])
    .filter((a) => inForce(a, date))
    .map((a) => ({ a, position: s.positions.get(a.positionId) }))
    .filter((x): x is { a: AssignmentRow; position: Position & { unit?: Unit } } => !!x.position && x.position.active)
    .sort((x, y) => KIND_ORDER[x.a.kind] - KIND_ORDER[y.a.kind] || x.a.id - y.a.id)
    .map((x) => ({ positionId: x.a.positionId, kind: x.a.kind, position: x.position }));
}

/** "Kepala Dinas (Plt. Nama)" style labels for many positions at once. */
export async function positionLabels(ids: number[], date: string = today()): Promise<Map<number, { name: string; holders: string }>> {
  const out = new Map<number, { name: string; holders: string }>();
  if (!ids.length) return out;
  const s = await orgSnapshot();
  for (const id of new Set(ids)) {
    const p = s.positions.get(id);
    if (!p) continue;
    const hs = (s.byPosition.get(id) ?? []).filter((a) => inForce(a, date))
      .map((a) => `${a.kind === 'definitif' ? '' : a.kind === 'plt' ? 'Plt. ' : 'Plh. '}${s.users.get(a.userId)?.name ?? ''}`);
    out.set(id, { name: p.name, holders: hs.join(', ') || 'lowong' });
  }
  return out;
}

/** Names of users by id, from the directory. */
export async function userNames(ids: Iterable<number>): Promise<Map<number, string>> {
  const s = await orgSnapshot();
  const out = new Map<number, string>();
  for (const id of ids) { const u = s.users.get(id); if (u) out.set(id, u.name); }
  return out;
}

/** A unit and every unit below it. */
export async function unitSubtree(unitId: number): Promise<number[]> {
  const units = [...(await orgSnapshot()).units.values()];
  const out = [unitId];
  for (let i = 0; i < out.length; i++) for (const u of units) if (u.parentId === out[i] && !out.includes(u.id)) out.push(u.id);
  return out;
}

/** Active positions matching `keep`, by rank then name (as the admin lists them). */
export async function positionsWhere(keep: (p: Position) => boolean): Promise<Position[]> {
  return [...(await orgSnapshot()).positions.values()].filter((p) => p.active && keep(p))
    .sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name, 'id'));
}
