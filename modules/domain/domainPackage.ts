import path from 'node:path';
import ejs from 'ejs';
import { Agency, IncomingLetter } from '../../models';
import { config } from '../../config';
import { now } from '../../platform/clock';
import { tanggal, tanggalJam, today } from '../../platform/dates';
import { buildZip } from '../../lib/zip';
import { pdfRenderer } from '../../platform/pdfRenderer';
import { ForbiddenError, ValidationError } from '../../platform/errors';
import { blobBytes } from '../ttd';
import { getSetting } from '../../platform/settings';
import { holdersOf } from '../org';
import { positionLabels } from '../org';
import { checklistOf, loadCase, preflightProblems } from './domainCommon';
import { definitionOf } from './domainCaseTypes';
import type { Actor } from '../../platform/actor';
import { ROOT } from '../../platform/paths';

const SUMMARY_TEMPLATE = path.join(ROOT, 'templates', 'ringkasan-domain.ejs');
const EXT: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

export interface ManifestDocument { file: string; slot: string; label: string; version: number; sha256: string; size: number; mime: string; verifiedAt: string | null }
export interface PackageManifest {
  format: 'naskah-paket-domain/1';
  trackingCode: string; caseType: string; name: string; nameKind: string; applicant: string; purpose: string;
  pejabat: { name: string; nip: string | null; position: string };
  technicalContact: { name: string; nip: string | null; email: string; phone: string };
  requestLetter: { agendaNumber: string; senderNumber: string; letterDate: string } | null;
  registrarReference: string | null;
  generatedAt: string;
  documents: ManifestDocument[];
  summary: { file: string; sha256: string; size: number };
}

const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/**
 * domainPackage.buildPackage ("Unduh paket pengajuan"): a ZIP ready to upload to domain.go.id.
 * Refused, with every reason, while the preflight checks fail. Inside: each checklist document
 * named by its place and slot (01-surat-permohonan.pdf, the Sekda-signed request letter,
 * first), ringkasan-pengajuan.pdf (one page: name, applicant, Pejabat Domain, each document
 * with its SHA-256 and size) and manifest.json (the same, machine-readable, plus the summary's
 * own hash).
 */
export async function buildPackage(actor: Actor, caseId: number): Promise<{ filename: string; zip: Buffer; manifest: PackageManifest }> {
  const { c, def, rights } = await loadCase(actor, caseId);
  if (!rights.manage) throw new ForbiddenError('Hanya Pejabat Domain kasus ini yang dapat mengunduh paket pengajuan.');
  if (def.path !== 'registrar') throw new ValidationError({ paket: 'Paket pengajuan hanya untuk permohonan ke registrar (domain.go.id); subdomain diproses di Data Center sendiri.' });
  const list = await checklistOf(c, def);
  const problems = preflightProblems(list);
  if (problems.length) throw new ValidationError({ paket: `Paket belum dapat dibuat: ${problems.join(' ')}` });
  const [agency, holders, labels, letter, lim] = await Promise.all([
    Agency.findByPk(c.applicantAgencyId), holdersOf(c.pejabatPositionId), positionLabels([c.pejabatPositionId]),
    c.letterId ? IncomingLetter.findByPk(c.letterId) : null, getSetting('domain.registrar'),
  ]);
  const pejabatUser = holders[0]?.user;
  const pejabat = { name: pejabatUser?.name ?? '-', nip: pejabatUser?.nip ?? null, position: labels.get(c.pejabatPositionId)?.name ?? 'Pejabat Pengelola Nama Domain' };
  const files: { name: string; data: Buffer; doc: ManifestDocument }[] = [];
  let n = 0;
  for (const s of list) {
    if (!s.current) continue;
    n++;
    const file = `${String(n).padStart(2, '0')}-${s.slot.key}.${EXT[s.current.mime] ?? 'bin'}`;
    const data = await blobBytes(s.current.blobSha);
    files.push({ name: file, data, doc: {
      file, slot: s.slot.key, label: s.slot.label, version: s.current.version, sha256: s.current.blobSha, size: data.length, mime: s.current.mime,
      verifiedAt: s.state?.verifiedAt ? s.state.verifiedAt.toISOString() : null,
    } });
  }
  const at = now();
  const cfg = config();
  const typeName = (await definitionOf(c.typeVersionId)).name;
  const html = await ejs.renderFile(SUMMARY_TEMPLATE, {
    org: { region: cfg.orgRegion, name: cfg.orgName, address: cfg.orgAddress, place: cfg.orgRegion.replace(/^(Kabupaten|Kota|Provinsi)\s+/i, '') },
    name: c.requestedName, typeName, trackingCode: c.trackingCode, applicant: agency?.name ?? '-', purpose: c.purpose, pejabat,
    tech: `${c.techName}${c.techNip ? `, NIP ${c.techNip}` : ''}, ${c.techEmail}, ${c.techPhone}`,
    letter: letter ? `${letter.senderNumber}, tanggal ${tanggal(letter.letterDate)} (agenda ${letter.agendaNumber})` : null,
    generatedAt: tanggalJam(at), dateText: tanggal(today(at)),
    documents: files.map((f) => ({ ...f.doc, sizeText: kb(f.doc.size), verified: f.doc.verifiedAt ? tanggal(f.doc.verifiedAt) : '-' })),
    limits: `${lim.allowedTypes.map((m) => EXT[m].toUpperCase()).join('/')} maks. ${lim.maxKb} KB per berkas`,
  }, { cache: cfg.isProduction });
  const pdf = await pdfRenderer().render(html, { format: 'A4', margins: { top: '15mm', right: '15mm', bottom: '15mm', left: '20mm' }, tagged: false });
  const { createHash } = await import('node:crypto');
  const manifest: PackageManifest = {
    format: 'naskah-paket-domain/1', trackingCode: c.trackingCode, caseType: typeName, name: c.requestedName, nameKind: c.nameKind,
    applicant: agency?.name ?? '', purpose: c.purpose, pejabat,
    technicalContact: { name: c.techName, nip: c.techNip, email: c.techEmail, phone: c.techPhone },
    requestLetter: letter ? { agendaNumber: letter.agendaNumber, senderNumber: letter.senderNumber, letterDate: letter.letterDate } : null,
    registrarReference: c.registrarRef, generatedAt: at.toISOString(), documents: files.map((f) => f.doc),
    summary: { file: 'ringkasan-pengajuan.pdf', sha256: createHash('sha256').update(pdf).digest('hex'), size: pdf.length },
  };
  const zip = await buildZip([
    ...files.map((f) => ({ name: f.name, data: f.data, date: at })),
    { name: 'ringkasan-pengajuan.pdf', data: pdf, date: at },
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'), date: at },
  ]);
  return { filename: `paket-${c.requestedName}-${c.trackingCode}.zip`, zip, manifest };
}
