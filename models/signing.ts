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
  declare sentDate: string;
  declare note: string | null;
  declare createdByUserId: number | null;
  declare createdAt: Date;
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
    sentDate: { type: DataTypes.DATEONLY, allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    createdByUserId: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'outgoing_dispatches', timestamps: false });
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
}
