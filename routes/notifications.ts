import { Router } from 'express';
import { Op } from 'sequelize';
import { Notification } from '../models';
import { requireLogin, actorOf, flash, idParam } from '../platform/http/guards';
import { NotFoundError } from '../platform/errors';
import { now } from '../platform/clock';

const router = Router();
const PAGE = 50;

/** Labels of notification kinds; an unknown kind is shown without a label. */
const KIND_LABEL: Record<string, string> = {
  disposisi_baru: 'Disposisi baru', pengingat_tenggat: 'Pengingat tenggat', lewat_tenggat: 'Lewat tenggat',
  eskalasi: 'Eskalasi', laporan_disposisi: 'Laporan disposisi', disposisi_selesai: 'Disposisi selesai',
  disposisi_ditarik: 'Disposisi ditarik', surat_ditutup: 'Surat ditutup',
};

/** A notification's link, only when it stays on this site ("/..." but not "//host"). */
const localUrl = (u: string | null): string | null => (u && /^\/(?![/\\])/.test(u) && !/[\\\s]/.test(u) ? u : null);

// The user's notifications, newest first, 50 a page (keyset on id: ?sebelum=<id>).
router.get('/notifikasi', requireLogin, async (req, res) => {
  const actor = actorOf(req);
  const before = idParam(req.query.sebelum);
  const rows = await Notification.findAll({
    where: { userId: actor.user.id, ...(before ? { id: { [Op.lt]: before } } : {}) },
    order: [['id', 'DESC']], limit: PAGE + 1,
  });
  const more = rows.length > PAGE;
  const items = rows.slice(0, PAGE).map((n) => ({ n, href: localUrl(n.url) }));
  res.render('notifications/index', { title: 'Notifikasi', items, next: more ? items[items.length - 1].n.id : null, firstPage: !before, before, kindLabel: KIND_LABEL });
});

// Mark every notification of the user read.
router.post('/notifikasi/baca-semua', requireLogin, async (req, res) => {
  const actor = actorOf(req);
  const [n] = await Notification.update({ readAt: now() }, { where: { userId: actor.user.id, readAt: null } });
  flash(req, n ? 'ok' : 'info', n ? `${n} notifikasi ditandai sudah dibaca.` : 'Tidak ada notifikasi yang belum dibaca.');
  res.redirect(303, '/notifikasi');
});

// Mark one read (only the owner's; anyone else gets 404), then open what it is about, or
// return to the list (field kembali, from the list's "Tandai dibaca"; its value is the page's `sebelum`).
router.post('/notifikasi/:id/baca', requireLogin, async (req, res) => {
  const actor = actorOf(req);
  const id = idParam(req.params.id);
  const n = id ? await Notification.findOne({ where: { id, userId: actor.user.id } }) : null;
  if (!n) throw new NotFoundError('Notifikasi tidak ditemukan.');
  if (!n.readAt) await Notification.update({ readAt: now() }, { where: { id: n.id, readAt: null } });
  const back = (req.body as Record<string, unknown> | undefined)?.kembali;
  if (back !== undefined) {
    const page = idParam(back);
    return res.redirect(303, page ? `/notifikasi?sebelum=${page}` : '/notifikasi');
  }
  res.redirect(303, localUrl(n.url) ?? '/notifikasi');
});

export default router;
