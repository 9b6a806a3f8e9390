import { Router, type Response } from 'express';
import { DomainCaseType, DomainCaseTypeVersion, NAME_KIND_LABEL } from '../../models';
import { requireLogin, requireThat, actorOf, flash, idParam } from '../../platform/http/guards';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { STEP_ACTOR_LABEL, STEP_KIND_LABEL, EFFECT_LABEL } from '../../modules/domain/caseTypeDefinitions';
import { ensureCaseTypes, definitionOf, listCaseTypes, reviseCaseType, typeVersions, type TypeWithDefinition } from '../../modules/domain/domainCaseTypes';
import { userNames } from '../../modules/org';
import { domainSettingsForm, updateDomainSettings, type DomainSettingsForm } from '../../modules/domain/domainSettings';

/**
 * Admin pages of the domain case types (Jenis Kasus Domain): each type's steps and checklist
 * as JSON, revised into a new version; cases keep the version they were opened with.
 */
const router = Router();
const PATH = '/admin/jenis-kasus-domain';
const adminOnly = requireThat((a) => !!a.user.isAdmin);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const labels = { STEP_ACTOR_LABEL, STEP_KIND_LABEL, EFFECT_LABEL, NAME_KIND_LABEL };
const DEF_PREFIX = 'Definisi tidak valid: ';

async function renderList(res: Response, settings: DomainSettingsForm | null, errors: Record<string, string> = {}, status = 200) {
  const types = await listCaseTypes(false);
  res.status(status).render('domain/admin-types', {
    title: 'Jenis Kasus Domain', types, settings: settings ?? await domainSettingsForm(), errors, ...labels,
    formError: Object.keys(errors).length ? 'Pengaturan belum disimpan. Periksa kembali isian yang ditandai.' : null,
  });
}

router.get(PATH, requireLogin, adminOnly, async (_req, res) => {
  await renderList(res, null);
});

// Name rules, registrar limits and fee, expiry reminders (before /:id, which takes numbers only).
router.post(`${PATH}/pengaturan`, requireLogin, adminOnly, async (req, res) => {
  const b = (req.body ?? {}) as Record<string, unknown>;
  const types = b.allowedTypes;
  const f: DomainSettingsForm = {
    reserved: str(b.reserved).slice(0, 5000), regionSuffixes: str(b.regionSuffixes).slice(0, 200), parentDomain: str(b.parentDomain).slice(0, 260),
    allowedTypes: Array.isArray(types) ? types.map(str) : [str(types)].filter(Boolean), maxKb: str(b.maxKb).slice(0, 12),
    feePerYear: str(b.feePerYear).slice(0, 15), ppnPercent: str(b.ppnPercent).slice(0, 8), reminderDays: str(b.reminderDays).slice(0, 60),
  };
  try {
    await updateDomainSettings(actorOf(req), f);
    flash(req, 'ok', 'Pengaturan domain disimpan.');
    res.redirect(303, PATH);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    await renderList(res, f, err.fields, 422);
  }
});

async function loadType(id: number): Promise<TypeWithDefinition> {
  await ensureCaseTypes();
  const type = await DomainCaseType.findByPk(id);
  if (!type) throw new NotFoundError('Jenis kasus tidak ditemukan.');
  const version = await DomainCaseTypeVersion.findOne({ where: { typeId: type.id, version: type.currentVersion } });
  if (!version) throw new NotFoundError('Versi jenis kasus tidak ditemukan.');
  return { type, version, def: await definitionOf(version.id) };
}

interface FormValues { json: string; note: string; active: boolean }

async function renderType(res: Response, id: number, values: FormValues | null, errors: Record<string, string> = {}, status = 200) {
  const t = await loadType(id);
  const versions = await typeVersions(t.type.id);
  const names = await userNames(versions.map((v) => v.createdByUserId).filter((x): x is number => !!x));
  const v: FormValues = values ?? { json: JSON.stringify(t.def, null, 2), note: '', active: t.type.active };
  const defError = errors.definition ?? '';
  // The service lists every problem of a definition in one message, separated by "; ".
  const problems = defError.startsWith(DEF_PREFIX) ? defError.slice(DEF_PREFIX.length).split('; ').filter(Boolean) : defError ? [defError] : [];
  res.status(status).render('domain/admin-type', {
    title: `Jenis kasus: ${t.type.name}`, ...t, versions, userNames: names, v, errors, problems,
    formError: Object.keys(errors).length ? 'Perubahan belum disimpan. Periksa kembali isian yang ditandai.' : null, ...labels,
  });
}

router.get(`${PATH}/:id`, requireLogin, adminOnly, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Jenis kasus tidak ditemukan.');
  await renderType(res, id, null);
});

router.post(`${PATH}/:id`, requireLogin, adminOnly, async (req, res) => {
  const id = idParam(req.params.id);
  if (!id) throw new NotFoundError('Jenis kasus tidak ditemukan.');
  const b = (req.body ?? {}) as Record<string, unknown>;
  const values: FormValues = { json: str(b.definition).replace(/\r\n/g, '\n'), note: str(b.note).slice(0, 600), active: str(b.active) === '1' };
  try {
    const version = await reviseCaseType({ actor: actorOf(req), typeId: id, json: values.json, note: values.note, active: values.active });
    flash(req, 'ok', `Versi ${version.version} disimpan. Kasus yang sudah dibuka tetap memakai versinya; kasus baru memakai versi ${version.version}.`);
    res.redirect(303, `${PATH}/${id}`);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    await renderType(res, id, values, err.fields, 422);
  }
});

export default router;
