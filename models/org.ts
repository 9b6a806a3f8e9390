import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type ForeignKey,
} from 'sequelize';

export const UNIT_KINDS = ['dinas', 'sekretariat', 'bidang', 'subbagian', 'seksi', 'uptd'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  dinas: 'Dinas', sekretariat: 'Sekretariat', bidang: 'Bidang', subbagian: 'Subbagian', seksi: 'Seksi', uptd: 'UPTD',
};

/** An organizational unit: the Dinas, its Sekretariat and Bidang, their Subbagian and Seksi. */
export class Unit extends Model<InferAttributes<Unit>, InferCreationAttributes<Unit>> {
  declare id: CreationOptional<number>;
  declare parentId: ForeignKey<number> | null;
  declare name: string;
  declare kind: UnitKind;
  declare code: string;
  declare sortOrder: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/**
 * Roles a position carries in the system. Letters and dispositions go to positions, and
 * what a person may do follows from the positions they hold today.
 */
export const POSITION_ROLES = ['kepala', 'sekretaris', 'kabid', 'kasi', 'kasubbag', 'staf', 'sekretariat', 'pejabat_domain', 'operator_dc'] as const;
export type PositionRole = (typeof POSITION_ROLES)[number];
export const POSITION_ROLE_LABEL: Record<PositionRole, string> = {
  kepala: 'Kepala Dinas', sekretaris: 'Sekretaris Dinas', kabid: 'Kepala Bidang', kasi: 'Kepala Seksi',
  kasubbag: 'Kepala Subbagian', staf: 'Staf / Pelaksana', sekretariat: 'Sekretariat / Tata Usaha (agendaris)',
  pejabat_domain: 'Pejabat Nama Domain', operator_dc: 'Operator Data Center',
};

/** A position (jabatan). `rank` orders officials: 1 = head of agency, larger = lower. */
export class Position extends Model<InferAttributes<Position>, InferCreationAttributes<Position>> {
  declare id: CreationOptional<number>;
  declare unitId: ForeignKey<number>;
  declare superiorId: ForeignKey<number> | null;
  declare name: string;
  declare rank: number;
  declare role: PositionRole;
  declare eselon: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare nip: string | null;
  /** NIK (16 digits): the signer's identity at BSrE. Never displayed. */
  declare nik: CreationOptional<string | null>;
  declare name: string;
  declare pangkat: string | null;
  declare golongan: string | null;
  declare email: string | null;
  declare phone: string | null;
  declare passwordHash: string;
  declare isAdmin: CreationOptional<boolean>;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export const ASSIGNMENT_KINDS = ['definitif', 'plt', 'plh'] as const;
export type AssignmentKind = (typeof ASSIGNMENT_KINDS)[number];
export const ASSIGNMENT_KIND_LABEL: Record<AssignmentKind, string> = { definitif: 'Definitif', plt: 'Plt.', plh: 'Plh.' };

/** A user holding a position: definitively, or acting (Plt/Plh) for a date range. */
export class Assignment extends Model<InferAttributes<Assignment>, InferCreationAttributes<Assignment>> {
  declare id: CreationOptional<number>;
  declare userId: ForeignKey<number>;
  declare positionId: ForeignKey<number>;
  declare kind: AssignmentKind;
  declare startDate: string;
  declare endDate: string | null;
  declare decreeNumber: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export const AGENCY_KINDS = ['skpd', 'setda', 'kecamatan', 'desa', 'kelurahan', 'instansi_vertikal', 'lainnya'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];
export const AGENCY_KIND_LABEL: Record<AgencyKind, string> = {
  skpd: 'SKPD / OPD', setda: 'Sekretariat Daerah', kecamatan: 'Kecamatan', desa: 'Desa', kelurahan: 'Kelurahan',
  instansi_vertikal: 'Instansi Vertikal / Pusat', lainnya: 'Lainnya',
};

/** An external agency in the directory: sender of incoming letters, addressee of replies. */
export class Agency extends Model<InferAttributes<Agency>, InferCreationAttributes<Agency>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare kind: AgencyKind;
  declare headTitle: string | null;
  declare address: string | null;
  declare city: string | null;
  declare email: string | null;
  declare phone: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initOrgModels(sequelize: Sequelize): void {
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  const ts = { createdAt: DataTypes.DATE(3), updatedAt: DataTypes.DATE(3) };
  Unit.init({
    id, name: { type: DataTypes.STRING(200), allowNull: false },
    kind: { type: DataTypes.STRING(20), allowNull: false },
    code: { type: DataTypes.STRING(40), allowNull: false },
    sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    ...ts,
  }, { sequelize, tableName: 'units' });
  Position.init({
    id, name: { type: DataTypes.STRING(200), allowNull: false },
    rank: { type: DataTypes.INTEGER, allowNull: false },
    role: { type: DataTypes.STRING(30), allowNull: false },
    eselon: { type: DataTypes.STRING(10), allowNull: true },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...ts,
  }, { sequelize, tableName: 'positions' });
  User.init({
    id, username: { type: DataTypes.STRING(60), allowNull: false, unique: true },
    nip: { type: DataTypes.STRING(18), allowNull: true, unique: true },
    nik: { type: DataTypes.STRING(16), allowNull: true, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    pangkat: { type: DataTypes.STRING(60), allowNull: true },
    golongan: { type: DataTypes.STRING(10), allowNull: true },
    email: { type: DataTypes.STRING(200), allowNull: true },
    phone: { type: DataTypes.STRING(40), allowNull: true },
    passwordHash: { type: DataTypes.STRING(255), allowNull: false },
    isAdmin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...ts,
  }, { sequelize, tableName: 'users' });
  Assignment.init({
    id, kind: { type: DataTypes.STRING(12), allowNull: false },
    startDate: { type: DataTypes.DATEONLY, allowNull: false },
    endDate: { type: DataTypes.DATEONLY, allowNull: true },
    decreeNumber: { type: DataTypes.STRING(100), allowNull: true },
    ...ts,
  }, { sequelize, tableName: 'assignments' });
  Agency.init({
    id, name: { type: DataTypes.STRING(255), allowNull: false },
    kind: { type: DataTypes.STRING(30), allowNull: false },
    headTitle: { type: DataTypes.STRING(255), allowNull: true },
    address: { type: DataTypes.STRING(500), allowNull: true },
    city: { type: DataTypes.STRING(100), allowNull: true },
    email: { type: DataTypes.STRING(200), allowNull: true },
    phone: { type: DataTypes.STRING(40), allowNull: true },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...ts,
  }, { sequelize, tableName: 'agencies' });

  Unit.belongsTo(Unit, { as: 'parent', foreignKey: 'parentId' });
  Unit.hasMany(Unit, { as: 'children', foreignKey: 'parentId' });
  Position.belongsTo(Unit, { as: 'unit', foreignKey: 'unitId' });
  Unit.hasMany(Position, { as: 'positions', foreignKey: 'unitId' });
  Position.belongsTo(Position, { as: 'superior', foreignKey: 'superiorId' });
  Assignment.belongsTo(User, { as: 'user', foreignKey: 'userId' });
  Assignment.belongsTo(Position, { as: 'position', foreignKey: 'positionId' });
  User.hasMany(Assignment, { as: 'assignments', foreignKey: 'userId' });
  Position.hasMany(Assignment, { as: 'assignments', foreignKey: 'positionId' });
}
