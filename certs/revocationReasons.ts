import { x509 } from './x509.ts';

/**
 * RFC 5280 §5.3.1 reason codes that mean a final revocation. certificateHold
 * and removeFromCRL are left out: a suspended certificate is not offered.
 */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export function isRevocationReason(text: string): text is RevocationReason {
  return (REVOCATION_REASONS as readonly string[]).includes(text);
}

export function crlReasonCode(reason: RevocationReason): x509.X509CrlReason {
  return x509.X509CrlReason[reason];
}
