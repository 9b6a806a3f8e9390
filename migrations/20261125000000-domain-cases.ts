import { DataTypes, type QueryInterface } from 'sequelize';

// Domain and subdomain cases for the Pejabat Domain (issue #6).
// - domain_case_types + domain_case_type_versions: the case types of SOP 38-46 as data. A
//   version holds the whole definition (steps with actor, SOP time, needs and produces; the
//   document checklist) as JSON; a case keeps the version it was opened with.
// - domain_registry: the region's domains and subdomains (name, owner agency, status, dates).
// - domain_cases: one request (name, applicant, contact, hosting need), its current step with
//   the SOP deadline, its public tracking code, and the letters that belong to it.
// - domain_case_events: every step taken (actor, time, note, data such as the registrar
//   reference or the payment) and every other change, for the step history.
// - domain_case_slots + domain_case_documents: the checklist, each slot with its verification
//   state and every uploaded version.
// Immutable once merged.
type Ctx = { context: QueryInterface };

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const fk = (model: string, allowNull = true, onDelete = 'SET NULL') =>
  ({ type: DataTypes.INTEGER, allowNull, references: { model, key: 'id' }, onDelete: allowNull ? onDelete : 'CASCADE', onUpdate: 'CASCADE' });
const at = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });

export async function up({ context: q }: Ctx): Promise<void> {
  await q.createTable('domain_case_types', {
    id,
    key: { type: DataTypes.STRING(40), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    path: { type: DataTypes.STRING(12), allowNull: false },
    sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    current_version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    created_at: at(),
    updated_at: at(),
  });
  await q.createTable('domain_case_type_versions', {
    id,
    type_id: fk('domain_case_types', false),
    version: { type: DataTypes.INTEGER, allowNull: false },
    definition: { type: q.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    created_by_user_id: fk('users'),
    created_at: at(),
  });
  await q.addIndex('domain_case_type_versions', ['type_id', 'version'], { unique: true, name: 'domain_case_type_versions_type_version' });

  await q.createTable('domain_registry', {
    id,
    fqdn: { type: DataTypes.STRING(253), allowNull: false, unique: true },
    kind: { type: DataTypes.STRING(12), allowNull: false },
    owner_agency_id: fk('agencies'),
    status: { type: DataTypes.STRING(12), allowNull: false },
    registered_at: { type: DataTypes.DATEONLY, allowNull: true },
    activated_at: { type: DataTypes.DATEONLY, allowNull: true },
    expires_at: { type: DataTypes.DATEONLY, allowNull: true },
    hosting_notes: { type: DataTypes.TEXT, allowNull: true },
    dns_notes: { type: DataTypes.TEXT, allowNull: true },
    last_reminder_days: { type: DataTypes.INTEGER, allowNull: true },
    created_at: at(),
    updated_at: at(),
  });
  await q.addIndex('domain_registry', ['status', 'expires_at'], { name: 'domain_registry_status_expiry' });

  await q.createTable('domain_cases', {
    id,
    type_id: fk('domain_case_types', false),
    type_version_id: fk('domain_case_type_versions', false),
    tracking_code: { type: DataTypes.STRING(20), allowNull: false, unique: true },
    name_kind: { type: DataTypes.STRING(12), allowNull: false },
    requested_name: { type: DataTypes.STRING(253), allowNull: false },
    // The name while the case is open (NULL once closed): one open case per name, enforced by the database.
    open_name: { type: DataTypes.STRING(253), allowNull: true, unique: true },
    applicant_agency_id: fk('agencies', false),
    purpose: { type: DataTypes.TEXT, allowNull: false },
    tech_name: { type: DataTypes.STRING(200), allowNull: false },
    tech_nip: { type: DataTypes.STRING(18), allowNull: true },
    tech_email: { type: DataTypes.STRING(255), allowNull: false },
    tech_phone: { type: DataTypes.STRING(40), allowNull: false },
    hosting: { type: DataTypes.TEXT, allowNull: true },
    letter_id: fk('incoming_letters'),
    disposition_id: fk('dispositions'),
    registry_id: fk('domain_registry'),
    pejabat_position_id: fk('positions', false),
    status: { type: DataTypes.STRING(12), allowNull: false },
    outcome: { type: DataTypes.STRING(12), allowNull: true },
    current_step_key: { type: DataTypes.STRING(40), allowNull: true },
    step_started_at: at(true),
    step_due_at: at(true),
    step_late_notified_at: at(true),
    reply_letter_id: fk('outgoing_letters'),
    sekda_letter_id: fk('outgoing_letters'),
    registrar_ref: { type: DataTypes.STRING(120), allowNull: true },
    opened_by_user_id: fk('users'),
    submission_key: { type: DataTypes.STRING(64), allowNull: true, unique: true },
    closed_at: at(true),
    lock_version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: at(),
    updated_at: at(),
  });
  await q.addIndex('domain_cases', ['status', 'step_due_at'], { name: 'domain_cases_status_due' });
  await q.addIndex('domain_cases', ['requested_name'], { name: 'domain_cases_requested_name' });
  await q.addIndex('domain_cases', ['letter_id'], { name: 'domain_cases_letter' });
  await q.addIndex('domain_cases', ['reply_letter_id'], { name: 'domain_cases_reply' });

  await q.createTable('domain_case_events', {
    id,
    case_id: fk('domain_cases', false),
    step_key: { type: DataTypes.STRING(40), allowNull: true },
    step_label: { type: DataTypes.STRING(200), allowNull: true },
    action: { type: DataTypes.STRING(20), allowNull: false },
    outcome: { type: DataTypes.STRING(20), allowNull: true },
    note: { type: DataTypes.TEXT, allowNull: true },
    data: { type: DataTypes.TEXT, allowNull: true },
    actor_user_id: fk('users'),
    actor_position_id: fk('positions'),
    sop_minutes: { type: DataTypes.INTEGER, allowNull: true },
    started_at: at(true),
    due_at: at(true),
    late: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_at: at(),
  });
  await q.addIndex('domain_case_events', ['case_id', 'id'], { name: 'domain_case_events_case' });

  await q.createTable('domain_case_documents', {
    id,
    case_id: fk('domain_cases', false),
    slot_key: { type: DataTypes.STRING(40), allowNull: false },
    version: { type: DataTypes.INTEGER, allowNull: false },
    blob_sha: { type: DataTypes.STRING(64), allowNull: false },
    original_name: { type: DataTypes.STRING(255), allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
    warnings: { type: DataTypes.TEXT, allowNull: true },
    uploaded_by_user_id: fk('users'),
    uploaded_at: at(),
  });
  await q.addIndex('domain_case_documents', ['case_id', 'slot_key', 'version'], { unique: true, name: 'domain_case_documents_slot_version' });

  await q.createTable('domain_case_slots', {
    id,
    case_id: fk('domain_cases', false),
    slot_key: { type: DataTypes.STRING(40), allowNull: false },
    state: { type: DataTypes.STRING(12), allowNull: false },
    note: { type: DataTypes.TEXT, allowNull: true },
    current_document_id: fk('domain_case_documents'),
    verified_by_user_id: fk('users'),
    verified_at: at(true),
  });
  await q.addIndex('domain_case_slots', ['case_id', 'slot_key'], { unique: true, name: 'domain_case_slots_case_slot' });
}

export async function down({ context: q }: Ctx): Promise<void> {
  for (const t of ['domain_case_slots', 'domain_case_documents', 'domain_case_events', 'domain_cases', 'domain_registry', 'domain_case_type_versions', 'domain_case_types']) {
    await q.dropTable(t);
  }
}
