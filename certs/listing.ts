import { authorityKeyIsOnline } from './authorities.ts';
import { readCrl } from './crls.ts';
import { certificateStatus, recordIdentity, type CertificateStatus } from './certificateRegistry.ts';
import type { CertificateIdentity } from './issuance.ts';
import { readPkiIndex } from './pkiIndex.ts';
import { AUTHORITY_NAMES, pkiLayout, type AuthorityName } from './pkiLayout.ts';
import type { RevocationReason } from './revocationReasons.ts';

export interface CertificateListing extends CertificateIdentity {
  status: CertificateStatus;
  revocationReason?: RevocationReason;
  revokedAt?: Date;
  dnsNames: string[];
  ipAddresses: string[];
}

export interface AuthorityListing {
  authority: AuthorityName;
  serial: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  status: CertificateStatus;
  certificatePath: string;
  /** False once the key has been moved offline (expected for the root). */
  keyOnline: boolean;
}

/** Every end-entity certificate the issuing CA signed, oldest first, with its status at `now`. */
export async function listCertificates(dir: string, options: { now?: Date } = {}): Promise<CertificateListing[]> {
  const layout = pkiLayout(dir);
  const index = await readPkiIndex(layout);
  const now = options.now ?? new Date();
  return index.certificates.map((record) => ({
    serial: record.serial,
    role: record.role,
    id: record.id,
    urn: recordIdentity(record).urn,
    algorithm: record.algorithm,
    notBefore: new Date(record.notBefore),
    notAfter: new Date(record.notAfter),
    status: certificateStatus(record, now),
    ...(record.revocation ? { revocationReason: record.revocation.reason, revokedAt: new Date(record.revocation.revokedAt) } : {}),
    dnsNames: record.dnsNames,
    ipAddresses: record.ipAddresses,
    certificatePath: layout.certificate(record.role, record.id, record.serial),
  }));
}

export async function listAuthorities(dir: string, options: { now?: Date } = {}): Promise<AuthorityListing[]> {
  const layout = pkiLayout(dir);
  const index = await readPkiIndex(layout);
  const now = options.now ?? new Date();
  return Promise.all(
    AUTHORITY_NAMES.map(async (authority) => ({
      authority,
      serial: index[authority].serial,
      subject: index[authority].subject,
      notBefore: new Date(index[authority].notBefore),
      notAfter: new Date(index[authority].notAfter),
      status: certificateStatus(index[authority], now),
      certificatePath: layout.authorityCertificate(authority),
      keyOnline: await authorityKeyIsOnline(layout, authority),
    })),
  );
}

export interface CrlListing {
  authority: AuthorityName;
  thisUpdate: Date;
  /** Past this instant Node's TLS refuses every client: the CRL must be re-issued before. */
  nextUpdate: Date | undefined;
}

/** The current CRL of each CA, as published in the PKI folder; an authority without a readable CRL is left out. */
export async function listCrls(dir: string): Promise<CrlListing[]> {
  const layout = pkiLayout(dir);
  const listed: CrlListing[] = [];
  for (const authority of AUTHORITY_NAMES) {
    const crl = await readCrl(layout.crl(authority));
    if (crl) listed.push({ authority, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate });
  }
  return listed;
}
