import { readFile, access } from 'node:fs/promises';
import type { webcrypto } from 'node:crypto';
import { PkiError } from './errors.ts';
import { readSigningKey, writePrivateKey } from './keyFiles.ts';
import { addYears, CLOCK_SKEW_ALLOWANCE_MS } from './pkiClock.ts';
import type { PkiIndex } from './pkiIndex.ts';
import type { AuthorityName, PkiLayout } from './pkiLayout.ts';
import { ensurePrivateDirectory, PUBLIC_FILE_MODE, writeFileAtomically } from './privateFiles.ts';
import { newSerialNumber } from './serialNumber.ts';
import { subtle, x509, type CryptoKey, type CryptoKeyPair } from './x509.ts';

interface AuthorityProfile {
  key: webcrypto.EcKeyGenParams;
  signing: webcrypto.EcdsaParams;
}

/** The long-lived root gets the larger curve; the issuing CA signs often and matches the end-entity default. */
export const AUTHORITY_PROFILES: Record<AuthorityName, AuthorityProfile> = {
  root: { key: { name: 'ECDSA', namedCurve: 'P-384' }, signing: { name: 'ECDSA', hash: 'SHA-384' } },
  issuing: { key: { name: 'ECDSA', namedCurve: 'P-256' }, signing: { name: 'ECDSA', hash: 'SHA-256' } },
};

export interface AuthorityLifetimes {
  organisation: string;
  rootLifetimeYears: number;
  issuingLifetimeYears: number;
}

const CA_KEY_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

/**
 * Creates the root CA (self-signed) and the issuing CA it signs, writes their
 * certificates, keys and `chain.pem`, and returns the registry describing
 * them. The caller holds the lock and writes the registry and first CRLs.
 */
export async function createAuthorities(layout: PkiLayout, lifetimes: AuthorityLifetimes, now: Date): Promise<PkiIndex> {
  const { organisation, rootLifetimeYears, issuingLifetimeYears } = lifetimes;
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS);
  for (const dir of [layout.dir, layout.crlDir, layout.issuedDir, layout.authorityDir('root'), layout.authorityDir('issuing')]) {
    await ensurePrivateDirectory(dir);
  }

  const rootKeys = (await subtle.generateKey(AUTHORITY_PROFILES.root.key, true, ['sign', 'verify'])) as CryptoKeyPair;
  const rootName: x509.JsonName = [{ O: [organisation] }, { CN: [`${organisation} Root CA`] }];
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerialNumber(),
    name: rootName,
    notBefore,
    notAfter: addYears(now, rootLifetimeYears),
    keys: rootKeys,
    signingAlgorithm: AUTHORITY_PROFILES.root.signing,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const issuingKeys = (await subtle.generateKey(AUTHORITY_PROFILES.issuing.key, true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(),
    subject: [{ O: [organisation] }, { CN: [`${organisation} Issuing CA 1`] }],
    issuer: root.subjectName,
    notBefore,
    notAfter: addYears(now, issuingLifetimeYears),
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: AUTHORITY_PROFILES.root.signing,
    extensions: [
      // pathLen 0: the issuing CA signs end-entity certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
      await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey),
      authorityKeyIdentifier(root),
    ],
  });

  await writePrivateKey(layout.authorityKey('root'), rootKeys.privateKey);
  await writePrivateKey(layout.authorityKey('issuing'), issuingKeys.privateKey);
  await writeFileAtomically(layout.authorityCertificate('root'), root.toString('pem') + '\n', PUBLIC_FILE_MODE);
  await writeFileAtomically(layout.authorityCertificate('issuing'), issuing.toString('pem') + '\n', PUBLIC_FILE_MODE);
  await writeFileAtomically(layout.chain, `${issuing.toString('pem')}\n${root.toString('pem')}\n`, PUBLIC_FILE_MODE);

  const record = (certificate: x509.X509Certificate) => ({
    serial: certificate.serialNumber.toUpperCase(),
    subject: certificate.subject,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    crlNumber: 0,
  });
  return { version: 1, organisation, root: record(root), issuing: record(issuing), certificates: [] };
}

/** Points at the issuer's own subject key identifier, so chain builders match it exactly. */
export function authorityKeyIdentifier(issuer: x509.X509Certificate): x509.AuthorityKeyIdentifierExtension {
  const subjectKeyId = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!subjectKeyId) throw new PkiError('pki.index-corrupt', `CA certificate ${issuer.subject} has no subject key identifier`);
  return new x509.AuthorityKeyIdentifierExtension(subjectKeyId.keyId);
}

export async function readAuthorityCertificate(layout: PkiLayout, authority: AuthorityName): Promise<x509.X509Certificate> {
  return new x509.X509Certificate(await readFile(layout.authorityCertificate(authority), 'utf8'));
}

/** The root key is meant to live offline; its absence is reported as such rather than as a missing file. */
export async function readAuthorityKey(layout: PkiLayout, authority: AuthorityName): Promise<CryptoKey> {
  const path = layout.authorityKey(authority);
  if (!(await authorityKeyIsOnline(layout, authority))) {
    throw new PkiError(
      authority === 'root' ? 'pki.root-key-offline' : 'pki.not-initialised',
      `${path} is not present${authority === 'root' ? ': bring the offline root key back to sign with the root CA' : ''}`,
    );
  }
  return readSigningKey(path, AUTHORITY_PROFILES[authority].key);
}

export async function authorityKeyIsOnline(layout: PkiLayout, authority: AuthorityName): Promise<boolean> {
  try {
    await access(layout.authorityKey(authority));
    return true;
  } catch {
    return false;
  }
}
