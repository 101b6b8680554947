import { createAuthorities } from './authorities.ts';
import { issueCrl, type IssuedCrl } from './crls.ts';
import { PkiError } from './errors.ts';
import { wholeSeconds } from './pkiClock.ts';
import { pkiExists } from './pkiIndex.ts';
import { pkiLayout, type PkiLayout } from './pkiLayout.ts';
import { withPkiLock } from './pkiLock.ts';
import { pkiSession, type PkiSession } from './pkiSession.ts';
import { ensurePrivateDirectory } from './privateFiles.ts';

export interface InitPkiOptions {
  /** Goes into every subject as O= and names the CAs ("<organisation> Root CA"). Default "flexgate". */
  organisation?: string;
  /** Default 20. */
  rootLifetimeYears?: number;
  /** Default 5; must be shorter than the root's. */
  issuingLifetimeYears?: number;
  now?: Date;
}

export interface InitPkiResult {
  rootCertificatePath: string;
  issuingCertificatePath: string;
  chainPath: string;
  crls: IssuedCrl[];
}

/** Creates the root and issuing CAs, the registry and both first CRLs in an empty PKI folder. */
export async function initPki(dir: string, options: InitPkiOptions = {}): Promise<InitPkiResult> {
  const layout = pkiLayout(dir);
  await ensurePrivateDirectory(dir);
  return withPkiLock(layout, async () => {
    if (await pkiExists(layout)) throw new PkiError('pki.already-initialised', `${dir} already holds a PKI`);
    const { crls } = await initialiseInLock(layout, options);
    return {
      rootCertificatePath: layout.authorityCertificate('root'),
      issuingCertificatePath: layout.authorityCertificate('issuing'),
      chainPath: layout.chain,
      crls,
    };
  });
}

/** For callers already holding the lock, once they know the folder holds no PKI. */
export async function initialiseInLock(layout: PkiLayout, options: InitPkiOptions): Promise<{ session: PkiSession; crls: IssuedCrl[] }> {
  const organisation = options.organisation ?? 'flexgate';
  const rootLifetimeYears = options.rootLifetimeYears ?? 20;
  const issuingLifetimeYears = options.issuingLifetimeYears ?? 5;
  if (!/^[\x20-\x7e]{1,64}$/.test(organisation)) throw new PkiError('pki.invalid-option', 'organisation must be 1 to 64 printable ASCII characters');
  for (const [name, years] of [
    ['root', rootLifetimeYears],
    ['issuing', issuingLifetimeYears],
  ] as const) {
    if (!Number.isInteger(years) || years < 1 || years > 30) throw new PkiError('pki.invalid-option', `${name} CA lifetime must be 1 to 30 whole years`);
  }
  if (issuingLifetimeYears >= rootLifetimeYears) {
    throw new PkiError('pki.invalid-option', 'the issuing CA must expire before the root CA that vouches for it');
  }
  const now = wholeSeconds(options.now ?? new Date());
  const session = pkiSession(layout, await createAuthorities(layout, { organisation, rootLifetimeYears, issuingLifetimeYears }, now), now);
  await session.commit(session.index);
  const crls = [await issueCrl(session, 'root'), await issueCrl(session, 'issuing')];
  return { session, crls };
}
