/**
 * Disposisi: sending a letter down the hierarchy with instructions and deadlines, reports, recalls,
 * the disposition tree and its lembar disposisi. Pages: routes/disposisi/, views/letters/ (the letter page's tree).
 */
export { sweepDeadlines } from './deadlineSweeper';
export { dueFor } from './deadlines';
export { letterSubject, moveLetter, saveDisposition } from './dispositionCommon';
export { reportOnDisposition } from './dispositionReporter';
export { sendDispositions } from './dispositionSender';
export { allowedTargets } from './dispositionTargets';
export { dispositionTree, treeRows, treeView, TREE_PAGE_NODES, type DispositionTree, type TreeRows } from './dispositionTree';
export { parafInitials } from './lembarDisposisi';
export { canCloseLetter, holdingsAmong, holdingsOnLetter } from './policies/disposition';
