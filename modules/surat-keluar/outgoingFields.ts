import { Agency, JenisNaskah, Position, type Sifat, type Urgensi } from '../../models';
import { sanitizeBody, bodyToText } from '../../lib/sanitizeBody';
import { parseTemplateValues, type LetterTemplate } from '../templat';
import type { RecipientSnap } from './outgoingCommon';
import { parseCommonFields } from '../surat-masuk';

/** Raw fields of the draft form, strings as posted (lists for repeated inputs). */
export interface DraftForm {
  perihal?: string; jenisNaskah?: string; klasifikasi?: string; sifat?: string; urgensi?: string; lampiran?: string; bodyHtml?: string;
  kepada?: string[]; kepadaText?: string[]; tembusan?: string[]; tembusanText?: string[];
  /** The template's fields, by field name. */
  values?: Record<string, string>;
  verifiers?: string[]; signer?: string; signingForm?: string;
}

export interface DraftFields {
  perihal: string; jenisNaskahCode: string; klasifikasiCode: string; sifat: Sifat; urgensi: Urgensi; lampiran: string | null;
  bodyHtml: string; kepada: RecipientSnap[]; tembusan: RecipientSnap[]; templateValues: Record<string, string>;
  /** The template's values as its parser returned them, for rendering the body. */
  parsedValues: Record<string, unknown>;
}

export const MAX_RECIPIENTS = 30;
export const MAX_BODY_CHARS = 200_000;

const str = (v: unknown): string => (typeof v === 'string' ? v.replace(/\r\n/g, '\n').trim() : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : typeof v === 'string' ? [v] : []);

/** Pick the draft form's fields out of a posted body (template fields are posted as f_<name>). */
export function draftFormFrom(body: Record<string, unknown>): DraftForm {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('f_') && typeof v === 'string') values[k.slice(2)] = v;
  return {
    perihal: str(body.perihal), jenisNaskah: str(body.jenisNaskah), klasifikasi: str(body.klasifikasi), sifat: str(body.sifat),
    urgensi: str(body.urgensi), lampiran: str(body.lampiran), bodyHtml: typeof body.bodyHtml === 'string' ? body.bodyHtml : '',
    kepada: list(body.kepada), kepadaText: list(body.kepadaText), tembusan: list(body.tembusan), tembusanText: list(body.tembusanText),
    values, verifiers: list(body.verifiers), signer: str(body.signer), signingForm: str(body.signingForm),
  };
}

/**
 * Recipients from the form's rows: each row is a directory choice ("p:ID" an internal position,
 * "a:ID" an external agency) or, when none is chosen, the free text typed beside it.
 */
async function parseRecipients(choices: string[], texts: string[], label: string): Promise<{ list: RecipientSnap[]; error?: string }> {
  const rows = Math.max(choices.length, texts.length);
  const out: RecipientSnap[] = [];
  const posIds: number[] = [];
  const agIds: number[] = [];
  const picks: ({ kind: 'p' | 'a'; id: number } | { kind: 't'; text: string } | null)[] = [];
  for (let i = 0; i < rows; i++) {
    const c = str(choices[i]);
    const t = str(texts[i]);
    const m = /^([pa]):([1-9]\d{0,9})$/.exec(c);
    if (c && !m) return { list: [], error: `Pilihan ${label} tidak valid.` };
    if (m) { const id = Number(m[2]); (m[1] === 'p' ? posIds : agIds).push(id); picks.push({ kind: m[1] as 'p' | 'a', id }); } else if (t) {
      if (t.length > 255) return { list: [], error: `Nama ${label} maksimal 255 karakter.` };
      picks.push({ kind: 't', text: t });
    } else picks.push(null);
  }
  const [positions, agencies] = await Promise.all([
    posIds.length ? Position.findAll({ where: { id: posIds } }) : [],
    agIds.length ? Agency.findAll({ where: { id: agIds } }) : [],
  ]);
  const pm = new Map(positions.map((p) => [p.id, p]));
  const am = new Map(agencies.map((a) => [a.id, a]));
  const seen = new Set<string>();
  for (const p of picks) {
    if (!p) continue;
    let r: RecipientSnap;
    if (p.kind === 'p') {
      const pos = pm.get(p.id);
      if (!pos || !pos.active) return { list: [], error: `Ada ${label} yang bukan jabatan aktif.` };
      r = { type: 'position', positionId: pos.id, agencyId: null, name: pos.name, place: 'Tempat' };
    } else if (p.kind === 'a') {
      const ag = am.get(p.id);
      if (!ag) return { list: [], error: `Ada ${label} yang tidak ada di direktori instansi.` };
      r = { type: 'agency', positionId: null, agencyId: ag.id, name: ag.headTitle?.trim() || ag.name, place: 'Tempat' };
    } else r = { type: 'text', positionId: null, agencyId: null, name: (p as { text: string }).text, place: null };
    const key = `${r.type}:${r.positionId ?? r.agencyId ?? r.name.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  if (out.length > MAX_RECIPIENTS) return { list: [], error: `Paling banyak ${MAX_RECIPIENTS} ${label}.` };
  return { list: out };
}

/**
 * Validate the content fields of a draft: metadata against the directories, the template's
 * fields through the template's own rules, recipients, and the body through the allowlist
 * sanitizer. Messages in Indonesian, keyed by form field (template fields as f_<name>).
 */
export async function parseDraftFields(f: DraftForm, tpl: LetterTemplate): Promise<{ fields?: DraftFields; errors: Record<string, string> }> {
  const e: Record<string, string> = {};
  const { perihal, sifat, urgensi, klasifikasiCode: kCode } = await parseCommonFields(f, e);

  const jCode = str(f.jenisNaskah) || tpl.jenisNaskahCode;
  if (!(await JenisNaskah.findByPk(jCode.slice(0, 40)))) e.jenisNaskah = 'Jenis naskah tidak dikenal.';

  const lampiran = str(f.lampiran);
  if (lampiran.length > 200) e.lampiran = 'Keterangan lampiran maksimal 200 karakter.';

  const rawBody = typeof f.bodyHtml === 'string' ? f.bodyHtml : '';
  if (rawBody.length > MAX_BODY_CHARS) e.bodyHtml = `Isi surat terlalu panjang (maksimal ${MAX_BODY_CHARS.toLocaleString('id-ID')} karakter).`;
  const bodyHtml = e.bodyHtml ? '' : sanitizeBody(rawBody);

  const kepada = await parseRecipients(f.kepada ?? [], f.kepadaText ?? [], 'tujuan surat');
  if (kepada.error) e.kepada = kepada.error;
  const tembusan = await parseRecipients(f.tembusan ?? [], f.tembusanText ?? [], 'tembusan');
  if (tembusan.error) e.tembusan = tembusan.error;

  const parsed = await parseTemplateValues(tpl, f.values ?? {});
  for (const [k, msg] of Object.entries(parsed.errors ?? {})) e[`f_${k}`] = msg;
  // The values as typed are kept (the form shows them again); the template parses them again to render.
  const templateValues = Object.fromEntries(tpl.fields.map((fd) => [fd.name, str(f.values?.[fd.name])]));

  if (Object.keys(e).length) return { errors: e };
  return {
    errors: e,
    fields: {
      perihal, jenisNaskahCode: jCode, klasifikasiCode: kCode, sifat, urgensi, lampiran: lampiran || null,
      bodyHtml, kepada: kepada.list, tembusan: tembusan.list, templateValues, parsedValues: (parsed.values ?? {}) as Record<string, unknown>,
    },
  };
}

/** What a draft still lacks before it can be submitted, as field errors. */
export function completenessErrors(c: { kepada: RecipientSnap[]; bodyHtml: string; perihal: string }): Record<string, string> {
  const e: Record<string, string> = {};
  if (!c.kepada.length) e.kepada = 'Isi minimal satu tujuan surat (Yth.).';
  if (!bodyToText(c.bodyHtml).trim()) e.bodyHtml = 'Isi surat masih kosong.';
  if (!c.perihal.trim()) e.perihal = 'Perihal wajib diisi.';
  return e;
}
