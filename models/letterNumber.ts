import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional,
} from 'sequelize';

/** sistem: drawn from a sequence at signing; manual: given outside the system and recorded with a reason. */
export const NUMBER_SOURCES = ['sistem', 'manual'] as const;
export type NumberSource = (typeof NUMBER_SOURCES)[number];
export const NUMBER_SOURCE_LABEL: Record<NumberSource, string> = { sistem: 'Sistem', manual: 'Manual' };

/**
 * Status of a number: `aktif` stands; `dibatalkan` was cancelled with a reason and stays on record.
 * The only transition is aktif -> dibatalkan. A cancelled number is never drawn again; it can be
 * given again only on purpose, by recording it by hand with a reason (a new row that `reuses` it).
 */
export const NUMBER_STATUS = ['aktif', 'dibatalkan'] as const;
export type NumberStatus = (typeof NUMBER_STATUS)[number];
export const NUMBER_STATUS_LABEL: Record<NumberStatus, string> = { aktif: 'Aktif', dibatalkan: 'Dibatalkan' };
export const NUMBER_TRANSITIONS: Record<NumberStatus, readonly NumberStatus[]> = { aktif: ['dibatalkan'], dibatalkan: [] };

/** One outgoing-letter number in the register (Buku Agenda Surat Keluar). */
export class LetterNumber extends Model<InferAttributes<LetterNumber>, InferCreationAttributes<LetterNumber>> {
  declare id: CreationOptional<number>;
  /** The number as printed on the letter. */
  declare number: string;
  /** `number` while aktif, null once cancelled (unique: no two standing letters share a number). */
  declare activeNumber: string | null;
  declare year: number;
  /** The sequence value, for numbers the system drew; null for manual ones. */
  declare seq: number | null;
  /** The counter (sequences.name) it was drawn from. */
  declare counter: string | null;
  declare jenisNaskahCode: string;
  declare klasifikasiCode: string;
  declare unitCode: string | null;
  /** Tanggal surat (YYYY-MM-DD). */
  declare letterDate: string;
  declare perihal: string | null;
  /** The outgoing draft the number belongs to, when there is one. */
  declare draftId: number | null;
  declare source: NumberSource;
  declare status: CreationOptional<NumberStatus>;
  declare manualReason: string | null;
  declare reusesId: number | null;
  declare assignedAt: Date;
  declare assignedByUserId: number | null;
  declare cancelledAt: CreationOptional<Date | null>;
  declare cancelledByUserId: CreationOptional<number | null>;
  declare cancelReason: CreationOptional<string | null>;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initLetterNumberModels(sequelize: Sequelize): void {
  LetterNumber.init({
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    number: { type: DataTypes.STRING(120), allowNull: false },
    activeNumber: { type: DataTypes.STRING(120), allowNull: true },
    year: { type: DataTypes.INTEGER, allowNull: false },
    seq: { type: DataTypes.INTEGER, allowNull: true },
    counter: { type: DataTypes.STRING(100), allowNull: true },
    jenisNaskahCode: { type: DataTypes.STRING(40), allowNull: false },
    klasifikasiCode: { type: DataTypes.STRING(30), allowNull: false },
    unitCode: { type: DataTypes.STRING(40), allowNull: true },
    letterDate: { type: DataTypes.DATEONLY, allowNull: false },
    perihal: { type: DataTypes.STRING(500), allowNull: true },
    draftId: { type: DataTypes.INTEGER, allowNull: true },
    source: { type: DataTypes.STRING(10), allowNull: false },
    status: { type: DataTypes.STRING(12), allowNull: false, defaultValue: 'aktif' },
    manualReason: { type: DataTypes.TEXT, allowNull: true },
    reusesId: { type: DataTypes.INTEGER, allowNull: true },
    assignedAt: { type: DataTypes.DATE(3), allowNull: false },
    assignedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    cancelledAt: { type: DataTypes.DATE(3), allowNull: true },
    cancelledByUserId: { type: DataTypes.INTEGER, allowNull: true },
    cancelReason: { type: DataTypes.TEXT, allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'letter_numbers' });
}
