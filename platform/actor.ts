import type { AssignmentKind, Position, Unit, User } from '../models';

/** A position the user holds today, definitively or as Plt/Plh. */
export interface Holding {
  positionId: number;
  kind: AssignmentKind;
  position: Position & { unit?: Unit };
}

/**
 * Who is acting: the user, the positions they hold right now, and where the request came
 * from. Built once per request; services record it in every audit event.
 */
export interface Actor {
  user: User;
  holdings: Holding[];
  ip: string | null;
}

/** The system itself (CLI, seed, scheduler). */
export interface SystemActor { user: null; holdings: []; ip: null; label: string }
export const systemActor = (label = 'sistem'): SystemActor => ({ user: null, holdings: [], ip: null, label });

export type AnyActor = Actor | SystemActor;

export const positionIds = (a: AnyActor): number[] => a.holdings.map((h) => h.positionId);
/** An administrator of the application (users, settings), whatever position they hold. */
export const isAdmin = (a: AnyActor): boolean => !!a.user?.isAdmin;
export const holdsRole = (a: AnyActor, ...roles: string[]): boolean => a.holdings.some((h) => roles.includes(h.position.role));

/** The holding through which the actor acts on something addressed to one of `positionIds`. */
export function holdingFor(a: AnyActor, targetPositionIds: number[] = []): Holding | undefined {
  return a.holdings.find((h) => targetPositionIds.includes(h.positionId))
    ?? a.holdings.find((h) => h.kind === 'definitif') ?? a.holdings[0];
}
