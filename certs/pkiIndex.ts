import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { access, readFile } from 'node:fs/promises';
import { PkiError } from './errors.ts';
import { KEY_ALGORITHMS } from './keyAlgorithms.ts';
import { PARTY_ROLES } from '../protocol/identity/partyUrn.ts';
import type { PkiLayout } from './pkiLayout.ts';
import { PUBLIC_FILE_MODE, writeFileAtomically } from './privateFiles.ts';
import { REVOCATION_REASONS } from './revocationReasons.ts';

/** A union of string literals from a closed list, so the registry's types come from the same lists as the code's. */
function oneOf<const T extends readonly string[]>(values: T): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((value) => Type.Literal(value))) as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}

const Instant = Type.String({ description: 'ISO 8601 UTC, whole seconds' });

const Revocation = Type.Object({ reason: oneOf(REVOCATION_REASONS), revokedAt: Instant });

const AuthorityRecord = Type.Object({
  serial: Type.String(),
  subject: Type.String(),
  notBefore: Instant,
  notAfter: Instant,
  /** The number of the last CRL this authority issued; the next one gets a higher number (RFC 5280 §5.2.3). */
  crlNumber: Type.Integer({ minimum: 0 }),
  revocation: Type.Optional(Revocation),
});

const CertificateRecord = Type.Object({
  serial: Type.String(),
  role: oneOf(PARTY_ROLES),
  id: Type.String(),
  algorithm: oneOf(KEY_ALGORITHMS),
  notBefore: Instant,
  notAfter: Instant,
  lifetimeDays: Type.Integer({ minimum: 1 }),
  dnsNames: Type.Array(Type.String()),
  ipAddresses: Type.Array(Type.String()),
  revocation: Type.Optional(Revocation),
});

/** `index.json`: the registry of the authorities and of every certificate the issuing CA signed. */
export const PkiIndexSchema = Type.Object({
  version: Type.Literal(1),
  organisation: Type.String(),
  root: AuthorityRecord,
  issuing: AuthorityRecord,
  certificates: Type.Array(CertificateRecord),
});

export type PkiIndex = Static<typeof PkiIndexSchema>;
export type AuthorityRecord = Static<typeof AuthorityRecord>;
export type CertificateRecord = Static<typeof CertificateRecord>;
export type Revocation = Static<typeof Revocation>;

export async function pkiExists(layout: PkiLayout): Promise<boolean> {
  try {
    await access(layout.index);
    return true;
  } catch {
    return false;
  }
}

function notInitialised(layout: PkiLayout): PkiError {
  return new PkiError('pki.not-initialised', `no PKI in ${layout.dir} (run \`flexgate pki init\` first)`);
}

export async function readPkiIndex(layout: PkiLayout): Promise<PkiIndex> {
  let text: string;
  try {
    text = await readFile(layout.index, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw notInitialised(layout);
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PkiError('pki.index-corrupt', `${layout.index} is not valid JSON`);
  }
  if (!Value.Check(PkiIndexSchema, parsed)) {
    const first = Value.Errors(PkiIndexSchema, parsed).First();
    throw new PkiError('pki.index-corrupt', `${layout.index} does not match its schema${first ? ` at ${first.path || '/'}: ${first.message}` : ''}`);
  }
  return parsed;
}

/** Fails with `pki.not-initialised` (rather than a missing lock folder) when the folder holds no PKI. */
export async function assertPkiExists(layout: PkiLayout): Promise<void> {
  if (!(await pkiExists(layout))) throw notInitialised(layout);
}

export async function writePkiIndex(layout: PkiLayout, index: PkiIndex): Promise<void> {
  await writeFileAtomically(layout.index, `${JSON.stringify(index, null, 2)}\n`, PUBLIC_FILE_MODE);
}
