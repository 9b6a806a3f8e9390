import { Router } from 'express';
import { requireLogin } from '../../platform/http/guards';
import { authorizeLetter } from '../../modules/surat-masuk';
import { ChromiumLaunchError, ChromiumMissingError, pdfRenderer, PdfUnavailableError } from '../../platform/pdfRenderer';
import { lembarDisposisiData, lembarDisposisiFilename, lembarDisposisiPdfOptions, renderLembarDisposisi } from '../../modules/disposisi/lembarDisposisi';
import { loadLetter } from '../surat-masuk/letters';
import { contentDisposition } from '../files';

/** Printouts: PDFs made from print templates (templates/), never from pages. */
const router = Router();

/**
 * The Lembar Disposisi of an incoming letter, for anyone who may open the letter (a
 * confidential letter outside one's chain is a 404, as its page is). Without Chromium, or
 * when the renderer is saturated, the user gets a 503 page saying so.
 */
router.get('/surat-masuk/:id/lembar-disposisi.pdf', requireLogin, async (req, res) => {
  const { letter, rights } = await loadLetter(req);
  authorizeLetter(rights, 'view');
  const data = await lembarDisposisiData(letter);
  const html = await renderLembarDisposisi(data);
  let pdf: Buffer;
  try {
    pdf = await pdfRenderer().render(html, lembarDisposisiPdfOptions(data));
  } catch (err) {
    if (!(err instanceof PdfUnavailableError)) throw err;
    if (!(err instanceof ChromiumMissingError)) {
      console.error(`[${new Date().toISOString()}] ${req.method} ${req.originalUrl}: ${err.message}${err instanceof ChromiumLaunchError ? ` (${err.reason})` : ''}`);
    }
    res.setHeader('Retry-After', '30');
    return res.status(503).render('errors/503', { title: 'PDF tidak dapat dibuat', message: err.message, back: `/surat-masuk/${letter.id}` });
  }
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Length', String(pdf.length));
  res.setHeader('Content-Disposition', contentDisposition('inline', lembarDisposisiFilename(letter.agendaNumber)));
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // As for stored files: the page CSP (object-src 'none') would stop the browser's PDF viewer.
  res.removeHeader('Content-Security-Policy');
  res.end(pdf);
});

export default router;
