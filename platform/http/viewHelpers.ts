import { tanggal, tanggalJam, relatif, today } from '../dates';
import { SIFAT_LABEL, URGENSI_LABEL, LETTER_STATUS_LABEL, AGENCY_KIND_LABEL, UNIT_KIND_LABEL, POSITION_ROLE_LABEL, ASSIGNMENT_KIND_LABEL, DISPOSITION_STATUS_LABEL, PRIORITY_LABEL } from '../../models';

const formatBytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;

const label = (map: Record<string, string>) => (k: string | null | undefined) => (k ? map[k] ?? k : '');

/** Functions and labels every view may use. */
export const viewHelpers = {
  tanggal, tanggalJam, relatif, today, formatBytes,
  sifatLabel: label(SIFAT_LABEL), urgensiLabel: label(URGENSI_LABEL), statusLabel: label(LETTER_STATUS_LABEL),
  agencyKindLabel: label(AGENCY_KIND_LABEL), unitKindLabel: label(UNIT_KIND_LABEL), roleLabel: label(POSITION_ROLE_LABEL),
  assignmentLabel: label(ASSIGNMENT_KIND_LABEL),
  SIFAT_LABEL, URGENSI_LABEL, LETTER_STATUS_LABEL, AGENCY_KIND_LABEL, UNIT_KIND_LABEL, POSITION_ROLE_LABEL, ASSIGNMENT_KIND_LABEL,
  DISPOSITION_STATUS_LABEL, PRIORITY_LABEL,
  /** Query string from an object, skipping empty values. */
  qs(o: Record<string, unknown>): string {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
    const s = p.toString();
    return s ? `?${s}` : '';
  },
};

/**
 * Defaults for locals that the layout reads, for pages rendered before the locals middleware ran.
 * (The helpers are app.locals, see app.ts.)
 */
export function baseLocals(locals: Record<string, unknown>): void {
  for (const [k, v] of Object.entries({ actor: null, nav: [], counters: { unread: 0, overdue: 0, notif: 0 }, flash: [], csrfToken: '', path: '' })) {
    if (locals[k] === undefined) locals[k] = v;
  }
}
