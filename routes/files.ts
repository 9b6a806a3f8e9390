import { Router, type Request, type Response } from 'express';
import { LetterFile, IncomingLetter, Disposition, DispositionReport, DispositionReportFile } from '../models';
import { blobStore } from '../lib/blobstore';
import { requireLogin, actorOf, idParam } from '../lib/guards';
import { NotFoundError } from '../lib/errors';
import { letterRights, chainOf, authorizeLetter } from '../policies/letter';

const router = Router();

/** RFC 6266 / RFC 5987: an ASCII fallback plus the UTF-8 original name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Stream a stored file with the headers every download needs. */
async function sendBlob(res: Response, f: { blobSha: string; mime: string; size: number; originalName: string }, inline: boolean): Promise<void> {
  if (!(await blobStore().exists(f.blobSha))) throw new NotFoundError('Berkas tidak ditemukan di penyimpanan. Hubungi admin (jalankan naskah blobs:verify).');
  res.setHeader('Content-Type', f.mime);
  res.setHeader('Content-Length', String(f.size));
  res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', f.originalName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  // The page CSP (object-src 'none') would stop Chromium's PDF viewer; the bytes are only PDF,
  // JPEG or PNG (checked at upload) and nosniff keeps them from being read as anything else.
  res.removeHeader('Content-Security-Policy');
  blobStore().open(f.blobSha).on('error', () => res.destroy()).pipe(res);
}

async function authorizeLetterContent(req: Request, letterId: number): Promise<void> {
  const letter = await IncomingLetter.findByPk(letterId);
  if (!letter) throw new NotFoundError();
  authorizeLetter(letterRights(actorOf(req), letter, await chainOf(letter.id)), 'content');
}

/** A letter's file, only for those who may see the letter's content. */
router.get('/berkas/:id', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  const file = id ? await LetterFile.findByPk(id) : null;
  if (!file) throw new NotFoundError();
  await authorizeLetterContent(req, file.letterId);
  await sendBlob(res, file, req.query.unduh === undefined);
});

/** A file attached to a disposition report: visible to the letter's chain. */
router.get('/berkas-laporan/:id', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  const file = id ? await DispositionReportFile.findByPk(id) : null;
  const report = file ? await DispositionReport.findByPk(file.reportId) : null;
  const d = report ? await Disposition.findByPk(report.dispositionId) : null;
  if (!file || !d) throw new NotFoundError();
  await authorizeLetterContent(req, d.letterId);
  await sendBlob(res, file, req.query.unduh === undefined);
});

export default router;
