import fs from 'node:fs';
import path from 'node:path';
import { blobStore } from '../../platform/blobstore';
import { fontStack, letterPdfOptions, pageSizeMm, type KopSurat, type TataLetak } from '../../lib/kop';
import type { PdfRenderOptions } from '../../platform/pdfRenderer';
import { getSetting } from '../../platform/settings';
import { ROOT } from '../../platform/paths';

/**
 * What a letter template prints in the letterhead and how it lays out the page, from the
 * 'surat.kop' and 'surat.tata_letak' settings (lib/kop.ts). The emblem comes inlined as a data:
 * URL, because the PDF renderer fetches nothing: the uploaded emblem, or the built-in one.
 */
export interface Letterhead {
  kop: KopSurat;
  layout: TataLetak;
  /** data: URL of the emblem; never null (the built-in emblem when none was uploaded). */
  emblemDataUri: string;
  /** True when the built-in sample emblem stands in for the region's own. */
  emblemBuiltIn: boolean;
  /**
   * The address block under the name lines, one string per printed line: "Jalan ..., Kode Pos ...,
   * Telepon ..., Faksimile ..." then "Laman ..., Pos-el ..." (empty parts left out).
   */
  contactLines: string[];
  /** CSS font-family stack of the layout's font. */
  fontFamily: string;
  /** Paper size in mm. */
  page: { width: number; height: number };
  /** Paper and margins for pdfRenderer().render(). */
  pdf: PdfRenderOptions;
}

export const BUILT_IN_EMBLEM = path.join(ROOT, 'public', 'img', 'lambang-bawaan.svg');
let builtIn: string | null = null;
const emblemCache = new Map<string, string>();

/** The image type of emblem bytes, from their signature. */
export function emblemMime(b: Buffer): 'image/png' | 'image/jpeg' | null {
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return null;
}

async function readBlob(sha: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of blobStore().open(sha)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The emblem as a data: URL. A missing or unreadable upload falls back to the built-in emblem. */
export async function emblemDataUri(sha: string | null): Promise<{ uri: string; builtIn: boolean }> {
  if (sha) {
    const hit = emblemCache.get(sha);
    if (hit) return { uri: hit, builtIn: false };
    try {
      const bytes = await readBlob(sha);
      const mime = emblemMime(bytes);
      if (mime) {
        const uri = `data:${mime};base64,${bytes.toString('base64')}`;
        if (emblemCache.size > 8) emblemCache.clear();
        emblemCache.set(sha, uri);
        return { uri, builtIn: false };
      }
    } catch { /* blob gone: the letter still gets a letterhead */ }
  }
  builtIn ??= `data:image/svg+xml;base64,${fs.readFileSync(BUILT_IN_EMBLEM).toString('base64')}`;
  return { uri: builtIn, builtIn: true };
}

/** The address block of a letterhead, as printed lines. */
export function contactLinesOf(k: KopSurat): string[] {
  const first = [k.address, k.postalCode && `Kode Pos ${k.postalCode}`, k.phone && `Telepon ${k.phone}`, k.fax && `Faksimile ${k.fax}`].filter(Boolean).join(', ');
  const second = [k.website && `Laman ${k.website}`, k.email && `Pos-el ${k.email}`].filter(Boolean).join(', ');
  return [first, second].filter(Boolean);
}

/** Everything a letter template needs for its letterhead and page, from the current settings. */
export async function letterhead(): Promise<Letterhead> {
  const [kop, layout] = await Promise.all([getSetting('surat.kop'), getSetting('surat.tata_letak')]);
  const emblem = await emblemDataUri(kop.emblemSha);
  return {
    kop, layout, emblemDataUri: emblem.uri, emblemBuiltIn: emblem.builtIn, contactLines: contactLinesOf(kop),
    fontFamily: fontStack(layout), page: pageSizeMm(layout), pdf: letterPdfOptions(layout),
  };
}
