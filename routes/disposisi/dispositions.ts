import { Router, type Request, type Response } from 'express';
import { Disposition, IncomingLetter } from '../../models';
import { requireLogin, actorOf, flash, idParam } from '../../platform/http/guards';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { uploadFields, filesOf } from '../../platform/http/upload';
import { letterRights, chainOf, authorizeLetter } from '../../modules/surat-masuk';
import { sendDispositions } from '../../modules/disposisi/dispositionSender';
import { reportOnDisposition } from '../../modules/disposisi/dispositionReporter';
import { recallDisposition } from '../../modules/disposisi/dispositionRecaller';
import { closeLetter } from '../../modules/surat-masuk';
import { storeUploads, discardTmp, releaseUploads } from '../../platform/uploads';
import { deliverPendingEmails } from '../../platform/mailer';
import { loadLetter, renderLetter } from '../surat-masuk/letters';

const router = Router();

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : -1);

/** The disposition and its letter, visible only to the letter's chain (404 otherwise). */
async function loadDisposition(req: Request) {
  const id = idParam(req.params.id);
  const d = id ? await Disposition.findByPk(id) : null;
  if (!d) throw new NotFoundError('Disposisi tidak ditemukan.');
  const letter = await IncomingLetter.findByPk(d.letterId);
  if (!letter) throw new NotFoundError();
  const rights = letterRights(actorOf(req), letter, await chainOf(letter.id));
  authorizeLetter(rights, 'view');
  return { d, letter, rights };
}

/** A service error shown where it came from: field errors on the letter page, conflicts as a fresh page. */
async function handle(req: Request, res: Response, letter: IncomingLetter, rights: Parameters<typeof renderLetter>[3], form: string, fn: () => Promise<string>) {
  try {
    const message = await fn();
    flash(req, 'ok', message);
    void deliverPendingEmails().catch(() => undefined);
    res.redirect(303, `/surat-masuk/${letter.id}`);
  } catch (err) {
    if (err instanceof ValidationError) {
      await letter.reload();
      return renderLetter(req, res, letter, rights, { errors: err.fields, values: req.body ?? {}, openForm: form, formError: err.message }, 422);
    }
    if (err instanceof ConflictError) {
      flash(req, 'error', err.message);
      return res.redirect(303, `/surat-masuk/${letter.id}`);
    }
    throw err;
  }
}

router.post('/surat-masuk/:id/disposisi', requireLogin, async (req, res) => {
  const { letter, rights } = await loadLetter(req);
  authorizeLetter(rights, 'view');
  const b = req.body as Record<string, unknown>;
  await handle(req, res, letter, rights, 'dispose', async () => {
    const made = await sendDispositions({
      actor: actorOf(req), letterId: letter.id, viaPositionId: num(b.via),
      form: { targets: list(b.targets), instructions: list(b.instructions), note: str(b.note), priority: str(b.priority), dueAt: str(b.dueAt) },
    });
    return `Disposisi terkirim ke ${made.length} penerima.`;
  });
});

router.post('/disposisi/:id/laporan', requireLogin, uploadFields([{ name: 'files', maxCount: 10 }]), async (req, res) => {
  const tmp = filesOf(req);
  let loaded;
  try { loaded = await loadDisposition(req); } catch (e) { await discardTmp(tmp); throw e; }
  const { d, letter, rights } = loaded;
  const b = req.body as Record<string, unknown>;
  const form = `report-${d.id}`;
  if (req.uploadError) {
    await discardTmp(tmp);
    return renderLetter(req, res, letter, rights, { errors: { [`files-${d.id}`]: req.uploadError }, values: b, openForm: form }, 400);
  }
  const { stored, errors } = await storeUploads(tmp, () => 'lampiran');
  if (errors.length) {
    return renderLetter(req, res, letter, rights, { errors: { [`files-${d.id}`]: errors.map((e) => e.message).join(' ') }, values: b, openForm: form }, 422);
  }
  const complete = b.complete === '1';
  await handle(req, res, letter, rights, form, async () => {
    try {
      await reportOnDisposition({ actor: actorOf(req), dispositionId: d.id, expectedVersion: num(b.version), body: str(b.body), files: stored, complete });
    } catch (e) {
      await releaseUploads(stored);
      // Field names carry the disposition id: several report forms share the page.
      if (e instanceof ValidationError) throw new ValidationError(Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [`${k}-${d.id}`, v])), e.message);
      throw e;
    }
    return complete ? 'Disposisi diselesaikan; pengirimnya sudah diberi tahu.' : 'Laporan terkirim ke pengirim disposisi.';
  });
});

router.post('/disposisi/:id/tarik', requireLogin, async (req, res) => {
  const { d, letter, rights } = await loadDisposition(req);
  const b = req.body as Record<string, unknown>;
  await handle(req, res, letter, rights, `recall-${d.id}`, async () => {
    try {
      await recallDisposition({ actor: actorOf(req), dispositionId: d.id, expectedVersion: num(b.version), reason: str(b.reason) });
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError(Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [`${k}-${d.id}`, v])), e.message);
      throw e;
    }
    return 'Disposisi ditarik.';
  });
});

router.post('/surat-masuk/:id/tutup', requireLogin, async (req, res) => {
  const { letter, rights } = await loadLetter(req);
  authorizeLetter(rights, 'view');
  const b = req.body as Record<string, unknown>;
  await handle(req, res, letter, rights, 'close', async () => {
    const l = await closeLetter({ actor: actorOf(req), letterId: letter.id, mode: str(b.mode), note: str(b.note), expectedVersion: num(b.version) });
    return l.status === 'selesai' ? 'Surat ditandai selesai.' : 'Surat diarsipkan.';
  });
});

export default router;
