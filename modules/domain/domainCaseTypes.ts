import { DomainCaseType, DomainCaseTypeVersion } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { parseDefinition, SEED_CASE_TYPES, DEFINITION_SCHEMA, type CaseTypeDefinition } from './caseTypeDefinitions';
import { recordEvent } from '../../platform/audit';
import type { Actor } from '../../platform/actor';

/**
 * The case types of the Pejabat Domain (modules/domain/caseTypeDefinitions.ts) in the database: each type
 * with its versions. Seeded from SEED_CASE_TYPES the first time they are needed; an admin's
 * revision is a new version, and cases keep the version they were opened with.
 */
let seeded: Promise<void> | null = null;
export function ensureCaseTypes(): Promise<void> {
  if (!seeded) {
    seeded = (async () => {
      if (await DomainCaseType.count()) return;
      await tx(async (t) => {
        const at = now();
        for (const s of SEED_CASE_TYPES) {
          if (await DomainCaseType.findOne({ where: { key: s.key }, transaction: t })) continue;
          const type = await DomainCaseType.create({ key: s.key, name: s.def.name, path: s.def.path, sortOrder: s.sortOrder, active: true, currentVersion: 1, createdAt: at, updatedAt: at }, { transaction: t });
          await DomainCaseTypeVersion.create({ typeId: type.id, version: 1, definition: JSON.stringify(s.def), note: 'Versi awal dari SOP 38-46', createdByUserId: null, createdAt: at }, { transaction: t });
        }
      });
    })().catch((err) => { seeded = null; throw err; });
  }
  return seeded;
}
/** Forget that the types were seeded (tests that empty the tables). */
export function resetCaseTypeSeed(): void { seeded = null; definitions.clear(); }

const definitions = new Map<number, CaseTypeDefinition>();
/** A version's definition (versions never change, so they are kept in memory once read). */
export async function definitionOf(versionId: number): Promise<CaseTypeDefinition> {
  const hit = definitions.get(versionId);
  if (hit) return hit;
  const v = await DomainCaseTypeVersion.findByPk(versionId);
  if (!v) throw new NotFoundError('Versi jenis kasus tidak ditemukan.');
  const def = DEFINITION_SCHEMA.parse(JSON.parse(v.definition));
  definitions.set(versionId, def);
  return def;
}

export interface TypeWithDefinition { type: DomainCaseType; version: DomainCaseTypeVersion; def: CaseTypeDefinition }

export async function currentType(key: string): Promise<TypeWithDefinition | null> {
  await ensureCaseTypes();
  const type = await DomainCaseType.findOne({ where: { key } });
  if (!type) return null;
  const version = await DomainCaseTypeVersion.findOne({ where: { typeId: type.id, version: type.currentVersion } });
  if (!version) return null;
  return { type, version, def: await definitionOf(version.id) };
}

export async function listCaseTypes(activeOnly = true): Promise<TypeWithDefinition[]> {
  await ensureCaseTypes();
  const types = await DomainCaseType.findAll({ where: activeOnly ? { active: true } : {}, order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
  const out: TypeWithDefinition[] = [];
  for (const type of types) {
    const version = await DomainCaseTypeVersion.findOne({ where: { typeId: type.id, version: type.currentVersion } });
    if (version) out.push({ type, version, def: await definitionOf(version.id) });
  }
  return out;
}

export async function typeVersions(typeId: number): Promise<DomainCaseTypeVersion[]> {
  return DomainCaseTypeVersion.findAll({ where: { typeId }, order: [['version', 'DESC']] });
}

/**
 * An admin revises a type: the JSON definition is validated (every problem listed, in
 * Indonesian, with its place) and saved as the next version; open cases keep theirs.
 */
export async function reviseCaseType(p: { actor: Actor; typeId: number; json: string; note: string; active: boolean }): Promise<DomainCaseTypeVersion> {
  if (!p.actor.user.isAdmin) throw new ValidationError({ definition: 'Hanya admin yang dapat mengubah jenis kasus.' });
  const note = p.note.trim();
  if (!note) throw new ValidationError({ note: 'Tuliskan alasan perubahan (misalnya nomor SOP atau peraturan yang direvisi).' });
  if (note.length > 500) throw new ValidationError({ note: 'Alasan perubahan maksimal 500 karakter.' });
  const parsed = parseDefinition(p.json);
  if (!parsed.ok) throw new ValidationError({ definition: `Definisi tidak valid: ${parsed.errors.slice(0, 8).join('; ')}` });
  return tx(async (t) => {
    const type = await DomainCaseType.findByPk(p.typeId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!type) throw new NotFoundError('Jenis kasus tidak ditemukan.');
    const at = now();
    const version = await DomainCaseTypeVersion.create({
      typeId: type.id, version: type.currentVersion + 1, definition: JSON.stringify(parsed.def), note, createdByUserId: p.actor.user.id, createdAt: at,
    }, { transaction: t });
    const before = { versi: type.currentVersion, nama: type.name, aktif: type.active };
    await type.update({ currentVersion: version.version, name: parsed.def.name, path: parsed.def.path, active: p.active, updatedAt: at }, { transaction: t });
    await recordEvent(t, p.actor, {
      action: 'domain.jenis_diubah', entityType: 'domain_case_type', entityId: type.id, before,
      after: { versi: version.version, nama: type.name, aktif: type.active, catatan: note },
    });
    return version;
  });
}
