/**
 * TTE: signing (and countersigning) a letter with the signing port (BSrE or the local CA), dispatching
 * it, revoking it, verifying it by its QR code; certificates. Pages: routes/ttd/, views/verification/.
 */
export { afterDispatch } from './dispatchHooks';
export { signingPanelOf } from './letterCountersigner';
export { deliverDispatchEmails } from './letterDispatcher';
export { blobBytes } from './letterSigner';
export { findInRegistry } from './letterVerifier';
export { signerCertificateStatus, checkSigningService, warnExpiringCertificates } from './certificateStatus';
export { sweepAttempts } from './signingAttempts';
