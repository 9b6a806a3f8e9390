import { DataTypes, type QueryInterface } from 'sequelize';

// Signing through BSrE (issue #15).
// - users.nik: the signer's NIK (16 digits), BSrE's identity for a person; validated, never displayed.
// - signing_attempts: every signing call is recorded before the call and settled after it, so a
//   timeout or a crash after the request left never gives a letter two numbers or two signed
//   files, and a signed file that arrives late is still kept (modules/ttd/signingAttempts.ts).
// - signing_service_status: whether the signing service (BSrE) answered its last check, since when
//   it is down and why; the scheduler checks it again while it is down.
// Immutable once merged.
type Ctx = { context: QueryInterface };

const userFk = { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' };

export async function up({ context: q }: Ctx): Promise<void> {
  await q.addColumn('users', 'nik', { type: DataTypes.STRING(16), allowNull: true } as never);
  await q.addIndex('users', ['nik'], { unique: true, name: 'users_nik' });
  await q.createTable('signing_attempts', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    letter_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'outgoing_letters', key: 'id' }, onDelete: 'CASCADE', onUpdate: 'CASCADE' },
    kind: { type: DataTypes.STRING(12), allowNull: false },
    user_id: userFk,
    transport: { type: DataTypes.STRING(16), allowNull: false },
    batch_id: { type: DataTypes.STRING(40), allowNull: true },
    planned_number: { type: DataTypes.STRING(120), allowNull: true },
    status: { type: DataTypes.STRING(16), allowNull: false },
    error_code: { type: DataTypes.STRING(40), allowNull: true },
    message: { type: DataTypes.STRING(500), allowNull: true },
    signed_blob_sha: { type: DataTypes.STRING(64), allowNull: true },
    started_at: { type: DataTypes.DATE(3), allowNull: false },
    settle_by: { type: DataTypes.DATE(3), allowNull: false },
    finished_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await q.addIndex('signing_attempts', ['letter_id', 'id'], { name: 'signing_attempts_letter' });
  await q.addIndex('signing_attempts', ['status', 'settle_by'], { name: 'signing_attempts_open' });
  await q.createTable('signing_service_status', {
    service: { type: DataTypes.STRING(16), primaryKey: true, allowNull: false },
    reachable: { type: DataTypes.BOOLEAN, allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    down_since: { type: DataTypes.DATE(3), allowNull: true },
    checked_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.dropTable('signing_service_status');
  await q.dropTable('signing_attempts');
  await q.removeIndex('users', 'users_nik');
  if (q.sequelize.getDialect() === 'sqlite') await q.sequelize.query('ALTER TABLE `users` DROP COLUMN `nik`');
  else await q.removeColumn('users', 'nik');
}
