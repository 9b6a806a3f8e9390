import { DataTypes, type QueryInterface } from 'sequelize';

// The register of outgoing-letter numbers (nomor surat keluar): every number the system gave,
// every number recorded by hand, and every cancellation. `active_number` equals `number` while
// the number stands and is NULL once cancelled: its unique index keeps two standing letters from
// ever sharing a number on both dialects (MariaDB has no partial indexes), while a cancelled
// number stays on record. `draft_id` names the outgoing draft the number was given to; it has
// no foreign key so the register does not depend on the drafts module's tables.
// Immutable once merged.
type Ctx = { context: QueryInterface };

const userFk = { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' };

export async function up({ context: q }: Ctx): Promise<void> {
  await q.createTable('letter_numbers', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    number: { type: DataTypes.STRING(120), allowNull: false },
    active_number: { type: DataTypes.STRING(120), allowNull: true },
    year: { type: DataTypes.INTEGER, allowNull: false },
    seq: { type: DataTypes.INTEGER, allowNull: true },
    counter: { type: DataTypes.STRING(100), allowNull: true },
    jenis_naskah_code: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'jenis_naskah', key: 'code' }, onUpdate: 'CASCADE' },
    klasifikasi_code: { type: DataTypes.STRING(30), allowNull: false, references: { model: 'klasifikasi', key: 'code' }, onUpdate: 'CASCADE' },
    unit_code: { type: DataTypes.STRING(40), allowNull: true },
    letter_date: { type: DataTypes.DATEONLY, allowNull: false },
    perihal: { type: DataTypes.STRING(500), allowNull: true },
    draft_id: { type: DataTypes.INTEGER, allowNull: true },
    source: { type: DataTypes.STRING(10), allowNull: false },
    status: { type: DataTypes.STRING(12), allowNull: false },
    manual_reason: { type: DataTypes.TEXT, allowNull: true },
    reuses_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'letter_numbers', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    assigned_at: { type: DataTypes.DATE(3), allowNull: false },
    assigned_by_user_id: userFk,
    cancelled_at: { type: DataTypes.DATE(3), allowNull: true },
    cancelled_by_user_id: userFk,
    cancel_reason: { type: DataTypes.TEXT, allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('letter_numbers', ['active_number'], { unique: true, name: 'letter_numbers_active_number' });
  await q.addIndex('letter_numbers', ['number'], { name: 'letter_numbers_number' });
  await q.addIndex('letter_numbers', ['year', 'id'], { name: 'letter_numbers_year' });
  await q.addIndex('letter_numbers', ['draft_id'], { name: 'letter_numbers_draft' });
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.dropTable('letter_numbers');
}
