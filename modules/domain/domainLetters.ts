import { Agency, DomainCaseEvent, DomainRegistryEntry, IncomingLetter, OutgoingLetter } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { today } from '../../platform/dates';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import type { CaseTypeDefinition } from './caseTypeDefinitions';
import { letterRights, chainOf } from '../surat-masuk';
import { recordEvent } from '../../platform/audit';
import { getTemplate } from '../templat';
import { createDraft } from '../surat-keluar';
import { defaultChain } from '../surat-keluar';
import { holdersOf } from '../org';
import { caseEvent, checklistOf, loadCase } from './domainCommon';
import type { DraftForm } from '../surat-keluar';
import type { DomainCase } from '../../models';
import type { Actor } from '../../platform/actor';

type CaseLetter = CaseTypeDefinition['letters'][number];

/** The letters the case offers now: the Sekda cover letter while it matters, replies fitting the outcome so far. */
export function lettersOffered(c: DomainCase, def: CaseTypeDefinition): CaseLetter[] {
  if (c.status !== 'berjalan') return [];
  const at = def.steps.findIndex((s) => s.key === c.currentStepKey);
  const sekdaStep = def.steps.findIndex((s) => s.kind === 'sekda_kirim');
  const atReport = def.steps[at]?.kind === 'laporan';
  return def.letters.filter((l) => {
    if (l.role === 'sekda') return !c.sekdaLetterId && sekdaStep >= 0 && at <= sekdaStep;
    // A notice of missing documents goes out while the file is being completed.
    if (l.when === 'belum_lengkap') return !c.outcome && !atReport;
    // The report letter (which closes the case) only once the case has reached its report step.
    if (!atReport) return false;
    return !l.when || c.outcome === l.when || (l.when === 'disetujui' && !c.outcome);
  });
}

/** Values for "{placeholder}" in a case letter's template values. */
async function placeholders(c: DomainCase, def: CaseTypeDefinition): Promise<Record<string, string>> {
  const [agency, registry, holders, rejection] = await Promise.all([
    Agency.findByPk(c.applicantAgencyId),
    c.registryId ? DomainRegistryEntry.findByPk(c.registryId) : DomainRegistryEntry.findOne({ where: { fqdn: c.requestedName } }),
    holdersOf(c.pejabatPositionId),
    DomainCaseEvent.findOne({ where: { caseId: c.id, action: 'ditolak' }, order: [['id', 'DESC']] }),
  ]);
  const list = await checklistOf(c, def);
  const missing = list.filter((s) => s.slot.required && s.state?.state !== 'lengkap')
    .map((s) => `${s.slot.label}${s.state?.state === 'revisi' && s.state.note ? ` (${s.state.note})` : !s.current ? ' (belum ada)' : ''}`);
  const pejabat = holders[0]?.user;
  return {
    name: c.requestedName,
    applicant: agency?.name ?? '',
    purpose: c.purpose.split('\n')[0].slice(0, 250),
    missing: missing.join('\n'),
    tracking: c.trackingCode,
    contact: pejabat ? `${pejabat.name} (Pejabat Pengelola Nama Domain)${pejabat.phone ? `, telepon ${pejabat.phone}` : ''}; kode lacak permohonan ${c.trackingCode}` : `Kode lacak permohonan ${c.trackingCode}`,
    activated: registry?.activatedAt ?? today(),
    reason: rejection?.note ?? '',
    result: c.outcome === 'ditolak'
      ? `Menindaklanjuti surat permohonan ${agency?.name ?? 'Saudara'} mengenai ${c.requestedName}, dengan ini kami sampaikan bahwa permohonan tersebut tidak dapat dipenuhi${rejection?.note ? ` dengan alasan: ${rejection.note}` : ''}.`
      : `Menindaklanjuti surat permohonan ${agency?.name ?? 'Saudara'} mengenai ${c.requestedName}, dengan ini kami sampaikan bahwa permohonan tersebut telah selesai diproses${registry ? ` dan tercatat dengan status ${registry.status} sejak ${registry.activatedAt ?? today()}` : ''}.\n\nKode lacak permohonan: ${c.trackingCode}.`,
    documents: list.map((s) => `${s.slot.label.replace(/\s*\(.*\)$/, '')} | 1 (satu) berkas | ${s.slot.key === 'surat-permohonan' ? 'untuk ditandatangani' : 'salinan'}`).join('\n'),
  };
}

const fill = (v: string, ph: Record<string, string>): string => v.replace(/\{([a-z]+)\}/g, (m, k: string) => (k in ph ? ph[k] : m));

/**
 * domainLetters.draftCaseLetter ("one click"): a draft of the right letter for the case from
 * its Surat Keluar template, prefilled from the case (name, applicant, what is missing, the
 * rejection reason, the activation date, the tracking code), addressed to the applicant (or
 * to the Sekretaris Daerah for the cover letter), answering the request letter, with the
 * Pejabat Domain's default paraf chain. The draft is linked to the case: the cover letter as
 * the Sekda letter, a final reply as the report letter whose dispatch closes the case.
 */
export async function draftCaseLetter(p: { actor: Actor; caseId: number; letterKey: string }): Promise<OutgoingLetter> {
  const { c, def, rights } = await loadCase(p.actor, p.caseId);
  if (!rights.manage) throw new ForbiddenError('Hanya Pejabat Domain kasus ini yang dapat membuat surat dari kasus.');
  if (c.status !== 'berjalan') throw new ConflictError('Kasus ini sudah ditutup.');
  const spec = def.letters.find((l) => l.key === p.letterKey);
  if (!spec) throw new NotFoundError('Surat ini tidak tersedia untuk jenis kasus ini.');
  if (!lettersOffered(c, def).includes(spec)) throw new ConflictError('Surat ini tidak sesuai dengan keadaan kasus sekarang.');
  const final = spec.role === 'balasan' && spec.when !== 'belum_lengkap';
  if (final && c.replyLetterId) {
    const existing = await OutgoingLetter.findByPk(c.replyLetterId);
    if (existing && existing.status !== 'dibatalkan') throw new ConflictError(`Surat laporan untuk kasus ini sudah dibuat (konsep #${existing.id}); lanjutkan konsep itu.`);
  }
  const tpl = await getTemplate(spec.template);
  if (!tpl) throw new ValidationError({ surat: `Templat "${spec.template}" tidak ditemukan; minta admin memeriksa templat surat.` });
  const holding = p.actor.holdings.find((h) => h.positionId === c.pejabatPositionId)!;
  const ph = await placeholders(c, def);
  const values: Record<string, string> = {};
  for (const f of tpl.fields) values[f.name] = spec.values[f.name] !== undefined ? fill(spec.values[f.name], ph) : '';
  let replyTo: number | null = null;
  if (spec.role === 'balasan' && c.letterId) {
    const l = await IncomingLetter.findByPk(c.letterId);
    if (l && letterRights(p.actor, l, await chainOf(l.id)).view) replyTo = l.id;
  }
  const kepada: string[] = [];
  const kepadaText: string[] = [];
  if (spec.role === 'sekda') {
    const setda = await Agency.findOne({ where: { kind: 'setda', active: true } });
    if (setda) kepada.push(`a:${setda.id}`); else kepadaText.push('Sekretaris Daerah');
  } else kepada.push(`a:${c.applicantAgencyId}`);
  const chain = await defaultChain(holding.positionId);
  const form: DraftForm = {
    perihal: `${tpl.defaultPerihal} ${c.requestedName}`.slice(0, 500), jenisNaskah: tpl.jenisNaskahCode, klasifikasi: tpl.defaultKlasifikasi ?? '',
    sifat: 'biasa', urgensi: 'biasa', lampiran: spec.role === 'sekda' ? '1 (satu) berkas' : '-', bodyHtml: '',
    kepada, kepadaText, tembusan: [], tembusanText: [], values,
    verifiers: chain.verifierIds.map(String), signer: chain.signerId ? String(chain.signerId) : '', signingForm: chain.signingForm ?? "",
  };
  // One unit of work: the draft and its link to the case commit together or not at all. The
  // draft command joins this transaction (platform/db.ts), so a case changed meanwhile (a second click
  // drafting the same letter, the case closed) leaves no draft behind.
  return tx(async () => {
    const { letter } = await createDraft({ actor: p.actor, viaPositionId: holding.positionId, templateKey: tpl.key, replyToLetterId: replyTo, form, submissionKey: null });
    await linkDraft(p, c.lockVersion, spec, final, letter, tpl.key, holding);
    return letter;
  });
}

async function linkDraft(p: { actor: Actor; caseId: number }, lockVersion: number, spec: CaseLetter, final: boolean, letter: OutgoingLetter, templateKey: string, holding: Actor['holdings'][number]): Promise<void> {
  const tpl = { key: templateKey };
  await tx(async (t) => {
    const { c: locked } = await loadCase(p.actor, p.caseId, t);
    if (locked.lockVersion !== lockVersion || locked.status !== 'berjalan') throw new ConflictError('Kasus berubah saat konsep dibuat (mungkin surat yang sama dibuat dua kali); muat ulang halaman kasus.');
    const link = spec.role === 'sekda' ? { sekdaLetterId: letter.id } : final ? { replyLetterId: letter.id } : {};
    await locked.update({ ...link, lockVersion: locked.lockVersion + 1, updatedAt: now() }, { transaction: t });
    await caseEvent(t, locked, p.actor, holding, { action: 'surat', note: `${spec.label}: konsep #${letter.id} dibuat.`, data: { suratKeluarId: letter.id, templat: tpl.key, peran: spec.role } });
    await recordEvent(t, p.actor, { action: 'domain.surat_dibuat', entityType: 'domain_case', entityId: locked.id, viaPositionIds: [holding.positionId], after: { suratKeluarId: letter.id, templat: tpl.key, surat: spec.key } });
  });
}
