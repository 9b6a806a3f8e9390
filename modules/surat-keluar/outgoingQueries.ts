import { Op, type WhereOptions } from 'sequelize';
import { OutgoingLetter, type OutgoingStatus } from '../../models';
import { type AnyActor, positionIds } from '../../platform/actor';

/**
 * The lists of the Surat Keluar pages: the drafts a user made ("Konsep saya"), those waiting
 * for their paraf, and those ready for their signature. Each is one indexed query
 * (outgoing_letters_drafter, outgoing_letters_holder).
 */

export const OUTGOING_TABS = ['konsep', 'paraf', 'ttd'] as const;
export type OutgoingTab = (typeof OUTGOING_TABS)[number];
export const OUTGOING_TAB_LABEL: Record<OutgoingTab, string> = { konsep: 'Konsep saya', paraf: 'Menunggu paraf saya', ttd: 'Siap tanda tangan' };

const LIMIT = 200;

export async function outgoingList(actor: AnyActor, tab: OutgoingTab): Promise<OutgoingLetter[]> {
  const mine = positionIds(actor);
  const order: [string, string][] = [['updatedAt', 'DESC'], ['id', 'DESC']];
  if (tab === 'konsep') {
    const or: WhereOptions<OutgoingLetter>[] = [{ drafterUserId: actor.user?.id ?? 0 }];
    if (mine.length) or.push({ drafterPositionId: mine });
    return OutgoingLetter.findAll({ where: { [Op.or]: or, status: { [Op.ne]: 'dibatalkan' } }, order, limit: LIMIT });
  }
  if (!mine.length) return [];
  const status: OutgoingStatus = tab === 'paraf' ? 'dalam_paraf' : 'siap_ttd';
  return OutgoingLetter.findAll({ where: { currentHolderPositionId: mine, status }, order, limit: LIMIT });
}

/** Drafts waiting for the actor: paraf to give and letters to sign (the navigation's counter). */
export async function outgoingCounters(actor: AnyActor): Promise<{ paraf: number; ttd: number }> {
  const mine = positionIds(actor);
  if (!mine.length) return { paraf: 0, ttd: 0 };
  const rows = await OutgoingLetter.count({ where: { currentHolderPositionId: mine, status: ['dalam_paraf', 'siap_ttd'] }, group: ['status'] });
  const get = (s: string) => Number((rows as unknown as { status: string; count: number }[]).find((r) => r.status === s)?.count ?? 0);
  return { paraf: get('dalam_paraf'), ttd: get('siap_ttd') };
}
