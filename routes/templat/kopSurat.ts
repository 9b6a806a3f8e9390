import { Router, type Request, type Response } from 'express';
import { requireLogin, requireThat, actorOf, flash } from '../../platform/http/guards';
import { isAdmin } from '../../modules/surat-masuk';
import { ValidationError } from '../../platform/errors';
import { uploadFields, filesOf } from '../../platform/http/upload';
import { storeUploads, discardTmp, releaseUploads } from '../../platform/uploads';
import { FONT_NAMES, LINE_SPACINGS, MIN_MARGIN_CM, PAPER_LABEL, type KopSurat, type TataLetak } from '../../lib/kop';
import { contactLinesOf, emblemDataUri } from '../../modules/templat/kop';
import { updateKop, type EmblemUpload } from '../../modules/templat/kopUpdater';
import { getSetting } from '../../platform/settings';

/** Admin page of the letterhead and layout of outgoing letters (Kop Surat dan Tata Letak). */
const router = Router();
const PATH = '/admin/kop-surat';
const PENDING = 'kop-lambang';

const cm = (n: number): string => String(n).replace('.', ',');
function formValues(kop: KopSurat, layout: TataLetak): Record<string, string> {
  return {
    line1: kop.lines[0] ?? '', line2: kop.lines[1] ?? '', line3: kop.lines[2] ?? '', address: kop.address, postalCode: kop.postalCode,
    phone: kop.phone, fax: kop.fax, website: kop.website, email: kop.email, city: kop.city,
    paper: layout.paper, margin_top: cm(layout.margins.top), margin_right: cm(layout.margins.right), margin_bottom: cm(layout.margins.bottom),
    margin_left: cm(layout.margins.left), font: layout.font, fontSizePt: String(layout.fontSizePt), lineSpacing: String(layout.lineSpacing),
    parafMarks: layout.parafMarks ? '1' : '',
  };
}

/** An emblem uploaded with a form that was refused: kept in the session so it need not be sent again. */
function pendingEmblem(req: Request): EmblemUpload | null {
  const p = req.session.pendingUploads?.[PENDING]?.[0];
  return p && (p.mime === 'image/png' || p.mime === 'image/jpeg') ? { sha256: p.sha256, size: p.size, mime: p.mime } : null;
}
function setPendingEmblem(req: Request, e: EmblemUpload | null, name = 'lambang'): void {
  const all = req.session.pendingUploads ?? {};
  if (e) all[PENDING] = [{ ...e, originalName: name, kind: 'lampiran' }]; else delete all[PENDING];
  req.session.pendingUploads = all;
}

async function render(req: Request, res: Response, values: Record<string, string> | null, errors: Record<string, string> = {}, status = 200, removeEmblem = false) {
  const kop = await getSetting('surat.kop');
  const layout = await getSetting('surat.tata_letak');
  const v = values ?? formValues(kop, layout);
  const pending = pendingEmblem(req);
  const shown = await emblemDataUri(removeEmblem ? null : pending?.sha256 ?? kop.emblemSha);
  // The preview follows the form as typed, so a refused form still shows what it would print.
  const lines = [v.line1, v.line2, v.line3].map((l) => (l ?? '').trim().toLocaleUpperCase('id-ID')).filter(Boolean);
  const contact = contactLinesOf({ ...kop, address: v.address ?? '', phone: v.phone ?? '', fax: v.fax ?? '', website: v.website ?? '', email: v.email ?? '', postalCode: v.postalCode ?? '' });
  res.status(status).render('admin/kop', {
    title: 'Kop Surat dan Tata Letak', v, errors, emblem: shown, pending: !!pending && !removeEmblem, removeEmblem,
    hasUpload: !!kop.emblemSha, preview: { lines, contact }, FONT_NAMES, LINE_SPACINGS, MIN_MARGIN_CM, PAPER_LABEL,
    action: `${PATH}?_csrf=${encodeURIComponent(String(res.locals.csrfToken))}`,
  });
}

router.get(PATH, requireLogin, requireThat(isAdmin), async (req, res) => {
  setPendingEmblem(req, null);
  await render(req, res, null);
});

router.post(PATH, requireLogin, requireThat(isAdmin), uploadFields([{ name: 'emblem', maxCount: 1 }]), async (req, res) => {
  const b = Object.fromEntries(Object.entries(req.body as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : ''])) as Record<string, string>;
  const tmp = filesOf(req);
  const remove = b.removeEmblem === '1';
  if (req.uploadError) {
    await discardTmp(tmp);
    return render(req, res, b, { emblem: req.uploadError }, 400, remove);
  }
  let emblem: EmblemUpload | 'hapus' | undefined = remove ? 'hapus' : pendingEmblem(req) ?? undefined;
  if (tmp.length && !remove) {
    const { stored, errors } = await storeUploads(tmp, () => 'lampiran', { accept: ['image/png', 'image/jpeg'], acceptMessage: () => 'Lambang harus berupa gambar PNG atau JPEG, bukan PDF.' });
    const img = stored[0];
    if (errors.length || !img || (img.mime !== 'image/png' && img.mime !== 'image/jpeg')) {
      await releaseUploads(stored);
      return render(req, res, b, { emblem: errors.map((e) => e.message).join(' ') || 'Pilih berkas lambang.' }, 422, remove);
    }
    emblem = { sha256: img.sha256, size: img.size, mime: img.mime };
    setPendingEmblem(req, emblem, img.originalName);
  } else if (tmp.length) {
    await discardTmp(tmp);
  }
  try {
    await updateKop({ actor: actorOf(req), form: b, emblem });
  } catch (err) {
    if (err instanceof ValidationError) {
      if (err.fields.emblem) {
        const pending = pendingEmblem(req);
        if (pending) await releaseUploads([{ sha256: pending.sha256, created: true }]);
        setPendingEmblem(req, null);
      }
      return render(req, res, b, err.fields, 422, remove);
    }
    throw err;
  }
  setPendingEmblem(req, null);
  flash(req, 'ok', 'Kop surat dan tata letak disimpan. Surat yang dibuat sesudah ini memakai pengaturan baru.');
  res.redirect(303, PATH);
});

export default router;
