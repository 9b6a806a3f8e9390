import type { Attributes } from 'sequelize';
import { Disposition, DispositionReport, DispositionReportFile, type IncomingLetter } from '../../models';
import { OPEN_DISPOSITION } from '../../models';
import { now } from '../../platform/clock';
import { selectModelRows, sqlId } from '../../platform/plainRows';
import { positionLabels } from '../org';
import { referenceLists, userNames } from '../org';

/** A disposition as its row: plain attributes, no instance (the letter page reads many). */
export type DispositionRow = Attributes<Disposition>;
export type ReportRow = Attributes<DispositionReport>;
export type ReportFileRow = Attributes<DispositionReportFile>;

export interface TreeReport { report: ReportRow; author: string; files: ReportFileRow[] }
export interface TreeNode {
  d: DispositionRow;
  /** Still open (sent, read or in progress). */
  open: boolean;
  from: { name: string; holders: string }; to: { name: string; holders: string };
  fromUser: string; readBy: string | null; completedBy: string | null;
  instructions: string[];
  reports: TreeReport[];
  /** Open past its deadline, or completed after it. */
  late: boolean; lateOpen: boolean;
  children: TreeNode[];
}
export interface DispositionTree {
  addressed: { positionId: number; name: string; holders: string };
  roots: TreeNode[];
  count: number; open: number; late: number;
  all: TreeNode[];
}

/** The rows a tree is built from. */
export interface TreeRows { dispositions: DispositionRow[]; reports: ReportRow[]; files: ReportFileRow[] }

/**
 * A letter's dispositions, their reports and the reports' files: three plain SELECTs sent at
 * once (the reports and files reached through the letter's dispositions by joins), whatever
 * the size of the tree.
 */
export async function treeRows(letterId: number): Promise<TreeRows> {
  const id = sqlId(letterId);
  const [dispositions, reports, files] = await Promise.all([
    selectModelRows(Disposition, `SELECT d.* FROM dispositions d WHERE d.letter_id = ${id} ORDER BY d.id`),
    selectModelRows(DispositionReport, `SELECT r.* FROM disposition_reports r JOIN dispositions d ON d.id = r.disposition_id WHERE d.letter_id = ${id} ORDER BY r.id`),
    selectModelRows(DispositionReportFile, `SELECT f.* FROM disposition_report_files f JOIN disposition_reports r ON r.id = f.report_id JOIN dispositions d ON d.id = r.disposition_id WHERE d.letter_id = ${id} ORDER BY f.id`),
  ]);
  return { dispositions, reports, files };
}

/** The instruction codes of a disposition (a JSON array in its row). */
export function instructionCodesOf(d: Pick<DispositionRow, 'instructions'>): string[] {
  try { const v = JSON.parse(d.instructions); return Array.isArray(v) ? v.map(String) : []; } catch { return []; }
}

const isOpen = (d: Pick<DispositionRow, 'status'>): boolean => OPEN_DISPOSITION.includes(d.status);

/**
 * The letter's disposition tree for the letter page and the Lembar Disposisi: every node with
 * positions and people, instructions (labels), deadline, read time, status, reports with files,
 * and lateness.
 */
export async function dispositionTree(letter: Pick<IncomingLetter, 'id' | 'addressedPositionId'>, rows?: TreeRows): Promise<DispositionTree> {
  const { dispositions: ds, reports, files } = rows ?? (await treeRows(letter.id));
  const userIds = new Set<number>();
  for (const d of ds) for (const u of [d.fromUserId, d.readByUserId, d.completedByUserId]) if (u) userIds.add(u);
  for (const r of reports) userIds.add(r.userId);
  const users = await userNames(userIds);
  const labels = await positionLabels([letter.addressedPositionId, ...ds.flatMap((d) => [d.fromPositionId, d.toPositionId])]);
  const instr = new Map((await referenceLists()).instructions.map((i) => [i.code, i.label]));
  const filesOf = new Map<number, ReportFileRow[]>();
  for (const f of files) filesOf.set(f.reportId, [...(filesOf.get(f.reportId) ?? []), f]);
  const reportsOf = new Map<number, TreeReport[]>();
  for (const r of reports) {
    reportsOf.set(r.dispositionId, [...(reportsOf.get(r.dispositionId) ?? []), { report: r, author: users.get(r.userId) ?? '', files: filesOf.get(r.id) ?? [] }]);
  }
  const t = now().getTime();
  const byId = new Map<number, TreeNode>();
  const all: TreeNode[] = ds.map((d) => {
    const open = isOpen(d);
    const lateOpen = open && d.dueAt.getTime() < t;
    const node: TreeNode = {
      d, open, from: labels.get(d.fromPositionId) ?? { name: '?', holders: '' }, to: labels.get(d.toPositionId) ?? { name: '?', holders: '' },
      fromUser: users.get(d.fromUserId) ?? '', readBy: d.readByUserId ? users.get(d.readByUserId) ?? null : null,
      completedBy: d.completedByUserId ? users.get(d.completedByUserId) ?? null : null,
      instructions: instructionCodesOf(d).map((c) => instr.get(c) ?? c),
      reports: reportsOf.get(d.id) ?? [],
      late: lateOpen || (!!d.completedAt && d.completedAt.getTime() > d.dueAt.getTime()), lateOpen, children: [],
    };
    byId.set(d.id, node);
    return node;
  });
  const roots: TreeNode[] = [];
  for (const n of all) {
    const parent = n.d.parentId ? byId.get(n.d.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const a = labels.get(letter.addressedPositionId) ?? { name: '?', holders: '' };
  return {
    addressed: { positionId: letter.addressedPositionId, ...a }, roots, all,
    count: all.length, open: all.filter((n) => n.open).length, late: all.filter((n) => n.lateOpen).length,
  };
}
