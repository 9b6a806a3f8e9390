import crypto from 'node:crypto';
import type { InferAttributes, Transaction } from 'sequelize';
import {
  OutgoingLetter, OutgoingRecipient, OutgoingAttachment, OutgoingVersion, OutgoingParaf, Position,
  OUTGOING_TRANSITIONS, OUTGOING_STATUS_LABEL, CURRENT_PARAF,
  type OutgoingStatus, type RecipientKind, type RecipientType, type SigningFormCode,
} from '../../models';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { now } from '../../platform/clock';
import type { Actor, Holding } from '../../platform/actor';

/**
 * What the outgoing-letter services share: the content snapshot every version stores and
 * hashes, the row lock with optimistic locking, status transitions, and the paraf chain's
 * bookkeeping (which step is next, voiding parafs given on another version).
 */

export interface RecipientSnap { type: RecipientType; positionId: number | null; agencyId: number | null; name: string; place: string | null }
export interface AttachmentSnap { sha256: string; name: string; mime: string; size: number; appendToPdf: boolean }

/** The whole content of a draft at one version. Key order is fixed: the hash is over JSON.stringify. */
export interface DraftContent {
  templateKey: string;
  templateValues: Record<string, string>;
  layout: 'surat' | 'nota_dinas';
  jenisNaskahCode: string;
  klasifikasiCode: string;
  perihal: string;
  sifat: string;
  urgensi: string;
  lampiran: string | null;
  bodyHtml: string;
  kepada: RecipientSnap[];
  tembusan: RecipientSnap[];
  attachments: AttachmentSnap[];
  signerPositionId: number | null;
  signingForm: SigningFormCode | null;
  principalPositionId: number | null;
}

const sortedValues = (v: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(v).sort().map((k) => [k, String(v[k] ?? '')]));
const recipientSnap = (r: RecipientSnap): RecipientSnap =>
  ({ type: r.type, positionId: r.positionId ?? null, agencyId: r.agencyId ?? null, name: r.name, place: r.place ?? null });

/** The content in canonical form (fixed key order, normalized values). */
export function canonicalContent(c: DraftContent): DraftContent {
  return {
    templateKey: c.templateKey, templateValues: sortedValues(c.templateValues), layout: c.layout,
    jenisNaskahCode: c.jenisNaskahCode, klasifikasiCode: c.klasifikasiCode, perihal: c.perihal, sifat: c.sifat, urgensi: c.urgensi,
    lampiran: c.lampiran ?? null, bodyHtml: c.bodyHtml,
    kepada: c.kepada.map(recipientSnap), tembusan: c.tembusan.map(recipientSnap),
    attachments: c.attachments.map((a) => ({ sha256: a.sha256, name: a.name, mime: a.mime, size: Number(a.size), appendToPdf: !!a.appendToPdf })),
    signerPositionId: c.signerPositionId ?? null, signingForm: c.signingForm ?? null, principalPositionId: c.principalPositionId ?? null,
  };
}

export function serializeContent(c: DraftContent): string { return JSON.stringify(canonicalContent(c)); }
export function hashContent(c: DraftContent): string { return crypto.createHash('sha256').update(serializeContent(c), 'utf8').digest('hex'); }
export function parseContent(json: string): DraftContent { return canonicalContent(JSON.parse(json) as DraftContent); }

/** The content of a draft as stored in its rows now. */
export async function contentOf(letter: OutgoingLetter, t?: Transaction): Promise<DraftContent> {
  const [recipients, attachments] = await Promise.all([
    OutgoingRecipient.findAll({ where: { letterId: letter.id }, order: [['kind', 'ASC'], ['sortOrder', 'ASC']], transaction: t }),
    OutgoingAttachment.findAll({ where: { letterId: letter.id }, order: [['sortOrder', 'ASC'], ['id', 'ASC']], transaction: t }),
  ]);
  const of = (kind: RecipientKind) => recipients.filter((r) => r.kind === kind)
    .map((r) => ({ type: r.targetType, positionId: r.positionId, agencyId: r.agencyId, name: r.name, place: r.place }));
  return canonicalContent({
    templateKey: letter.templateKey, templateValues: letter.values(), layout: letter.layout, jenisNaskahCode: letter.jenisNaskahCode,
    klasifikasiCode: letter.klasifikasiCode, perihal: letter.perihal, sifat: letter.sifat, urgensi: letter.urgensi, lampiran: letter.lampiran,
    bodyHtml: letter.bodyHtml, kepada: of('kepada'), tembusan: of('tembusan'),
    attachments: attachments.map((a) => ({ sha256: a.blobSha, name: a.originalName, mime: a.mime, size: Number(a.size), appendToPdf: a.appendToPdf })),
    signerPositionId: letter.signerPositionId, signingForm: letter.signingForm, principalPositionId: letter.principalPositionId,
  });
}

/** Replace the recipient rows of a draft with those of `c`. */
export async function writeRecipients(t: Transaction, letterId: number, c: DraftContent): Promise<void> {
  await OutgoingRecipient.destroy({ where: { letterId }, transaction: t });
  const rows = (['kepada', 'tembusan'] as const).flatMap((kind) => c[kind].map((r, i) => ({
    letterId, kind, sortOrder: i + 1, targetType: r.type, positionId: r.positionId, agencyId: r.agencyId, name: r.name, place: r.place,
  })));
  if (rows.length) await OutgoingRecipient.bulkCreate(rows, { transaction: t });
}

const LOCK_MESSAGE = 'Konsep ini baru saja diubah oleh pengguna lain. Muat ulang halaman untuk melihat keadaan terbarunya, lalu ulangi bila masih perlu.';

/** The draft row locked for update; refused when it changed since the form was shown (when a version is given). */
export async function lockDraft(t: Transaction, id: number, expectedLockVersion?: number): Promise<OutgoingLetter> {
  const letter = await OutgoingLetter.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
  if (!letter) throw new NotFoundError('Konsep surat tidak ditemukan.');
  if (expectedLockVersion !== undefined && letter.lockVersion !== expectedLockVersion) throw new ConflictError(LOCK_MESSAGE);
  return letter;
}

/** Apply changes and bump the lock version, guarding against a concurrent writer. */
export async function saveDraft(t: Transaction, letter: OutgoingLetter, changes: Partial<InferAttributes<OutgoingLetter>>): Promise<void> {
  const expected = letter.lockVersion;
  const at = now();
  const [n] = await OutgoingLetter.update({ ...changes, lockVersion: expected + 1, updatedAt: at } as never, { where: { id: letter.id, lockVersion: expected }, transaction: t });
  if (n !== 1) throw new ConflictError(LOCK_MESSAGE);
  letter.set({ ...changes, lockVersion: expected + 1, updatedAt: at } as never);
}

export function assertTransition(letter: OutgoingLetter, to: OutgoingStatus, what: string): void {
  if (!OUTGOING_TRANSITIONS[letter.status].includes(to)) {
    throw new ConflictError(`Konsep ini berstatus "${OUTGOING_STATUS_LABEL[letter.status]}", sehingga tidak dapat ${what}.`);
  }
}

/** Record a new version of the draft's content: number, snapshot, hash, author. */
export async function addVersion(t: Transaction, letter: OutgoingLetter, c: DraftContent, actor: Actor, holding: Holding | undefined, summary: string)
  : Promise<OutgoingVersion> {
  const versionNo = (letter.currentVersionNo ?? 0) + 1;
  return OutgoingVersion.create({
    letterId: letter.id, versionNo, content: serializeContent(c), hash: hashContent(c), summary: summary.slice(0, 300),
    createdByUserId: actor.user.id, createdByPositionId: holding?.positionId ?? null,
    acting: holding && holding.kind !== 'definitif' ? holding.kind : null, createdAt: now(),
  }, { transaction: t });
}

/** The current row of each verifier step (status menunggu or paraf), in step order. */
export async function currentSteps(letterId: number, t?: Transaction): Promise<OutgoingParaf[]> {
  const rows = await OutgoingParaf.findAll({ where: { letterId, status: CURRENT_PARAF as string[] }, order: [['stepNo', 'ASC'], ['id', 'DESC']], transaction: t });
  const seen = new Set<number>();
  return rows.filter((r) => (seen.has(r.stepNo) ? false : (seen.add(r.stepNo), true)));
}

/** The step whose turn it is: the first without a paraf. */
export const nextStep = (steps: OutgoingParaf[]): OutgoingParaf | undefined => steps.find((s) => s.status === 'menunggu');

/**
 * Void every paraf given on another version than `hash`: the row becomes history (`batal`) and
 * a fresh `menunggu` row takes its place. Returns the voided rows.
 */
export async function voidStaleParafs(t: Transaction, letterId: number, hash: string): Promise<OutgoingParaf[]> {
  const steps = await currentSteps(letterId, t);
  const stale = steps.filter((s) => s.status === 'paraf' && s.versionHash !== hash);
  const at = now();
  for (const s of stale) {
    await s.update({ status: 'batal', voidedAt: at }, { transaction: t });
    await OutgoingParaf.create({
      letterId, stepNo: s.stepNo, positionId: s.positionId, status: 'menunggu', versionNo: null, versionHash: null, note: null,
      actedByUserId: null, acting: null, actedAt: null, voidedAt: null, createdAt: at,
    }, { transaction: t });
  }
  return stale;
}

/**
 * Where a draft in the chain goes now: to the first verifier still to give paraf, or to the
 * signer once every paraf is in.
 */
export async function routeInChain(t: Transaction, letter: OutgoingLetter): Promise<{ status: OutgoingStatus; holder: number | null; step?: OutgoingParaf }> {
  const step = nextStep(await currentSteps(letter.id, t));
  if (step) return { status: 'dalam_paraf', holder: step.positionId, step };
  return { status: 'siap_ttd', holder: letter.signerPositionId };
}

/** The row changes that put a draft where `routeInChain` says; reaching the signer is remembered. */
export function routeChanges(letter: OutgoingLetter, route: { status: OutgoingStatus; holder: number | null }): Partial<InferAttributes<OutgoingLetter>> {
  return {
    status: route.status, currentHolderPositionId: route.holder,
    ...(route.status === 'siap_ttd' && !letter.reachedSignerAt ? { reachedSignerAt: now() } : {}),
  };
}

export const draftSnapshot = (l: OutgoingLetter) => ({
  id: l.id, status: l.status, perihal: l.perihal, version: l.currentVersionNo, hash: l.currentHash,
  holder: l.currentHolderPositionId, signer: l.signerPositionId, signingForm: l.signingForm,
});

export async function positionNames(ids: (number | null | undefined)[], t?: Transaction): Promise<Map<number, string>> {
  const want = [...new Set(ids.filter((x): x is number => !!x))];
  if (!want.length) return new Map();
  return new Map((await Position.findAll({ where: { id: want }, attributes: ['id', 'name'], transaction: t })).map((p) => [p.id, p.name]));
}

/** How a draft is named in notifications: never the subject of a confidential one. */
export function draftSubject(l: OutgoingLetter): string {
  return l.sifat === 'rahasia' || l.sifat === 'sangat_rahasia' ? `konsep surat keluar #${l.id} (${l.sifat === 'rahasia' ? 'Rahasia' : 'Sangat Rahasia'})` : l.perihal;
}
