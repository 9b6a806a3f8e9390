import { Router, type Request, type Response } from 'express';
import { LetterFile, IncomingLetter, Disposition, DispositionReport, DispositionReportFile } from '../models';
import { blobStore } from '../platform/blobstore';
import { LRUCache } from 'lru-cache';
import { isScripted, scanPdf } from '../lib/pdf/pdfBounds';
import { requireLogin, actorOf, idParam } from '../platform/http/guards';
import { NotFoundError } from '../platform/errors';
import { letterRights, chainOf, authorizeLetter } from '../modules/surat-masuk';

const router = Router();

/** RFC 6266 / RFC 5987: an ASCII fallback plus the UTF-8 original name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Scripts and actions found in stored PDFs, by content hash (the bytes of a hash never change). */
const scriptedCache = new LRUCache<string, boolean>({ max: 5000 });

/** Whether a stored PDF carries JavaScript, launch or submit actions, or embedded files. */
async function isScriptedPdf(sha256: string): Promise<boolean> {
  const known = scriptedCache.get(sha256);
  if (known !== undefined) return known;
  const chunks: Buffer[] = [];
  for await (const c of blobStore().open(sha256)) chunks.push(c as Buffer);
  const scripted = isScripted(await scanPdf(Buffer.concat(chunks)));
  scriptedCache.set(sha256, scripted);
  return scripted;
}

/**
 * Stream an uploaded file (a scan, a lampiran, a report or domain document) with the headers
 * every download needs. Uploaded bytes are the sender's, not ours: they are served with a
 * sandbox CSP and nosniff, and a PDF that carries scripts or actions is only ever downloaded,
 * never shown inline (Chromium's PDF viewer runs a PDF's JavaScript even under a sandbox CSP).
 */
export async function sendUpload(res: Response, f: { blobSha: string; mime: string; size?: number; originalName: string }, inline: boolean): Promise<void> {
  if (!(await blobStore().exists(f.blobSha))) throw new NotFoundError('Berkas tidak ditemukan di penyimpanan. Hubungi admin (jalankan naskah blobs:verify).');
  const asInline = inline && !(f.mime === 'application/pdf' && (await isScriptedPdf(f.blobSha)));
  res.setHeader('Content-Type', f.mime);
  if (f.size !== undefined) res.setHeader('Content-Length', String(f.size));
  res.setHeader('Content-Disposition', contentDisposition(asInline ? 'inline' : 'attachment', f.originalName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  // Instead of the page CSP (its object-src 'none' would stop Chromium's PDF viewer): a sandbox,
  // so an uploaded file can never act as a page of this origin.
  res.setHeader('Content-Security-Policy', 'sandbox');
  blobStore().open(f.blobSha).on('error', () => { if (!res.headersSent) res.status(404).end(); else res.destroy(); }).pipe(res);
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
  await sendUpload(res, file, req.query.unduh === undefined);
});

/** A file attached to a disposition report: visible to the letter's chain. */
router.get('/berkas-laporan/:id', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  const file = id ? await DispositionReportFile.findByPk(id) : null;
  const report = file ? await DispositionReport.findByPk(file.reportId) : null;
  const d = report ? await Disposition.findByPk(report.dispositionId) : null;
  if (!file || !d) throw new NotFoundError();
  await authorizeLetterContent(req, d.letterId);
  await sendUpload(res, file, req.query.unduh === undefined);
});

export default router;
