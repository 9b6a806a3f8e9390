import crypto from 'node:crypto';
import type { Transaction } from 'sequelize';
import { Agency, DomainCase, DomainCaseDocument, DomainCaseEvent, DomainCaseSlot, type CaseEventAction } from '../../models';
import { NotFoundError } from '../../platform/errors';
import { now } from '../../platform/clock';
import { addWorkingMinutes, slaMinutes, type WorkingCalendar } from '../../lib/workingTime';
import { slotsFor, type CaseStep, type CaseTypeDefinition, type ChecklistSlot } from './caseTypeDefinitions';
import { caseRights, type CaseRights } from './policies/domain';
import { definitionOf } from './domainCaseTypes';
import { getSetting } from '../../platform/settings';
import type { AnyActor, Holding } from '../../platform/actor';

/** Shared pieces of the domain-case services: loading with rights, steps, checklist state, events. */

export interface LoadedCase { c: DomainCase; def: CaseTypeDefinition; rights: CaseRights }

/** A case the actor may see, with its definition; 404 for everyone else (no hint that it exists). */
export async function loadCase(actor: AnyActor, id: number, t?: Transaction): Promise<LoadedCase> {
  const c = await DomainCase.findByPk(id, t ? { transaction: t, lock: t.LOCK.UPDATE } : {});
  if (!c) throw new NotFoundError('Kasus domain tidak ditemukan.');
  const rights = caseRights(actor, c);
  if (!rights.view) throw new NotFoundError('Kasus domain tidak ditemukan.');
  return { c, def: await definitionOf(c.typeVersionId), rights };
}

export const stepOf = (def: CaseTypeDefinition, key: string | null): CaseStep | undefined => def.steps.find((s) => s.key === key);
export const stepIndex = (def: CaseTypeDefinition, key: string | null): number => def.steps.findIndex((s) => s.key === key);
export const reportStep = (def: CaseTypeDefinition): CaseStep => def.steps.find((s) => s.kind === 'laporan')!;

export function stepMinutes(step: CaseStep, cal: WorkingCalendar): number {
  return slaMinutes(step.sop.amount, step.sop.unit, cal);
}
export function dueFrom(start: Date, step: CaseStep, cal: WorkingCalendar): Date {
  return addWorkingMinutes(start, stepMinutes(step, cal), cal);
}
export const sopText = (step: CaseStep): string => `${step.sop.amount} ${step.sop.unit}`;

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** A public tracking code: DOM-XXXX-XXXX from 32 unambiguous characters (40 random bits). */
export function newTrackingCode(): string {
  const b = crypto.randomBytes(8);
  const ch = [...b].map((x) => CODE_ALPHABET[x % 32]).join('');
  return `DOM-${ch.slice(0, 4)}-${ch.slice(4, 8)}`;
}
export const TRACKING_RE = /^DOM-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;

/** Append to the case's step history. */
export async function caseEvent(t: Transaction, c: DomainCase, actor: AnyActor, holding: Holding | undefined, e: {
  action: CaseEventAction; step?: CaseStep | null; outcome?: string | null; note?: string | null; data?: unknown; late?: boolean; sopMinutes?: number;
}): Promise<DomainCaseEvent> {
  return DomainCaseEvent.create({
    caseId: c.id, stepKey: e.step?.key ?? null, stepLabel: e.step?.label ?? null, action: e.action, outcome: e.outcome ?? null,
    note: e.note ?? null, data: e.data === undefined ? null : JSON.stringify(e.data), actorUserId: actor.user?.id ?? null,
    actorPositionId: holding?.positionId ?? null, sopMinutes: e.sopMinutes ?? null, startedAt: e.step ? c.stepStartedAt : null, dueAt: e.step ? c.stepDueAt : null,
    late: e.late ?? false, createdAt: now(),
  }, { transaction: t });
}

export interface SlotView {
  slot: ChecklistSlot;
  state: DomainCaseSlot | null;
  current: DomainCaseDocument | null;
  versions: DomainCaseDocument[];
  warnings: string[];
}

/** The checklist of a case: each applicable slot with its state, current version and every version. */
export async function checklistOf(c: DomainCase, def: CaseTypeDefinition, t?: Transaction): Promise<SlotView[]> {
  const [slots, docs] = await Promise.all([
    DomainCaseSlot.findAll({ where: { caseId: c.id }, transaction: t }),
    DomainCaseDocument.findAll({ where: { caseId: c.id }, order: [['version', 'DESC']], transaction: t }),
  ]);
  return slotsFor(def, c.nameKind).map((slot) => {
    const state = slots.find((s) => s.slotKey === slot.key) ?? null;
    const versions = docs.filter((d) => d.slotKey === slot.key);
    const current = versions.find((d) => d.id === state?.currentDocumentId) ?? null;
    return { slot, state, current, versions, warnings: current?.warnings ? JSON.parse(current.warnings) as string[] : [] };
  });
}

/**
 * Why the file is not ready for the registrar, one sentence per problem, or none. A required
 * slot must have a document marked complete that meets the registrar's limits; an optional
 * slot that has a document must meet them too.
 */
export function preflightProblems(list: SlotView[]): string[] {
  const out: string[] = [];
  for (const s of list) {
    const name = `"${s.slot.label.replace(/\s*\(.*\)$/, '')}"`;
    if (!s.current) { if (s.slot.required) out.push(`${name} belum diunggah.`); continue; }
    if (s.warnings.length) out.push(`${name}: ${s.warnings.join(' ')}`);
    const st = s.state?.state ?? 'belum';
    if (st === 'revisi') out.push(`${name} perlu revisi${s.state?.note ? `: ${s.state.note}` : '.'}`);
    else if (st !== 'lengkap' && s.slot.required) out.push(`${name} belum diperiksa dan ditandai lengkap.`);
  }
  return out;
}

/** What breaks the registrar's upload limits, as instructions to fix it. */
export async function registrarWarnings(mime: string, size: number): Promise<string[]> {
  const lim = await getSetting('domain.registrar');
  const out: string[] = [];
  if (!lim.allowedTypes.includes(mime as never)) {
    const names = lim.allowedTypes.map((m) => (m === 'application/pdf' ? 'PDF' : m === 'image/jpeg' ? 'JPG' : 'PNG')).join(' atau ');
    out.push(`Jenis berkas ${mime === 'image/png' ? 'PNG' : mime} tidak diterima registrar; simpan ulang sebagai ${names}.`);
  }
  if (size > lim.maxKb * 1024) {
    out.push(`Ukuran ${Math.ceil(size / 1024)} KB melebihi batas registrar ${lim.maxKb} KB; kompres berkas atau pindai ulang (mis. 150 dpi, skala abu-abu).`);
  }
  return out;
}

export async function agencyName(id: number | null, t?: Transaction): Promise<string> {
  if (!id) return '';
  return (await Agency.findByPk(id, { attributes: ['name'], transaction: t }))?.name ?? '';
}
