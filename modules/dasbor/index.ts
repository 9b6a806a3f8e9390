/**
 * Dasbor: what leaders see at a glance (letters in, dispositions open and late, per unit).
 * Pages: routes/dasbor/, views/dashboard/.
 */
export { dashboardScope, parsePeriod } from './dashboard';
export type { DashboardScope, Period } from './dashboard';
