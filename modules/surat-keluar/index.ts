/**
 * Surat keluar: drafts from templates, their versions and attachments, the paraf chain, return and
 * cancellation, outgoing numbers. Pages: routes/surat-keluar/, views/outgoing/ and views/numbers/.
 */
export { submitDraft } from './draftSubmitter';
export { prepareLetterNumber, renderNumber, takeLetterNumber } from './letterNumbering';
export type { PreparedNumber } from './letterNumbering';
export { addVersion, assertTransition, contentOf, draftSnapshot, draftSubject, hashContent, lockDraft, saveDraft } from './outgoingCommon';
export { letterDocOf } from './outgoingDoc';
export { createDraft } from './outgoingDraftCreator';
export type { DraftForm } from './outgoingFields';
export { defaultChain } from './parafChain';
export { giveParaf } from './parafGiver';
export { canSeeNumberRegister } from './policies/letterNumber';
export { chainPositions, outgoingRights } from './policies/outgoing';
