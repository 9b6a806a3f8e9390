import { Router } from 'express';
import { LetterFile, IncomingLetter } from '../models';
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

/** A letter's file, only for those who may see the letter's content. */
router.get('/berkas/:id', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  const file = id ? await LetterFile.findByPk(id) : null;
  if (!file) throw new NotFoundError();
  const letter = await IncomingLetter.findByPk(file.letterId);
  if (!letter) throw new NotFoundError();
  authorizeLetter(letterRights(actorOf(req), letter, await chainOf(letter.id)), 'content');
  if (!(await blobStore().exists(file.blobSha))) throw new NotFoundError('Berkas tidak ditemukan di penyimpanan. Hubungi admin (jalankan naskah blobs:verify).');
  const inline = req.query.unduh === undefined;
  res.setHeader('Content-Type', file.mime);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', file.originalName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  // The page CSP (object-src 'none') would stop Chromium's PDF viewer; the bytes are only PDF,
  // JPEG or PNG (checked at upload) and nosniff keeps them from being read as anything else.
  res.removeHeader('Content-Security-Policy');
  blobStore().open(file.blobSha).on('error', () => res.destroy()).pipe(res);
});

export default router;
