import path from 'node:path';
import ejs from 'ejs';
import { Agency, Klasifikasi, DISPOSITION_STATUS_LABEL, PRIORITY_LABEL, SIFAT_LABEL, URGENSI_LABEL, type IncomingLetter } from '../../models';
import { config } from '../../config';
import { now } from '../../platform/clock';
import { localDateTimeValue, tanggal, tanggalJam } from '../../platform/dates';
import type { PdfRenderOptions } from '../../platform/pdfRenderer';
import { dispositionTree, type TreeNode } from './dispositionTree';
import { ROOT } from '../../platform/paths';

/**
 * The Lembar Disposisi (printed disposition sheet) of an incoming letter: the data the print
 * template needs, every value already a display string, and the HTML and PDF options. The
 * template (templates/lembar-disposisi.ejs) is a print template, never a page: it gets this
 * data object only and escapes everything it prints.
 */

export const LEMBAR_TEMPLATE = path.join(ROOT, 'templates', 'lembar-disposisi.ejs');

export interface SheetEntry {
  /** "1", "1.2", "1.2.1": the place in the tree. */
  no: string;
  depth: number;
  from: string; to: string; toHolders: string;
  instructions: string[];
  note: string | null;
  /** Label when not "Biasa". */
  priority: string | null;
  due: string;
  late: boolean;
  paraf: { initials: string; name: string; acting: string | null; at: string };
  status: string;
  /** "Dibaca ... oleh ...", "Selesai ... oleh ...", "Ditarik ...: alasan". */
  statusLines: string[];
  result: string | null;
  recalled: boolean;
}

export interface SheetData {
  org: { region: string; name: string; address: string };
  letter: {
    senderName: string; senderNumber: string; letterDate: string; receivedDate: string; agendaNumber: string;
    sifat: string; sifatCode: string; urgensi: string; urgensiCode: string; perihal: string; klasifikasi: string;
    lampiran: string; addressedTo: string; addressedHolders: string;
  };
  sifatOptions: { code: string; label: string }[];
  urgensiOptions: { code: string; label: string }[];
  entries: SheetEntry[];
  /** Empty rows after the entries, for handwritten additions. */
  blankRows: number;
  printedAt: string;
  /** "WIB" etc., for the times in the table; empty for other zones. */
  zone: string;
}

const ZONE_ABBR: Record<string, string> = { 'Asia/Jakarta': 'WIB', 'Asia/Pontianak': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };
const withZone = (s: string): string => (s && ZONE_ABBR[config().timezone] ? `${s} ${ZONE_ABBR[config().timezone]}` : s);
/** "24/11/2026 16.00" in the office's zone: the sheet's table is narrow. */
export function shortDateTime(d: Date | null | undefined): string {
  if (!d) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(localDateTimeValue(d));
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}.${m[5]}` : tanggalJam(d);
}
const actingLabel = (k: string | null | undefined): string | null => (k === 'plt' ? 'Plt.' : k === 'plh' ? 'Plh.' : null);

/** Initials of a name without academic titles: "Dr. Hendra Wiratama, S.Kom., M.T." -> "HW". */
export function parafInitials(name: string): string {
  const words = name.split(',')[0].split(/\s+/).filter((w) => w && !/\.$/.test(w) && /^\p{L}/u.test(w));
  return words.map((w) => w[0].toUpperCase()).join('').slice(0, 3) || name.trim().slice(0, 1).toUpperCase();
}

function entryOf(n: TreeNode, no: string, depth: number): SheetEntry {
  const d = n.d;
  const lines: string[] = [];
  // Who read or completed it is named only when it is not simply the recipient's holder.
  const other = (name: string | null): string => (name && !n.to.holders.includes(name) ? ` oleh ${name}` : '');
  if (d.readAt) lines.push(`Dibaca ${shortDateTime(d.readAt)}${other(n.readBy)}`);
  if (d.status === 'selesai' && d.completedAt) {
    const acting = actingLabel(d.completedActing);
    lines.push(`Selesai ${shortDateTime(d.completedAt)}${other(n.completedBy)}${acting ? ` (${acting})` : ''}${n.late ? ', terlambat' : ''}`);
  }
  if (d.status === 'ditarik') lines.push(`Ditarik ${shortDateTime(d.recalledAt)}${d.recallReason ? `: ${d.recallReason}` : ''}`);
  if (n.lateOpen) lines.push('Lewat tenggat');
  const reports = n.reports.filter((r) => r.report.kind === 'laporan').length;
  if (reports) lines.push(`${reports} laporan`);
  const result = d.result ? (d.result.length > 300 ? `${d.result.slice(0, 300)}…` : d.result) : null;
  return {
    no, depth, from: n.from.name, to: n.to.name, toHolders: n.to.holders,
    instructions: n.instructions, note: d.note, priority: d.priority !== 'biasa' ? PRIORITY_LABEL[d.priority] : null,
    due: shortDateTime(d.dueAt), late: n.late,
    paraf: { initials: parafInitials(n.fromUser), name: n.fromUser, acting: actingLabel(d.fromActing), at: shortDateTime(d.createdAt) },
    status: DISPOSITION_STATUS_LABEL[d.status], statusLines: lines, result, recalled: d.status === 'ditarik',
  };
}

/** Everything the sheet shows, from the letter and its disposition tree. */
export async function lembarDisposisiData(letter: IncomingLetter): Promise<SheetData> {
  const [tree, agency, klas] = await Promise.all([dispositionTree(letter), Agency.findByPk(letter.senderAgencyId), Klasifikasi.findByPk(letter.klasifikasiCode)]);
  const entries: SheetEntry[] = [];
  const walk = (nodes: TreeNode[], prefix: string, depth: number): void => {
    nodes.forEach((n, i) => {
      const no = prefix ? `${prefix}.${i + 1}` : String(i + 1);
      entries.push(entryOf(n, no, depth));
      walk(n.children, no, depth + 1);
    });
  };
  walk(tree.roots, '', 0);
  const c = config();
  return {
    org: { region: c.orgRegion, name: c.orgName, address: c.orgAddress },
    letter: {
      senderName: letter.senderName || agency?.name || '', senderNumber: letter.senderNumber, letterDate: tanggal(letter.letterDate),
      receivedDate: tanggal(letter.receivedDate), agendaNumber: letter.agendaNumber, sifat: SIFAT_LABEL[letter.sifat] ?? letter.sifat,
      sifatCode: letter.sifat, urgensi: URGENSI_LABEL[letter.urgensi] ?? letter.urgensi, urgensiCode: letter.urgensi, perihal: letter.perihal,
      klasifikasi: klas ? `${klas.code} ${klas.name}` : letter.klasifikasiCode, lampiran: letter.lampiran || '-',
      addressedTo: tree.addressed.name, addressedHolders: tree.addressed.holders,
    },
    sifatOptions: Object.entries(SIFAT_LABEL).map(([code, label]) => ({ code, label })),
    urgensiOptions: Object.entries(URGENSI_LABEL).map(([code, label]) => ({ code, label })),
    entries,
    blankRows: Math.max(0, 3 - entries.length),
    printedAt: withZone(tanggalJam(now())),
    zone: ZONE_ABBR[c.timezone] ?? '',
  };
}

/** The sheet as print HTML. */
export async function lembarDisposisiHtml(letter: IncomingLetter): Promise<string> {
  return renderLembarDisposisi(await lembarDisposisiData(letter));
}

export function renderLembarDisposisi(data: SheetData): Promise<string> {
  return ejs.renderFile(LEMBAR_TEMPLATE, data as unknown as ejs.Data, { cache: config().isProduction });
}

/** Page and margins of the sheet; the footer numbers pages should the tree not fit on one. */
export function lembarDisposisiPdfOptions(data: SheetData): PdfRenderOptions {
  const agenda = ejs.escapeXML(data.letter.agendaNumber);
  return {
    format: 'F4',
    margins: { top: '10mm', right: '15mm', bottom: '14mm', left: '25mm' },
    // An internal form for the paper file: untagged is a third smaller and quicker to make.
    tagged: false,
    headerFooter: {
      header: '<span></span>',
      footer: `<div style="width:100%;margin:0 15mm 0 25mm;font-family:Arial,'Liberation Sans',sans-serif;font-size:7pt;color:#555;display:flex;justify-content:space-between">`
        + `<span>Lembar Disposisi · Nomor Agenda ${agenda}</span><span>Halaman <span class="pageNumber"></span> dari <span class="totalPages"></span></span></div>`,
    },
  };
}

/** The file name the sheet is sent under. */
export const lembarDisposisiFilename = (agendaNumber: string): string => `lembar-disposisi-${agendaNumber.replace(/\//g, '-')}.pdf`;
