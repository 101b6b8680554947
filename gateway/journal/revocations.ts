import type { X509Certificate } from 'node:crypto';
import { normaliseSerial } from '../../protocol/identity/serialNumber.ts';
import { x509 } from '../../certs/x509.ts';

export interface RevocationIndex {
  /** Revocation time of each revoked serial (normalised), from CRLs whose signature checked out. */
  revokedAt: ReadonlyMap<string, Date>;
  /** Why a CRL was not used. */
  failures: string[];
}

/**
 * The revocations a bundle's CRLs prove: only CRLs signed by one of the
 * given authorities count, so a CRL cannot be made up to clear anyone.
 */
export async function revocationIndex(pems: readonly string[], authorities: readonly X509Certificate[]): Promise<RevocationIndex> {
  const revokedAt = new Map<string, Date>();
  const failures: string[] = [];
  for (const [position, pem] of pems.entries()) {
    let crl: x509.X509Crl;
    try {
      crl = new x509.X509Crl(pem);
    } catch (error) {
      failures.push(`CRL ${position + 1} does not parse: ${(error as Error).message}`);
      continue;
    }
    let signedBy: X509Certificate | undefined;
    for (const authority of authorities) {
      const candidate = new x509.X509Certificate(authority.raw);
      if (candidate.subject !== crl.issuer) continue;
      if (await crl.verify({ publicKey: candidate }).catch(() => false)) signedBy = authority;
    }
    if (!signedBy) {
      failures.push(`CRL ${position + 1} (issuer ${crl.issuer}) is not signed by a trusted authority`);
      continue;
    }
    for (const entry of crl.entries) {
      const serial = normaliseSerial(entry.serialNumber);
      if (serial) revokedAt.set(serial, entry.revocationDate);
    }
  }
  return { revokedAt, failures };
}
