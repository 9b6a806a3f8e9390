/**
 * Surat masuk: registering incoming letters in the agenda book, their fields, search, reading,
 * correcting and closing them. Pages: routes/surat-masuk/ (letters, inbox), views/letters/ and views/inbox/.
 */
export { closeLetter } from './letterCloser';
export { parseCommonFields } from './letterFields';
export { navCounters } from './letterQueries';
export { markRead } from './letterReader';
export { letterPageData, type LetterPageData } from './letterPage';
export { registerLetter } from './letterRegistrar';
export { indexLetterText } from './letterSearch';
export { authorizeLetter, canRegister, canSeeRegister, chainOf, isAdmin, letterRights } from './policies/letter';
