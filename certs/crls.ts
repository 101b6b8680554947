import { readFile } from 'node:fs/promises';
import { AUTHORITY_PROFILES, authorityKeyIdentifier, readAuthorityCertificate, readAuthorityKey } from './authorities.ts';
import { crlNumberExtension } from './crlNumber.ts';
import { addDays } from './pkiClock.ts';
import type { PkiIndex } from './pkiIndex.ts';
import { AUTHORITY_NAMES, type AuthorityName } from './pkiLayout.ts';
import { withPkiSession, type PkiSession } from './pkiSession.ts';
import { PUBLIC_FILE_MODE, writeFileAtomically } from './privateFiles.ts';
import { crlReasonCode } from './revocationReasons.ts';
import { x509 } from './x509.ts';

/**
 * How long each CRL is valid. The issuing CA's is short so a revocation
 * cannot be hidden for long by replaying an old CRL; the root's is long
 * because signing it needs the offline root key.
 */
export const CRL_VALIDITY_DAYS: Record<AuthorityName, number> = { root: 365, issuing: 7 };

export interface IssuedCrl {
  authority: AuthorityName;
  path: string;
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

export interface GenerateCrlsOptions {
  /** Which authorities to issue a CRL for; default both (the root's needs the root key). */
  authorities?: readonly AuthorityName[];
  now?: Date;
}

/** Issues a fresh, signed CRL for each authority and writes it to `crl/<authority>.crl.pem`. */
export async function generateCrls(dir: string, options: GenerateCrlsOptions = {}): Promise<IssuedCrl[]> {
  const authorities = options.authorities ?? AUTHORITY_NAMES;
  return withPkiSession(dir, options.now, async (session) => {
    const issued: IssuedCrl[] = [];
    for (const authority of authorities) issued.push(await issueCrl(session, authority));
    return issued;
  });
}

/**
 * Signs the next CRL of one authority. The registry's CRL number is committed
 * before the file is written: after a crash the file's number lags the
 * registry, which the CRL keeper notices and repairs, and no number is reused.
 */
export async function issueCrl(session: PkiSession, authority: AuthorityName): Promise<IssuedCrl> {
  const { layout, now } = session;
  const signingKey = await readAuthorityKey(layout, authority);
  const certificate = await readAuthorityCertificate(layout, authority);
  const crlNumber = session.index[authority].crlNumber + 1;
  await session.commit({ ...session.index, [authority]: { ...session.index[authority], crlNumber } });

  const nextUpdate = addDays(now, CRL_VALIDITY_DAYS[authority]);
  const crl = await x509.X509CrlGenerator.create({
    issuer: certificate.subjectName,
    thisUpdate: now,
    nextUpdate,
    signingKey,
    signingAlgorithm: AUTHORITY_PROFILES[authority].signing,
    extensions: [crlNumberExtension(crlNumber), authorityKeyIdentifier(certificate)],
    entries: revokedEntries(session.index, authority, now),
  });
  const path = layout.crl(authority);
  await writeFileAtomically(path, crlPem(crl), PUBLIC_FILE_MODE);
  return { authority, path, crlNumber, thisUpdate: now, nextUpdate };
}

/** The issuing CA lists revoked end-entity certificates until they expire; the root lists a revoked issuing CA. */
function revokedEntries(index: PkiIndex, authority: AuthorityName, now: Date): x509.X509CrlEntryParams[] {
  const revoked = authority === 'root' ? [index.issuing] : index.certificates.filter((certificate) => new Date(certificate.notAfter) > now);
  return revoked.flatMap(({ serial, revocation }) =>
    revocation ? [{ serialNumber: serial, revocationDate: new Date(revocation.revokedAt), reason: crlReasonCode(revocation.reason) }] : [],
  );
}

/**
 * PEM with the `X509 CRL` label. @peculiar/x509 writes `BEGIN CRL`, which
 * Node's TLS (`crl` option) and openssl both refuse to parse.
 */
export function crlPem(crl: x509.X509Crl): string {
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
}

/** The CRL on disk, or undefined when it is missing or unreadable (either way it needs re-issuing). */
export async function readCrl(path: string): Promise<x509.X509Crl | undefined> {
  try {
    return new x509.X509Crl(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
