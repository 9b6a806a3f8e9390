import { DataTypes, type QueryInterface } from 'sequelize';

// Immutable once merged: later changes go into new migration files.
type Ctx = { context: QueryInterface };

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const ts = { created_at: { type: DataTypes.DATE(3), allowNull: false }, updated_at: { type: DataTypes.DATE(3), allowNull: false } };
const fk = (table: string, allowNull = false, onDelete = 'RESTRICT') => ({
  type: DataTypes.INTEGER, allowNull, references: { model: table, key: 'id' }, onDelete, onUpdate: 'CASCADE',
});

export async function up({ context: q }: Ctx): Promise<void> {
  await q.createTable('units', {
    id, parent_id: fk('units', true), name: { type: DataTypes.STRING(200), allowNull: false },
    kind: { type: DataTypes.STRING(20), allowNull: false }, code: { type: DataTypes.STRING(40), allowNull: false },
    sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, ...ts,
  });
  await q.createTable('positions', {
    id, unit_id: fk('units'), superior_id: fk('positions', true),
    name: { type: DataTypes.STRING(200), allowNull: false }, rank: { type: DataTypes.INTEGER, allowNull: false },
    role: { type: DataTypes.STRING(30), allowNull: false }, eselon: { type: DataTypes.STRING(10), allowNull: true },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true }, ...ts,
  });
  await q.createTable('users', {
    id, username: { type: DataTypes.STRING(60), allowNull: false, unique: true },
    nip: { type: DataTypes.STRING(18), allowNull: true, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: false }, pangkat: { type: DataTypes.STRING(60), allowNull: true },
    golongan: { type: DataTypes.STRING(10), allowNull: true }, email: { type: DataTypes.STRING(200), allowNull: true },
    phone: { type: DataTypes.STRING(40), allowNull: true }, password_hash: { type: DataTypes.STRING(255), allowNull: false },
    is_admin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true }, ...ts,
  });
  await q.createTable('assignments', {
    id, user_id: fk('users', false, 'CASCADE'), position_id: fk('positions', false, 'CASCADE'),
    kind: { type: DataTypes.STRING(12), allowNull: false }, start_date: { type: DataTypes.DATEONLY, allowNull: false },
    end_date: { type: DataTypes.DATEONLY, allowNull: true }, decree_number: { type: DataTypes.STRING(100), allowNull: true }, ...ts,
  });
  await q.addIndex('assignments', ['position_id', 'start_date']);
  await q.addIndex('assignments', ['user_id', 'start_date']);
  await q.createTable('agencies', {
    id, name: { type: DataTypes.STRING(255), allowNull: false }, kind: { type: DataTypes.STRING(30), allowNull: false },
    head_title: { type: DataTypes.STRING(255), allowNull: true }, address: { type: DataTypes.STRING(500), allowNull: true },
    city: { type: DataTypes.STRING(100), allowNull: true }, email: { type: DataTypes.STRING(200), allowNull: true },
    phone: { type: DataTypes.STRING(40), allowNull: true }, active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true }, ...ts,
  });
  await q.addIndex('agencies', ['name']);
  await q.createTable('klasifikasi', {
    code: { type: DataTypes.STRING(30), primaryKey: true, allowNull: false }, name: { type: DataTypes.STRING(255), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  });
  await q.createTable('jenis_naskah', {
    code: { type: DataTypes.STRING(40), primaryKey: true, allowNull: false }, name: { type: DataTypes.STRING(120), allowNull: false },
    sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
  await q.createTable('blobs', {
    sha256: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false }, size: { type: DataTypes.BIGINT, allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false }, created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.createTable('incoming_letters', {
    id, agenda_year: { type: DataTypes.INTEGER, allowNull: false }, agenda_seq: { type: DataTypes.INTEGER, allowNull: false },
    agenda_number: { type: DataTypes.STRING(60), allowNull: false },
    sender_agency_id: fk('agencies'), sender_name: { type: DataTypes.STRING(255), allowNull: false },
    sender_number: { type: DataTypes.STRING(120), allowNull: false },
    letter_date: { type: DataTypes.DATEONLY, allowNull: false }, received_date: { type: DataTypes.DATEONLY, allowNull: false },
    perihal: { type: DataTypes.STRING(500), allowNull: false }, sifat: { type: DataTypes.STRING(20), allowNull: false },
    urgensi: { type: DataTypes.STRING(20), allowNull: false },
    klasifikasi_code: { type: DataTypes.STRING(30), allowNull: false, references: { model: 'klasifikasi', key: 'code' } },
    jenis_naskah_code: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'jenis_naskah', key: 'code' } },
    lampiran: { type: DataTypes.STRING(200), allowNull: true }, summary: { type: DataTypes.TEXT, allowNull: true },
    addressed_position_id: fk('positions'), status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'baru' },
    search_text: { type: DataTypes.TEXT, allowNull: false },
    submission_key: { type: DataTypes.STRING(64), allowNull: true, unique: true },
    created_by_id: fk('users'), version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 }, ...ts,
  });
  await q.addIndex('incoming_letters', ['agenda_year', 'agenda_seq'], { unique: true, name: 'incoming_letters_agenda_unique' });
  await q.addIndex('incoming_letters', ['sender_agency_id', 'sender_number'], { name: 'incoming_letters_sender_number' });
  await q.addIndex('incoming_letters', ['received_date', 'id'], { name: 'incoming_letters_received' });
  await q.addIndex('incoming_letters', ['status', 'id'], { name: 'incoming_letters_status' });
  await q.addIndex('incoming_letters', ['sifat', 'id'], { name: 'incoming_letters_sifat' });
  await q.addIndex('incoming_letters', ['klasifikasi_code', 'id'], { name: 'incoming_letters_klasifikasi' });
  await q.createTable('incoming_letter_files', {
    id, letter_id: fk('incoming_letters', false, 'CASCADE'),
    blob_sha: { type: DataTypes.STRING(64), allowNull: false, references: { model: 'blobs', key: 'sha256' } },
    kind: { type: DataTypes.STRING(20), allowNull: false }, original_name: { type: DataTypes.STRING(255), allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false }, size: { type: DataTypes.BIGINT, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('incoming_letter_files', ['letter_id']);
  await q.addIndex('incoming_letter_files', ['blob_sha']);
  await q.createTable('inbox_items', {
    id, letter_id: fk('incoming_letters', false, 'CASCADE'), position_id: fk('positions'),
    kind: { type: DataTypes.STRING(20), allowNull: false }, received_at: { type: DataTypes.DATE(3), allowNull: false },
    unread: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    read_at: { type: DataTypes.DATE(3), allowNull: true }, read_by_user_id: fk('users', true, 'SET NULL'),
    due_at: { type: DataTypes.DATE(3), allowNull: true }, done_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await q.addIndex('inbox_items', ['letter_id', 'position_id'], { unique: true, name: 'inbox_items_letter_position' });
  await q.addIndex('inbox_items', ['position_id', 'unread', 'id'], { name: 'inbox_items_position_unread' });
  await q.addIndex('inbox_items', ['position_id', 'done_at', 'due_at'], { name: 'inbox_items_position_due' });
  await q.createTable('audit_events', {
    id, seq: { type: DataTypes.INTEGER, allowNull: false, unique: true }, at: { type: DataTypes.DATE(3), allowNull: false },
    actor_user_id: { type: DataTypes.INTEGER, allowNull: true }, actor_position_id: { type: DataTypes.INTEGER, allowNull: true },
    acting: { type: DataTypes.STRING(12), allowNull: true }, action: { type: DataTypes.STRING(80), allowNull: false },
    entity_type: { type: DataTypes.STRING(40), allowNull: false }, entity_id: { type: DataTypes.STRING(64), allowNull: false },
    before: { type: DataTypes.TEXT, allowNull: true }, after: { type: DataTypes.TEXT, allowNull: true },
    ip: { type: DataTypes.STRING(64), allowNull: true },
    prev_hash: { type: DataTypes.STRING(64), allowNull: false }, hash: { type: DataTypes.STRING(64), allowNull: false },
  });
  await q.addIndex('audit_events', ['entity_type', 'entity_id', 'seq'], { name: 'audit_events_entity' });
  await q.createTable('sequences', {
    name: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false }, value: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
  });
  await q.createTable('login_throttles', {
    key: { type: DataTypes.STRING(200), primaryKey: true, allowNull: false }, failures: { type: DataTypes.INTEGER, allowNull: false },
    window_start: { type: DataTypes.DATE(3), allowNull: false }, locked_until: { type: DataTypes.DATE(3), allowNull: true },
  });
  // Table layout expected by connect-session-sequelize.
  await q.createTable('sessions', {
    sid: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    expires: { type: DataTypes.DATE, allowNull: true }, data: { type: q.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false }, updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await q.addIndex('sessions', ['expires']);
}

export async function down({ context: q }: Ctx): Promise<void> {
  for (const t of ['sessions', 'login_throttles', 'sequences', 'audit_events', 'inbox_items', 'incoming_letter_files',
    'incoming_letters', 'blobs', 'jenis_naskah', 'klasifikasi', 'agencies', 'assignments', 'users', 'positions', 'units']) {
    await q.dropTable(t);
  }
}
