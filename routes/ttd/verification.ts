import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { config } from '../../config';
import { findByCode, publicLetter, checkUpload, type UploadCheck } from '../../modules/ttd/letterVerifier';
import { countEvent, lockedMinutes } from '../../platform/throttle';
import { NotFoundError } from '../../platform/errors';
import type { OutgoingLetter } from '../../models';

/** Public verification of signed letters (the QR's target): no login. */
const router = Router();

/** Uploads checked per IP address in the window, before the address waits. */
const UPLOADS_PER_WINDOW = 20;
const WINDOW_MS = 10 * 60_000;

async function load(req: Request): Promise<OutgoingLetter> {
  const l = await findByCode(String(req.params.code ?? ''));
  if (!l) throw new NotFoundError('Kode verifikasi tidak dikenal. Periksa kembali tautan atau kode QR pada surat.');
  return l;
}

async function render(res: Response, l: OutgoingLetter, extra: { check?: UploadCheck; error?: string } = {}, status = 200) {
  res.status(status).render('verification/show', {
    title: 'Verifikasi surat', letter: await publicLetter(l), check: extra.check ?? null, error: extra.error ?? null,
    maxMb: Math.round(config().maxUploadBytes / 1024 / 1024),
  });
}

router.get('/verifikasi/:code', async (req, res) => {
  res.set('Cache-Control', 'no-store');
  await render(res, await load(req));
});

// The file stays in memory and is dropped after the check: uploads are never kept. The size
// limit is read per request (MAX_UPLOAD_MB), not frozen when this module loads.
const upload = (req: Request, res: Response, cb: (e: unknown) => void) =>
  multer({ storage: multer.memoryStorage(), limits: { fileSize: config().maxUploadBytes, files: 1, fields: 5, parts: 8 } }).single('berkas')(req, res, cb);

router.post('/verifikasi/:code', async (req, res) => {
  const l = await load(req);
  const key = `verif:ip:${req.ip ?? ''}`;
  const locked = await lockedMinutes(key);
  if (locked) return render(res, l, { error: `Terlalu banyak pemeriksaan dari alamat Anda. Coba lagi dalam ${locked} menit.` }, 429);
  await countEvent(key, UPLOADS_PER_WINDOW, WINDOW_MS, WINDOW_MS);
  const err = await new Promise<unknown>((resolve) => upload(req, res, (e: unknown) => resolve(e)));
  if (err) {
    req.resume();
    const code = (err as { code?: string }).code;
    const msg = code === 'LIMIT_FILE_SIZE' ? `Berkas terlalu besar. Ukuran maksimal ${Math.round(config().maxUploadBytes / 1024 / 1024)} MB.` : 'Unggahan gagal dibaca. Pilih satu berkas PDF lalu kirim ulang.';
    return render(res, l, { error: msg }, code === 'LIMIT_FILE_SIZE' ? 413 : 400);
  }
  const file = req.file;
  if (!file || !file.size) return render(res, l, { error: 'Pilih berkas PDF surat yang akan diperiksa.' }, 400);
  const check = await checkUpload(l, file.buffer);
  if (check.verdict === 'bukan_pdf') return render(res, l, { error: 'Berkas yang diunggah bukan PDF.' }, 400);
  await render(res, l, { check });
});

export default router;
