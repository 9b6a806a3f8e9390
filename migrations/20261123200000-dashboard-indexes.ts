import type { QueryInterface } from 'sequelize';

// Indexes for the leader's dashboard (modules/dasbor/dashboard.ts). Each is a covering index for one
// of its aggregates, so they read an index range and never the table rows: measured on MariaDB
// with 1,000,000 letters and 3,000,000 dispositions, without them the step times scanned the
// whole dispositions table (tens of seconds). Immutable once merged.
type Ctx = { context: QueryInterface };

export async function up({ context: q }: Ctx): Promise<void> {
  // Step times: the dispositions created in the chosen period, by recipient, with every time
  // the averages and the on-time share need.
  await q.addIndex('dispositions', ['created_at', 'to_position_id', 'status', 'due_at', 'read_at', 'completed_at'], { name: 'dispositions_created_stats' });
  // Overdue: open dispositions past their deadline, grouped by recipient.
  await q.addIndex('dispositions', ['status', 'due_at', 'to_position_id'], { name: 'dispositions_open_due_to' });
  // A letter's first disposition by its addressed position: one index probe per letter.
  await q.addIndex('dispositions', ['letter_id', 'from_position_id', 'created_at'], { name: 'dispositions_letter_from' });
  // Letters by status in a period of received dates, and their addressee.
  await q.addIndex('incoming_letters', ['received_date', 'status', 'addressed_position_id'], { name: 'incoming_letters_received_status' });
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.removeIndex('incoming_letters', 'incoming_letters_received_status');
  await q.removeIndex('dispositions', 'dispositions_letter_from');
  await q.removeIndex('dispositions', 'dispositions_open_due_to');
  await q.removeIndex('dispositions', 'dispositions_created_stats');
}
