/** The PKI's public API: what the gateway, the CLI and the client side import. */
export { initPki, type InitPkiOptions, type InitPkiResult } from './pkiInit.ts';
export { issueCertificate, DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS, type IssueCertificateOptions, type IssuedCertificate } from './issuance.ts';
export { renewCertificate, type RenewOptions, type RenewalResult } from './renewal.ts';
export { revokeCertificate, type RevokeOptions, type RevocationResult } from './revocation.ts';
export { generateCrls, CRL_VALIDITY_DAYS, type GenerateCrlsOptions, type IssuedCrl } from './crls.ts';
export { crlsDueForRefresh, refreshCrls, keepCrlsFresh, type CrlFreshnessOptions, type CrlKeeper, type CrlKeeperOptions } from './crlKeeper.ts';
export { listCertificates, listAuthorities, listCrls, type CertificateListing, type AuthorityListing, type CrlListing } from './listing.ts';
export type { CertificateStatus } from './certificateRegistry.ts';
export { exportBundle, type BundleFormat, type ExportBundleOptions } from './bundleExport.ts';
export { loadTrustMaterial, loadTlsCredentials, revokedSerialNumbers, type TrustMaterial, type TlsCredentials } from './tlsMaterial.ts';
export { watchPki, type PkiWatchOptions, type PkiWatcher } from './pkiWatch.ts';
export { ensureDevPki, DEV_GATEWAY, DEV_GATEWAY_URN, DEV_PARTIES, DEV_RENEW_WITHIN_DAYS, type DevCredential, type DevPkiSummary } from './devPki.ts';
export { partyIdentity } from './partyIdentity.ts';
export { KEY_ALGORITHMS, DEFAULT_KEY_ALGORITHM, isKeyAlgorithm, type KeyAlgorithm } from './keyAlgorithms.ts';
export { REVOCATION_REASONS, isRevocationReason, type RevocationReason } from './revocationReasons.ts';
export { AUTHORITY_NAMES, type AuthorityName } from './pkiLayout.ts';
export { PkiError, PKI_ERROR_CODES, type PkiErrorCode } from './errors.ts';
