import { diffWords } from 'diff';
import { OutgoingVersion, Position, SIFAT_LABEL, URGENSI_LABEL, SIGNING_FORM_LABEL, type OutgoingLetter, type Sifat, type Urgensi, type SigningFormCode } from '../../models';
import { NotFoundError } from '../../platform/errors';
import { bodyToText } from '../../lib/sanitizeBody';
import { parseContent, type DraftContent } from './outgoingCommon';
import { CONTENT_FIELD_LABEL, changedFields } from './outgoingDraftEditor';

export interface FieldChange { field: string; label: string; before: string; after: string }
export interface WordPart { value: string; added: boolean; removed: boolean }
export interface VersionComparison {
  from: OutgoingVersion; to: OutgoingVersion;
  fields: FieldChange[];
  /** Word diff of the body as plain text (paragraphs as lines). */
  body: WordPart[];
  bodyChanged: boolean;
}

const recipients = (c: DraftContent, k: 'kepada' | 'tembusan') => c[k].map((r) => r.name).join('; ') || '—';

async function display(c: DraftContent, field: keyof DraftContent, names: Map<number, string>): Promise<string> {
  const v = c[field];
  switch (field) {
    case 'sifat': return SIFAT_LABEL[v as Sifat] ?? String(v);
    case 'urgensi': return URGENSI_LABEL[v as Urgensi] ?? String(v);
    case 'kepada': case 'tembusan': return recipients(c, field);
    case 'attachments': return c.attachments.map((a) => `${a.name}${a.appendToPdf ? ' (disatukan dengan PDF)' : ''}`).join('; ') || '—';
    case 'signerPositionId': case 'principalPositionId': return v ? names.get(v as number) ?? `#${String(v)}` : '—';
    case 'signingForm': return v ? SIGNING_FORM_LABEL[v as SigningFormCode] : '—';
    case 'templateValues': return Object.entries(c.templateValues).map(([k, x]) => `${k}: ${x}`).join('; ') || '—';
    case 'bodyHtml': return '';
    default: return v === null || v === undefined || v === '' ? '—' : String(v);
  }
}

/**
 * Compare two versions of a draft: each changed field with its value before and after (as a
 * reader would name it), and a word-by-word diff of the body's text.
 */
export async function compareVersions(letter: OutgoingLetter, fromNo: number, toNo: number): Promise<VersionComparison> {
  const [from, to] = await Promise.all([
    OutgoingVersion.findOne({ where: { letterId: letter.id, versionNo: fromNo } }),
    OutgoingVersion.findOne({ where: { letterId: letter.id, versionNo: toNo } }),
  ]);
  if (!from || !to) throw new NotFoundError('Versi konsep tidak ditemukan.');
  const a = parseContent(from.content);
  const b = parseContent(to.content);
  const ids = [a.signerPositionId, b.signerPositionId, a.principalPositionId, b.principalPositionId].filter((x): x is number => !!x);
  const names = new Map((ids.length ? await Position.findAll({ where: { id: ids }, attributes: ['id', 'name'] }) : []).map((p) => [p.id, p.name]));
  const changed = changedFields(a, b);
  const fields: FieldChange[] = [];
  for (const f of changed) {
    if (f === 'bodyHtml') continue;
    fields.push({ field: f, label: CONTENT_FIELD_LABEL[f] ?? f, before: await display(a, f, names), after: await display(b, f, names) });
  }
  const ta = bodyToText(a.bodyHtml);
  const tb = bodyToText(b.bodyHtml);
  const body = diffWords(ta, tb).map((p) => ({ value: p.value, added: !!p.added, removed: !!p.removed }));
  return { from, to, fields, body, bodyChanged: ta !== tb || changed.includes('bodyHtml') };
}
