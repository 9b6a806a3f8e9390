import { DataTypes, type QueryInterface } from 'sequelize';

// Dispositions, their reports, the working calendar and SOP step times, settings and
// notifications. Immutable once merged.
type Ctx = { context: QueryInterface };

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const ts = { created_at: { type: DataTypes.DATE(3), allowNull: false }, updated_at: { type: DataTypes.DATE(3), allowNull: false } };
const fk = (table: string, allowNull = false, onDelete = 'RESTRICT') => ({
  type: DataTypes.INTEGER, allowNull, references: { model: table, key: 'id' }, onDelete, onUpdate: 'CASCADE',
});
const date = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });

export async function up({ context: q }: Ctx): Promise<void> {
  await q.createTable('disposition_instructions', {
    code: { type: DataTypes.STRING(40), primaryKey: true, allowNull: false }, label: { type: DataTypes.STRING(120), allowNull: false },
    sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  });
  await q.createTable('dispositions', {
    id, letter_id: fk('incoming_letters', false, 'CASCADE'), parent_id: fk('dispositions', true, 'CASCADE'),
    from_position_id: fk('positions'), from_user_id: fk('users'), from_acting: { type: DataTypes.STRING(12), allowNull: true },
    to_position_id: fk('positions'),
    instructions: { type: DataTypes.TEXT, allowNull: false }, note: { type: DataTypes.TEXT, allowNull: true },
    priority: { type: DataTypes.STRING(20), allowNull: false }, due_at: date(false),
    status: { type: DataTypes.STRING(20), allowNull: false },
    read_at: date(), read_by_user_id: fk('users', true, 'SET NULL'),
    completed_at: date(), completed_by_user_id: fk('users', true, 'SET NULL'), completed_acting: { type: DataTypes.STRING(12), allowNull: true },
    result: { type: DataTypes.TEXT, allowNull: true },
    recalled_at: date(), recall_reason: { type: DataTypes.STRING(500), allowNull: true },
    reminded_at: date(), escalated_at: date(),
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, ...ts,
  });
  await q.addIndex('dispositions', ['letter_id', 'id'], { name: 'dispositions_letter' });
  await q.addIndex('dispositions', ['to_position_id', 'status'], { name: 'dispositions_to_status' });
  await q.addIndex('dispositions', ['status', 'due_at'], { name: 'dispositions_status_due' });
  await q.createTable('disposition_reports', {
    id, disposition_id: fk('dispositions', false, 'CASCADE'), user_id: fk('users'), position_id: fk('positions'),
    acting: { type: DataTypes.STRING(12), allowNull: true }, kind: { type: DataTypes.STRING(20), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false }, created_at: date(false),
  });
  await q.addIndex('disposition_reports', ['disposition_id', 'id']);
  await q.createTable('disposition_report_files', {
    id, report_id: fk('disposition_reports', false, 'CASCADE'), blob_sha: { type: DataTypes.STRING(64), allowNull: false, references: { model: 'blobs', key: 'sha256' } },
    original_name: { type: DataTypes.STRING(255), allowNull: false }, mime: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.BIGINT, allowNull: false }, created_at: date(false),
  });
  await q.addIndex('disposition_report_files', ['report_id']);
  await q.createTable('sla_rules', {
    id, jenis_naskah_code: { type: DataTypes.STRING(40), allowNull: true, references: { model: 'jenis_naskah', key: 'code' }, onDelete: 'CASCADE' },
    role: { type: DataTypes.STRING(30), allowNull: false }, amount: { type: DataTypes.INTEGER, allowNull: false },
    unit: { type: DataTypes.STRING(10), allowNull: false }, ...ts,
  });
  await q.addIndex('sla_rules', ['jenis_naskah_code', 'role'], { unique: true, name: 'sla_rules_jenis_role' });
  await q.createTable('holidays', {
    date: { type: DataTypes.DATEONLY, primaryKey: true, allowNull: false }, name: { type: DataTypes.STRING(200), allowNull: false },
  });
  await q.createTable('settings', {
    key: { type: DataTypes.STRING(80), primaryKey: true, allowNull: false }, value: { type: DataTypes.TEXT, allowNull: false }, updated_at: date(false),
  });
  await q.createTable('notifications', {
    id, user_id: fk('users', false, 'CASCADE'), kind: { type: DataTypes.STRING(40), allowNull: false },
    title: { type: DataTypes.STRING(300), allowNull: false }, body: { type: DataTypes.TEXT, allowNull: true },
    url: { type: DataTypes.STRING(300), allowNull: true }, letter_id: fk('incoming_letters', true, 'CASCADE'),
    disposition_id: fk('dispositions', true, 'CASCADE'), dedupe_key: { type: DataTypes.STRING(160), allowNull: false },
    created_at: date(false), read_at: date(),
    email_status: { type: DataTypes.STRING(12), allowNull: false }, email_attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    emailed_at: date(), email_error: { type: DataTypes.STRING(500), allowNull: true },
  });
  await q.addIndex('notifications', ['user_id', 'dedupe_key'], { unique: true, name: 'notifications_dedupe' });
  await q.addIndex('notifications', ['user_id', 'read_at', 'id'], { name: 'notifications_user_unread' });
  await q.addIndex('notifications', ['email_status', 'id'], { name: 'notifications_email' });

  await q.bulkInsert('disposition_instructions', [
    ['tindak_lanjuti', 'Tindak lanjuti'], ['pelajari_laporkan', 'Pelajari dan laporkan'], ['siapkan_jawaban', 'Siapkan jawaban'],
    ['koordinasikan', 'Koordinasikan'], ['hadiri', 'Hadiri / wakili'], ['proses_sesuai_ketentuan', 'Proses sesuai ketentuan'],
    ['verifikasi_kelengkapan', 'Verifikasi kelengkapan berkas'], ['untuk_diketahui', 'Untuk diketahui'], ['arsipkan', 'Arsipkan'],
  ].map(([code, label], i) => ({ code, label, sort_order: i + 1, active: true })));
  // SOP step times (Mutu Baku): how long a position of each role has to act on a disposition.
  const at = new Date();
  await q.bulkInsert('sla_rules', [
    ['kepala', 1, 'jam'], ['sekretaris', 1, 'jam'], ['kabid', 1, 'hari'], ['kasubbag', 1, 'hari'], ['kasi', 1, 'hari'],
    ['staf', 3, 'hari'], ['sekretariat', 1, 'hari'], ['pejabat_domain', 3, 'hari'], ['operator_dc', 3, 'hari'],
  ].map(([role, amount, unit]) => ({ jenis_naskah_code: null, role, amount, unit, created_at: at, updated_at: at })));
}

export async function down({ context: q }: Ctx): Promise<void> {
  for (const t of ['notifications', 'settings', 'holidays', 'sla_rules', 'disposition_report_files', 'disposition_reports', 'dispositions', 'disposition_instructions']) {
    await q.dropTable(t);
  }
}
