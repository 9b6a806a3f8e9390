import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional,
} from 'sequelize';
import type { Sifat, Urgensi } from './letter';

/**
 * An outgoing letter (Surat Keluar), from its first draft (konsep) to signature and dispatch.
 *
 * Status machine (checked by modules/surat-keluar/*.ts, see OUTGOING_TRANSITIONS):
 *   konsep --ajukan--> dalam_paraf --every paraf in--> siap_ttd
 *   konsep --ajukan (no verifiers)--> siap_ttd
 *   dalam_paraf / siap_ttd --kembalikan (holder, with a note)--> dikembalikan --ajukan--> dalam_paraf / siap_ttd
 *   dalam_paraf / siap_ttd --edit voiding parafs--> dalam_paraf (restarts at the first voided verifier)
 *   siap_ttd --sign (issue #5)--> ditandatangani --kirim--> dikirim
 *   A signed letter is never edited: revoking or replacing it sets revokedAt / replacedById (status unchanged).
 *   konsep / dikembalikan / dalam_paraf / siap_ttd --batalkan--> dibatalkan
 * The position holding the draft (`currentHolderPositionId`) is the only one that may edit it:
 * the drafter's position in konsep/dikembalikan, the verifier whose turn it is in dalam_paraf,
 * the signer's position in siap_ttd.
 */
export const OUTGOING_STATUS = ['konsep', 'dalam_paraf', 'dikembalikan', 'siap_ttd', 'ditandatangani', 'dikirim', 'dibatalkan'] as const;
export type OutgoingStatus = (typeof OUTGOING_STATUS)[number];
export const OUTGOING_STATUS_LABEL: Record<OutgoingStatus, string> = {
  konsep: 'Konsep', dalam_paraf: 'Dalam paraf', dikembalikan: 'Dikembalikan', siap_ttd: 'Siap ditandatangani',
  ditandatangani: 'Ditandatangani', dikirim: 'Dikirim', dibatalkan: 'Dibatalkan',
};
export const OUTGOING_TRANSITIONS: Record<OutgoingStatus, readonly OutgoingStatus[]> = {
  konsep: ['dalam_paraf', 'siap_ttd', 'dibatalkan'],
  dalam_paraf: ['dalam_paraf', 'dikembalikan', 'siap_ttd', 'dibatalkan'],
  dikembalikan: ['dalam_paraf', 'siap_ttd', 'dibatalkan'],
  siap_ttd: ['dalam_paraf', 'dikembalikan', 'ditandatangani', 'dibatalkan'],
  ditandatangani: ['dikirim'],
  dikirim: [],
  dibatalkan: [],
};
/** States in which the content may still change (by its holder). */
export const OUTGOING_EDITABLE: readonly OutgoingStatus[] = ['konsep', 'dalam_paraf', 'dikembalikan', 'siap_ttd'];

/** How the signer signs: in their own right, a.n. (on behalf of) the head, or as Plt / Plh of the position. */
export const SIGNING_FORMS = ['biasa', 'an', 'plt', 'plh'] as const;
export type SigningFormCode = (typeof SIGNING_FORMS)[number];
export const SIGNING_FORM_LABEL: Record<SigningFormCode, string> = { biasa: 'Biasa (atas nama sendiri)', an: 'a.n. (atas nama pimpinan)', plt: 'Plt.', plh: 'Plh.' };

export const MAX_VERIFIERS = 3;

export class OutgoingLetter extends Model<InferAttributes<OutgoingLetter>, InferCreationAttributes<OutgoingLetter>> {
  declare id: CreationOptional<number>;
  declare templateKey: string;
  /** JSON object: the template's field values. */
  declare templateValues: string;
  declare layout: 'surat' | 'nota_dinas';
  declare jenisNaskahCode: string;
  declare klasifikasiCode: string;
  declare perihal: string;
  declare sifat: Sifat;
  declare urgensi: Urgensi;
  /** The "Lampiran" line of the letter ("1 (satu) berkas"). */
  declare lampiran: string | null;
  declare bodyHtml: string;
  declare replyToLetterId: number | null;
  declare drafterUserId: number;
  declare drafterPositionId: number;
  declare signerPositionId: number | null;
  declare signingForm: SigningFormCode | null;
  /** For a.n.: the position signed on behalf of (the head). */
  declare principalPositionId: number | null;
  declare status: OutgoingStatus;
  declare currentHolderPositionId: number | null;
  declare currentVersionNo: number;
  declare currentHash: string;
  /** When the draft first reached the signer (every paraf in); the signer sees it from then on. */
  declare reachedSignerAt: Date | null;
  declare letterNumber: string | null;
  declare letterDate: string | null;
  declare submissionKey: string | null;
  /** TTE (issue #5): random URL-safe code of /verifikasi/<code>, given at signing. */
  declare verificationCode: CreationOptional<string | null>;
  /** The final render before signing (kept) and the signed PDF; the latter's key is its SHA-256, the registry's hash. */
  declare unsignedBlobSha: CreationOptional<string | null>;
  declare signedBlobSha: CreationOptional<string | null>;
  declare signedAt: CreationOptional<Date | null>;
  declare signedByUserId: CreationOptional<number | null>;
  /** The signer's name and title as printed in the stamp (a snapshot: later org changes do not alter it). */
  declare signedName: CreationOptional<string | null>;
  declare signedTitle: CreationOptional<string | null>;
  declare dispatchedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
  declare revokedByUserId: CreationOptional<number | null>;
  declare revokeReason: CreationOptional<string | null>;
  /** A replacement draft names the signed letter it replaces; once signed, that letter names it back. */
  declare replacesId: CreationOptional<number | null>;
  declare replacedById: CreationOptional<number | null>;
  declare replaceReason: CreationOptional<string | null>;
  /** The position asked for a countersignature (pengesahan); its holder may see the letter. */
  declare countersignPositionId: CreationOptional<number | null>;
  /** Optimistic locking: bumped by every change of the row. */
  declare lockVersion: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  values(): Record<string, string> {
    try {
      const v = JSON.parse(this.templateValues);
      return v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x ?? '')])) : {};
    } catch { return {}; }
  }
}

export const RECIPIENT_KINDS = ['kepada', 'tembusan'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];
export const RECIPIENT_TYPES = ['position', 'agency', 'text'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/** An addressee (kepada) or copy (tembusan): an internal position, an external agency, or free text. */
export class OutgoingRecipient extends Model<InferAttributes<OutgoingRecipient>, InferCreationAttributes<OutgoingRecipient>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  declare kind: RecipientKind;
  declare sortOrder: number;
  declare targetType: RecipientType;
  declare positionId: number | null;
  declare agencyId: number | null;
  /** As printed on the letter (snapshot of the position's or agency's name when chosen). */
  declare name: string;
  declare place: string | null;
}

export class OutgoingAttachment extends Model<InferAttributes<OutgoingAttachment>, InferCreationAttributes<OutgoingAttachment>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  declare blobSha: string;
  declare originalName: string;
  declare mime: string;
  declare size: number;
  /** A PDF attachment appended after the letter's last page in the rendered PDF. */
  declare appendToPdf: boolean;
  declare sortOrder: number;
  declare addedByUserId: number;
  declare createdAt: Date;
}

/** One saved state of a draft: the whole content as canonical JSON and its SHA-256. */
export class OutgoingVersion extends Model<InferAttributes<OutgoingVersion>, InferCreationAttributes<OutgoingVersion>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  declare versionNo: number;
  declare content: string;
  declare hash: string;
  declare summary: string;
  declare createdByUserId: number;
  declare createdByPositionId: number | null;
  declare acting: string | null;
  declare createdAt: Date;
}

/**
 * A step of the paraf chain. Each verifier step has exactly one *current* row (status
 * `menunggu` or `paraf`); a return (`dikembalikan`) or a voided paraf (`batal`) stays as
 * history and a fresh `menunggu` row takes its place.
 */
export const PARAF_STATUS = ['menunggu', 'paraf', 'dikembalikan', 'batal'] as const;
export type ParafStatus = (typeof PARAF_STATUS)[number];
export const PARAF_STATUS_LABEL: Record<ParafStatus, string> = { menunggu: 'Menunggu', paraf: 'Paraf', dikembalikan: 'Dikembalikan', batal: 'Batal' };
export const CURRENT_PARAF: readonly ParafStatus[] = ['menunggu', 'paraf'];

export class OutgoingParaf extends Model<InferAttributes<OutgoingParaf>, InferCreationAttributes<OutgoingParaf>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  declare stepNo: number;
  declare positionId: number;
  declare status: ParafStatus;
  declare versionNo: number | null;
  declare versionHash: string | null;
  declare note: string | null;
  declare actedByUserId: number | null;
  declare acting: string | null;
  declare actedAt: Date | null;
  declare voidedAt: Date | null;
  declare createdAt: Date;
}

export function initOutgoingModels(sequelize: Sequelize): void {
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  const str = (n: number, allowNull = false) => ({ type: DataTypes.STRING(n), allowNull });
  OutgoingLetter.init({
    id,
    templateKey: str(80),
    templateValues: { type: DataTypes.TEXT, allowNull: false },
    layout: str(20),
    jenisNaskahCode: str(40),
    klasifikasiCode: str(30),
    perihal: str(500),
    sifat: str(20),
    urgensi: str(20),
    lampiran: str(200, true),
    bodyHtml: { type: DataTypes.TEXT, allowNull: false },
    replyToLetterId: { type: DataTypes.INTEGER, allowNull: true },
    drafterUserId: { type: DataTypes.INTEGER, allowNull: false },
    drafterPositionId: { type: DataTypes.INTEGER, allowNull: false },
    signerPositionId: { type: DataTypes.INTEGER, allowNull: true },
    signingForm: str(8, true),
    principalPositionId: { type: DataTypes.INTEGER, allowNull: true },
    status: str(20),
    currentHolderPositionId: { type: DataTypes.INTEGER, allowNull: true },
    currentVersionNo: { type: DataTypes.INTEGER, allowNull: false },
    currentHash: str(64),
    reachedSignerAt: { type: DataTypes.DATE(3), allowNull: true },
    letterNumber: str(120, true),
    letterDate: { type: DataTypes.DATEONLY, allowNull: true },
    submissionKey: { type: DataTypes.STRING(64), allowNull: true, unique: true },
    verificationCode: { type: DataTypes.STRING(40), allowNull: true, unique: true },
    unsignedBlobSha: str(64, true),
    signedBlobSha: str(64, true),
    signedAt: { type: DataTypes.DATE(3), allowNull: true },
    signedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    signedName: str(255, true),
    signedTitle: str(300, true),
    dispatchedAt: { type: DataTypes.DATE(3), allowNull: true },
    revokedAt: { type: DataTypes.DATE(3), allowNull: true },
    revokedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    revokeReason: { type: DataTypes.TEXT, allowNull: true },
    replacesId: { type: DataTypes.INTEGER, allowNull: true },
    replacedById: { type: DataTypes.INTEGER, allowNull: true },
    replaceReason: { type: DataTypes.TEXT, allowNull: true },
    countersignPositionId: { type: DataTypes.INTEGER, allowNull: true },
    lockVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: DataTypes.DATE(3), updatedAt: DataTypes.DATE(3),
  }, { sequelize, tableName: 'outgoing_letters' });
  OutgoingRecipient.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    kind: str(12),
    sortOrder: { type: DataTypes.INTEGER, allowNull: false },
    targetType: str(12),
    positionId: { type: DataTypes.INTEGER, allowNull: true },
    agencyId: { type: DataTypes.INTEGER, allowNull: true },
    name: str(255),
    place: str(255, true),
  }, { sequelize, tableName: 'outgoing_recipients', timestamps: false });
  OutgoingAttachment.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    blobSha: str(64),
    originalName: str(255),
    mime: str(100),
    size: { type: DataTypes.BIGINT, allowNull: false },
    appendToPdf: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    sortOrder: { type: DataTypes.INTEGER, allowNull: false },
    addedByUserId: { type: DataTypes.INTEGER, allowNull: false },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'outgoing_attachments', timestamps: false });
  OutgoingVersion.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    versionNo: { type: DataTypes.INTEGER, allowNull: false },
    content: { type: DataTypes.TEXT, allowNull: false },
    hash: str(64),
    summary: str(300),
    createdByUserId: { type: DataTypes.INTEGER, allowNull: false },
    createdByPositionId: { type: DataTypes.INTEGER, allowNull: true },
    acting: str(12, true),
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'outgoing_versions', timestamps: false });
  OutgoingParaf.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    stepNo: { type: DataTypes.INTEGER, allowNull: false },
    positionId: { type: DataTypes.INTEGER, allowNull: false },
    status: str(20),
    versionNo: { type: DataTypes.INTEGER, allowNull: true },
    versionHash: str(64, true),
    note: { type: DataTypes.TEXT, allowNull: true },
    actedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    acting: str(12, true),
    actedAt: { type: DataTypes.DATE(3), allowNull: true },
    voidedAt: { type: DataTypes.DATE(3), allowNull: true },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'outgoing_parafs', timestamps: false });

  OutgoingLetter.hasMany(OutgoingRecipient, { as: 'recipients', foreignKey: 'letterId' });
  OutgoingLetter.hasMany(OutgoingAttachment, { as: 'attachments', foreignKey: 'letterId' });
  OutgoingLetter.hasMany(OutgoingVersion, { as: 'versions', foreignKey: 'letterId' });
  OutgoingLetter.hasMany(OutgoingParaf, { as: 'parafs', foreignKey: 'letterId' });
}
