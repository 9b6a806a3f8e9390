import { Router, type Request, type Response } from 'express';
import { requireLogin, requireThat, actorOf, flash } from '../../platform/http/guards';
import { isAdmin } from '../../modules/surat-masuk';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { ChromiumLaunchError, ChromiumMissingError, PdfUnavailableError } from '../../platform/pdfRenderer';
import { JenisNaskah, Klasifikasi, User } from '../../models';
import {
  FIELD_TYPE_LABEL, KEY_RE, getTemplate, getTemplateVersion, listAllTemplates, templateHistory, type LetterTemplate,
} from '../../modules/templat/letterTemplates';
import { formOfTemplate, saveTemplate, templateFromForm, type TemplateForm } from '../../modules/templat/templateSaver';
import { previewTemplatePdf } from '../../modules/templat/templatePreview';
import { contentDisposition } from '../files';

/**
 * Letter templates for the admin: the list, adding and editing (each save a new version),
 * the history, and a PDF preview with the sample data, of a saved version or of the form as it
 * is (nothing saved). Mounted before routes/org/admin.ts, whose /admin/:entity would take /admin/templat.
 */
const router = Router();
router.use('/admin/templat', requireLogin, requireThat(isAdmin));

const BASE = '/admin/templat';

async function formOptions() {
  const [jenis, klas] = await Promise.all([
    JenisNaskah.findAll({ order: [['sortOrder', 'ASC'], ['name', 'ASC']] }),
    Klasifikasi.findAll({ where: { active: true }, order: [['code', 'ASC']] }),
  ]);
  return {
    jenisOptions: jenis.map((j) => ({ value: j.code, label: j.name })),
    klasOptions: klas.map((k) => ({ value: k.code, label: `${k.code} ${k.name}` })),
  };
}

interface FormPage {
  key: string | null;
  values: Record<string, string>;
  errors?: Record<string, string>;
  expectedVersion: number;
  tpl?: LetterTemplate | null;
  formError?: string | null;
}

async function renderForm(res: Response, p: FormPage, status = 200) {
  const history = p.key ? await templateHistory(p.key) : [];
  const users = new Map((await User.findAll({ where: { id: history.map((h) => h.savedById).filter((x): x is number => !!x) }, attributes: ['id', 'name'] })).map((u) => [u.id, u.name]));
  res.status(status).render('templates/form', {
    title: p.key ? `Ubah Templat: ${p.tpl?.name ?? p.key}` : 'Tambah Templat Surat',
    key: p.key, v: p.values, errors: p.errors ?? {}, expectedVersion: p.expectedVersion, tpl: p.tpl ?? null, formError: p.formError ?? null,
    history: history.map((h) => ({ ...h, savedBy: h.savedById ? users.get(h.savedById) ?? '' : '' })),
    FIELD_TYPE_LABEL, ...(await formOptions()),
  });
}

const formOf = (req: Request): TemplateForm & Record<string, unknown> => (req.body ?? {}) as TemplateForm & Record<string, unknown>;
const strings = (b: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(b).filter(([k]) => k !== '_csrf').map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1] ?? '') : '']));
const versionOf = (v: unknown): number => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : -1);

/** A template key from the URL, or 404. */
async function loadTemplate(req: Request): Promise<LetterTemplate> {
  const key = String(req.params.key ?? '');
  const tpl = KEY_RE.test(key) ? await getTemplate(key) : null;
  if (!tpl) throw new NotFoundError('Templat surat tidak ditemukan.');
  return tpl;
}

async function sendPdf(req: Request, res: Response, make: () => Promise<Buffer>, filename: string, back: string) {
  let pdf: Buffer;
  try {
    pdf = await make();
  } catch (err) {
    if (!(err instanceof PdfUnavailableError)) throw err;
    if (!(err instanceof ChromiumMissingError)) {
      console.error(`[${new Date().toISOString()}] ${req.method} ${req.originalUrl}: ${err.message}${err instanceof ChromiumLaunchError ? ` (${err.reason})` : ''}`);
    }
    res.setHeader('Retry-After', '30');
    return res.status(503).render('errors/503', { title: 'PDF tidak dapat dibuat', message: err.message, back });
  }
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Length', String(pdf.length));
  res.setHeader('Content-Disposition', contentDisposition('inline', filename));
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.removeHeader('Content-Security-Policy');
  res.end(pdf);
}

// ---- list

router.get(BASE, async (_req, res) => {
  const templates = await listAllTemplates();
  const jenis = new Map((await JenisNaskah.findAll()).map((j) => [j.code, j.name]));
  res.render('templates/index', { title: 'Templat Surat', templates, jenis });
});

// ---- new

router.get(`${BASE}/baru`, async (req, res) => {
  const from = typeof req.query.dari === 'string' && KEY_RE.test(req.query.dari) ? await getTemplate(req.query.dari) : null;
  const values: Record<string, string> = from
    ? { ...formOfTemplate(from), key: `${from.key}-salinan`.slice(0, 60), name: `${from.name} (salinan)`, active: '1' }
    : { key: '', name: '', description: '', jenisNaskahCode: 'surat_dinas', layout: 'surat', defaultPerihal: '', defaultKlasifikasi: '', fields: '[\n  { "name": "isi", "label": "Isi", "type": "textarea", "required": true }\n]', sample: '{\n  "isi": "Contoh isi surat."\n}', preview: '', source: '<p><%= values.isi %></p>\n', active: '1' };
  await renderForm(res, { key: null, values, expectedVersion: 0 });
});

router.post(BASE, async (req, res) => {
  const b = formOf(req);
  try {
    const saved = await saveTemplate({ actor: actorOf(req), key: null, form: b, expectedVersion: 0 });
    flash(req, 'ok', `Templat "${saved.name}" ditambahkan (versi ${saved.version}).`);
    res.redirect(303, `${BASE}/${saved.key}`);
  } catch (err) {
    if (err instanceof ValidationError || err instanceof ConflictError) {
      return renderForm(res, { key: null, values: strings(b), errors: err instanceof ValidationError ? err.fields : {}, expectedVersion: 0, formError: err.message }, err.status);
    }
    throw err;
  }
});

// ---- preview of the form as it stands (nothing is saved)

router.post(`${BASE}/pratinjau`, async (req, res) => {
  const b = formOf(req);
  const original = typeof b.originalKey === 'string' && KEY_RE.test(b.originalKey) ? b.originalKey : null;
  const current = original ? await getTemplate(original) : null;
  // A new template may be previewed before it has a key.
  if (!current && !(typeof b.key === 'string' && b.key.trim())) b.key = 'pratinjau';
  let tpl: LetterTemplate;
  try {
    tpl = await templateFromForm(b, current ? current.key : null, { checkKeyFree: false });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return renderForm(res, { key: current?.key ?? null, tpl: current, values: strings(b), errors: err.fields, expectedVersion: versionOf(b.expectedVersion), formError: 'Pratinjau tidak dapat dibuat: periksa isian yang ditandai.' }, 422);
  }
  await sendPdf(req, res, () => previewTemplatePdf(tpl), `pratinjau-${tpl.key || 'templat'}.pdf`, current ? `${BASE}/${current.key}` : BASE);
});

// ---- one template

router.get(`${BASE}/:key`, async (req, res) => {
  const tpl = await loadTemplate(req);
  await renderForm(res, { key: tpl.key, tpl, values: formOfTemplate(tpl), expectedVersion: tpl.version });
});

router.post(`${BASE}/:key`, async (req, res) => {
  const tpl = await loadTemplate(req);
  const b = formOf(req);
  const expectedVersion = versionOf(b.expectedVersion);
  try {
    const saved = await saveTemplate({ actor: actorOf(req), key: tpl.key, form: b, expectedVersion });
    flash(req, 'ok', `Templat "${saved.name}" disimpan sebagai versi ${saved.version}.`);
    res.redirect(303, `${BASE}/${saved.key}`);
  } catch (err) {
    if (err instanceof ValidationError || err instanceof ConflictError) {
      return renderForm(res, { key: tpl.key, tpl, values: strings(b), errors: err instanceof ValidationError ? err.fields : {}, expectedVersion, formError: err.message }, err.status);
    }
    throw err;
  }
});

router.get(`${BASE}/:key/pratinjau.pdf`, async (req, res) => {
  const current = await loadTemplate(req);
  const v = typeof req.query.versi === 'string' ? versionOf(req.query.versi) : current.version;
  const tpl = v === current.version ? current : await getTemplateVersion(current.key, v);
  if (!tpl) throw new NotFoundError('Versi templat tidak ditemukan.');
  await sendPdf(req, res, () => previewTemplatePdf(tpl), `pratinjau-${tpl.key}-v${tpl.version}.pdf`, `${BASE}/${tpl.key}`);
});

router.get(`${BASE}/:key/versi/:version`, async (req, res) => {
  const current = await loadTemplate(req);
  const tpl = await getTemplateVersion(current.key, versionOf(String(req.params.version)));
  if (!tpl) throw new NotFoundError('Versi templat tidak ditemukan.');
  res.render('templates/version', { title: `${tpl.name}, versi ${tpl.version}`, tpl, current, values: formOfTemplate(tpl) });
});

export default router;
