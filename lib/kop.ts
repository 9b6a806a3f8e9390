import { z } from 'zod';
import { PAPER, type PdfRenderOptions } from './pdf/paper';

/**
 * Letterhead (kop surat) and page layout of outgoing letters, per Tata Naskah Dinas
 * (Permendagri 54/2009; see DOMAIN.md): the schemas of the two admin settings 'surat.kop' and
 * 'surat.tata_letak' (platform/settings.ts) with their defaults, and pure helpers a print
 * template needs (font stacks, page size, PDF options). Templates should read both through
 * modules/templat/kop.ts `letterhead()`, which also inlines the emblem as a data: URL.
 */

const text = (max: number) => z.string().trim().max(max);

/**
 * The letterhead. `lines`: the government and the agency, in capitals and unabbreviated, at most
 * three lines (Tata Naskah Dinas). `city`: the place printed before the letter's date
 * ("Sindangraja, 24 November 2026"). `emblemSha`: an uploaded emblem (PNG or JPEG, checked by its
 * bytes, kept in the blob store and listed in `blobs`), or null for the built-in emblem.
 */
export const KOP_SCHEMA = z.object({
  lines: z.array(text(90).min(1)).min(1).max(3),
  address: text(200).min(1),
  postalCode: text(10),
  phone: text(60),
  fax: text(60),
  website: text(120),
  email: text(120),
  city: text(60).min(1),
  emblemSha: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});
export type KopSurat = z.infer<typeof KOP_SCHEMA>;

/** The default letterhead of an organization (platform/settings.ts gives it ORG_REGION / ORG_NAME / ORG_ADDRESS). */
export function defaultKopFor(c: { orgRegion: string; orgName: string; orgAddress: string }): KopSurat {
  const region = c.orgRegion.trim();
  const city = region.replace(/^(Kabupaten|Kota|Provinsi)\s+/i, '') || region;
  return {
    lines: [`PEMERINTAH ${region}`.toLocaleUpperCase('id-ID'), c.orgName.toLocaleUpperCase('id-ID')],
    address: c.orgAddress, postalCode: '', phone: '', fax: '', website: '', email: '', city, emblemSha: null,
  };
}

/** Fonts offered for letters, each with metric-compatible fallbacks installed on the server (fonts-liberation). */
export const FONTS = {
  Arial: "Arial, 'Liberation Sans', Helvetica, sans-serif",
  'Times New Roman': "'Times New Roman', 'Liberation Serif', Times, serif",
  'Bookman Old Style': "'Bookman Old Style', 'URW Bookman', 'URW Bookman L', 'Liberation Serif', serif",
} as const;
export type FontName = keyof typeof FONTS;
export const FONT_NAMES = Object.keys(FONTS) as [FontName, ...FontName[]];

/**
 * Margins in centimetres. The minimums are Tata Naskah Dinas's (left 3, right 2, bottom 2.5);
 * the top has no rule beyond room for the kop.
 */
export const MIN_MARGIN_CM = { top: 1, right: 2, bottom: 2.5, left: 3 } as const;
export const MAX_MARGIN_CM = 6;
export const LINE_SPACINGS = [1, 1.15, 1.5] as const;

const cm = (min: number) => z.number().min(min).max(MAX_MARGIN_CM);
export const LAYOUT_SCHEMA = z.object({
  paper: z.enum(['F4', 'A4']),
  margins: z.object({ top: cm(MIN_MARGIN_CM.top), right: cm(MIN_MARGIN_CM.right), bottom: cm(MIN_MARGIN_CM.bottom), left: cm(MIN_MARGIN_CM.left) }),
  font: z.enum(FONT_NAMES),
  /** Body text size in points (Tata Naskah Dinas: 12). */
  fontSizePt: z.number().min(10).max(14),
  /** Line height of the body, 1 to 1.5. */
  lineSpacing: z.number().min(1).max(1.5).default(1.15),
  /**
   * Paraf hierarki on the final letter: true puts the verifiers' marks on the last page left of
   * the signer's name, in rank order clockwise (Permendagri 54/2009); false omits them.
   */
  parafMarks: z.boolean(),
});
export type TataLetak = z.infer<typeof LAYOUT_SCHEMA>;

export const DEFAULT_LAYOUT: TataLetak = {
  paper: 'F4', margins: { top: 2, right: 2, bottom: 2.5, left: 3 }, font: 'Arial', fontSizePt: 12, lineSpacing: 1.15, parafMarks: true,
};

export const PAPER_LABEL = { F4: 'F4 (215 × 330 mm)', A4: 'A4 (210 × 297 mm)' } as const;

/** The CSS font-family stack of a layout's font. */
export const fontStack = (l: TataLetak): string => FONTS[l.font];

/** Page size in mm, for templates that draw to the page (watermarks, footers). */
export function pageSizeMm(l: TataLetak): { width: number; height: number } {
  const p = PAPER[l.paper];
  return { width: parseFloat(p.width), height: parseFloat(p.height) };
}

/** Paper and margins for the PDF renderer. Callers may add header/footer and other options. */
export function letterPdfOptions(l: TataLetak): PdfRenderOptions {
  const m = l.margins;
  return { format: l.paper, margins: { top: `${m.top}cm`, right: `${m.right}cm`, bottom: `${m.bottom}cm`, left: `${m.left}cm` } };
}
