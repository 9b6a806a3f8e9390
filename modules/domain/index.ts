/**
 * Domain: the Pejabat Domain's cases (.go.id, .desa.id, subdomains) through their SOP steps, documents,
 * registrar package, sweeps and settings. Pages: routes/domain/, views/domain/.
 */
export { completeStep, openCase, uploadDocument, verifySlot } from './domainCases';
export { casesOfLetter } from './domainQueries';
export { sweepDomainCases } from './domainSweeper';
export { canOpenCase, canSeeDomainBoard } from './policies/domain';
