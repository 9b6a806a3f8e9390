import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { requireLogin, requireThat, actorOf, flash } from '../../platform/http/guards';
import { isAdmin } from '../../modules/surat-masuk';
import { ValidationError } from '../../platform/errors';
import { SigningCertificate, User } from '../../models';
import { importCertificate, MAX_P12_BYTES } from '../../modules/ttd/certificateImporter';

const router = Router();
router.use('/admin/sertifikat', requireLogin, requireThat(isAdmin));

// A P12 is small and is stored through the blob store only after it was checked: keep it in memory.
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_P12_BYTES + 1, files: 1, fields: 6, parts: 8 } }).single('p12');

async function render(res: Response, values: Record<string, unknown>, errors: Record<string, string> = {}, status = 200) {
  const [certs, users] = await Promise.all([
    SigningCertificate.findAll({ order: [['uploadedAt', 'DESC'], ['id', 'DESC']], limit: 200 }),
    User.findAll({ where: { active: true }, order: [['name', 'ASC']], attributes: ['id', 'name', 'nip', 'username'] }),
  ]);
  const names = new Map(users.map((u) => [u.id, u.name]));
  res.status(status).render('admin/sertifikat', { title: 'Sertifikat Tanda Tangan Elektronik', certs, users, names, values, errors });
}

router.get('/admin/sertifikat', async (_req, res) => render(res, {}));

router.post('/admin/sertifikat', async (req: Request, res: Response) => {
  const err = await new Promise<unknown>((resolve) => upload(req, res, (e: unknown) => resolve(e)));
  const body = (req.body ?? {}) as Record<string, unknown>;
  const values = { userId: body.userId };
  if (err) {
    const tooBig = (err as { code?: string }).code === 'LIMIT_FILE_SIZE';
    return render(res, values, { p12: tooBig ? 'Berkas terlalu besar untuk sebuah sertifikat P12 (maksimal 256 KB).' : 'Unggahan gagal dibaca. Pilih satu berkas .p12 lalu kirim ulang.' }, tooBig ? 413 : 400);
  }
  try {
    const cert = await importCertificate({ actor: actorOf(req), userId: Number(body.userId), p12: req.file?.buffer ?? null, passphrase: typeof body.passphrase === 'string' ? body.passphrase : '' });
    flash(req, 'ok', `Sertifikat diimpor: ${cert.subject}, berlaku sampai ${cert.validTo.toISOString().slice(0, 10)}. Kata sandi tidak disimpan.`);
    res.redirect(303, '/admin/sertifikat');
  } catch (e) {
    if (e instanceof ValidationError) return render(res, values, e.fields, 422);
    throw e;
  }
});

export default router;
