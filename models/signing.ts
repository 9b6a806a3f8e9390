import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional,
} from 'sequelize';

/** How a signed letter reached a recipient. `internal`: the inbox of an internal position (as an incoming letter). */
export const DISPATCH_CHANNELS = ['internal', 'email', 'kurir', 'langsung'] as const;
export type DispatchChannel = (typeof DISPATCH_CHANNELS)[number];
export const DISPATCH_CHANNEL_LABEL: Record<DispatchChannel, string> = {
  internal: 'Kotak masuk (internal)', email: 'Surat elektronik (e-mail)', kurir: 'Kurir / pos', langsung: 'Diantar langsung',
};
/** E-mail delivery of the signed PDF: queued in the dispatch transaction, sent after commit, retried. */
export const DISPATCH_EMAIL_STATUS = ['pending', 'sending', 'sent', 'failed', 'no_smtp'] as const;
export type DispatchEmailStatus = (typeof DISPATCH_EMAIL_STATUS)[number];

/** One recipient's copy of a dispatched letter (Kirim). */
export class OutgoingDispatch extends Model<InferAttributes<OutgoingDispatch>, InferCreationAttributes<OutgoingDispatch>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  declare recipientId: number | null;
  declare kind: 'kepada' | 'tembusan';
  declare name: string;
  declare channel: DispatchChannel;
  declare positionId: number | null;
  declare incomingLetterId: number | null;
  declare email: string | null;
  declare emailStatus: DispatchEmailStatus | null;
  declare emailError: string | null;
  declare emailAttempts: CreationOptional<number>;
  declare emailedAt: Date | null;
  /** A failed e-mail is tried again from this time on (backoff); null: as soon as possible. */
  declare emailNextAttemptAt: CreationOptional<Date | null>;
  declare sentDate: string;
  declare note: string | null;
  declare createdByUserId: number | null;
  declare createdAt: Date;
}

/** A countersignature (tanda tangan kedua / pengesahan): asked for, then given once. */
export const COUNTERSIGN_STATUS = ['diminta', 'ditandatangani'] as const;
export type CountersignStatus = (typeof COUNTERSIGN_STATUS)[number];

/**
 * The signer of a letter asks another official position to countersign it; that position's
 * holder adds an incremental signature to the signed PDF. One per letter. The PDF before the
 * countersignature stays in the blob store (previousBlobSha); the letter's signedBlobSha moves on.
 */
export class OutgoingCountersign extends Model<InferAttributes<OutgoingCountersign>, InferCreationAttributes<OutgoingCountersign>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  declare positionId: number;
  declare status: CountersignStatus;
  declare note: string | null;
  declare requestedByUserId: number | null;
  declare requestedAt: Date;
  declare signedByUserId: CreationOptional<number | null>;
  declare signedName: CreationOptional<string | null>;
  declare signedTitle: CreationOptional<string | null>;
  declare signedAt: CreationOptional<Date | null>;
  declare previousBlobSha: CreationOptional<string | null>;
  declare signedBlobSha: CreationOptional<string | null>;
}

/** A signer's certificate as a P12 in the blob store; its passphrase is asked at signing and never stored. */
export class SigningCertificate extends Model<InferAttributes<SigningCertificate>, InferCreationAttributes<SigningCertificate>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare p12BlobSha: string;
  declare subject: string;
  declare serial: string | null;
  declare validFrom: Date;
  declare validTo: Date;
  declare active: CreationOptional<boolean>;
  declare uploadedByUserId: number | null;
  declare uploadedAt: Date;
}

/**
 * One call to the signing service for one letter: recorded (berjalan) before the call, settled
 * after it. `tidak_pasti`: the request left and no answer came in time; Naskah keeps listening
 * until settleBy, and a signed file that arrives by then is still used or kept.
 */
export const SIGNING_ATTEMPT_STATUS = ['berjalan', 'tidak_pasti', 'berhasil', 'gagal'] as const;
export type SigningAttemptStatus = (typeof SIGNING_ATTEMPT_STATUS)[number];
export class SigningAttempt extends Model<InferAttributes<SigningAttempt>, InferCreationAttributes<SigningAttempt>> {
  declare id: CreationOptional<number>;
  declare letterId: number;
  /** 'ttd' (the signature that numbers the letter) or 'pengesahan' (countersignature). */
  declare kind: 'ttd' | 'pengesahan';
  declare userId: number | null;
  declare transport: string;
  declare batchId: string | null;
  declare plannedNumber: string | null;
  declare status: SigningAttemptStatus;
  declare errorCode: CreationOptional<string | null>;
  declare message: CreationOptional<string | null>;
  declare signedBlobSha: CreationOptional<string | null>;
  declare startedAt: Date;
  declare settleBy: Date;
  declare finishedAt: CreationOptional<Date | null>;
}

/** The signing service's last known state (one row per service, e.g. 'bsre'). */
export class SigningServiceStatus extends Model<InferAttributes<SigningServiceStatus>, InferCreationAttributes<SigningServiceStatus>> {
  declare service: string;
  declare reachable: boolean;
  declare reason: string | null;
  declare downSince: Date | null;
  declare checkedAt: Date;
}

export function initSigningModels(sequelize: Sequelize): void {
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  OutgoingDispatch.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    recipientId: { type: DataTypes.INTEGER, allowNull: true },
    kind: { type: DataTypes.STRING(12), allowNull: false },
    name: { type: DataTypes.STRING(255), allowNull: false },
    channel: { type: DataTypes.STRING(12), allowNull: false },
    positionId: { type: DataTypes.INTEGER, allowNull: true },
    incomingLetterId: { type: DataTypes.INTEGER, allowNull: true },
    email: { type: DataTypes.STRING(255), allowNull: true },
    emailStatus: { type: DataTypes.STRING(12), allowNull: true },
    emailError: { type: DataTypes.STRING(500), allowNull: true },
    emailAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    emailedAt: { type: DataTypes.DATE(3), allowNull: true },
    emailNextAttemptAt: { type: DataTypes.DATE(3), allowNull: true },
    sentDate: { type: DataTypes.DATEONLY, allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    createdByUserId: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'outgoing_dispatches', timestamps: false });
  OutgoingCountersign.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    positionId: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    requestedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    requestedAt: { type: DataTypes.DATE(3), allowNull: false },
    signedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    signedName: { type: DataTypes.STRING(255), allowNull: true },
    signedTitle: { type: DataTypes.STRING(300), allowNull: true },
    signedAt: { type: DataTypes.DATE(3), allowNull: true },
    previousBlobSha: { type: DataTypes.STRING(64), allowNull: true },
    signedBlobSha: { type: DataTypes.STRING(64), allowNull: true },
  }, { sequelize, tableName: 'outgoing_countersigns', timestamps: false });
  SigningCertificate.init({
    id,
    userId: { type: DataTypes.INTEGER, allowNull: false },
    p12BlobSha: { type: DataTypes.STRING(64), allowNull: false },
    subject: { type: DataTypes.STRING(500), allowNull: false },
    serial: { type: DataTypes.STRING(80), allowNull: true },
    validFrom: { type: DataTypes.DATE(3), allowNull: false },
    validTo: { type: DataTypes.DATE(3), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    uploadedByUserId: { type: DataTypes.INTEGER, allowNull: true },
    uploadedAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'signing_certificates', timestamps: false });
  SigningAttempt.init({
    id,
    letterId: { type: DataTypes.INTEGER, allowNull: false },
    kind: { type: DataTypes.STRING(12), allowNull: false },
    userId: { type: DataTypes.INTEGER, allowNull: true },
    transport: { type: DataTypes.STRING(16), allowNull: false },
    batchId: { type: DataTypes.STRING(40), allowNull: true },
    plannedNumber: { type: DataTypes.STRING(120), allowNull: true },
    status: { type: DataTypes.STRING(16), allowNull: false },
    errorCode: { type: DataTypes.STRING(40), allowNull: true },
    message: { type: DataTypes.STRING(500), allowNull: true },
    signedBlobSha: { type: DataTypes.STRING(64), allowNull: true },
    startedAt: { type: DataTypes.DATE(3), allowNull: false },
    settleBy: { type: DataTypes.DATE(3), allowNull: false },
    finishedAt: { type: DataTypes.DATE(3), allowNull: true },
  }, { sequelize, tableName: 'signing_attempts', timestamps: false });
  SigningServiceStatus.init({
    service: { type: DataTypes.STRING(16), primaryKey: true },
    reachable: { type: DataTypes.BOOLEAN, allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    downSince: { type: DataTypes.DATE(3), allowNull: true },
    checkedAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'signing_service_status', timestamps: false });
}
