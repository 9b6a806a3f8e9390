import { Router, type Request, type Response } from 'express';
import { OutgoingLetter, OutgoingRecipient, OutgoingDispatch, Agency, DISPATCH_CHANNEL_LABEL } from '../../models';
import { requireLogin, actorOf, flash, idParam } from '../../platform/http/guards';
import { AppError, NotFoundError, ValidationError } from '../../platform/errors';
import { outgoingRights, chainPositions } from '../../modules/surat-keluar';
import { signLetter } from '../../modules/ttd/letterSigner';
import { dispatchLetter, mayDispatch, EXTERNAL_CHANNELS } from '../../modules/ttd/letterDispatcher';
import { revokeLetter, replaceLetter } from '../../modules/ttd/letterRevoker';
import { deliverPendingEmails } from '../../platform/mailer';
import { blobBytes } from '../../modules/ttd/letterSigner';
import { signLetters } from '../../modules/ttd/bulkSigner';
import { requestCountersign, countersignLetter, cancelCountersignRequest } from '../../modules/ttd/letterCountersigner';

/** Surat Keluar after the paraf chain: sign (TTE), dispatch (Kirim), revoke / replace, the signed PDF. */
const router = Router();
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

async function load(req: Request): Promise<OutgoingLetter> {
  const id = idParam(req.params.id);
  const l = id ? await OutgoingLetter.findByPk(id) : null;
  if (!l || !outgoingRights(actorOf(req), l, await chainPositions(l.id)).view) throw new NotFoundError('Surat tidak ditemukan.');
  return l;
}

/** Run a command; its refusal (bad passphrase, wrong state...) is shown on the letter page, never a 500. */
async function act(req: Request, res: Response, id: number, fn: () => Promise<string>, back = `/surat-keluar/${id}`) {
  try {
    flash(req, 'ok', await fn());
    void deliverPendingEmails().catch(() => undefined);
    res.redirect(303, `/surat-keluar/${id}`);
  } catch (err) {
    if (err instanceof ValidationError) { flash(req, 'error', Object.values(err.fields).join(' ')); return res.redirect(303, back); }
    if (err instanceof AppError && err.status !== 404 && err.status !== 403) { flash(req, 'error', err.message); return res.redirect(303, back); }
    throw err;
  }
}

router.post('/surat-keluar/:id/tandatangani', requireLogin, async (req, res) => {
  const l = await load(req);
  const body = req.body as Record<string, unknown>;
  await act(req, res, l.id, async () => {
    const s = await signLetter({ actor: actorOf(req), letterId: l.id, passphrase: str(body.passphrase), expectedLockVersion: /^\d+$/.test(str(body.lockVersion)) ? Number(body.lockVersion) : undefined });
    return `Surat ditandatangani secara elektronik dengan nomor ${s.letterNumber}.`;
  });
});

/** Bulk signing from the "Siap tanda tangan" tab: the chosen letters, one passphrase. */
router.post('/surat-keluar/tandatangani-banyak', requireLogin, async (req, res) => {
  const body = req.body as Record<string, unknown>;
  const raw = Array.isArray(body.letterId) ? body.letterId : body.letterId === undefined ? [] : [body.letterId];
  const ids = raw.map((v) => idParam(v)).filter((x): x is number => x !== null);
  try {
    const r = await signLetters({ actor: actorOf(req), letterIds: ids, passphrase: str(body.passphrase) });
    req.session.bulkSigning = r;
    flash(req, r.failed || r.skipped ? 'error' : 'ok', `${r.signed} dari ${r.items.length} surat ditandatangani${r.failed ? `, ${r.failed} gagal` : ''}${r.skipped ? `, ${r.skipped} tidak dicoba` : ''}.`);
  } catch (err) {
    if (err instanceof ValidationError) flash(req, 'error', Object.values(err.fields).join(' '));
    else if (err instanceof AppError && err.status !== 404 && err.status !== 403) flash(req, 'error', err.message);
    else throw err;
  }
  void deliverPendingEmails().catch(() => undefined);
  res.redirect(303, '/surat-keluar?tab=ttd');
});

router.post('/surat-keluar/:id/minta-pengesahan', requireLogin, async (req, res) => {
  const l = await load(req);
  const body = req.body as Record<string, unknown>;
  await act(req, res, l.id, async () => {
    await requestCountersign({ actor: actorOf(req), letterId: l.id, positionId: idParam(body.positionId), note: str(body.note) });
    return 'Permintaan tanda tangan kedua dikirim. Surat dapat dikirim setelah tanda tangan kedua diberikan.';
  });
});

router.post('/surat-keluar/:id/sahkan', requireLogin, async (req, res) => {
  const l = await load(req);
  await act(req, res, l.id, async () => {
    await countersignLetter({ actor: actorOf(req), letterId: l.id, passphrase: str((req.body as Record<string, unknown>).passphrase) });
    return 'Tanda tangan kedua (pengesahan) ditambahkan pada surat ini.';
  });
});

router.post('/surat-keluar/:id/batal-pengesahan', requireLogin, async (req, res) => {
  const l = await load(req);
  await act(req, res, l.id, async () => {
    await cancelCountersignRequest({ actor: actorOf(req), letterId: l.id, reason: str((req.body as Record<string, unknown>).reason) });
    return 'Permintaan tanda tangan kedua dibatalkan.';
  });
});

router.get('/surat-keluar/:id/ttd.pdf', requireLogin, async (req, res) => {
  const l = await load(req);
  if (!l.signedBlobSha) throw new NotFoundError('Surat ini belum ditandatangani.');
  res.type('application/pdf').set('Content-Disposition', `inline; filename="surat-${l.id}-ttd.pdf"`).send(await blobBytes(l.signedBlobSha));
});

router.get('/surat-keluar/:id/kirim', requireLogin, async (req, res) => {
  const l = await load(req);
  if (!mayDispatch(actorOf(req), l)) throw new NotFoundError('Surat tidak ditemukan.');
  const recipients = await OutgoingRecipient.findAll({ where: { letterId: l.id }, order: [['kind', 'ASC'], ['sortOrder', 'ASC']] });
  const agencies = new Map((await Agency.findAll({ where: { id: recipients.map((r) => r.agencyId).filter((x): x is number => !!x) } })).map((a) => [a.id, a]));
  const dispatches = await OutgoingDispatch.findAll({ where: { letterId: l.id }, order: [['id', 'ASC']] });
  res.render('outgoing/dispatch', { title: `Kirim surat ${l.letterNumber ?? ''}`, letter: l, recipients, agencies, dispatches, channels: EXTERNAL_CHANNELS, channelLabel: DISPATCH_CHANNEL_LABEL });
});

router.post('/surat-keluar/:id/kirim', requireLogin, async (req, res) => {
  const l = await load(req);
  const body = req.body as Record<string, unknown>;
  const choices: Record<number, { channel: string; email: string; note: string }> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^channel_(\d{1,9})$/.exec(k);
    if (m) choices[Number(m[1])] = { channel: str(v), email: str(body[`email_${m[1]}`]), note: str(body[`note_${m[1]}`]) };
  }
  await act(req, res, l.id, async () => {
    const r = await dispatchLetter({ actor: actorOf(req), letterId: l.id, choices, sentDate: str(body.sentDate) || undefined });
    return `Surat dikirim kepada ${r.dispatches.length} penerima.`;
  }, `/surat-keluar/${l.id}/kirim`);
});

router.post('/surat-keluar/:id/cabut', requireLogin, async (req, res) => {
  const l = await load(req);
  await act(req, res, l.id, async () => { await revokeLetter({ actor: actorOf(req), letterId: l.id, reason: str((req.body as Record<string, unknown>).reason) }); return 'Surat dicabut. Halaman verifikasinya kini menyatakan surat ini tidak berlaku.'; });
});

router.post('/surat-keluar/:id/ganti', requireLogin, async (req, res) => {
  const l = await load(req);
  try {
    const d = await replaceLetter({ actor: actorOf(req), letterId: l.id, reason: str((req.body as Record<string, unknown>).reason) });
    flash(req, 'ok', `Konsep pengganti dibuat. Surat ${l.letterNumber} tetap berlaku sampai penggantinya ditandatangani.`);
    res.redirect(303, `/surat-keluar/${d.id}`);
  } catch (err) {
    if (err instanceof AppError && err.status !== 404 && err.status !== 403) { flash(req, 'error', err instanceof ValidationError ? Object.values(err.fields).join(' ') : err.message); return res.redirect(303, `/surat-keluar/${l.id}`); }
    throw err;
  }
});

export default router;
