import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional,
} from 'sequelize';

/**
 * One audit event. Events form a hash chain: `hash` covers the event's fields and the
 * previous event's hash, and `seq` is gapless, so an edited, deleted or reordered event
 * is detected by `naskah audit:verify`.
 */
export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare id: CreationOptional<number>;
  declare seq: number;
  declare at: Date;
  declare actorUserId: number | null;
  declare actorPositionId: number | null;
  declare acting: string | null;
  declare action: string;
  declare entityType: string;
  declare entityId: string;
  declare before: string | null;
  declare after: string | null;
  declare ip: string | null;
  declare prevHash: string;
  declare hash: string;

  /** The before/after snapshot as an object (stored as JSON text). */
  data(which: 'before' | 'after'): Record<string, unknown> | null { return auditSnapshot(this[which]); }
}

/** An audit event's before/after text (JSON) as an object, for an instance or a plain row. */
export function auditSnapshot(raw: string | null): Record<string, unknown> | null {
  if (!raw) return null;
  try { const v = JSON.parse(raw); return v && typeof v === 'object' ? v as Record<string, unknown> : { value: v }; } catch { return null; }
}

/** Named counters (agenda numbers per year, the audit chain head), bumped under a row lock. */
export class Sequence extends Model<InferAttributes<Sequence>, InferCreationAttributes<Sequence>> {
  declare name: string;
  declare value: number;
}

/** Failed sign-in attempts per account and per IP address. */
export class LoginThrottle extends Model<InferAttributes<LoginThrottle>, InferCreationAttributes<LoginThrottle>> {
  declare key: string;
  declare failures: number;
  declare windowStart: Date;
  declare lockedUntil: Date | null;
}

export function initSystemModels(sequelize: Sequelize): void {
  AuditEvent.init({
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    seq: { type: DataTypes.INTEGER, allowNull: false, unique: true },
    at: { type: DataTypes.DATE(3), allowNull: false },
    actorUserId: { type: DataTypes.INTEGER, allowNull: true },
    actorPositionId: { type: DataTypes.INTEGER, allowNull: true },
    acting: { type: DataTypes.STRING(12), allowNull: true },
    action: { type: DataTypes.STRING(80), allowNull: false },
    entityType: { type: DataTypes.STRING(40), allowNull: false },
    entityId: { type: DataTypes.STRING(64), allowNull: false },
    before: { type: DataTypes.TEXT, allowNull: true },
    after: { type: DataTypes.TEXT, allowNull: true },
    ip: { type: DataTypes.STRING(64), allowNull: true },
    prevHash: { type: DataTypes.STRING(64), allowNull: false },
    hash: { type: DataTypes.STRING(64), allowNull: false },
  }, { sequelize, tableName: 'audit_events', timestamps: false });
  Sequence.init({
    name: { type: DataTypes.STRING(100), primaryKey: true },
    value: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
  }, { sequelize, tableName: 'sequences', timestamps: false });
  LoginThrottle.init({
    key: { type: DataTypes.STRING(200), primaryKey: true },
    failures: { type: DataTypes.INTEGER, allowNull: false },
    windowStart: { type: DataTypes.DATE(3), allowNull: false },
    lockedUntil: { type: DataTypes.DATE(3), allowNull: true },
  }, { sequelize, tableName: 'login_throttles', timestamps: false });
}
