import { DataTypes, type QueryInterface } from 'sequelize';

// Outgoing letters (Surat Keluar) from draft to "siap tanda tangan": the draft, its recipients,
// its attachments, every saved version (content snapshot + SHA-256) and the paraf chain.
// Signing, numbering and dispatch (issue #5) add to these tables. Immutable once merged.
type Ctx = { context: QueryInterface };

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const ts = { created_at: { type: DataTypes.DATE(3), allowNull: false }, updated_at: { type: DataTypes.DATE(3), allowNull: false } };
const fk = (table: string, allowNull = false, onDelete = 'RESTRICT') => ({
  type: DataTypes.INTEGER, allowNull, references: { model: table, key: 'id' }, onDelete, onUpdate: 'CASCADE',
});
const str = (n: number, allowNull = false) => ({ type: DataTypes.STRING(n), allowNull });

export async function up({ context: q }: Ctx): Promise<void> {
  // MEDIUMTEXT on MariaDB (a body with tables can pass TEXT's 64 KB); SQLite's TEXT has no limit.
  const medium = q.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium');
  const longText = (allowNull = false) => ({ type: medium, allowNull });
  await q.createTable('outgoing_letters', {
    id,
    template_key: str(80),
    template_values: { type: DataTypes.TEXT, allowNull: false },
    layout: str(20),
    jenis_naskah_code: { ...str(40), references: { model: 'jenis_naskah', key: 'code' }, onUpdate: 'CASCADE', onDelete: 'RESTRICT' },
    klasifikasi_code: { ...str(30), references: { model: 'klasifikasi', key: 'code' }, onUpdate: 'CASCADE', onDelete: 'RESTRICT' },
    perihal: str(500),
    sifat: str(20),
    urgensi: str(20),
    lampiran: str(200, true),
    body_html: longText(),
    reply_to_letter_id: fk('incoming_letters', true, 'SET NULL'),
    drafter_user_id: fk('users'),
    drafter_position_id: fk('positions'),
    signer_position_id: fk('positions', true),
    signing_form: str(8, true),
    principal_position_id: fk('positions', true),
    status: str(20),
    current_holder_position_id: fk('positions', true),
    current_version_no: { type: DataTypes.INTEGER, allowNull: false },
    current_hash: str(64),
    // First time every paraf was in: from then on the signer sees the draft.
    reached_signer_at: { type: DataTypes.DATE(3), allowNull: true },
    // Filled at signing (issue #5); null while a draft.
    letter_number: str(120, true),
    letter_date: { type: DataTypes.DATEONLY, allowNull: true },
    submission_key: { ...str(64, true), unique: true },
    lock_version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    ...ts,
  });
  await q.addIndex('outgoing_letters', ['current_holder_position_id', 'status'], { name: 'outgoing_letters_holder' });
  await q.addIndex('outgoing_letters', ['drafter_user_id', 'status', 'updated_at'], { name: 'outgoing_letters_drafter' });
  await q.addIndex('outgoing_letters', ['drafter_position_id', 'status'], { name: 'outgoing_letters_drafter_position' });
  await q.addIndex('outgoing_letters', ['reply_to_letter_id'], { name: 'outgoing_letters_reply_to' });

  await q.createTable('outgoing_recipients', {
    id,
    letter_id: fk('outgoing_letters', false, 'CASCADE'),
    kind: str(12),
    sort_order: { type: DataTypes.INTEGER, allowNull: false },
    target_type: str(12),
    position_id: fk('positions', true),
    agency_id: fk('agencies', true),
    name: str(255),
    place: str(255, true),
  });
  await q.addIndex('outgoing_recipients', ['letter_id', 'kind', 'sort_order'], { name: 'outgoing_recipients_letter' });
  await q.addIndex('outgoing_recipients', ['position_id'], { name: 'outgoing_recipients_position' });

  await q.createTable('outgoing_attachments', {
    id,
    letter_id: fk('outgoing_letters', false, 'CASCADE'),
    blob_sha: { ...str(64), references: { model: 'blobs', key: 'sha256' } },
    original_name: str(255),
    mime: str(100),
    size: { type: DataTypes.BIGINT, allowNull: false },
    append_to_pdf: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    sort_order: { type: DataTypes.INTEGER, allowNull: false },
    added_by_user_id: fk('users'),
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('outgoing_attachments', ['letter_id', 'sort_order'], { name: 'outgoing_attachments_letter' });

  await q.createTable('outgoing_versions', {
    id,
    letter_id: fk('outgoing_letters', false, 'CASCADE'),
    version_no: { type: DataTypes.INTEGER, allowNull: false },
    content: longText(),
    hash: str(64),
    summary: str(300),
    created_by_user_id: fk('users'),
    created_by_position_id: fk('positions', true),
    acting: str(12, true),
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('outgoing_versions', ['letter_id', 'version_no'], { unique: true, name: 'outgoing_versions_letter_no' });

  await q.createTable('outgoing_parafs', {
    id,
    letter_id: fk('outgoing_letters', false, 'CASCADE'),
    step_no: { type: DataTypes.INTEGER, allowNull: false },
    position_id: fk('positions'),
    status: str(20),
    version_no: { type: DataTypes.INTEGER, allowNull: true },
    version_hash: str(64, true),
    note: { type: DataTypes.TEXT, allowNull: true },
    acted_by_user_id: fk('users', true),
    acting: str(12, true),
    acted_at: { type: DataTypes.DATE(3), allowNull: true },
    voided_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('outgoing_parafs', ['letter_id', 'step_no', 'id'], { name: 'outgoing_parafs_letter_step' });
  await q.addIndex('outgoing_parafs', ['position_id', 'status'], { name: 'outgoing_parafs_position' });
}

export async function down({ context: q }: Ctx): Promise<void> {
  for (const t of ['outgoing_parafs', 'outgoing_versions', 'outgoing_attachments', 'outgoing_recipients', 'outgoing_letters']) {
    await q.dropTable(t);
  }
}
