import { isIP } from 'node:net';
import { authorityKeyIdentifier, AUTHORITY_PROFILES, readAuthorityCertificate, readAuthorityKey } from './authorities.ts';
import { certificateStatus } from './certificateRegistry.ts';
import { PkiError } from './errors.ts';
import { writePrivateKey } from './keyFiles.ts';
import { DEFAULT_KEY_ALGORITHM, endEntityKeyUsage, generateKeyPair, isKeyAlgorithm, type KeyAlgorithm } from './keyAlgorithms.ts';
import { partyIdentity } from './partyIdentity.ts';
import { type PartyRole } from '../protocol/identity/partyUrn.ts';
import { addDays, CLOCK_SKEW_ALLOWANCE_MS } from './pkiClock.ts';
import type { CertificateRecord } from './pkiIndex.ts';
import { withPkiSession, type PkiSession } from './pkiSession.ts';
import { ensurePrivateDirectory, PUBLIC_FILE_MODE, writeFileAtomically } from './privateFiles.ts';
import { newSerialNumber } from './serialNumber.ts';
import { x509 } from './x509.ts';

/** Party certificates are short-lived so a lost key stops working soon even if nobody revokes it. */
export const DEFAULT_LIFETIME_DAYS = 30;
/** The CA/Browser Forum ceiling for server certificates; nothing here needs longer. */
export const MAX_LIFETIME_DAYS = 397;

export interface IssueCertificateOptions {
  role: PartyRole;
  id: string;
  algorithm?: KeyAlgorithm;
  lifetimeDays?: number;
  /** Server names; giving any (or role `gateway`) adds the serverAuth purpose. */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  now?: Date;
}

/** What identifies an end-entity certificate, whether just issued or listed later. */
export interface CertificateIdentity {
  serial: string;
  role: PartyRole;
  id: string;
  urn: string;
  algorithm: KeyAlgorithm;
  notBefore: Date;
  notAfter: Date;
  certificatePath: string;
}

export interface IssuedCertificate extends CertificateIdentity {
  privateKeyPath: string;
  /** Issuing CA then root: what a peer needs besides the certificate. */
  chainPath: string;
}

/** Issues an end-entity certificate and its new private key, signed by the issuing CA. */
export async function issueCertificate(dir: string, options: IssueCertificateOptions): Promise<IssuedCertificate> {
  return withPkiSession(dir, options.now, (session) => issueInSession(session, options));
}

export async function issueInSession(session: PkiSession, options: IssueCertificateOptions): Promise<IssuedCertificate> {
  const { layout, now, index } = session;
  const party = partyIdentity(options.role, options.id);
  const algorithm = options.algorithm ?? DEFAULT_KEY_ALGORITHM;
  if (!isKeyAlgorithm(algorithm)) throw new PkiError('pki.invalid-option', `algorithm "${String(algorithm)}" is not one of ES256, RS3072, EdDSA`);
  const lifetimeDays = options.lifetimeDays ?? DEFAULT_LIFETIME_DAYS;
  if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1 || lifetimeDays > MAX_LIFETIME_DAYS) {
    throw new PkiError('pki.invalid-option', `lifetime must be a whole number of days from 1 to ${MAX_LIFETIME_DAYS}, not ${lifetimeDays}`);
  }
  const dnsNames = (options.dnsNames ?? []).map(checkedDnsName);
  const ipAddresses = (options.ipAddresses ?? []).map(checkedIpAddress);

  const issuingStatus = certificateStatus(index.issuing, now);
  if (issuingStatus !== 'valid') throw new PkiError('pki.certificate-unusable', `the issuing CA is ${issuingStatus}`);
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS);
  const notAfter = addDays(now, lifetimeDays);
  if (notAfter > new Date(index.issuing.notAfter)) {
    throw new PkiError('pki.invalid-option', `a ${lifetimeDays}-day certificate would outlive the issuing CA (expires ${index.issuing.notAfter})`);
  }

  const issuer = await readAuthorityCertificate(layout, 'issuing');
  const keys = await generateKeyPair(algorithm);
  const serverAuth = party.role === 'gateway' || dnsNames.length > 0 || ipAddresses.length > 0;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(),
    subject: [{ O: [index.organisation] }, { OU: [party.role] }, { CN: [party.id] }],
    issuer: issuer.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: await readAuthorityKey(layout, 'issuing'),
    signingAlgorithm: AUTHORITY_PROFILES.issuing.signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(endEntityKeyUsage(algorithm), true),
      new x509.ExtendedKeyUsageExtension(
        serverAuth ? [x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth] : [x509.ExtendedKeyUsage.clientAuth],
      ),
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: party.urn },
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      authorityKeyIdentifier(issuer),
    ],
  });

  const record: CertificateRecord = {
    serial: certificate.serialNumber.toUpperCase(),
    role: party.role,
    id: party.id,
    algorithm,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    lifetimeDays,
    dnsNames,
    ipAddresses,
  };
  // Files first, registry last: the registry never names a certificate whose files are missing.
  await ensurePrivateDirectory(layout.partyDir(party.role, party.id));
  const privateKeyPath = layout.privateKey(party.role, party.id, record.serial);
  const certificatePath = layout.certificate(party.role, party.id, record.serial);
  await writePrivateKey(privateKeyPath, keys.privateKey);
  await writeFileAtomically(certificatePath, certificate.toString('pem') + '\n', PUBLIC_FILE_MODE);
  await session.commit({ ...session.index, certificates: [...session.index.certificates, record] });

  return {
    serial: record.serial,
    role: party.role,
    id: party.id,
    urn: party.urn,
    algorithm,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    certificatePath,
    privateKeyPath,
    chainPath: layout.chain,
  };
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function checkedDnsName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length > 253 || !lower.split('.').every((label) => DNS_LABEL.test(label))) {
    throw new PkiError('pki.invalid-option', `"${name}" is not a DNS host name (no wildcards, no trailing dot)`);
  }
  return lower;
}

function checkedIpAddress(address: string): string {
  if (isIP(address) === 0) throw new PkiError('pki.invalid-option', `"${address}" is not an IPv4 or IPv6 address`);
  return address;
}
