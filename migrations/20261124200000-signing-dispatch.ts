import { DataTypes, type QueryInterface } from 'sequelize';

// Signing (TTE), dispatch and public verification of outgoing letters (issue #5).
// - outgoing_letters gains the signed state: a random URL-safe verification code (unique, the
//   QR's target), the unsigned render and the signed PDF (blob keys; the signed one's SHA-256 is
//   also the registry entry the verification page compares uploads with), who signed and when,
//   revocation, and replacement (the letter that replaces this one, with the reason).
// - incoming_letters gains the two links to outgoing letters: the reply that answered it, and
//   the outgoing letter it was created from when that letter was dispatched to an internal
//   addressee (no second registration).
// - outgoing_dispatches: one row per recipient and channel at "Kirim".
// - signing_certificates: each signer's P12 (blob key; its passphrase is never stored).
// Immutable once merged.
type Ctx = { context: QueryInterface };

const userFk = { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' };
const outgoingFk = (allowNull: boolean) => ({ type: DataTypes.INTEGER, allowNull, references: { model: 'outgoing_letters', key: 'id' }, onDelete: allowNull ? 'SET NULL' : 'CASCADE', onUpdate: 'CASCADE' });

export async function up({ context: q }: Ctx): Promise<void> {
  const cols: [string, object][] = [
    ['verification_code', { type: DataTypes.STRING(40), allowNull: true }],
    ['unsigned_blob_sha', { type: DataTypes.STRING(64), allowNull: true }],
    ['signed_blob_sha', { type: DataTypes.STRING(64), allowNull: true }],
    ['signed_at', { type: DataTypes.DATE(3), allowNull: true }],
    ['signed_by_user_id', userFk],
    ['signed_name', { type: DataTypes.STRING(255), allowNull: true }],
    ['signed_title', { type: DataTypes.STRING(300), allowNull: true }],
    ['dispatched_at', { type: DataTypes.DATE(3), allowNull: true }],
    ['revoked_at', { type: DataTypes.DATE(3), allowNull: true }],
    ['revoked_by_user_id', userFk],
    ['revoke_reason', { type: DataTypes.TEXT, allowNull: true }],
    ['replaces_id', outgoingFk(true)],
    ['replaced_by_id', outgoingFk(true)],
    ['replace_reason', { type: DataTypes.TEXT, allowNull: true }],
  ];
  for (const [name, def] of cols) await q.addColumn('outgoing_letters', name, def as never);
  await q.addIndex('outgoing_letters', ['verification_code'], { unique: true, name: 'outgoing_letters_verification_code' });
  await q.addIndex('outgoing_letters', ['signed_blob_sha'], { name: 'outgoing_letters_signed_blob_sha' });

  await q.addColumn('incoming_letters', 'answered_by_outgoing_id', outgoingFk(true) as never);
  await q.addColumn('incoming_letters', 'source_outgoing_id', outgoingFk(true) as never);
  await q.addIndex('incoming_letters', ['source_outgoing_id'], { name: 'incoming_letters_source_outgoing' });

  await q.createTable('outgoing_dispatches', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    letter_id: outgoingFk(false),
    recipient_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'outgoing_recipients', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    kind: { type: DataTypes.STRING(12), allowNull: false },
    name: { type: DataTypes.STRING(255), allowNull: false },
    channel: { type: DataTypes.STRING(12), allowNull: false },
    position_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'positions', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    incoming_letter_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'incoming_letters', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    email: { type: DataTypes.STRING(255), allowNull: true },
    email_status: { type: DataTypes.STRING(12), allowNull: true },
    email_error: { type: DataTypes.STRING(500), allowNull: true },
    email_attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    emailed_at: { type: DataTypes.DATE(3), allowNull: true },
    sent_date: { type: DataTypes.DATEONLY, allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    created_by_user_id: userFk,
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('outgoing_dispatches', ['letter_id'], { name: 'outgoing_dispatches_letter' });
  await q.addIndex('outgoing_dispatches', ['email_status'], { name: 'outgoing_dispatches_email_status' });

  await q.createTable('signing_certificates', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE', onUpdate: 'CASCADE' },
    p12_blob_sha: { type: DataTypes.STRING(64), allowNull: false },
    subject: { type: DataTypes.STRING(500), allowNull: false },
    serial: { type: DataTypes.STRING(80), allowNull: true },
    valid_from: { type: DataTypes.DATE(3), allowNull: false },
    valid_to: { type: DataTypes.DATE(3), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    uploaded_by_user_id: userFk,
    uploaded_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('signing_certificates', ['user_id', 'active'], { name: 'signing_certificates_user' });
}

/**
 * Sequelize's removeColumn on SQLite rebuilds the table and loses what it cannot copy (the
 * composite UNIQUE (agenda_year, agenda_seq) becomes two single-column ones, indexes and the
 * full-text triggers go): use SQLite's own ALTER TABLE ... DROP COLUMN (3.35+) there.
 */
async function dropColumn(q: QueryInterface, table: string, column: string): Promise<void> {
  if (q.sequelize.getDialect() === 'sqlite') await q.sequelize.query(`ALTER TABLE \`${table}\` DROP COLUMN \`${column}\``);
  else await q.removeColumn(table, column);
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.dropTable('signing_certificates');
  await q.dropTable('outgoing_dispatches');
  await q.removeIndex('incoming_letters', 'incoming_letters_source_outgoing');
  await dropColumn(q, 'incoming_letters', 'source_outgoing_id');
  await dropColumn(q, 'incoming_letters', 'answered_by_outgoing_id');
  await q.removeIndex('outgoing_letters', 'outgoing_letters_signed_blob_sha');
  await q.removeIndex('outgoing_letters', 'outgoing_letters_verification_code');
  for (const c of ['replace_reason', 'replaced_by_id', 'replaces_id', 'revoke_reason', 'revoked_by_user_id', 'revoked_at', 'dispatched_at',
    'signed_title', 'signed_name', 'signed_by_user_id', 'signed_at', 'signed_blob_sha', 'unsigned_blob_sha', 'verification_code']) {
    await dropColumn(q, 'outgoing_letters', c);
  }
}
