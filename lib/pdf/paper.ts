/** Paper sizes and page options of a printed letter: what a renderer is asked for (platform/pdfRenderer.ts). */

export type PaperFormat = 'A4' | 'F4';
export interface PdfMargins { top: string; right: string; bottom: string; left: string }
export interface PdfRenderOptions {
  format: PaperFormat;
  /** CSS lengths; default the Tata Naskah Dinas margins (top 2cm, right 2cm, bottom 2.5cm, left 3cm). */
  margins?: Partial<PdfMargins>;
  landscape?: boolean;
  /**
   * Chromium's header/footer templates (HTML with inline styles; spans with class pageNumber,
   * totalPages, date, title are filled in). They sit in the margins, so leave room there.
   */
  headerFooter?: { header?: string; footer?: string };
  /**
   * Tagged (accessible) PDF: structure for screen readers, about 35% larger and 20% slower to
   * make. Default true; internal printouts may turn it off.
   */
  tagged?: boolean;
  /** Overrides the renderer's per-render timeout for this render (ms). */
  timeoutMs?: number;
}

export const PAPER: Record<PaperFormat, { width: string; height: string }> = {
  A4: { width: '210mm', height: '297mm' },
  F4: { width: '215mm', height: '330mm' },
};
export const DEFAULT_MARGINS: PdfMargins = { top: '2cm', right: '2cm', bottom: '2.5cm', left: '3cm' };
