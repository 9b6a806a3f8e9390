import type { Attributes } from 'sequelize';
import { Disposition, DispositionReport, DispositionReportFile, instructionCodesOf, isOpenDisposition, type IncomingLetter } from '../../models';
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
  for (const f of files) { const l = filesOf.get(f.reportId); if (l) l.push(f); else filesOf.set(f.reportId, [f]); }
  const reportsOf = new Map<number, TreeReport[]>();
  for (const r of reports) {
    const entry = { report: r, author: users.get(r.userId) ?? '', files: filesOf.get(r.id) ?? [] };
    const l = reportsOf.get(r.dispositionId);
    if (l) l.push(entry); else reportsOf.set(r.dispositionId, [entry]);
  }
  const t = now().getTime();
  const byId = new Map<number, TreeNode>();
  const all: TreeNode[] = ds.map((d) => {
    const open = isOpenDisposition(d);
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

/** Nodes the letter page shows at once; deeper branches open on their own page (?cabang=ID). */
export const TREE_PAGE_NODES = 60;

/** What part of a tree a page shows. */
export interface TreeView {
  /** Nodes shown. */
  visible: Set<number>;
  /** Per shown node: how many of the nodes below it are not shown. */
  hiddenBelow: Map<number, number>;
  /** The nodes the page starts from: the roots, or the branch asked for. */
  roots: TreeNode[];
  /** The branch asked for, and the nodes above it from the first disposition down. */
  focus: TreeNode | null;
  path: TreeNode[];
  /** Nodes not shown that have no shown node above them (first dispositions beyond the limit). */
  hiddenTop: number;
  /** Every node of the tree (or of the branch) is shown. */
  complete: boolean;
  /** The whole tree was asked for. */
  all: boolean;
}

/**
 * The part of a disposition tree a page shows, so a tree of hundreds of dispositions stays
 * quick to open: the upper levels first (breadth first) up to `limit` nodes, and always every
 * node `keep` names (the reader's own dispositions, where they must act) with the nodes above
 * it. A shown node whose branch goes on says how many dispositions below it are not shown; its
 * branch opens as a page of its own (`focusId`), and `all` shows the whole tree, so every
 * disposition stays reachable.
 */
export function treeView(tree: DispositionTree, opts: { limit?: number; all?: boolean; focusId?: number | null; keep?: (n: TreeNode) => boolean } = {}): TreeView {
  const limit = opts.limit ?? TREE_PAGE_NODES;
  const byId = new Map(tree.all.map((n) => [n.d.id, n]));
  const focus = opts.focusId ? byId.get(opts.focusId) ?? null : null;
  const roots = focus ? [focus] : tree.roots;
  const path: TreeNode[] = [];
  for (let p = focus?.d.parentId ? byId.get(focus.d.parentId) : undefined; p; p = p.d.parentId ? byId.get(p.d.parentId) : undefined) path.unshift(p);
  // Every node of the part asked for, breadth first.
  const order: TreeNode[] = [];
  for (let q = [...roots]; q.length;) { const next: TreeNode[] = []; for (const n of q) { order.push(n); next.push(...n.children); } q = next; }
  const visible = new Set<number>();
  if (opts.all) for (const n of order) visible.add(n.d.id);
  else {
    for (const n of order) { if (visible.size >= limit) break; visible.add(n.d.id); }
    const inPart = new Set(order.map((n) => n.d.id));
    for (const n of order) {
      if (visible.has(n.d.id) || !opts.keep?.(n)) continue;
      for (let p: TreeNode | undefined = n; p && inPart.has(p.d.id) && !visible.has(p.d.id); p = p.d.parentId ? byId.get(p.d.parentId) : undefined) visible.add(p.d.id);
    }
  }
  const hiddenBelow = new Map<number, number>();
  let hiddenTop = 0;
  const start = new Set(roots.map((n) => n.d.id));
  for (const n of order) {
    if (visible.has(n.d.id)) continue;
    let p = start.has(n.d.id) || !n.d.parentId ? undefined : byId.get(n.d.parentId);
    while (p && !visible.has(p.d.id)) p = start.has(p.d.id) || !p.d.parentId ? undefined : byId.get(p.d.parentId);
    if (p) hiddenBelow.set(p.d.id, (hiddenBelow.get(p.d.id) ?? 0) + 1); else hiddenTop++;
  }
  return { visible, hiddenBelow, hiddenTop, roots: roots.filter((n) => visible.has(n.d.id)), focus, path, complete: visible.size === order.length, all: !!opts.all };
}
