import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional,
} from 'sequelize';

/**
 * Domain and subdomain cases (issue #6). The steps a case walks through are data (a case type
 * version's definition, modules/domain/caseTypeDefinitions.ts); the case records where it stands:
 *
 *   berjalan --each step done in order--> ... --last step (laporan: reply signed and sent)--> selesai
 *   a decision step (registrar answer "revisi") loops back to an earlier step
 *   a rejection (registrar or Pejabat Domain) jumps to the report step; the case ends "ditolak"
 *   berjalan --batalkan (Pejabat Domain, with a reason)--> dibatalkan
 */
export const CASE_STATUS = ['berjalan', 'selesai', 'ditolak', 'dibatalkan'] as const;
export type CaseStatus = (typeof CASE_STATUS)[number];
export const CASE_STATUS_LABEL: Record<CaseStatus, string> = {
  berjalan: 'Berjalan', selesai: 'Selesai', ditolak: 'Ditolak', dibatalkan: 'Dibatalkan',
};

export const NAME_KINDS = ['go.id', 'desa.id', 'subdomain'] as const;
export type DomainNameKind = (typeof NAME_KINDS)[number];
export const NAME_KIND_LABEL: Record<DomainNameKind, string> = { 'go.id': 'Domain .go.id', 'desa.id': 'Domain .desa.id', subdomain: 'Subdomain' };

export const REGISTRY_STATUS = ['aktif', 'suspensi', 'dihapus'] as const;
export type RegistryStatus = (typeof REGISTRY_STATUS)[number];
export const REGISTRY_STATUS_LABEL: Record<RegistryStatus, string> = { aktif: 'Aktif', suspensi: 'Disuspensi', dihapus: 'Dihapus' };

/** Verification state of one checklist slot, set by the Pejabat Domain. */
export const SLOT_STATES = ['belum', 'lengkap', 'revisi'] as const;
export type SlotState = (typeof SLOT_STATES)[number];
export const SLOT_STATE_LABEL: Record<SlotState, string> = { belum: 'Belum diperiksa', lengkap: 'Lengkap', revisi: 'Perlu revisi' };

export class DomainCaseType extends Model<InferAttributes<DomainCaseType>, InferCreationAttributes<DomainCaseType>> {
  declare id: CreationOptional<number>;
  declare key: string;
  declare name: string;
  declare path: 'registrar' | 'lokal';
  declare sortOrder: CreationOptional<number>;
  declare active: CreationOptional<boolean>;
  declare currentVersion: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class DomainCaseTypeVersion extends Model<InferAttributes<DomainCaseTypeVersion>, InferCreationAttributes<DomainCaseTypeVersion>> {
  declare id: CreationOptional<number>;
  declare typeId: number;
  declare version: number;
  /** JSON of modules/domain/caseTypeDefinitions.ts CaseTypeDefinition. */
  declare definition: string;
  declare note: string | null;
  declare createdByUserId: number | null;
  declare createdAt: Date;
}

export class DomainRegistryEntry extends Model<InferAttributes<DomainRegistryEntry>, InferCreationAttributes<DomainRegistryEntry>> {
  declare id: CreationOptional<number>;
  declare fqdn: string;
  declare kind: DomainNameKind;
  declare ownerAgencyId: number | null;
  declare status: RegistryStatus;
  declare registeredAt: string | null;
  declare activatedAt: string | null;
  declare expiresAt: string | null;
  declare hostingNotes: string | null;
  declare dnsNotes: string | null;
  /** The last expiry reminder sent (30, 14 or 7 days before); reset when the expiry moves. */
  declare lastReminderDays: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export interface HostingNeed { diskGb: number | null; stack: string | null; app: 'baru' | 'ada' | null; notes: string | null }

export class DomainCase extends Model<InferAttributes<DomainCase>, InferCreationAttributes<DomainCase>> {
  declare id: CreationOptional<number>;
  declare typeId: number;
  declare typeVersionId: number;
  declare trackingCode: string;
  declare nameKind: DomainNameKind;
  declare requestedName: string;
  /** requestedName while the case is open, NULL once closed (unique: one open case per name). */
  declare openName: string | null;
  declare applicantAgencyId: number;
  declare purpose: string;
  declare techName: string;
  declare techNip: string | null;
  declare techEmail: string;
  declare techPhone: string;
  /** JSON HostingNeed, for subdomain requests that ask for hosting. */
  declare hosting: string | null;
  declare letterId: number | null;
  declare dispositionId: number | null;
  declare registryId: number | null;
  declare pejabatPositionId: number;
  declare status: CaseStatus;
  declare outcome: 'disetujui' | 'ditolak' | null;
  declare currentStepKey: string | null;
  declare stepStartedAt: Date | null;
  declare stepDueAt: Date | null;
  declare stepLateNotifiedAt: Date | null;
  declare replyLetterId: number | null;
  declare sekdaLetterId: number | null;
  declare registrarRef: string | null;
  declare openedByUserId: number | null;
  /** Generated when the form was shown: a second submit of the same form returns the first case. */
  declare submissionKey: string | null;
  declare closedAt: Date | null;
  declare lockVersion: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export const CASE_EVENT_ACTIONS = ['dibuka', 'selesai', 'revisi', 'ditolak', 'dibatalkan', 'ditutup', 'diubah', 'dokumen', 'periksa', 'surat', 'terlambat'] as const;
export type CaseEventAction = (typeof CASE_EVENT_ACTIONS)[number];

export class DomainCaseEvent extends Model<InferAttributes<DomainCaseEvent>, InferCreationAttributes<DomainCaseEvent>> {
  declare id: CreationOptional<number>;
  declare caseId: number;
  declare stepKey: string | null;
  declare stepLabel: string | null;
  declare action: CaseEventAction;
  declare outcome: string | null;
  declare note: string | null;
  /** JSON: what the step recorded (registrar reference, payment, dates...). */
  declare data: string | null;
  declare actorUserId: number | null;
  declare actorPositionId: number | null;
  declare sopMinutes: number | null;
  declare startedAt: Date | null;
  declare dueAt: Date | null;
  declare late: CreationOptional<boolean>;
  declare createdAt: Date;
}

export class DomainCaseDocument extends Model<InferAttributes<DomainCaseDocument>, InferCreationAttributes<DomainCaseDocument>> {
  declare id: CreationOptional<number>;
  declare caseId: number;
  declare slotKey: string;
  declare version: number;
  declare blobSha: string;
  declare originalName: string;
  declare mime: string;
  declare size: number;
  /** JSON string[]: what breaks the registrar's upload limits, to fix before submission. */
  declare warnings: string | null;
  declare uploadedByUserId: number | null;
  declare uploadedAt: Date;
}

export class DomainCaseSlot extends Model<InferAttributes<DomainCaseSlot>, InferCreationAttributes<DomainCaseSlot>> {
  declare id: CreationOptional<number>;
  declare caseId: number;
  declare slotKey: string;
  declare state: SlotState;
  declare note: string | null;
  declare currentDocumentId: number | null;
  declare verifiedByUserId: number | null;
  declare verifiedAt: Date | null;
}

export function initDomainModels(sequelize: Sequelize): void {
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  const str = (n: number, allowNull = false) => ({ type: DataTypes.STRING(n), allowNull });
  const text = (allowNull = true) => ({ type: DataTypes.TEXT, allowNull });
  const int = (allowNull = true) => ({ type: DataTypes.INTEGER, allowNull });
  const date = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });
  DomainCaseType.init({
    id, key: str(40), name: str(200), path: str(12),
    sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    currentVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    createdAt: date(false), updatedAt: date(false),
  }, { sequelize, tableName: 'domain_case_types' });
  DomainCaseTypeVersion.init({
    id, typeId: int(false), version: int(false), definition: text(false), note: str(500, true), createdByUserId: int(), createdAt: date(false),
  }, { sequelize, tableName: 'domain_case_type_versions', timestamps: false });
  DomainRegistryEntry.init({
    id, fqdn: str(253), kind: str(12), ownerAgencyId: int(), status: str(12),
    registeredAt: { type: DataTypes.DATEONLY, allowNull: true }, activatedAt: { type: DataTypes.DATEONLY, allowNull: true },
    expiresAt: { type: DataTypes.DATEONLY, allowNull: true }, hostingNotes: text(), dnsNotes: text(), lastReminderDays: int(),
    createdAt: date(false), updatedAt: date(false),
  }, { sequelize, tableName: 'domain_registry' });
  DomainCase.init({
    id, typeId: int(false), typeVersionId: int(false), trackingCode: str(20), nameKind: str(12), requestedName: str(253), openName: str(253, true),
    applicantAgencyId: int(false), purpose: text(false), techName: str(200), techNip: str(18, true), techEmail: str(255), techPhone: str(40),
    hosting: text(), letterId: int(), dispositionId: int(), registryId: int(), pejabatPositionId: int(false), status: str(12), outcome: str(12, true),
    currentStepKey: str(40, true), stepStartedAt: date(), stepDueAt: date(), stepLateNotifiedAt: date(), replyLetterId: int(), sekdaLetterId: int(),
    registrarRef: str(120, true), openedByUserId: int(), submissionKey: str(64, true), closedAt: date(),
    lockVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: date(false), updatedAt: date(false),
  }, { sequelize, tableName: 'domain_cases' });
  DomainCaseEvent.init({
    id, caseId: int(false), stepKey: str(40, true), stepLabel: str(200, true), action: str(20), outcome: str(20, true), note: text(), data: text(),
    actorUserId: int(), actorPositionId: int(), sopMinutes: int(), startedAt: date(), dueAt: date(),
    late: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false }, createdAt: date(false),
  }, { sequelize, tableName: 'domain_case_events', timestamps: false });
  DomainCaseDocument.init({
    id, caseId: int(false), slotKey: str(40), version: int(false), blobSha: str(64), originalName: str(255), mime: str(100), size: int(false),
    warnings: text(), uploadedByUserId: int(), uploadedAt: date(false),
  }, { sequelize, tableName: 'domain_case_documents', timestamps: false });
  DomainCaseSlot.init({
    id, caseId: int(false), slotKey: str(40), state: str(12), note: text(), currentDocumentId: int(), verifiedByUserId: int(), verifiedAt: date(),
  }, { sequelize, tableName: 'domain_case_slots', timestamps: false });
}
