/**
 * Organisasi: units, positions, people and who holds which position (definitive, Plt, Plh); sign-in
 * and passwords. Pages: routes/org/ (admin, auth), views/admin/ and views/auth/.
 */
export { authenticate } from './auth';
export { holdersOf, holdingsOf, nipProblem, positionLabels } from './org';
export { currentHoldings, directoryUser, positionsWhere, referenceLists, unitSubtree, userNames } from './orgDirectory';
export { hashPassword } from './passwords';
export { createUser, resetPassword } from './userAccounts';
