import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { Agency, DomainCase, IncomingLetter, JenisNaskah, Klasifikasi, Position } from '../../models';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../../platform/http/guards';
import { uploadFields, filesOf } from '../../platform/http/upload';
import { NotFoundError, ValidationError, ConflictError } from '../../platform/errors';
import { canRegister, canSeeRegister, letterRights, chainOf, authorizeLetter, type LetterRights } from '../../modules/surat-masuk/policies/letter';
import { holdingsAmong, canCloseLetter, treeView } from '../../modules/disposisi';
import { allowedTargets } from '../../modules/disposisi';
import { registerLetter, DuplicateLetterWarning } from '../../modules/surat-masuk/letterRegistrar';
import { correctLetter } from '../../modules/surat-masuk/letterCorrector';
import { markRead } from '../../modules/surat-masuk/letterReader';
import { letterPageData, type LetterPageData } from '../../modules/surat-masuk';
import { storeUploads, discardTmp, type StoredUpload } from '../../platform/uploads';
import { registerPage, registerAll, cleanFilters } from '../../modules/surat-masuk/letterQueries';
import { positionLabels } from '../../modules/org';
import { referenceLists } from '../../modules/org';
import { config } from '../../config';
import { today } from '../../platform/dates';
import { viewHelpers } from '../../platform/http/viewHelpers';
import { parseLetterFields, type LetterForm } from '../../modules/surat-masuk/letterFields';
import { canOpenCase, canSeeDomainBoard } from '../../modules/domain';
import { casesOfLetter } from '../../modules/domain';
import { escapeHtml } from '../../platform/http/viewEngine';

const router = Router();

async function formOptions() {
  const [agencies, positions, klasifikasi, jenis] = await Promise.all([
    Agency.findAll({ where: { active: true }, order: [['name', 'ASC']] }),
    Position.findAll({ where: { active: true }, order: [['rank', 'ASC'], ['name', 'ASC']] }),
    Klasifikasi.findAll({ where: { active: true }, order: [['code', 'ASC']] }),
    JenisNaskah.findAll({ order: [['sortOrder', 'ASC'], ['name', 'ASC']] }),
  ]);
  return { agencies, positions, klasifikasi, jenis };
}

const FORM_FIELDS = ['senderNumber', 'letterDate', 'receivedDate', 'senderAgencyId', 'newSenderName', 'newSenderKind', 'newSenderAddress', 'newSenderCity',
  'perihal', 'sifat', 'urgensi', 'klasifikasi', 'jenisNaskah', 'lampiran', 'summary', 'addressedPositionId'] as const;

function formFrom(body: Record<string, unknown>): LetterForm {
  const f: LetterForm = {};
  for (const k of FORM_FIELDS) if (typeof body[k] === 'string') f[k] = body[k] as string;
  return f;
}

// ---- Register (Buku Agenda) ----

router.get('/surat-masuk', requireLogin, requireThat(canSeeRegister), async (req, res) => {
  const filters = cleanFilters(req.query as Record<string, unknown>);
  const after = idParam(req.query.setelah);
  const { rows, next } = await registerPage(actorOf(req), filters, after);
  const { agencies, klasifikasi } = await referenceLists();
  res.render('letters/register', {
    title: 'Buku Agenda Surat Masuk', rows, next, filters, after, canRegister: canRegister(actorOf(req)),
    senderOptions: filterOptions(agencies, filters.sender, (a) => [String(a.id), a.name]),
    klasifikasiOptions: filterOptions(klasifikasi, filters.klasifikasi, (k) => [k.code, `${k.code} — ${k.name}`]),
  });
});

/**
 * The <option>s of a register filter. The lists are the cached reference lists: the HTML with
 * nothing selected is the same for every request while the list is, so it is kept with it.
 */
const unselectedOptions = new WeakMap<object, string>();
function filterOptions<T>(list: T[], selected: string | undefined, label: (x: T) => [string, string]): string {
  const html = (sel: string | undefined) => list.map((x) => {
    const [value, text] = label(x);
    return `<option value="${escapeHtml(value)}" ${value === sel ? 'selected' : ''}>${escapeHtml(text)}</option>`;
  }).join('');
  if (selected !== undefined) return html(selected);
  let cached = unselectedOptions.get(list);
  if (cached === undefined) unselectedOptions.set(list, (cached = html(undefined)));
  return cached;
}

const csvCell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // keep spreadsheets from running it as a formula
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

router.get('/surat-masuk.csv', requireLogin, requireThat(canSeeRegister), async (req, res) => {
  const filters = cleanFilters(req.query as Record<string, unknown>);
  const labels = await positionLabels((await Position.findAll({ attributes: ['id'] })).map((p) => p.id));
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="buku-agenda-surat-masuk-${today()}.csv"`);
  res.write('\ufeff');
  res.write(['Nomor Agenda', 'Tanggal Diterima', 'Pengirim', 'Nomor Surat', 'Tanggal Surat', 'Perihal', 'Sifat', 'Urgensi', 'Klasifikasi', 'Jenis Naskah', 'Tujuan', 'Status'].join(',') + '\r\n');
  for await (const { letter: l, masked } of registerAll(actorOf(req), filters)) {
    res.write([l.agendaNumber, l.receivedDate, l.senderName, l.senderNumber, l.letterDate, masked ? '(dirahasiakan)' : l.perihal,
      viewHelpers.sifatLabel(l.sifat), viewHelpers.urgensiLabel(l.urgensi), l.klasifikasiCode, l.jenisNaskahCode,
      labels.get(l.addressedPositionId)?.name ?? '', viewHelpers.statusLabel(l.status)].map(csvCell).join(',') + '\r\n');
  }
  res.end();
});

// ---- Registration ----

function pendingFor(req: Request, key: string): StoredUpload[] {
  return req.session.pendingUploads?.[key] ?? [];
}
function savePending(req: Request, key: string, files: StoredUpload[]): void {
  const all = req.session.pendingUploads ?? {};
  all[key] = files;
  const keys = Object.keys(all);
  for (const k of keys.slice(0, Math.max(0, keys.length - 5))) delete all[k];
  req.session.pendingUploads = all;
}

async function renderNew(res: Response, values: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) {
  res.status(status).render('letters/new', {
    title: 'Registrasi Surat Masuk', values, errors: {}, pending: [], duplicates: [], maxFiles: config().maxUploadFiles,
    maxMb: Math.round(config().maxUploadBytes / 1024 / 1024), ...(await formOptions()), ...extra,
  });
}

router.get('/surat-masuk/baru', requireLogin, requireThat(canRegister), async (_req, res) => {
  const kadis = await Position.findOne({ where: { active: true }, order: [['rank', 'ASC'], ['id', 'ASC']] });
  await renderNew(res, {
    submissionKey: crypto.randomBytes(16).toString('hex'), receivedDate: today(), sifat: 'biasa', urgensi: 'biasa',
    addressedPositionId: kadis ? String(kadis.id) : '', jenisNaskah: 'surat_permohonan',
  });
});

router.post('/surat-masuk', requireLogin, requireThat(canRegister),
  uploadFields([{ name: 'scan', maxCount: 1 }, { name: 'lampiranFiles', maxCount: config().maxUploadFiles }]),
  async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const key = typeof body.submissionKey === 'string' && /^[0-9a-f]{32}$/.test(body.submissionKey) ? body.submissionKey : null;
    const tmp = filesOf(req);
    const values = { ...body, submissionKey: key ?? crypto.randomBytes(16).toString('hex') };
    if (!key) {
      await discardTmp(tmp);
      return renderNew(res, values, { errors: {}, formError: 'Formulir tidak lengkap (kunci pengiriman hilang). Isi ulang formulir ini.' }, 400);
    }
    if (req.uploadError) {
      await discardTmp(tmp);
      return renderNew(res, values, { pending: pendingFor(req, key), formError: `${req.uploadError} Data lain belum disimpan; perbaiki lalu kirim lagi.` }, 400);
    }
    const { stored, errors: fileErrors } = await storeUploads(tmp, (f) => (f.fieldname === 'scan' ? 'scan' : 'lampiran'), { partial: true });
    const removed = new Set(Array.isArray(body.removePending) ? body.removePending : typeof body.removePending === 'string' ? [body.removePending] : []);
    let pending = pendingFor(req, key).filter((p) => !removed.has(p.sha256));
    if (stored.some((s) => s.kind === 'scan')) pending = pending.filter((p) => p.kind !== 'scan');
    pending = [...pending, ...stored];
    savePending(req, key, pending);

    const errors: Record<string, string> = {};
    for (const fe of fileErrors) errors[fe.field] = errors[fe.field] ? `${errors[fe.field]} ${fe.message}` : fe.message;
    if (Object.keys(errors).length) {
      // Show every problem at once: the metadata's too.
      Object.assign(errors, { ...(await parseLetterFields(formFrom(body))).errors, ...errors });
      return renderNew(res, values, { errors, pending }, 422);
    }
    try {
      const { letter, created } = await registerLetter({
        actor: actorOf(req), form: formFrom(body), files: pending, submissionKey: key, confirmDuplicate: body.confirmDuplicate === '1',
      });
      if (req.session.pendingUploads) delete req.session.pendingUploads[key];
      flash(req, created ? 'ok' : 'info', created
        ? `Surat masuk terdaftar dengan nomor agenda ${letter.agendaNumber}.`
        : `Formulir ini sudah dikirim sebelumnya; surat terdaftar dengan nomor agenda ${letter.agendaNumber}. Tidak ada surat ganda yang dibuat.`);
      // A confidential letter is closed to the secretariat once registered: land on the register, not on a 404.
      const canOpen = letterRights(actorOf(req), letter, await chainOf(letter.id)).view;
      return res.redirect(303, canOpen ? `/surat-masuk/${letter.id}` : '/surat-masuk');
    } catch (err) {
      if (err instanceof ValidationError) return renderNew(res, values, { errors: err.fields, pending }, 422);
      if (err instanceof DuplicateLetterWarning) return renderNew(res, values, { duplicates: err.existing, pending }, 409);
      throw err;
    }
  });

// ---- Letter page ----

export async function loadLetter(req: Request) {
  const id = idParam(req.params.id);
  const letter = id ? await IncomingLetter.findByPk(id) : null;
  if (!letter) throw new NotFoundError('Surat tidak ditemukan.');
  const chain = await chainOf(letter.id);
  const rights = letterRights(actorOf(req), letter, chain);
  return { letter, chain, rights };
}

router.get('/surat-masuk/:id', requireLogin, async (req, res) => {
  const id = idParam(req.params.id);
  const actor = actorOf(req);
  // The domain cases (for those who see the domain board) are read beside the page's own wave.
  const domainCases = id ? domainCasesFor(actor, id) : Promise.resolve([]);
  let page = id ? await letterPageData(id, actor) : null;
  if (!page) throw new NotFoundError('Surat tidak ditemukan.');
  const rights = letterRights(actor, page.letter, page.chain);
  authorizeLetter(rights, 'view');
  // The first opening marks it read (and answers its notifications); the page then shows that.
  if (rights.inChain && page.unreadForReader && (await markRead(actor, page.letter))) page = (await letterPageData(page.letter.id, actor)) ?? page;
  await renderPage(req, res, page, rights, domainCases);
});

/**
 * The letter page: metadata, scan, files, recipients, the disposition tree with the actions
 * this user may take, and the timeline. Disposition routes re-render it with form errors.
 */
export async function renderLetter(req: Request, res: Response, letter: Pick<IncomingLetter, 'id'>, rights: LetterRights, extra: Record<string, unknown> = {}, status = 200) {
  const actor = actorOf(req);
  const domainCases = domainCasesFor(actor, letter.id);
  const page = await letterPageData(letter.id, actor);
  if (!page) throw new NotFoundError('Surat tidak ditemukan.');
  await renderPage(req, res, page, rights, domainCases, extra, status);
}

/**
 * The letter's domain cases for those who see the domain board, started before the page's rows
 * so both travel together. Marked handled at once: when the page ends early (no such letter, no
 * right to it) nobody awaits it, and its failure must not become an unhandled rejection; the
 * page that does await it still gets the error.
 */
function domainCasesFor(actor: ReturnType<typeof actorOf>, letterId: number): Promise<DomainCase[]> {
  const p = canSeeDomainBoard(actor) ? casesOfLetter(letterId) : Promise.resolve([]);
  p.catch(() => undefined);
  return p;
}

async function renderPage(req: Request, res: Response, page: LetterPageData, rights: LetterRights, domainCasesP: Promise<DomainCase[]>,
  extra: Record<string, unknown> = {}, status = 200) {
  const actor = actorOf(req);
  const { letter } = page;
  // For each position through which the user holds the letter: whom they may dispose to.
  const holdings = holdingsAmong(actor, letter, page.treeRows.dispositions);
  const [disposeFrom, instructions, domainCases] = await Promise.all([
    Promise.all(holdings.map(async (h) => ({ holding: h, targets: await allowedTargets(h.position) }))),
    referenceLists().then((r) => r.instructions.filter((i) => i.active)),
    domainCasesP,
  ]);
  // A large tree shows its upper levels and the reader's own dispositions; ?cabang=ID opens a
  // branch, ?pohon=semua the whole tree.
  const mine = new Set(actor.holdings.map((h) => h.positionId));
  const treePart = treeView(page.tree, {
    all: req.query.pohon === 'semua', focusId: idParam(req.query.cabang),
    keep: (n) => mine.has(n.d.toPositionId) || mine.has(n.d.fromPositionId),
  });
  res.status(status).render('letters/show', {
    title: `Surat ${letter.agendaNumber}`, letter, rights, files: page.files, scan: page.files.find((f) => f.kind === 'scan'),
    items: page.items, events: page.events, users: page.users, labels: page.labels,
    jenis: page.jenis, tree: page.tree, treePart, disposeFrom, instructions, canClose: canCloseLetter(actor, letter), mine,
    errors: {}, values: {}, openForm: null, domainCases, canOpenDomainCase: canOpenCase(actor), ...extra,
  });
}

// ---- Correction by the secretariat ----

async function renderCorrect(res: Response, letter: IncomingLetter, values: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) {
  res.status(status).render('letters/correct', { title: `Koreksi ${letter.agendaNumber}`, letter, values, errors: {}, ...(await formOptions()), ...extra });
}

router.get('/surat-masuk/:id/koreksi', requireLogin, async (req, res) => {
  const { letter, rights } = await loadLetter(req);
  authorizeLetter(rights, 'correct');
  const k = await Klasifikasi.findByPk(letter.klasifikasiCode);
  await renderCorrect(res, letter, {
    senderAgencyId: String(letter.senderAgencyId), senderNumber: letter.senderNumber, letterDate: letter.letterDate, receivedDate: letter.receivedDate,
    perihal: letter.perihal, sifat: letter.sifat, urgensi: letter.urgensi, klasifikasi: k ? `${k.code} — ${k.name}` : letter.klasifikasiCode,
    jenisNaskah: letter.jenisNaskahCode, lampiran: letter.lampiran ?? '', summary: letter.summary ?? '', addressedPositionId: String(letter.addressedPositionId),
    version: String(letter.version), reason: '',
  });
});

router.post('/surat-masuk/:id/koreksi', requireLogin, async (req, res) => {
  const { letter, rights } = await loadLetter(req);
  authorizeLetter(rights, 'correct');
  const body = req.body as Record<string, unknown>;
  const expectedVersion = Number(body.version);
  try {
    await correctLetter({ actor: actorOf(req), letterId: letter.id, form: formFrom(body), reason: typeof body.reason === 'string' ? body.reason : '',
      expectedVersion: Number.isInteger(expectedVersion) ? expectedVersion : -1 });
    flash(req, 'ok', 'Koreksi data surat disimpan.');
    res.redirect(303, `/surat-masuk/${letter.id}`);
  } catch (err) {
    if (err instanceof ValidationError) return renderCorrect(res, letter, body, { errors: err.fields, formError: err.message }, 422);
    if (err instanceof ConflictError) {
      flash(req, 'error', err.message);
      return res.redirect(303, `/surat-masuk/${letter.id}/koreksi`);
    }
    throw err;
  }
});

export default router;
