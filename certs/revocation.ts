import { certificateStatus, parseCertificateSelector, selectCertificates } from './certificateRegistry.ts';
import { issueCrl, type IssuedCrl } from './crls.ts';
import { PkiError } from './errors.ts';
import type { CertificateRecord, PkiIndex } from './pkiIndex.ts';
import { withPkiSession, type PkiSession } from './pkiSession.ts';
import type { RevocationReason } from './revocationReasons.ts';

export interface RevokeOptions {
  now?: Date;
}

export interface RevocationResult {
  /** Serial numbers newly revoked. */
  revoked: string[];
  /** The CRL re-issued at once so a gateway watching the folder refuses the certificate straight away. */
  crl: IssuedCrl;
}

/**
 * Revokes one certificate by serial, or by party URN every certificate of
 * that party still valid, then re-issues the CRL that lists it. The issuing
 * CA itself can be revoked by its serial (this needs the root key); the root
 * cannot: a compromised root is replaced, not listed.
 */
export async function revokeCertificate(
  dir: string,
  serialOrUrn: string,
  reason: RevocationReason = 'unspecified',
  options: RevokeOptions = {},
): Promise<RevocationResult> {
  const selector = parseCertificateSelector(serialOrUrn);
  return withPkiSession(dir, options.now, async (session) => {
    const { index, now } = session;
    const revocation = { reason, revokedAt: now.toISOString() };
    if ('serial' in selector && selector.serial === index.root.serial) {
      throw new PkiError('pki.invalid-option', 'the root CA cannot be revoked; create a new PKI and distribute its root instead');
    }
    if ('serial' in selector && selector.serial === index.issuing.serial) {
      if (index.issuing.revocation) throw new PkiError('pki.already-revoked', 'the issuing CA is already revoked');
      await session.commit({ ...index, issuing: { ...index.issuing, revocation } });
      return { revoked: [index.issuing.serial], crl: await issueCrl(session, 'root') };
    }

    const matches = selectCertificates(index, selector);
    const targets = 'serial' in selector ? matches : matches.filter((record) => certificateStatus(record, now) === 'valid');
    const alreadyRevoked = targets.filter((record) => record.revocation);
    if (alreadyRevoked.length > 0 || targets.length === 0) {
      const name = 'serial' in selector ? `certificate ${selector.serial} is` : `${selector.party.urn} has no valid certificate; all are`;
      throw new PkiError('pki.already-revoked', `${name} already revoked or expired`);
    }
    return revokeInSession(session, targets, reason);
  });
}

/** Marks the records revoked and re-issues the issuing CA's CRL. */
export async function revokeInSession(session: PkiSession, targets: readonly CertificateRecord[], reason: RevocationReason): Promise<RevocationResult> {
  const serials = new Set(targets.map((record) => record.serial));
  const revocation = { reason, revokedAt: session.now.toISOString() };
  const index: PkiIndex = {
    ...session.index,
    certificates: session.index.certificates.map((record) => (serials.has(record.serial) ? { ...record, revocation } : record)),
  };
  await session.commit(index);
  return { revoked: [...serials], crl: await issueCrl(session, 'issuing') };
}
