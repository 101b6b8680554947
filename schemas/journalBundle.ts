import { Type, type Static } from '@sinclair/typebox';

// The journal bundle: JSON Lines, each line canonical JSON (RFC 8785), so a
// third party can re-verify every journalled message without the gateway.
// Line 1 is the header, then one entry per journal row in journal order,
// and last the manifest, signed by the gateway, listing every line's hash.

export const BUNDLE_FORMAT = 'flexgate-journal-bundle';
export const BUNDLE_VERSION = 1;
/** `typ` of the manifest signature's protected header, so it cannot pass for a message envelope. */
export const MANIFEST_SIGNATURE_TYPE = 'flexgate-journal-manifest+jws';

const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$', description: 'UTC, ISO 8601' });
const Pem = Type.String({ pattern: '^-----BEGIN CERTIFICATE-----\\n[A-Za-z0-9+/=\\n]+-----END CERTIFICATE-----\\n$', maxLength: 16_384 });
const CrlPem = Type.String({ pattern: '^-----BEGIN X509 CRL-----\\n[A-Za-z0-9+/=\\n]+-----END X509 CRL-----\\n?$', maxLength: 4_194_304 });
const Sha256Base64url = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
const PartyUrn = Type.String({ pattern: '^urn:flexgate:[a-z]+:[a-z0-9._-]{1,60}$' });

/** Which journal rows an export holds: received in [since, until), from one sender. */
export const BundleSelection = Type.Object(
  {
    since: Type.Optional(Instant),
    until: Type.Optional(Instant),
    sender: Type.Optional(PartyUrn),
  },
  { additionalProperties: false },
);
export type BundleSelection = Static<typeof BundleSelection>;

export const BundleHeader = Type.Object(
  {
    type: Type.Literal('header'),
    format: Type.Literal(BUNDLE_FORMAT),
    version: Type.Literal(BUNDLE_VERSION),
    /** The gateway's party URN: the audience of every signed entry and the manifest's signer. */
    gateway: PartyUrn,
    exportedAt: Instant,
    /** The gateway's certificate chain, PEM, leaf first; the manifest is signed with the leaf's key. */
    certificateChain: Type.Array(Pem, { minItems: 1, maxItems: 4 }),
    /** The CRLs of every CA at export time, so a verifier can tell a signature made after its certificate was revoked. */
    revocationLists: Type.Array(CrlPem, { maxItems: 4 }),
    selection: BundleSelection,
  },
  { additionalProperties: false },
);
export type BundleHeader = Static<typeof BundleHeader>;

/** The journal's verification record as stored when the message was accepted. */
const EntryVerification = Type.Object(
  {
    result: Type.Literal('verified'),
    alg: Type.String(),
    issuer: Type.String(),
    audience: Type.String(),
    messageId: Type.String(),
    sequence: Type.String(),
    issuedAt: Type.Integer(),
    schemaVersion: Type.String(),
    verifiedAt: Type.String(),
  },
  { additionalProperties: false },
);

/** One journal row, every column, the body as base64 of its exact bytes. */
export const BundleEntry = Type.Object(
  {
    type: Type.Literal('entry'),
    /** The row's position in the journal; strictly increasing through a bundle. */
    journalSeq: Type.Integer({ minimum: 1 }),
    id: Type.String({ minLength: 1, maxLength: 64 }),
    receivedAt: Instant,
    method: Type.String({ pattern: '^[A-Z]{3,7}$' }),
    path: Type.String({ minLength: 1, maxLength: 2048 }),
    contentType: Type.String({ maxLength: 256 }),
    body: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'The body bytes as received, base64' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the body, hex, as journalled' }),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    derived: Type.Array(Type.Object({ kind: Type.String(), id: Type.String(), revision: Type.Integer() }, { additionalProperties: false })),
    sender: Type.Union([PartyUrn, Type.Null()]),
    jws: Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()]),
    certificateChain: Type.Array(Pem, { maxItems: 4 }),
    verification: Type.Union([EntryVerification, Type.Null()]),
  },
  { additionalProperties: false },
);
export type BundleEntry = Static<typeof BundleEntry>;

/** The last line: what it signs is this object without `signature`, as canonical JSON. */
export const BundleManifest = Type.Object(
  {
    type: Type.Literal('manifest'),
    format: Type.Literal(BUNDLE_FORMAT),
    version: Type.Literal(BUNDLE_VERSION),
    gateway: PartyUrn,
    exportedAt: Instant,
    entries: Type.Integer({ minimum: 0 }),
    /** SHA-256 of every preceding line's bytes (without its line feed), in order. */
    lineSha256: Type.Array(Sha256Base64url),
    /** Detached JWS (RFC 7797, unencoded payload) by the gateway's certificate key. */
    signature: Type.String({ maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type BundleManifest = Static<typeof BundleManifest>;
