import type { ProblemCode } from '../../schemas/problems.ts';

/**
 * What `journal verify` can find wrong with a bundle, beyond the envelope
 * refusals it reuses from the problem catalogue (`envelope.*`). Stable: the
 * JSON report and the tests name failures by these codes.
 */
export const BUNDLE_FINDINGS = {
  'bundle.malformed-line': 'The line is not a well-formed bundle line',
  'bundle.header-missing': 'The first line is not the bundle header',
  'bundle.gateway-untrusted': 'The gateway certificate does not chain to the trusted root',
  'bundle.manifest-missing': 'The bundle does not end with its signed manifest',
  'bundle.manifest-signature': 'The manifest signature does not verify with the gateway certificate',
  'bundle.manifest-header-mismatch': 'The manifest and the header disagree about the export',
  'bundle.line-altered': 'The line is not the one the manifest lists at its position',
  'bundle.line-out-of-place': 'The line is listed by the manifest at another position (deleted, inserted or reordered lines)',
  'bundle.line-not-in-manifest': 'The manifest lists fewer lines than the bundle holds',
  'bundle.lines-missing': 'The manifest lists lines the bundle no longer holds',
  'bundle.line-after-manifest': 'Nothing may follow the manifest',
  'bundle.journal-order': 'Journal positions do not increase through the bundle',
  'bundle.body-hash-mismatch': 'The body is not the one whose SHA-256 the journal recorded',
  'bundle.entry-unsigned': 'The entry carries no signature',
  'bundle.certificate-untrusted': "The sender's certificate does not chain to the trusted root at the signing time",
  'bundle.certificate-revoked': "The sender's certificate was revoked before the second it signed in",
  'bundle.revocation-list-untrusted': 'A CRL in the header is not signed by a trusted authority',
  'bundle.certificate-no-party': "The sender's certificate names no flexgate party",
  'bundle.sender-mismatch': 'The journalled sender is not the party that signed',
  'bundle.verification-record-mismatch': 'The journalled verification record does not match the signature',
  'bundle.sequence-not-increasing': 'The sequence number was used before by the same issuer and audience, or is below their replay window',
  'bundle.message-id-repeated': 'The issuer used this message id earlier in the bundle',
} as const;

export type BundleFindingCode = keyof typeof BUNDLE_FINDINGS;
export type FindingCode = BundleFindingCode | ProblemCode;

export interface Finding {
  code: FindingCode;
  detail: string;
}
