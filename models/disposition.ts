import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type ForeignKey,
} from 'sequelize';

/**
 * A disposition: one official's instruction sending a letter to one position below them.
 *
 * Status machine (checked by the services, see DISPOSITION_TRANSITIONS):
 *   terkirim --read--> dibaca --dispose further / report--> diproses --complete--> selesai
 *   terkirim --recall (by the disposer, only while unread)--> ditarik
 *   terkirim / dibaca / diproses --complete--> selesai
 * `selesai` and `ditarik` are final: nothing can be done to them any more.
 */
export const DISPOSITION_STATUS = ['terkirim', 'dibaca', 'diproses', 'selesai', 'ditarik'] as const;
export type DispositionStatus = (typeof DISPOSITION_STATUS)[number];
export const DISPOSITION_STATUS_LABEL: Record<DispositionStatus, string> = {
  terkirim: 'Belum dibaca', dibaca: 'Dibaca', diproses: 'Diproses', selesai: 'Selesai', ditarik: 'Ditarik',
};
export const DISPOSITION_TRANSITIONS: Record<DispositionStatus, readonly DispositionStatus[]> = {
  terkirim: ['dibaca', 'diproses', 'selesai', 'ditarik'],
  dibaca: ['diproses', 'selesai'],
  diproses: ['diproses', 'selesai'],
  selesai: [],
  ditarik: [],
};
export const OPEN_DISPOSITION: readonly DispositionStatus[] = ['terkirim', 'dibaca', 'diproses'];

export const PRIORITIES = ['biasa', 'segera', 'sangat_segera'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_LABEL: Record<Priority, string> = { biasa: 'Biasa', segera: 'Segera', sangat_segera: 'Sangat Segera' };

export class DispositionInstruction extends Model<InferAttributes<DispositionInstruction>, InferCreationAttributes<DispositionInstruction>> {
  declare code: string;
  declare label: string;
  declare sortOrder: CreationOptional<number>;
  declare active: CreationOptional<boolean>;
}

export class Disposition extends Model<InferAttributes<Disposition>, InferCreationAttributes<Disposition>> {
  declare id: CreationOptional<number>;
  declare letterId: ForeignKey<number>;
  declare parentId: number | null;
  declare fromPositionId: number;
  declare fromUserId: number;
  declare fromActing: string | null;
  declare toPositionId: number;
  /** JSON array of instruction codes (and free text in `note`). */
  declare instructions: string;
  declare note: string | null;
  declare priority: Priority;
  declare dueAt: Date;
  declare status: DispositionStatus;
  declare readAt: Date | null;
  declare readByUserId: number | null;
  declare completedAt: Date | null;
  declare completedByUserId: number | null;
  declare completedActing: string | null;
  declare result: string | null;
  declare recalledAt: Date | null;
  declare recallReason: string | null;
  declare remindedAt: Date | null;
  declare escalatedAt: Date | null;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  instructionCodes(): string[] { return instructionCodesOf(this); }
  isOpen(): boolean { return isOpenDisposition(this); }
}

/** The instruction codes of a disposition, instance or plain row (a JSON array in the row). */
export function instructionCodesOf(d: { instructions: string }): string[] {
  try { const v = JSON.parse(d.instructions); return Array.isArray(v) ? v.map(String) : []; } catch { return []; }
}
/** Whether a disposition, instance or plain row, is still open (sent, read or in progress). */
export const isOpenDisposition = (d: { status: DispositionStatus }): boolean => OPEN_DISPOSITION.includes(d.status);

export const REPORT_KINDS = ['laporan', 'penyelesaian'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export class DispositionReport extends Model<InferAttributes<DispositionReport>, InferCreationAttributes<DispositionReport>> {
  declare id: CreationOptional<number>;
  declare dispositionId: number;
  declare userId: number;
  declare positionId: number;
  declare acting: string | null;
  declare kind: ReportKind;
  declare body: string;
  declare createdAt: Date;
}

export class DispositionReportFile extends Model<InferAttributes<DispositionReportFile>, InferCreationAttributes<DispositionReportFile>> {
  declare id: CreationOptional<number>;
  declare reportId: number;
  declare blobSha: string;
  declare originalName: string;
  declare mime: string;
  declare size: number;
  declare createdAt: Date;
}

export const SLA_UNITS = ['menit', 'jam', 'hari'] as const;
export type SlaUnit = (typeof SLA_UNITS)[number];

/** SOP step time (Mutu Baku) for a role, optionally specific to a jenis naskah. */
export class SlaRule extends Model<InferAttributes<SlaRule>, InferCreationAttributes<SlaRule>> {
  declare id: CreationOptional<number>;
  declare jenisNaskahCode: string | null;
  declare role: string;
  declare amount: number;
  declare unit: SlaUnit;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Holiday extends Model<InferAttributes<Holiday>, InferCreationAttributes<Holiday>> {
  declare date: string;
  declare name: string;
}

export class Setting extends Model<InferAttributes<Setting>, InferCreationAttributes<Setting>> {
  declare key: string;
  declare value: string;
  declare updatedAt: CreationOptional<Date>;
}

export const EMAIL_STATUS = ['none', 'pending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUS)[number];

export class Notification extends Model<InferAttributes<Notification>, InferCreationAttributes<Notification>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare kind: string;
  declare title: string;
  declare body: string | null;
  declare url: string | null;
  declare letterId: number | null;
  declare dispositionId: number | null;
  declare dedupeKey: string;
  declare createdAt: Date;
  declare readAt: Date | null;
  declare emailStatus: EmailStatus;
  declare emailAttempts: CreationOptional<number>;
  declare emailedAt: Date | null;
  declare emailError: string | null;
}

export function initDispositionModels(sequelize: Sequelize): void {
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  DispositionInstruction.init({
    code: { type: DataTypes.STRING(40), primaryKey: true }, label: { type: DataTypes.STRING(120), allowNull: false },
    sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  }, { sequelize, tableName: 'disposition_instructions', timestamps: false });
  Disposition.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    parentId: { type: DataTypes.INTEGER, allowNull: true },
    fromPositionId: { type: DataTypes.INTEGER, allowNull: false },
    fromUserId: { type: DataTypes.INTEGER, allowNull: false },
    fromActing: { type: DataTypes.STRING(12), allowNull: true },
    toPositionId: { type: DataTypes.INTEGER, allowNull: false },
    instructions: { type: DataTypes.TEXT, allowNull: false },
    note: { type: DataTypes.TEXT, allowNull: true },
    priority: { type: DataTypes.STRING(20), allowNull: false },
    dueAt: { type: DataTypes.DATE(3), allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false },
    readAt: { type: DataTypes.DATE(3), allowNull: true },
    readByUserId: { type: DataTypes.INTEGER, allowNull: true },
    completedAt: { type: DataTypes.DATE(3), allowNull: true },
    completedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    completedActing: { type: DataTypes.STRING(12), allowNull: true },
    result: { type: DataTypes.TEXT, allowNull: true },
    recalledAt: { type: DataTypes.DATE(3), allowNull: true },
    recallReason: { type: DataTypes.STRING(500), allowNull: true },
    remindedAt: { type: DataTypes.DATE(3), allowNull: true },
    escalatedAt: { type: DataTypes.DATE(3), allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: DataTypes.DATE(3), updatedAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'dispositions' });
  DispositionReport.init({
    id,
    dispositionId: { type: DataTypes.INTEGER, allowNull: false },
    userId: { type: DataTypes.INTEGER, allowNull: false },
    positionId: { type: DataTypes.INTEGER, allowNull: false },
    acting: { type: DataTypes.STRING(12), allowNull: true },
    kind: { type: DataTypes.STRING(20), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'disposition_reports', timestamps: false });
  DispositionReportFile.init({
    id,
    reportId: { type: DataTypes.INTEGER, allowNull: false },
    blobSha: { type: DataTypes.STRING(64), allowNull: false },
    originalName: { type: DataTypes.STRING(255), allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.BIGINT, allowNull: false },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'disposition_report_files', timestamps: false });
  SlaRule.init({
    id,
    jenisNaskahCode: { type: DataTypes.STRING(40), allowNull: true },
    role: { type: DataTypes.STRING(30), allowNull: false },
    amount: { type: DataTypes.INTEGER, allowNull: false },
    unit: { type: DataTypes.STRING(10), allowNull: false },
    createdAt: DataTypes.DATE(3), updatedAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'sla_rules' });
  Holiday.init({
    date: { type: DataTypes.DATEONLY, primaryKey: true }, name: { type: DataTypes.STRING(200), allowNull: false },
  }, { sequelize, tableName: 'holidays', timestamps: false });
  Setting.init({
    key: { type: DataTypes.STRING(80), primaryKey: true }, value: { type: DataTypes.TEXT, allowNull: false }, updatedAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'settings', createdAt: false });
  Notification.init({
    id,
    userId: { type: DataTypes.INTEGER, allowNull: false },
    kind: { type: DataTypes.STRING(40), allowNull: false },
    title: { type: DataTypes.STRING(300), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: true },
    url: { type: DataTypes.STRING(300), allowNull: true },
    letterId: { type: DataTypes.INTEGER, allowNull: true },
    dispositionId: { type: DataTypes.INTEGER, allowNull: true },
    dedupeKey: { type: DataTypes.STRING(160), allowNull: false },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
    readAt: { type: DataTypes.DATE(3), allowNull: true },
    emailStatus: { type: DataTypes.STRING(12), allowNull: false },
    emailAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    emailedAt: { type: DataTypes.DATE(3), allowNull: true },
    emailError: { type: DataTypes.STRING(500), allowNull: true },
  }, { sequelize, tableName: 'notifications', timestamps: false });
}
