import path from 'node:path';
import ejs from 'ejs';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream, type PDFPage, StandardFonts, rgb } from 'pdf-lib';
import { config } from '../../config';
import { now } from '../../platform/clock';
import { tanggal, today } from '../../platform/dates';
import { AppError } from '../../platform/errors';
import { pdfRenderer } from '../../platform/pdfRenderer';
import { scanPdf } from '../../lib/pdf/pdfBounds';
import { sanitizeBody } from '../../lib/sanitizeBody';
import { letterhead, type Letterhead } from './kop';
import { parafInitials } from '../disposisi';
import { ROOT } from '../../platform/paths';

/**
 * An outgoing letter on paper, per Tata Naskah Dinas (DOMAIN.md): letterhead from the settings
 * (modules/templat/kop.ts), place and date right on the line of the number, Nomor / Sifat / Lampiran /
 * Hal left, the "Yth." block, the body, the signature block (a.n. / Plt. / Plh., room for a wet
 * signature or the TTE stamp, name bold and underlined, pangkat, NIP), the paraf marks left of
 * the signer's name, Tembusan bottom left; pages after the first numbered "- 2 -" at the top
 * centre; a diagonal "KONSEP" on every page of a draft. The Nota Dinas puts Yth. / Dari /
 * Tembusan / Tanggal / Nomor / Sifat / Lampiran / Hal in a header table under its title.
 *
 * The print template (templates/naskah-dinas.ejs) escapes everything but the body, which is
 * sanitized here (again) with the body allowlist. The PDF comes from the shared Chromium pool,
 * which runs no script and fetches nothing.
 */

export type SigningForm = 'biasa' | 'an' | 'plt' | 'plh';

export interface LetterDoc {
  layout: 'surat' | 'nota_dinas';
  /** null in drafts: a blank number line is printed. */
  number: string | null;
  /** null in drafts: "Sindangraja,        November 2026". */
  date: Date | null;
  sifat: string;
  /** "1 (satu) berkas" or "-". */
  lampiran: string;
  perihal: string;
  /** Several are numbered; the place ("di ...") is the first addressee's, else "Tempat". */
  addressees: { name: string; place?: string | null }[];
  /** Sanitized body HTML (sanitized again here). */
  bodyHtml: string;
  signer: { name: string; nip: string | null; pangkat: string | null; title: string; form: SigningForm; principalTitle?: string | null };
  /** Verifiers' paraf, in chain order; printed when the layout setting asks for paraf marks. */
  parafs: { name: string; title: string; at: Date }[];
  tembusan: string[];
  /** Nota Dinas: "Dari". */
  from?: string | null;
  /** e.g. 'KONSEP': printed diagonally on every page. */
  watermark?: string | null;
  /** TTE: QR and text in place of the wet-signature space. */
  stamp?: { qrPngDataUrl: string; lines: string[] } | null;
  /** The drafter's paraf (initials), printed bottom right on every page of a letter longer than one page (Tata Naskah Dinas). */
  drafterParaf?: string | null;
}

export const LETTER_TEMPLATE = path.join(ROOT, 'templates', 'naskah-dinas.ejs');

const NBSP = '\u00a0';
const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

/** "19720411 200003 1 003": the NIP's parts (birth date, appointment, sex, serial), as printed. */
export function formatNip(nip: string | null | undefined): string {
  const s = (nip ?? '').replace(/\s+/g, '');
  return /^\d{18}$/.test(s) ? `${s.slice(0, 8)} ${s.slice(8, 14)} ${s.slice(14, 15)} ${s.slice(15)}` : (nip ?? '').trim();
}

/** The date line: "Sindangraja, 24 November 2026", or with the day left blank in a draft. */
function dateText(d: Date | null): string {
  if (d) return tanggal(d);
  const [y, m] = today(now()).split('-');
  return `${NBSP.repeat(10)}${MONTHS[Number(m) - 1]} ${y}`;
}

function numberText(doc: LetterDoc): string {
  if (doc.number?.trim()) return doc.number.trim();
  const year = (doc.date ? today(doc.date) : today(now())).slice(0, 4);
  return `${NBSP.repeat(8)}/${NBSP.repeat(8)}/${year}`;
}

/** The title lines above the signature ("a.n. Kepala Dinas ..." / "Sekretaris,"). */
export function signerTitleLines(s: LetterDoc['signer']): string[] {
  const title = s.title.trim();
  switch (s.form) {
    case 'an': return s.principalTitle?.trim() ? [`a.n. ${s.principalTitle.trim()}`, `${title},`] : [`${title},`];
    case 'plt': return [`Plt. ${title},`];
    case 'plh': return [`Plh. ${title},`];
    default: return title ? [`${title},`] : [];
  }
}

function shortDate(d: Date): string {
  const [y, m, day] = today(d).split('-');
  return `${day}/${m}/${y}`;
}

export interface LetterView {
  lh: Letterhead;
  doc: LetterDoc;
  city: string;
  dateText: string;
  numberText: string;
  addressees: { name: string }[];
  addresseePlace: string;
  bodyHtml: string;
  titleLines: string[];
  nip: string;
  parafs: { no: number; title: string; name: string; initials: string; at: string }[];
  tembusan: string[];
  watermark: string | null;
  fontSizePt: number;
  lineSpacing: number;
}

/** Everything the print template shows, as display strings. */
export async function letterView(doc: LetterDoc, lh?: Letterhead): Promise<LetterView> {
  const head = lh ?? (await letterhead());
  const places = doc.addressees.map((a) => a.place?.trim()).filter((p): p is string => !!p);
  const samePlace = places.length === doc.addressees.length && places.every((p) => p === places[0]);
  return {
    lh: head,
    doc,
    city: head.kop.city,
    dateText: dateText(doc.date),
    numberText: numberText(doc),
    addressees: doc.addressees.filter((a) => a.name?.trim()).map((a) => ({ name: a.name.trim() })),
    addresseePlace: samePlace && places.length ? places[0] : 'Tempat',
    bodyHtml: sanitizeBody(doc.bodyHtml ?? ''),
    titleLines: signerTitleLines(doc.signer),
    nip: formatNip(doc.signer.nip),
    parafs: head.layout.parafMarks ? doc.parafs.map((p, i) => ({ no: i + 1, title: p.title, name: p.name, initials: parafInitials(p.name), at: shortDate(p.at) })) : [],
    tembusan: doc.tembusan.map((t) => t.trim()).filter(Boolean),
    watermark: doc.watermark?.trim() || null,
    fontSizePt: head.layout.fontSizePt,
    lineSpacing: head.layout.lineSpacing,
  };
}

/** The letter as standalone print HTML (inline CSS, images as data: URLs). */
export async function renderLetterHtml(doc: LetterDoc): Promise<string> {
  const view = await letterView(doc);
  return ejs.renderFile(LETTER_TEMPLATE, view as unknown as ejs.Data, { cache: config().isProduction, rmWhitespace: false });
}

/** Pages in a PDF Chromium made (it writes no object streams, so the page objects are plain text). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

/**
 * "- 2 -" at the top centre of every page after the first, in the margin above the text, and
 * the drafter's paraf at the bottom right of every page, in the margin below it.
 */
async function numberPages(pdf: Buffer, lh: Letterhead, drafterParaf?: string | null): Promise<Buffer> {
  const d = await PDFDocument.load(pdf, { updateMetadata: false });
  const serif = lh.layout.font !== 'Arial';
  const font = await d.embedFont(serif ? StandardFonts.TimesRoman : StandardFonts.Helvetica);
  const size = Math.min(lh.layout.fontSizePt, 12);
  const topPt = (lh.layout.margins.top * 72) / 2.54;
  const rightPt = (lh.layout.margins.right * 72) / 2.54;
  const bottomPt = (lh.layout.margins.bottom * 72) / 2.54;
  const paraf = (drafterParaf ?? '').replace(/[^\x20-\x7e]/g, '').trim().slice(0, 6);
  d.getPages().forEach((p, i) => {
    const { width, height } = p.getSize();
    if (paraf) {
      const w = font.widthOfTextAtSize(paraf, size - 2);
      p.drawText(paraf, { x: width - rightPt - w, y: Math.max(bottomPt / 2, 18), size: size - 2, font, color: rgb(0, 0, 0) });
      p.drawLine({ start: { x: width - rightPt - w - 2, y: Math.max(bottomPt / 2, 18) - 3 }, end: { x: width - rightPt + 2, y: Math.max(bottomPt / 2, 18) - 3 }, thickness: 0.5 });
    }
    if (i === 0) return;
    const label = `- ${i + 1} -`;
    p.drawText(label, { x: (width - font.widthOfTextAtSize(label, size)) / 2, y: height - Math.max(topPt / 2, 20) - size / 3, size, font, color: rgb(0, 0, 0) });
  });
  return Buffer.from(await d.save({ useObjectStreams: false, updateFieldAppearances: false }));
}

/** The letter as a PDF, on the paper and margins of the layout settings. */
export async function renderLetterPdf(doc: LetterDoc): Promise<Buffer> {
  const lh = await letterhead();
  const view = await letterView(doc, lh);
  const html = await ejs.renderFile(LETTER_TEMPLATE, view as unknown as ejs.Data, { cache: config().isProduction });
  const pdf = await pdfRenderer().render(html, { ...lh.pdf });
  return pdfPageCount(pdf) > 1 ? numberPages(pdf, lh, doc.drafterParaf) : pdf;
}

/** A PDF lampiran that cannot be appended (damaged, encrypted, not a PDF, or expanding beyond bounds). */
export class AttachmentPdfError extends AppError {
  constructor(public readonly index: number, why = 'berkas rusak, terenkripsi, atau bukan PDF') {
    super('lampiran_pdf', `Lampiran PDF ke-${index + 1} tidak dapat digabungkan ke surat (${why}).`, 422);
  }
}

/** Actions a viewer would run from a page or its annotations; none may reach an outgoing letter. */
const ACTIVE_ACTIONS = new Set(['JavaScript', 'Launch', 'SubmitForm', 'ImportData', 'ResetForm', 'GoToE', 'GoToR', 'Rendition', 'RichMediaExecute', 'Movie', 'Sound', 'Hide', 'SetOCGState', 'Trans', 'GoTo3DView']);

/**
 * Strip what a copied page could do when opened or clicked: its additional actions (/AA), and
 * on its annotations every action but a plain link (URI, go to a page, named navigation). The
 * document-level JavaScript and /OpenAction stay behind: copyPages never copies the catalog.
 */
function inertPage(page: PDFPage): void {
  const node = page.node;
  const ctx = page.doc.context;
  // copyPages copied the action objects too: drop them with the keys, or save() writes them out.
  const drop = (dict: PDFDict, key: string) => {
    const v = dict.get(PDFName.of(key));
    dict.delete(PDFName.of(key));
    const seen = new Set<string>();
    const purge = (x: unknown) => {
      if (x instanceof PDFRef) {
        if (seen.has(x.tag)) return;
        seen.add(x.tag);
        const obj = ctx.lookup(x);
        ctx.delete(x);
        purge(obj);
      } else if (x instanceof PDFDict) for (const [, y] of x.entries()) purge(y);
      else if (x instanceof PDFArray) for (const y of x.asArray()) purge(y);
      else if (x instanceof PDFStream) purge(x.dict);
    };
    purge(v);
  };
  drop(node, 'AA');
  const annots = node.lookupMaybe(PDFName.of('Annots'), PDFArray);
  if (!annots) return;
  for (let i = 0; i < annots.size(); i++) {
    const a = annots.lookupMaybe(i, PDFDict);
    if (!a) continue;
    drop(a, 'AA');
    const action = a.lookupMaybe(PDFName.of('A'), PDFDict);
    const kind = action?.lookupMaybe(PDFName.of('S'), PDFName)?.decodeText();
    if (action && (!kind || ACTIVE_ACTIONS.has(kind) || action.has(PDFName.of('Next')))) drop(a, 'A');
  }
}

/** The letter followed by every page of each attachment, in order, with no active content. */
export async function appendPdfAttachments(pdf: Buffer, attachments: Buffer[]): Promise<Buffer> {
  if (!attachments.length) return pdf;
  const out = await PDFDocument.load(pdf, { updateMetadata: false });
  for (const [i, bytes] of attachments.entries()) {
    // Files uploaded before uploads were bounded are measured again here, before pdf-lib loads them.
    const scan = await scanPdf(bytes);
    if (!scan.ok) throw new AttachmentPdfError(i, `PDF ini ${scan.message}`);
    let pages;
    try {
      const src = await PDFDocument.load(bytes, { updateMetadata: false });
      if (!src.getPageCount()) throw new Error('no pages');
      pages = await out.copyPages(src, src.getPageIndices());
    } catch {
      // pdf-lib reads some broken files without complaint and fails only when copying their pages.
      throw new AttachmentPdfError(i);
    }
    for (const p of pages) { inertPage(p); out.addPage(p); }
  }
  return Buffer.from(await out.save({ useObjectStreams: false, updateFieldAppearances: false }));
}
