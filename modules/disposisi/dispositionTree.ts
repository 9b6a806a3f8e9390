import { Op } from 'sequelize';
import { Disposition, DispositionReport, DispositionReportFile, type IncomingLetter } from '../../models';
import { now } from '../../platform/clock';
import { positionLabels } from '../org';
import { referenceLists, userNames } from '../org';

export interface TreeReport { report: DispositionReport; author: string; files: DispositionReportFile[] }
export interface TreeNode {
  d: Disposition;
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

/**
 * The letter's disposition tree for the letter page and the Lembar Disposisi: every node with
 * positions and people, instructions (labels), deadline, read time, status, reports with files,
 * and lateness, in a few queries whatever the size of the tree.
 */
export async function dispositionTree(letter: IncomingLetter): Promise<DispositionTree> {
  const ds = await Disposition.findAll({ where: { letterId: letter.id }, order: [['id', 'ASC']] });
  const ids = ds.map((d) => d.id);
  const reports = ids.length ? await DispositionReport.findAll({ where: { dispositionId: { [Op.in]: ids } }, order: [['id', 'ASC']] }) : [];
  const files = reports.length ? await DispositionReportFile.findAll({ where: { reportId: { [Op.in]: reports.map((r) => r.id) } }, order: [['id', 'ASC']] }) : [];
  const userIds = new Set<number>();
  for (const d of ds) for (const u of [d.fromUserId, d.readByUserId, d.completedByUserId]) if (u) userIds.add(u);
  for (const r of reports) userIds.add(r.userId);
  const users = await userNames(userIds);
  const labels = await positionLabels([letter.addressedPositionId, ...ds.flatMap((d) => [d.fromPositionId, d.toPositionId])]);
  const instr = new Map((await referenceLists()).instructions.map((i) => [i.code, i.label]));
  const t = now().getTime();
  const byId = new Map<number, TreeNode>();
  const all: TreeNode[] = ds.map((d) => {
    const open = d.isOpen();
    const lateOpen = open && d.dueAt.getTime() < t;
    const node: TreeNode = {
      d, from: labels.get(d.fromPositionId) ?? { name: '?', holders: '' }, to: labels.get(d.toPositionId) ?? { name: '?', holders: '' },
      fromUser: users.get(d.fromUserId) ?? '', readBy: d.readByUserId ? users.get(d.readByUserId) ?? null : null,
      completedBy: d.completedByUserId ? users.get(d.completedByUserId) ?? null : null,
      instructions: d.instructionCodes().map((c) => instr.get(c) ?? c),
      reports: reports.filter((r) => r.dispositionId === d.id).map((r) => ({ report: r, author: users.get(r.userId) ?? '', files: files.filter((f) => f.reportId === r.id) })),
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
    count: all.length, open: all.filter((n) => n.d.isOpen()).length, late: all.filter((n) => n.lateOpen).length,
  };
}
