import type { Transaction } from 'sequelize';
import { Notification, Position, User } from '../models';
import { now } from './clock';
import { config } from '../config';
import { holdersOf } from './assignments';

export interface NotificationInput {
  kind: string; title: string; body?: string | null; url?: string | null;
  letterId?: number | null; dispositionId?: number | null;
  /** Same key for the same user: created once, however often this runs (restarts included). */
  dedupeKey: string;
}

/**
 * Queue an in-app notification (and, when SMTP is configured and the user has an address,
 * an e-mail) for each current holder of a position, inside the caller's transaction. E-mails
 * are delivered after commit by the mailer, so a rolled-back change sends nothing.
 */
export async function notifyPosition(t: Transaction, positionId: number, n: NotificationInput, exceptUserId?: number): Promise<number> {
  const holders = await holdersOf(positionId, undefined, t);
  return notifyUsers(t, holders.map((h) => h.user).filter((u) => u.id !== exceptUserId), n);
}

/**
 * Notify a position's holders; when the position is vacant (nobody holds it, not even a Plt or
 * Plh), its nearest superior position that has a holder, so an escalation never lands on an
 * empty chair. Returns the position that was notified, or null when the whole chain is vacant.
 */
export async function notifyPositionOrSuperior(t: Transaction, positionId: number, n: NotificationInput): Promise<number | null> {
  const seen = new Set<number>();
  for (let id: number | null = positionId; id !== null && !seen.has(id);) {
    seen.add(id);
    const holders = await holdersOf(id, undefined, t);
    if (holders.length) {
      await notifyUsers(t, holders.map((h) => h.user), n);
      return id;
    }
    id = (await Position.findByPk(id, { transaction: t, attributes: ['id', 'superiorId'] }))?.superiorId ?? null;
  }
  return null;
}

export async function notifyUsers(t: Transaction, users: User[], n: NotificationInput): Promise<number> {
  if (!users.length) return 0;
  const smtp = !!config().smtpUrl;
  const at = now();
  const rows = await Notification.bulkCreate(users.map((u) => ({
    userId: u.id, kind: n.kind, title: n.title.slice(0, 300), body: n.body ?? null, url: n.url ?? null,
    letterId: n.letterId ?? null, dispositionId: n.dispositionId ?? null, dedupeKey: n.dedupeKey.slice(0, 160),
    createdAt: at, readAt: null, emailStatus: smtp && u.email ? 'pending' : 'none', emailedAt: null, emailError: null,
  })), { transaction: t, ignoreDuplicates: true });
  return rows.length;
}
