import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type ForeignKey,
} from 'sequelize';

export const SIFAT = ['biasa', 'terbatas', 'rahasia', 'sangat_rahasia'] as const;
export type Sifat = (typeof SIFAT)[number];
export const SIFAT_LABEL: Record<Sifat, string> = { biasa: 'Biasa', terbatas: 'Terbatas', rahasia: 'Rahasia', sangat_rahasia: 'Sangat Rahasia' };
export const CONFIDENTIAL: readonly Sifat[] = ['rahasia', 'sangat_rahasia'];

export const URGENSI = ['biasa', 'segera', 'sangat_segera'] as const;
export type Urgensi = (typeof URGENSI)[number];
export const URGENSI_LABEL: Record<Urgensi, string> = { biasa: 'Biasa', segera: 'Segera', sangat_segera: 'Sangat Segera' };

/**
 * Status of an incoming letter. `baru`: registered, nobody acted yet; `didisposisi`: sent down
 * the hierarchy; `diproses`: being worked on; `dibalas`: answered by an outgoing letter;
 * `selesai` / `diarsipkan`: closed. Transitions are declared here and checked by the services.
 */
export const LETTER_STATUS = ['baru', 'didisposisi', 'diproses', 'dibalas', 'selesai', 'diarsipkan'] as const;
export type LetterStatus = (typeof LETTER_STATUS)[number];
export const LETTER_STATUS_LABEL: Record<LetterStatus, string> = {
  baru: 'Baru', didisposisi: 'Didisposisi', diproses: 'Diproses', dibalas: 'Dibalas', selesai: 'Selesai', diarsipkan: 'Diarsipkan',
};
export const LETTER_TRANSITIONS: Record<LetterStatus, readonly LetterStatus[]> = {
  baru: ['didisposisi', 'diproses', 'dibalas', 'selesai', 'diarsipkan'],
  didisposisi: ['diproses', 'dibalas', 'selesai', 'diarsipkan'],
  diproses: ['dibalas', 'selesai', 'diarsipkan'],
  dibalas: ['selesai', 'diarsipkan'],
  selesai: ['diarsipkan'],
  diarsipkan: [],
};

/** One code of the archive classification (Permendagri 83/2022). */
export class Klasifikasi extends Model<InferAttributes<Klasifikasi>, InferCreationAttributes<Klasifikasi>> {
  declare code: string;
  declare name: string;
  declare active: CreationOptional<boolean>;
}

/** Kind of official document: Surat Permohonan, Undangan, Nota Dinas... */
export class JenisNaskah extends Model<InferAttributes<JenisNaskah>, InferCreationAttributes<JenisNaskah>> {
  declare code: string;
  declare name: string;
  declare sortOrder: CreationOptional<number>;
}

/** A file in the content-addressed blob store, known to the database. */
export class Blob extends Model<InferAttributes<Blob>, InferCreationAttributes<Blob>> {
  declare sha256: string;
  declare size: number;
  declare mime: string;
  declare createdAt: CreationOptional<Date>;
}

/** An incoming letter (Surat Masuk) registered by the secretariat, with its agenda number. */
export class IncomingLetter extends Model<InferAttributes<IncomingLetter>, InferCreationAttributes<IncomingLetter>> {
  declare id: CreationOptional<number>;
  declare agendaYear: number;
  declare agendaSeq: number;
  declare agendaNumber: string;
  declare senderAgencyId: ForeignKey<number>;
  declare senderName: string;
  declare senderNumber: string;
  declare letterDate: string;
  declare receivedDate: string;
  declare perihal: string;
  declare sifat: Sifat;
  declare urgensi: Urgensi;
  declare klasifikasiCode: string;
  declare jenisNaskahCode: string;
  declare lampiran: string | null;
  declare summary: string | null;
  declare addressedPositionId: ForeignKey<number>;
  declare status: CreationOptional<LetterStatus>;
  declare searchText: string;
  declare submissionKey: string | null;
  declare createdById: ForeignKey<number>;
  /** The outgoing letter that answered this one (status dibalas). */
  declare answeredByOutgoingId: CreationOptional<number | null>;
  /** Set when this incoming letter is an internal copy of a dispatched outgoing letter. */
  declare sourceOutgoingId: CreationOptional<number | null>;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

}

export const FILE_KINDS = ['scan', 'lampiran'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export class LetterFile extends Model<InferAttributes<LetterFile>, InferCreationAttributes<LetterFile>> {
  declare id: CreationOptional<number>;
  declare letterId: ForeignKey<number>;
  declare blobSha: string;
  declare kind: FileKind;
  declare originalName: string;
  declare mime: string;
  declare size: number;
  declare createdAt: CreationOptional<Date>;
}

export const INBOX_KINDS = ['tujuan', 'disposisi', 'tembusan'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

/** A letter in a position's inbox (Kotak Masuk), with its read state for that position. */
export class InboxItem extends Model<InferAttributes<InboxItem>, InferCreationAttributes<InboxItem>> {
  declare id: CreationOptional<number>;
  declare letterId: ForeignKey<number>;
  declare positionId: ForeignKey<number>;
  declare kind: InboxKind;
  declare receivedAt: Date;
  declare unread: CreationOptional<boolean>;
  declare readAt: Date | null;
  declare readByUserId: number | null;
  declare dueAt: Date | null;
  declare doneAt: Date | null;
}

export function initLetterModels(sequelize: Sequelize): void {
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  Klasifikasi.init({
    code: { type: DataTypes.STRING(30), primaryKey: true },
    name: { type: DataTypes.STRING(255), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  }, { sequelize, tableName: 'klasifikasi', timestamps: false });
  JenisNaskah.init({
    code: { type: DataTypes.STRING(40), primaryKey: true },
    name: { type: DataTypes.STRING(120), allowNull: false },
    sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  }, { sequelize, tableName: 'jenis_naskah', timestamps: false });
  Blob.init({
    sha256: { type: DataTypes.STRING(64), primaryKey: true },
    size: { type: DataTypes.BIGINT, allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false },
    createdAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'blobs', updatedAt: false });
  IncomingLetter.init({
    id,
    agendaYear: { type: DataTypes.INTEGER, allowNull: false },
    agendaSeq: { type: DataTypes.INTEGER, allowNull: false },
    agendaNumber: { type: DataTypes.STRING(60), allowNull: false },
    senderName: { type: DataTypes.STRING(255), allowNull: false },
    senderNumber: { type: DataTypes.STRING(120), allowNull: false },
    letterDate: { type: DataTypes.DATEONLY, allowNull: false },
    receivedDate: { type: DataTypes.DATEONLY, allowNull: false },
    perihal: { type: DataTypes.STRING(500), allowNull: false },
    sifat: { type: DataTypes.STRING(20), allowNull: false },
    urgensi: { type: DataTypes.STRING(20), allowNull: false },
    klasifikasiCode: { type: DataTypes.STRING(30), allowNull: false },
    jenisNaskahCode: { type: DataTypes.STRING(40), allowNull: false },
    lampiran: { type: DataTypes.STRING(200), allowNull: true },
    summary: { type: DataTypes.TEXT, allowNull: true },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'baru' },
    searchText: { type: DataTypes.TEXT, allowNull: false },
    submissionKey: { type: DataTypes.STRING(64), allowNull: true, unique: true },
    answeredByOutgoingId: { type: DataTypes.INTEGER, allowNull: true },
    sourceOutgoingId: { type: DataTypes.INTEGER, allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: DataTypes.DATE(3), updatedAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'incoming_letters', version: true });
  LetterFile.init({
    id,
    blobSha: { type: DataTypes.STRING(64), allowNull: false },
    kind: { type: DataTypes.STRING(20), allowNull: false },
    originalName: { type: DataTypes.STRING(255), allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.BIGINT, allowNull: false },
    createdAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'incoming_letter_files', updatedAt: false });
  InboxItem.init({
    id,
    kind: { type: DataTypes.STRING(20), allowNull: false },
    receivedAt: { type: DataTypes.DATE(3), allowNull: false },
    unread: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    readAt: { type: DataTypes.DATE(3), allowNull: true },
    readByUserId: { type: DataTypes.INTEGER, allowNull: true },
    dueAt: { type: DataTypes.DATE(3), allowNull: true },
    doneAt: { type: DataTypes.DATE(3), allowNull: true },
  }, { sequelize, tableName: 'inbox_items', timestamps: false });
}
