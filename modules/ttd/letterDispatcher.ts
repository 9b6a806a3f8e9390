import { Op, type Transaction } from 'sequelize';
import nodemailer from 'nodemailer';
import {
  Agency, Blob, IncomingLetter, InboxItem, LetterFile, OutgoingCountersign, OutgoingDispatch, OutgoingLetter, OutgoingRecipient,
  LETTER_TRANSITIONS, type DispatchChannel, type LetterStatus,
} from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { today, parseIsoDate } from '../../platform/dates';
import { config } from '../../config';
import { formatNumber } from '../../lib/numbering';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { nextValue } from '../../platform/sequences';
import { notifyPosition } from '../../platform/notifier';
import { lockDraft, saveDraft, assertTransition, draftSnapshot, draftSubject } from '../surat-keluar';
import { outgoingRights, chainPositions } from '../surat-keluar';
import { blobBytes } from './letterSigner';
import { runDispatchHooks } from './dispatchHooks';
import type { Actor } from '../../platform/actor';
import { indexLetterText } from '../surat-masuk';

/** Channels an external recipient can be sent through (internal positions always go to the inbox). */
export const EXTERNAL_CHANNELS: readonly DispatchChannel[] = ['email', 'kurir', 'langsung'];
const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Who may dispatch a signed letter: its signer (the signer position's holder) and its drafter. */
export function mayDispatch(actor: Actor, l: OutgoingLetter): boolean {
  const mine = actor.holdings.map((h) => h.positionId);
  return actor.user.id === l.drafterUserId || mine.includes(l.drafterPositionId) || (!!l.signerPositionId && mine.includes(l.signerPositionId));
}

export interface DispatchChoice { channel: string; email?: string; note?: string }
export interface DispatchProps {
  actor: Actor;
  letterId: number;
  /** Per external recipient row id: its channel (and address for e-mail). */
  choices: Record<number, DispatchChoice>;
  /** Tanggal kirim (YYYY-MM-DD); default today. */
  sentDate?: string;
}

const COUNTERSIGN_PENDING = 'Surat ini masih menunggu tanda tangan kedua (pengesahan); kirim setelah tanda tangan kedua diberikan.';

/** The office itself as the sender of internal copies (the incoming register needs a sender agency). */
async function ownOffice(t: Transaction): Promise<Agency> {
  const name = config().orgName;
  const found = await Agency.findOne({ where: { name }, transaction: t });
  return found ?? Agency.create({ name, kind: 'lainnya', headTitle: null, address: null, city: config().orgRegion, email: null, phone: null }, { transaction: t });
}

/**
 * letterDispatcher ("Kirim"): a signed letter goes to its recipients. Internal addressees and
 * tembusan (positions) receive it in their Kotak Masuk as ONE incoming letter (agenda number
 * from the same yearly counter as the secretariat's register; the signed PDF as its scan; the
 * source outgoing letter linked), with an inbox item per position (tujuan / tembusan). External
 * recipients are recorded with their channel and date; the e-mail channel queues the signed PDF
 * for SMTP (sent after commit by `deliverDispatchEmails`). The incoming letter this one answers
 * becomes "dibalas" and both link to each other. Status "dikirim", audited, one transaction.
 */
export async function dispatchLetter(p: DispatchProps): Promise<{ letter: OutgoingLetter; incoming: IncomingLetter | null; dispatches: OutgoingDispatch[] }> {
  const letter0 = await OutgoingLetter.findByPk(p.letterId);
  if (!letter0 || !outgoingRights(p.actor, letter0, await chainPositions(letter0.id)).view) throw new NotFoundError('Surat tidak ditemukan.');
  if (!mayDispatch(p.actor, letter0)) throw new ForbiddenError('Hanya penanda tangan atau pembuat konsep yang dapat mengirim surat ini.');
  if (letter0.status === 'dikirim') throw new ConflictError('Surat ini sudah dikirim.');
  if (letter0.status !== 'ditandatangani' || !letter0.signedBlobSha) throw new ConflictError('Surat harus ditandatangani sebelum dikirim.');
  if (letter0.revokedAt || letter0.replacedById) throw new ConflictError('Surat ini sudah dicabut atau diganti dan tidak dapat dikirim.');
  if (await OutgoingCountersign.findOne({ where: { letterId: letter0.id, status: 'diminta' } })) throw new ConflictError(COUNTERSIGN_PENDING);
  const sentDate = p.sentDate ? parseIsoDate(p.sentDate) : today();
  const errors: Record<string, string> = {};
  if (!sentDate) errors.sentDate = 'Tanggal kirim tidak valid.';
  const recipients = await OutgoingRecipient.findAll({ where: { letterId: letter0.id }, order: [['kind', 'ASC'], ['sortOrder', 'ASC']] });
  const agencies = new Map((await Agency.findAll({ where: { id: recipients.map((r) => r.agencyId).filter((x): x is number => !!x) } })).map((a) => [a.id, a]));
  const plan: { r: OutgoingRecipient; channel: DispatchChannel; email: string | null; note: string | null }[] = [];
  for (const r of recipients) {
    if (r.targetType === 'position' && r.positionId) { plan.push({ r, channel: 'internal', email: null, note: null }); continue; }
    const c = p.choices[r.id] ?? { channel: '' };
    if (!EXTERNAL_CHANNELS.includes(c.channel as DispatchChannel)) { errors[`channel_${r.id}`] = `Pilih cara pengiriman untuk ${r.name}.`; continue; }
    let email: string | null = null;
    if (c.channel === 'email') {
      email = (c.email ?? '').trim() || agencies.get(r.agencyId ?? 0)?.email || '';
      if (!EMAIL_RE.test(email) || email.length > 255) { errors[`email_${r.id}`] = `Alamat e-mail untuk ${r.name} tidak valid.`; continue; }
    }
    plan.push({ r, channel: c.channel as DispatchChannel, email, note: (c.note ?? '').trim().slice(0, 500) || null });
  }
  if (!recipients.length) errors.recipients = 'Surat ini tidak memiliki penerima.';
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const smtp = !!config().smtpUrl;
  const result = await tx(async (t) => {
    const letter = await lockDraft(t, p.letterId);
    if (letter.status !== 'ditandatangani' || letter.revokedAt || letter.replacedById) throw new ConflictError('Surat ini tidak lagi dapat dikirim (sudah dikirim, dicabut, atau diganti).');
    assertTransition(letter, 'dikirim', 'dikirim');
    if (await OutgoingCountersign.findOne({ where: { letterId: letter.id, status: 'diminta' }, transaction: t })) throw new ConflictError(COUNTERSIGN_PENDING);
    const at = now();
    const internal = plan.filter((x) => x.channel === 'internal');
    let incoming: IncomingLetter | null = null;
    if (internal.length) {
      const office = await ownOffice(t);
      const first = internal.find((x) => x.r.kind === 'kepada') ?? internal[0];
      const year = Number(sentDate!.slice(0, 4));
      const seq = await nextValue(t, `agenda-surat-masuk:${year}`);
      const agendaNumber = formatNumber(config().agendaFormat, { seq, year, month: Number(sentDate!.slice(5, 7)) });
      incoming = await IncomingLetter.create({
        agendaYear: year, agendaSeq: seq, agendaNumber, senderAgencyId: office.id, senderName: letter.signedTitle ?? office.name,
        senderNumber: letter.letterNumber!, letterDate: letter.letterDate!, receivedDate: sentDate!, perihal: letter.perihal,
        sifat: letter.sifat, urgensi: letter.urgensi, klasifikasiCode: letter.klasifikasiCode, jenisNaskahCode: letter.jenisNaskahCode,
        lampiran: letter.lampiran, summary: null, addressedPositionId: first.r.positionId!,
        searchText: [agendaNumber, letter.letterNumber, letter.perihal, office.name, letter.signedTitle].join(' ').toLowerCase(),
        submissionKey: `surat-keluar:${letter.id}`, createdById: p.actor.user.id, sourceOutgoingId: letter.id,
      }, { transaction: t });
      await indexLetterText(t, incoming.id, incoming.searchText);
      const blob = await Blob.findByPk(letter.signedBlobSha!, { transaction: t });
      await LetterFile.create({
        letterId: incoming.id, blobSha: letter.signedBlobSha!, kind: 'scan', originalName: `surat-${letter.id}-ttd.pdf`, mime: 'application/pdf', size: Number(blob?.size ?? 0),
      }, { transaction: t });
      const seen = new Set<number>();
      for (const x of internal) {
        if (seen.has(x.r.positionId!)) continue;
        seen.add(x.r.positionId!);
        await InboxItem.create({
          letterId: incoming.id, positionId: x.r.positionId!, kind: x.r.kind === 'kepada' ? 'tujuan' : 'tembusan', receivedAt: at,
          readAt: null, readByUserId: null, dueAt: null, doneAt: null,
        }, { transaction: t });
        await notifyPosition(t, x.r.positionId!, {
          kind: 'surat_masuk_internal', title: `Surat masuk: ${draftSubject(letter)}`.slice(0, 300), body: `Nomor ${letter.letterNumber}, dari ${letter.signedTitle ?? ''}.`,
          url: `/surat-masuk/${incoming.id}`, letterId: incoming.id, dedupeKey: `kirim:${letter.id}:${x.r.positionId}`,
        });
      }
      await recordEvent(t, p.actor, {
        action: 'surat_masuk.diterima_internal', entityType: 'incoming_letter', entityId: incoming.id,
        after: { agendaNumber, suratKeluarId: letter.id, nomor: letter.letterNumber, posisi: [...seen] },
      });
    }
    const dispatches: OutgoingDispatch[] = [];
    for (const x of plan) {
      dispatches.push(await OutgoingDispatch.create({
        letterId: letter.id, recipientId: x.r.id, kind: x.r.kind, name: x.r.name, channel: x.channel, positionId: x.r.positionId ?? null,
        incomingLetterId: x.channel === 'internal' ? incoming!.id : null, email: x.email,
        emailStatus: x.channel === 'email' ? (smtp ? 'pending' : 'no_smtp') : null, emailError: null, emailedAt: null,
        sentDate: sentDate!, note: x.note, createdByUserId: p.actor.user.id, createdAt: at,
      }, { transaction: t }));
    }
    if (letter.replyToLetterId) {
      const answered = await IncomingLetter.findByPk(letter.replyToLetterId, { transaction: t, lock: t.LOCK.UPDATE });
      if (answered) {
        const before = { status: answered.status, answeredByOutgoingId: answered.answeredByOutgoingId };
        const status = LETTER_TRANSITIONS[answered.status as LetterStatus].includes('dibalas') ? 'dibalas' : answered.status;
        await IncomingLetter.update({ status, answeredByOutgoingId: letter.id, version: answered.version + 1 } as never, { where: { id: answered.id }, transaction: t });
        await recordEvent(t, p.actor, { action: 'surat_masuk.dibalas', entityType: 'incoming_letter', entityId: answered.id, before, after: { status, answeredByOutgoingId: letter.id, nomorBalasan: letter.letterNumber } });
      }
    }
    // Other modules' part of the dispatch (a domain case whose report letter this is closes with it).
    await runDispatchHooks(t, p.actor, letter);
    const before = draftSnapshot(letter);
    await saveDraft(t, letter, { status: 'dikirim', dispatchedAt: at });
    await recordEvent(t, p.actor, {
      action: 'surat_keluar.dikirim', entityType: 'outgoing_letter', entityId: letter.id, before,
      after: { ...draftSnapshot(letter), tanggalKirim: sentDate, suratMasukInternal: incoming?.id ?? null, penerima: plan.map((x) => ({ nama: x.r.name, jenis: x.r.kind, cara: x.channel, email: x.email })) },
    });
    return { letter, incoming, dispatches };
  });
  if (smtp) void deliverDispatchEmails().catch(() => undefined);
  return result;
}

/** Attempts at sending a dispatch e-mail before it is marked 'failed'. */
export const DISPATCH_EMAIL_MAX_ATTEMPTS = 5;
/** How long a failed e-mail waits before the next attempt: 1, 2, 4, 8 minutes after attempts 1-4. */
export const dispatchEmailBackoffMs = (attempts: number): number => 60_000 * 2 ** Math.max(0, attempts - 1);
/** A row claimed for sending longer ago than this is taken to be left behind by a crash and claimed again. */
const SENDING_LEASE_MS = 10 * 60_000;

/** Rows due now: queued and past their backoff, or claimed by a run that never finished (lease over). */
const dueWhere = (at: Date) => ({
  [Op.or]: [
    { emailStatus: 'pending', [Op.or]: [{ emailNextAttemptAt: null }, { emailNextAttemptAt: { [Op.lte]: at } }] },
    { emailStatus: 'sending', emailNextAttemptAt: { [Op.lte]: at } },
  ],
});

let running: Promise<number> | null = null;
/**
 * Send the signed PDF of dispatch rows queued for e-mail: called after "Kirim" and by the
 * background scheduler on every tick (server.ts). Each row is claimed first (-> sending, with a
 * lease), so two runs or two processes never send it twice. A failure goes back to 'pending'
 * with a backoff (emailNextAttemptAt), and is retried by a later tick; after
 * DISPATCH_EMAIL_MAX_ATTEMPTS attempts it is 'failed' (shown on the letter page).
 */
export function deliverDispatchEmails(): Promise<number> {
  if (running) return running;
  running = (async () => {
    const url = config().smtpUrl;
    if (!url) return 0;
    const tp = nodemailer.createTransport(url);
    let sent = 0;
    const rows = await OutgoingDispatch.findAll({ where: dueWhere(now()), order: [['id', 'ASC']], limit: 100 });
    for (const d of rows) {
      const [claimed] = await OutgoingDispatch.update({ emailStatus: 'sending', emailNextAttemptAt: new Date(now().getTime() + SENDING_LEASE_MS) },
        { where: { id: d.id, ...dueWhere(now()) } });
      if (!claimed) continue;
      const finish = (v: Partial<Pick<OutgoingDispatch, 'emailStatus' | 'emailAttempts' | 'emailedAt' | 'emailError' | 'emailNextAttemptAt'>>) =>
        OutgoingDispatch.update(v, { where: { id: d.id, emailStatus: 'sending' } });
      try {
        const letter = await OutgoingLetter.findByPk(d.letterId);
        if (!letter?.signedBlobSha) throw new Error('signed PDF missing');
        const pdf = await blobBytes(letter.signedBlobSha);
        const subject = letter.sifat === 'rahasia' || letter.sifat === 'sangat_rahasia' ? `Surat ${letter.letterNumber}` : `Surat ${letter.letterNumber}: ${letter.perihal}`;
        await tp.sendMail({
          from: config().mailFrom, to: { name: d.name, address: d.email ?? '' }, subject: subject.slice(0, 250),
          text: `Yth. ${d.name},\n\nTerlampir surat ${config().orgName} nomor ${letter.letterNumber} tanggal ${letter.letterDate}, ditandatangani secara elektronik.\nKeaslian surat dapat diperiksa di ${config().baseUrl.replace(/\/+$/, '')}/verifikasi/${letter.verificationCode}\n\n-- \nPesan otomatis dari Naskah, e-office ${config().orgName}.`,
          attachments: [{ filename: `${(letter.letterNumber ?? 'surat').replace(/[^\w.-]+/g, '_')}.pdf`, content: pdf, contentType: 'application/pdf' }],
        });
        await finish({ emailStatus: 'sent', emailedAt: now(), emailAttempts: d.emailAttempts + 1, emailError: null, emailNextAttemptAt: null });
        sent++;
      } catch (err) {
        const attempts = d.emailAttempts + 1;
        const failed = attempts >= DISPATCH_EMAIL_MAX_ATTEMPTS;
        await finish({
          emailStatus: failed ? 'failed' : 'pending', emailAttempts: attempts, emailError: String((err as Error).message).slice(0, 500),
          emailNextAttemptAt: failed ? null : new Date(now().getTime() + dispatchEmailBackoffMs(attempts)),
        });
      }
    }
    return sent;
  })().finally(() => { running = null; });
  return running;
}
