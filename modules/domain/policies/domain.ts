import type { AnyActor } from '../../../platform/actor';
import { holdsRole, positionIds } from '../../../platform/actor';
import type { DomainCase } from '../../../models';
import type { StepActor } from '../caseTypeDefinitions';

/**
 * Who may see and do what on domain cases. The case belongs to its Pejabat Domain position:
 * only its holder (definitive or Plt/Plh) drives the case; the Data Center operator records
 * the Data Center's steps; the leadership that dispose these letters (Kepala Dinas, Kabid,
 * Kasi) and the Data Center see every case, read-only.
 */
export const canOpenCase = (a: AnyActor): boolean => holdsRole(a, 'pejabat_domain');
export const canSeeDomainBoard = (a: AnyActor): boolean => holdsRole(a, 'pejabat_domain', 'operator_dc', 'kepala', 'kabid', 'kasi') || !!a.user?.isAdmin;

export interface CaseRights {
  view: boolean;
  /** Drive the case: steps, checklist, letters, cancel. */
  manage: boolean;
  /** Record a step whose actor is the Data Center. */
  dcStep: boolean;
}

export function caseRights(a: AnyActor, c: DomainCase): CaseRights {
  const mine = positionIds(a);
  const manage = mine.includes(c.pejabatPositionId);
  const dc = holdsRole(a, 'operator_dc');
  return { view: manage || canSeeDomainBoard(a), manage, dcStep: manage || dc };
}

/** May the actor record a step done by `actor`? Steps of outside parties (Sekda, registrar, SKPD) are recorded by the Pejabat Domain. */
export const mayRecordStep = (r: CaseRights, actor: StepActor): boolean => (actor === 'operator_dc' ? r.dcStep : r.manage);
