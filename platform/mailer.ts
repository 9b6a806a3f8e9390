import nodemailer, { type Transporter } from 'nodemailer';
import { Op } from 'sequelize';
import { Notification, User } from '../models';
import { config } from '../config';
import { now } from './clock';

let transport: Transporter | null = null;
let transportUrl: string | null = null;
function transporter(): Transporter | null {
  const url = config().smtpUrl;
  if (!url) return null;
  if (!transport || transportUrl !== url) { transport = nodemailer.createTransport(url); transportUrl = url; }
  return transport;
}

let running: Promise<number> | null = null;

/**
 * Send the e-mails of notifications queued as 'pending' (after their transaction committed).
 * Each row is claimed with a conditional update first, so two processes never send the same
 * one; a failure is retried on later runs, up to five attempts, then marked 'failed'.
 * Returns how many were sent.
 */
export function deliverPendingEmails(): Promise<number> {
  if (running) return running;
  running = (async () => {
    const tp = transporter();
    if (!tp) return 0;
    let sent = 0;
    let failed = false;
    for (;;) {
      const batch = await Notification.findAll({ where: { emailStatus: 'pending' }, order: [['id', 'ASC']], limit: 50 });
      if (!batch.length) break;
      let progressed = false;
      for (const n of batch) {
        const [claimed] = await Notification.update({ emailStatus: 'sending' as never }, { where: { id: n.id, emailStatus: 'pending' } });
        if (!claimed) continue;
        progressed = true;
        // The row is 'sending' now; later writes go through a static update because the
        // instance still holds 'pending' and would skip writing an unchanged 'pending' back.
        const finish = (v: Partial<Pick<Notification, 'emailStatus' | 'emailAttempts' | 'emailedAt' | 'emailError'>>) =>
          Notification.update(v, { where: { id: n.id, emailStatus: 'sending' as never } });
        const user = await User.findByPk(n.userId);
        if (!user?.email) { await finish({ emailStatus: 'none' }); continue; }
        const link = n.url ? `${config().baseUrl}${n.url}` : config().baseUrl;
        try {
          await tp.sendMail({
            from: config().mailFrom, to: { name: user.name, address: user.email }, subject: `[Naskah] ${n.title}`,
            text: `Yth. ${user.name},\n\n${n.title}\n${n.body ? `\n${n.body}\n` : ''}\nBuka: ${link}\n\n-- \nPesan otomatis dari Naskah, e-office ${config().orgName}.`,
          });
          await finish({ emailStatus: 'sent', emailedAt: now(), emailAttempts: n.emailAttempts + 1, emailError: null });
          sent++;
        } catch (err) {
          failed = true;
          const attempts = n.emailAttempts + 1;
          await finish({ emailStatus: attempts >= 5 ? 'failed' : 'pending', emailAttempts: attempts, emailError: String((err as Error).message).slice(0, 500) });
        }
      }
      // Failures wait for the next run instead of being retried at once.
      if (!progressed || failed || batch.length < 50) break;
    }
    return sent;
  })().finally(() => { running = null; });
  return running;
}

/** Rows left 'sending' by a crash are put back in the queue (called at start-up). */
export async function requeueStuckEmails(): Promise<number> {
  const [n] = await Notification.update({ emailStatus: 'pending' }, { where: { emailStatus: { [Op.eq]: 'sending' } } });
  return n;
}
