import { Op } from 'sequelize';
import {
  Agency, DomainCase, DomainCaseEvent, DomainCaseType, DomainCaseTypeVersion, DomainRegistryEntry, IncomingLetter, OutgoingLetter,
  type DomainNameKind, type HostingNeed, type RegistryStatus, REGISTRY_STATUS,
} from '../../models';
import { now } from '../../platform/clock';
import { workingMinutesBetween } from '../../lib/workingTime';
import { ForbiddenError, NotFoundError } from '../../platform/errors';
import type { CaseStep, CaseTypeDefinition } from './caseTypeDefinitions';
import { canSeeDomainBoard } from './policies/domain';
import { workingCalendar } from '../../platform/settings';
import { definitionOf } from './domainCaseTypes';
import { checklistOf, loadCase, preflightProblems, stepIndex, stepMinutes, stepOf, TRACKING_RE, type SlotView } from './domainCommon';
import { lettersOffered } from './domainLetters';
import { userNames } from '../org';
import { positionLabels } from '../org';
import type { AnyActor } from '../../platform/actor';

export interface BoardRow {
  c: DomainCase; typeName: string; applicant: string; step: CaseStep | undefined; stepNo: number; steps: number;
  late: boolean; usedMinutes: number; sopMinutes: number;
}

/**
 * The Pejabat Domain's board: every open case by its current step, late ones first, with the
 * working time spent in the step against the SOP time; and the cases closed lately.
 */
export async function domainBoard(actor: AnyActor): Promise<{ open: BoardRow[]; closed: BoardRow[]; byStep: { label: string; rows: BoardRow[] }[] }> {
  if (!canSeeDomainBoard(actor)) throw new ForbiddenError('Papan kasus domain untuk Pejabat Domain, Data Center dan pimpinan.');
  const [open, closed, types, cal] = await Promise.all([
    DomainCase.findAll({ where: { status: 'berjalan' }, order: [['stepDueAt', 'ASC']], limit: 500 }),
    DomainCase.findAll({ where: { status: { [Op.ne]: 'berjalan' } }, order: [['closedAt', 'DESC']], limit: 20 }),
    DomainCaseType.findAll({ attributes: ['id', 'name'] }),
    workingCalendar(),
  ]);
  const typeName = new Map(types.map((t) => [t.id, t.name]));
  const agencies = new Map((await Agency.findAll({ where: { id: [...new Set([...open, ...closed].map((c) => c.applicantAgencyId))] }, attributes: ['id', 'name'] })).map((a) => [a.id, a.name]));
  const at = now();
  const row = async (c: DomainCase): Promise<BoardRow> => {
    const def = await definitionOf(c.typeVersionId);
    const step = stepOf(def, c.currentStepKey);
    return {
      c, typeName: typeName.get(c.typeId) ?? '', applicant: agencies.get(c.applicantAgencyId) ?? '', step, stepNo: stepIndex(def, c.currentStepKey) + 1, steps: def.steps.length,
      late: !!c.stepDueAt && at > c.stepDueAt, usedMinutes: c.stepStartedAt ? workingMinutesBetween(c.stepStartedAt, at, cal) : 0, sopMinutes: step ? stepMinutes(step, cal) : 0,
    };
  };
  const openRows = await Promise.all(open.map(row));
  openRows.sort((a, b) => Number(b.late) - Number(a.late) || (a.c.stepDueAt?.getTime() ?? 0) - (b.c.stepDueAt?.getTime() ?? 0));
  const groups = new Map<string, BoardRow[]>();
  for (const r of openRows) {
    const label = r.step?.label ?? '-';
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  const byStep = [...groups.entries()].map(([label, rows]) => ({ label, rows }))
    .sort((a, b) => Number(b.rows.some((r) => r.late)) - Number(a.rows.some((r) => r.late)) || a.rows[0].stepNo - b.rows[0].stepNo);
  return { open: openRows, closed: await Promise.all(closed.map(row)), byStep };
}

export interface StepView { step: CaseStep; index: number; state: 'selesai' | 'sekarang' | 'belum' | 'dilewati'; events: DomainCaseEvent[]; sop: number }

export interface CaseView {
  c: DomainCase; def: CaseTypeDefinition; rights: { view: boolean; manage: boolean; dcStep: boolean };
  typeName: string; typeVersion: number; applicant: Agency | null; hosting: HostingNeed | null;
  steps: StepView[]; current: CaseStep | undefined; late: boolean; usedMinutes: number;
  checklist: SlotView[]; preflight: string[]; events: DomainCaseEvent[]; userNames: Map<number, string>; positionNames: Map<number, { name: string; holders: string }>;
  letter: IncomingLetter | null; sekdaLetter: OutgoingLetter | null; replyLetter: OutgoingLetter | null; caseLetters: OutgoingLetter[];
  offered: CaseTypeDefinition['letters']; registry: DomainRegistryEntry | null; paymentDoc: number | null;
}

/** Everything the case page shows. */
export async function caseView(actor: AnyActor, id: number): Promise<CaseView> {
  const { c, def, rights } = await loadCase(actor, id);
  const [type, events, checklist, applicant, letter, cal] = await Promise.all([
    DomainCaseType.findByPk(c.typeId),
    DomainCaseEvent.findAll({ where: { caseId: c.id }, order: [['id', 'ASC']] }),
    checklistOf(c, def),
    Agency.findByPk(c.applicantAgencyId),
    c.letterId ? IncomingLetter.findByPk(c.letterId) : null,
    workingCalendar(),
  ]);
  const v = await DomainCaseTypeVersion.findByPk(c.typeVersionId, { attributes: ['version'] });
  const curIdx = stepIndex(def, c.currentStepKey);
  const steps: StepView[] = def.steps.map((step, index) => {
    const ev = events.filter((e) => e.stepKey === step.key);
    const done = ev.some((e) => e.action === 'selesai' || e.action === 'revisi' || e.action === 'ditolak');
    const state = index === curIdx ? 'sekarang' : done ? 'selesai' : c.status !== 'berjalan' || (curIdx >= 0 && index < curIdx) ? 'dilewati' : 'belum';
    return { step, index, state, events: ev, sop: stepMinutes(step, cal) };
  });
  const letterIds = events.map((e) => { try { return (JSON.parse(e.data ?? '{}') as { suratKeluarId?: number }).suratKeluarId ?? null; } catch { return null; } })
    .filter((x): x is number => !!x);
  const caseLetters = letterIds.length ? await OutgoingLetter.findAll({ where: { id: [...new Set(letterIds)] }, order: [['id', 'ASC']] }) : [];
  const registry = c.registryId ? await DomainRegistryEntry.findByPk(c.registryId) : await DomainRegistryEntry.findOne({ where: { fqdn: c.requestedName } });
  const paymentEvent = events.find((e) => e.stepKey && stepOf(def, e.stepKey)?.kind === 'pembayaran' && e.action === 'selesai');
  const at = now();
  return {
    c, def, rights, typeName: type?.name ?? def.name, typeVersion: v?.version ?? 1, applicant, hosting: c.hosting ? JSON.parse(c.hosting) as HostingNeed : null,
    steps, current: stepOf(def, c.currentStepKey), late: !!c.stepDueAt && c.status === 'berjalan' && at > c.stepDueAt,
    usedMinutes: c.stepStartedAt && c.status === 'berjalan' ? workingMinutesBetween(c.stepStartedAt, at, cal) : 0,
    checklist, preflight: preflightProblems(checklist), events,
    userNames: await userNames([...events.map((e) => e.actorUserId), ...checklist.flatMap((s) => [s.state?.verifiedByUserId ?? null, ...s.versions.map((d) => d.uploadedByUserId)])].filter((x): x is number => !!x)),
    positionNames: await positionLabels([c.pejabatPositionId]),
    letter, sekdaLetter: caseLetters.find((l) => l.id === c.sekdaLetterId) ?? null, replyLetter: caseLetters.find((l) => l.id === c.replyLetterId) ?? null, caseLetters,
    offered: lettersOffered(c, def), registry,
    paymentDoc: paymentEvent ? ((JSON.parse(paymentEvent.data ?? '{}') as { buktiDokumenId?: number }).buktiDokumenId ?? null) : null,
  };
}

/** Open domain cases linked to an incoming letter (for the letter page). */
export async function casesOfLetter(letterId: number): Promise<DomainCase[]> {
  return DomainCase.findAll({ where: { letterId }, order: [['id', 'ASC']] });
}

// ---- Registry ----

export interface RegistryFilter { q?: string; status?: string; kind?: string }
export async function registryList(actor: AnyActor, f: RegistryFilter): Promise<{ rows: DomainRegistryEntry[]; agencies: Map<number, string>; expiringSoon: number }> {
  if (!canSeeDomainBoard(actor)) throw new ForbiddenError('Registri domain untuk Pejabat Domain, Data Center dan pimpinan.');
  const where: Record<string | symbol, unknown> = {};
  if (f.status && (REGISTRY_STATUS as readonly string[]).includes(f.status)) where.status = f.status as RegistryStatus;
  if (f.kind && ['go.id', 'desa.id', 'subdomain'].includes(f.kind)) where.kind = f.kind as DomainNameKind;
  const q = (f.q ?? '').trim().toLowerCase().slice(0, 100);
  if (q) where.fqdn = { [Op.like]: `%${q.replace(/[%_\\]/g, (m) => `\\${m}`)}%` };
  const rows = await DomainRegistryEntry.findAll({ where, order: [['fqdn', 'ASC']], limit: 1000 });
  const agencies = new Map((await Agency.findAll({ where: { id: [...new Set(rows.map((r) => r.ownerAgencyId).filter((x): x is number => !!x))] }, attributes: ['id', 'name'] })).map((a) => [a.id, a.name]));
  const soon = new Date(now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
  return { rows, agencies, expiringSoon: rows.filter((r) => r.status === 'aktif' && r.expiresAt && r.expiresAt <= soon).length };
}

export async function registryEntry(actor: AnyActor, id: number): Promise<{ entry: DomainRegistryEntry; owner: Agency | null; cases: DomainCase[] }> {
  if (!canSeeDomainBoard(actor)) throw new NotFoundError('Nama domain tidak ditemukan.');
  const entry = await DomainRegistryEntry.findByPk(id);
  if (!entry) throw new NotFoundError('Nama domain tidak ditemukan.');
  const [owner, cases] = await Promise.all([
    entry.ownerAgencyId ? Agency.findByPk(entry.ownerAgencyId) : null,
    DomainCase.findAll({ where: { [Op.or]: [{ registryId: entry.id }, { requestedName: entry.fqdn }] }, order: [['id', 'DESC']] }),
  ]);
  return { entry, owner, cases };
}

// ---- Public tracking ----

export interface TrackingView {
  code: string; name: string; typeName: string; applicant: string; status: DomainCase['status']; outcome: DomainCase['outcome'];
  openedAt: Date; closedAt: Date | null; current: string | null; steps: { label: string; state: 'selesai' | 'sekarang' | 'belum' | 'dilewati'; at: Date | null }[];
}

/** What the applicant sees with the tracking code, without login: the steps and where the case stands; no notes, no documents, no names of people. */
export async function trackingView(code: string): Promise<TrackingView | null> {
  const norm = code.trim().toUpperCase();
  if (!TRACKING_RE.test(norm)) return null;
  const c = await DomainCase.findOne({ where: { trackingCode: norm } });
  if (!c) return null;
  const def = await definitionOf(c.typeVersionId);
  const [type, agency, events] = await Promise.all([
    DomainCaseType.findByPk(c.typeId, { attributes: ['name'] }),
    Agency.findByPk(c.applicantAgencyId, { attributes: ['name'] }),
    DomainCaseEvent.findAll({ where: { caseId: c.id, stepKey: { [Op.ne]: null } }, attributes: ['stepKey', 'action', 'createdAt'], order: [['id', 'ASC']] }),
  ]);
  const curIdx = stepIndex(def, c.currentStepKey);
  return {
    code: c.trackingCode, name: c.requestedName, typeName: type?.name ?? def.name, applicant: agency?.name ?? '', status: c.status, outcome: c.outcome,
    openedAt: c.createdAt, closedAt: c.closedAt, current: stepOf(def, c.currentStepKey)?.label ?? null,
    steps: def.steps.map((s, i) => {
      const last = [...events].reverse().find((e) => e.stepKey === s.key);
      const state = i === curIdx ? 'sekarang' : last ? 'selesai' : c.status !== 'berjalan' || i < curIdx ? 'dilewati' : 'belum';
      return { label: s.label, state, at: state === 'selesai' ? last!.createdAt : null };
    }),
  };
}
