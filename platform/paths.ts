import path from 'node:path';

/** The checkout's root: where templates/, public/, views/ and migrations/ live. */
export const ROOT = path.resolve(__dirname, '..');
