import { DataTypes, type QueryInterface } from 'sequelize';

// Countersignature (tanda tangan kedua / pengesahan) of signed outgoing letters, and retries of
// dispatch e-mails by the background scheduler (issue #5).
// - outgoing_countersigns: the signer asks another official position for a second signature;
//   its holder adds an incremental signature to the signed PDF. The row keeps the PDF before
//   (previous_blob_sha) and after (signed_blob_sha); the letter's signed_blob_sha moves on.
// - outgoing_letters.countersign_position_id: the position asked to countersign (it may see the
//   letter from then on).
// - outgoing_dispatches.email_next_attempt_at: a failed e-mail waits until then (backoff).
// Immutable once merged.
type Ctx = { context: QueryInterface };

const userFk = { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' };

export async function up({ context: q }: Ctx): Promise<void> {
  await q.createTable('outgoing_countersigns', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    letter_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'outgoing_letters', key: 'id' }, onDelete: 'CASCADE', onUpdate: 'CASCADE' },
    position_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'positions', key: 'id' }, onDelete: 'CASCADE', onUpdate: 'CASCADE' },
    status: { type: DataTypes.STRING(16), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    requested_by_user_id: userFk,
    requested_at: { type: DataTypes.DATE(3), allowNull: false },
    signed_by_user_id: userFk,
    signed_name: { type: DataTypes.STRING(255), allowNull: true },
    signed_title: { type: DataTypes.STRING(300), allowNull: true },
    signed_at: { type: DataTypes.DATE(3), allowNull: true },
    previous_blob_sha: { type: DataTypes.STRING(64), allowNull: true },
    signed_blob_sha: { type: DataTypes.STRING(64), allowNull: true },
  });
  await q.addIndex('outgoing_countersigns', ['letter_id'], { unique: true, name: 'outgoing_countersigns_letter' });
  await q.addIndex('outgoing_countersigns', ['previous_blob_sha'], { name: 'outgoing_countersigns_previous_blob' });
  await q.addColumn('outgoing_letters', 'countersign_position_id',
    { type: DataTypes.INTEGER, allowNull: true, references: { model: 'positions', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' } as never);
  await q.addColumn('outgoing_dispatches', 'email_next_attempt_at', { type: DataTypes.DATE(3), allowNull: true } as never);
}

/**
 * Sequelize's removeColumn on SQLite rebuilds the table and loses what it cannot copy (indexes,
 * composite constraints): use SQLite's own ALTER TABLE ... DROP COLUMN (3.35+) there.
 */
async function dropColumn(q: QueryInterface, table: string, column: string): Promise<void> {
  if (q.sequelize.getDialect() === 'sqlite') await q.sequelize.query(`ALTER TABLE \`${table}\` DROP COLUMN \`${column}\``);
  else await q.removeColumn(table, column);
}

export async function down({ context: q }: Ctx): Promise<void> {
  await dropColumn(q, 'outgoing_dispatches', 'email_next_attempt_at');
  if (q.sequelize.getDialect() !== 'sqlite') {
    // MariaDB: the foreign key goes before its column.
    const [rows] = await q.sequelize.query(
      "SELECT CONSTRAINT_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'outgoing_letters' AND COLUMN_NAME = 'countersign_position_id' AND REFERENCED_TABLE_NAME IS NOT NULL",
    ) as [{ name: string }[], unknown];
    for (const r of rows) await q.removeConstraint('outgoing_letters', r.name);
  }
  await dropColumn(q, 'outgoing_letters', 'countersign_position_id');
  await q.dropTable('outgoing_countersigns');
}
