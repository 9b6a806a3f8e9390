import type { LetterNumber } from '../../../models';
import { type AnyActor, holdsRole, isAdmin } from '../../../platform/actor';

/**
 * The register of outgoing-letter numbers. The secretariat keeps it (it records numbers given
 * outside the system and cancels numbers); the Sekretaris Dinas supervises and may read it;
 * admins may do both. Numbers themselves are given by the signing step, not by hand.
 */
export const canSeeNumberRegister = (a: AnyActor): boolean => isAdmin(a) || holdsRole(a, 'sekretariat', 'sekretaris');
export const canManageNumbers = (a: AnyActor): boolean => isAdmin(a) || holdsRole(a, 'sekretariat');

export interface NumberRights { view: boolean; cancel: boolean }

/** What an actor may do with one number: only a standing number can be cancelled. */
export function numberRights(a: AnyActor, n: LetterNumber): NumberRights {
  return { view: canSeeNumberRegister(a), cancel: canManageNumbers(a) && n.status === 'aktif' };
}
