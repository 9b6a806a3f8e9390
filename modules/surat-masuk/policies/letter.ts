import { InboxItem, type IncomingLetter } from '../../../models';
import { CONFIDENTIAL } from '../../../models';
import { type AnyActor, holdsRole, isAdmin, positionIds } from '../../../platform/actor';
import { NotFoundError, ForbiddenError } from '../../../platform/errors';

/** Holders of these positions keep the register (Buku Agenda) and register incoming mail. */
export const isSecretariat = (a: AnyActor): boolean => holdsRole(a, 'sekretariat');
/** The Sekretaris Dinas supervises the secretariat and may read the register. */
export const canSeeRegister = (a: AnyActor): boolean => holdsRole(a, 'sekretariat', 'sekretaris');
export const canRegister = (a: AnyActor): boolean => isSecretariat(a);
export { isAdmin };

/** Positions a letter has reached: the addressed position and everyone it was disposed to. */
export async function chainOf(letterId: number): Promise<number[]> {
  const rows = await InboxItem.findAll({ where: { letterId }, attributes: ['positionId'] });
  return rows.map((r) => r.positionId);
}

export interface LetterRights {
  /** May open the letter page at all. */
  view: boolean;
  /** May see perihal, summary, scan and attachments (false only for confidential letters outside the chain). */
  content: boolean;
  /** Holds a position the letter was addressed or disposed to. */
  inChain: boolean;
  correct: boolean;
}

/**
 * What an actor may do with an incoming letter. A letter reaches the positions in its chain;
 * the secretariat sees every ordinary letter. A Rahasia or Sangat Rahasia letter is visible
 * only inside its chain; everyone else is told it does not exist.
 */
export function letterRights(a: AnyActor, letter: Pick<IncomingLetter, 'sifat' | 'status'>, chain: number[]): LetterRights {
  const mine = positionIds(a);
  const inChain = chain.some((p) => mine.includes(p));
  const confidential = CONFIDENTIAL.includes(letter.sifat);
  const view = inChain || (!confidential && canSeeRegister(a));
  return {
    view,
    content: view,
    inChain,
    correct: view && isSecretariat(a) && letter.status !== 'diarsipkan',
  };
}

/** Throw 404 (not 403) so that a confidential letter's existence is not revealed. */
export function authorizeLetter(rights: LetterRights, action: keyof LetterRights): void {
  if (!rights.view) throw new NotFoundError();
  if (!rights[action]) throw new ForbiddenError();
}
