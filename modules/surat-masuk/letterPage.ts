import type { Attributes } from 'sequelize';
import { AuditEvent, IncomingLetter, InboxItem, LetterFile, auditSnapshot } from '../../models';
import { selectModelRows, sqlId } from '../../platform/plainRows';
import { selectPlain } from '../../platform/db';
import { positionIds, type Actor } from '../../platform/actor';
import { referenceLists, userNames, positionLabels } from '../org';
import { dispositionTree, treeRows, type DispositionTree, type TreeRows } from '../disposisi';

/**
 * letterPage: everything the letter page shows, read the way the page officials open most
 * must be read at a million letters: one wave of plain SELECTs sent together (the letter with
 * its sender's city and classification name, its inbox items, dispositions, reports and their
 * files, its files, its audit trail, whether the reader has unanswered notifications), no
 * model instances, the names from the organization directory in memory.
 */
export type LetterRow = Attributes<IncomingLetter> & { senderCity: string | null; klasifikasiName: string | null };
export type InboxRow = Attributes<InboxItem> & { readByName: string | null };
export type FileRow = Attributes<LetterFile>;
export type EventRow = Attributes<AuditEvent> & { beforeData: Record<string, unknown> | null; afterData: Record<string, unknown> | null };

export interface LetterPageData {
  letter: LetterRow;
  /** Positions the letter has reached (its inbox items). */
  chain: number[];
  items: InboxRow[];
  files: FileRow[];
  events: EventRow[];
  tree: DispositionTree;
  treeRows: TreeRows;
  /** The reader still has the letter unread through one of their positions, or an unanswered notification about it. */
  unreadForReader: boolean;
  users: Map<number, string>;
  labels: Map<number, { name: string; holders: string }>;
  jenis: { code: string; name: string } | null;
}

interface PageRows {
  letter: Record<string, unknown> & Attributes<IncomingLetter>;
  items: Attributes<InboxItem>[]; files: FileRow[]; events: Attributes<AuditEvent>[]; unanswered: boolean; tree: TreeRows;
}

const LETTER_SQL = (id: string) => `SELECT l.*, a.city AS sender_city, k.name AS klasifikasi_name FROM incoming_letters l
  LEFT JOIN agencies a ON a.id = l.sender_agency_id LEFT JOIN klasifikasi k ON k.code = l.klasifikasi_code WHERE l.id = ${id}`;
const UNANSWERED_SQL = (id: string, uid: string) => `SELECT n.id FROM notifications n WHERE n.user_id = ${uid} AND n.letter_id = ${id} AND n.read_at IS NULL LIMIT 1`;

/**
 * The page's rows, one plain statement per table, all sent at once. (One statement carrying the
 * related tables as JSON arrays was tried: MariaDB spent three times as long on it, 1.5 against
 * 0.5 ms a page, for the same work in Node.)
 */
async function rowsTableByTable(id: string, uid: string | null): Promise<PageRows | null> {
  const [letters, items, files, events, unanswered, tree] = await Promise.all([
    selectModelRows(IncomingLetter, LETTER_SQL(id)),
    selectModelRows(InboxItem, `SELECT i.* FROM inbox_items i WHERE i.letter_id = ${id} ORDER BY i.id`),
    selectModelRows(LetterFile, `SELECT f.* FROM incoming_letter_files f WHERE f.letter_id = ${id} ORDER BY f.kind DESC, f.id`),
    selectModelRows(AuditEvent, `SELECT e.* FROM audit_events e WHERE e.entity_type = 'incoming_letter' AND e.entity_id = '${id}' ORDER BY e.seq`),
    uid ? selectPlain<{ id: number }>(UNANSWERED_SQL(id, uid)) : Promise.resolve([]),
    treeRows(Number(id)),
  ]);
  return letters[0] ? { letter: letters[0], items, files, events, unanswered: unanswered.length > 0, tree } : null;
}

/** The letter page's data, or null when there is no such letter. `reader` is whose notifications count. */
export async function letterPageData(letterId: number, reader: Actor | null): Promise<LetterPageData | null> {
  const id = sqlId(letterId);
  const uid = reader ? sqlId(reader.user.id) : null;
  const [r, ref] = await Promise.all([rowsTableByTable(id, uid), referenceLists()]);
  if (!r) return null;
  const { items, files, events } = r;
  const letter: LetterRow = { ...r.letter, senderCity: (r.letter.sender_city as string | null) ?? null, klasifikasiName: (r.letter.klasifikasi_name as string | null) ?? null };
  delete (letter as Record<string, unknown>).sender_city;
  delete (letter as Record<string, unknown>).klasifikasi_name;
  const tree = await dispositionTree(letter, r.tree);
  const users = await userNames(new Set([...items.map((i) => i.readByUserId), ...events.map((e) => e.actorUserId)].filter((x): x is number => !!x)));
  const labels = await positionLabels([letter.addressedPositionId, ...items.map((i) => i.positionId), ...events.map((e) => e.actorPositionId).filter((x): x is number => !!x)]);
  const mine = reader ? positionIds(reader) : [];
  const jenis = ref.jenisNaskah.find((j) => j.code === letter.jenisNaskahCode);
  return {
    letter, chain: items.map((i) => i.positionId),
    items: items.map((i) => ({ ...i, readByName: i.readByUserId ? users.get(i.readByUserId) ?? null : null })),
    files,
    events: events.map((e) => ({ ...e, beforeData: auditSnapshot(e.before), afterData: auditSnapshot(e.after) })),
    tree, treeRows: r.tree,
    unreadForReader: r.unanswered || items.some((i) => i.unread && mine.includes(i.positionId)),
    users, labels, jenis: jenis ? { code: jenis.code, name: jenis.name } : null,
  };
}
