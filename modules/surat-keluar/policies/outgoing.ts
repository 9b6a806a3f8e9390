import type { Transaction } from 'sequelize';
import { OutgoingParaf, OUTGOING_EDITABLE, type OutgoingLetter } from '../../../models';
import { type AnyActor, type Holding, positionIds } from '../../../platform/actor';
import { ForbiddenError, NotFoundError } from '../../../platform/errors';

/**
 * Who may do what with an outgoing draft. A draft is seen by its drafter (and whoever holds the
 * drafter's position), by every position ever put in its paraf chain, and by its signer once
 * every paraf is in; to everyone else it does not exist (404). Only the position holding the draft changes it: the
 * drafter in konsep / dikembalikan, the verifier whose turn it is in dalam_paraf, the signer
 * in siap_ttd. The drafter alone picks the chain and submits.
 */

/** Anyone holding a position may draft a letter. */
export const canDraft = (a: AnyActor): boolean => a.holdings.length > 0;

export interface OutgoingRights {
  view: boolean;
  /** Change the content (a new version). */
  edit: boolean;
  /** Pick the verifiers and the signer. */
  setChain: boolean;
  /** Ajukan: send to the first verifier (or the signer). */
  submit: boolean;
  /** Give paraf now (it is this actor's turn). */
  paraf: boolean;
  /** Send it back to the drafter with a note. */
  return: boolean;
  /** Withdraw the draft for good (the drafter, any time before it is signed). */
  cancel: boolean;
  /** The holding through which the actor holds the draft, if they do. */
  holding?: Holding;
  /** The holding through which the actor is the drafter. */
  drafterHolding?: Holding;
  /** Holds a position in the chain (any step, now or before). */
  inChain: boolean;
}

/** Positions that ever took part in the draft's paraf chain. */
export async function chainPositions(letterId: number, t?: Transaction): Promise<number[]> {
  const rows = await OutgoingParaf.findAll({ where: { letterId }, attributes: ['positionId'], transaction: t });
  return [...new Set(rows.map((r) => r.positionId))];
}

export function outgoingRights(a: AnyActor, l: OutgoingLetter, chain: number[]): OutgoingRights {
  const mine = positionIds(a);
  const isDrafter = !!a.user && a.user.id === l.drafterUserId;
  const drafterHolding = a.holdings.find((h) => h.positionId === l.drafterPositionId);
  const inChain = chain.some((p) => mine.includes(p));
  // The signer sees the draft once every paraf is in (and keeps seeing it if it goes back).
  const isSigner = !!l.signerPositionId && mine.includes(l.signerPositionId) && !!l.reachedSignerAt;
  // The position asked for a countersignature sees the signed letter.
  const isCountersigner = !!l.countersignPositionId && mine.includes(l.countersignPositionId);
  const view = isDrafter || !!drafterHolding || inChain || isSigner || isCountersigner || (!!l.currentHolderPositionId && mine.includes(l.currentHolderPositionId));
  const drafting = l.status === 'konsep' || l.status === 'dikembalikan';
  const holding = l.currentHolderPositionId ? a.holdings.find((h) => h.positionId === l.currentHolderPositionId) : undefined;
  const editable = OUTGOING_EDITABLE.includes(l.status);
  const drafterActs = drafting && (isDrafter || !!drafterHolding);
  return {
    view,
    edit: view && editable && (!!holding || drafterActs),
    setChain: view && drafterActs,
    submit: view && drafterActs,
    paraf: view && l.status === 'dalam_paraf' && !!holding,
    return: view && (l.status === 'dalam_paraf' || l.status === 'siap_ttd') && !!holding,
    cancel: view && ['konsep', 'dikembalikan', 'dalam_paraf', 'siap_ttd'].includes(l.status) && (isDrafter || !!drafterHolding),
    holding: holding ?? (drafterActs ? drafterHolding : undefined),
    drafterHolding,
    inChain,
  };
}

/** 404 when the draft is not the actor's to see, 403 when they see it but may not do this. */
export function authorizeOutgoing(r: OutgoingRights, action: keyof OutgoingRights, message?: string): void {
  if (!r.view) throw new NotFoundError('Konsep surat tidak ditemukan.');
  if (!r[action]) throw new ForbiddenError(message);
}
