import { certificateStatus, parseCertificateSelector, selectCertificates } from './certificateRegistry.ts';
import { issueInSession, type IssuedCertificate } from './issuance.ts';
import type { KeyAlgorithm } from './keyAlgorithms.ts';
import { withPkiSession } from './pkiSession.ts';
import { revokeInSession } from './revocation.ts';

export interface RenewOptions {
  /** Revoke the certificate(s) being replaced, reason superseded. Default: they stay valid until they expire. */
  revokeOld?: boolean;
  /** Default: the algorithm of the certificate being replaced. */
  algorithm?: KeyAlgorithm;
  /** Default: the lifetime of the certificate being replaced. */
  lifetimeDays?: number;
  now?: Date;
}

export interface RenewalResult {
  issued: IssuedCertificate;
  /** Serials revoked as superseded (only with `revokeOld`). */
  revoked: string[];
}

/**
 * Issues a new key and certificate for the same party, with the same server
 * names and lifetime, as the certificate named by serial (or the party's newest one, by
 * URN). With `revokeOld` the replaced ones still valid are revoked: by
 * serial that one, by URN every other valid certificate of the party.
 */
export async function renewCertificate(dir: string, serialOrUrn: string, options: RenewOptions = {}): Promise<RenewalResult> {
  const selector = parseCertificateSelector(serialOrUrn);
  return withPkiSession(dir, options.now, async (session) => {
    const previous = selectCertificates(session.index, selector);
    const template = previous[0]!;
    const issued = await issueInSession(session, {
      role: template.role,
      id: template.id,
      algorithm: options.algorithm ?? template.algorithm,
      dnsNames: template.dnsNames,
      ipAddresses: template.ipAddresses,
      lifetimeDays: options.lifetimeDays ?? template.lifetimeDays,
    });
    const superseded = previous.filter((record) => certificateStatus(record, session.now) === 'valid');
    if (!options.revokeOld || superseded.length === 0) return { issued, revoked: [] };
    const { revoked } = await revokeInSession(session, superseded, 'superseded');
    return { issued, revoked };
  });
}
