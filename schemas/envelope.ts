import { Type, type Static } from '@sinclair/typebox';

// flexgate's message envelope (R4, R5): a detached JWS (RFC 7515) over the
// exact body bytes, unencoded (RFC 7797 `b64: false`), carried in one HTTP
// header on requests and responses alike, for JSON and XML bodies.

/** The header that carries `<protected>..<signature>`; the name follows the UK Open Banking detached-JWS convention. */
export const SIGNATURE_HEADER = 'x-jws-signature';

/** API versions a signature may name in `ver`, with the algorithms each accepts; nothing else is ever verified. */
export const ENVELOPE_ALGORITHMS = {
  'anm/v1': ['ES256', 'EdDSA'],
  'cim/v1': ['ES256', 'EdDSA'],
  'admin/v1': ['ES256', 'EdDSA'],
  'openadr/3.1.0': ['ES256', 'EdDSA'],
  'openadr/3.0.1': ['ES256', 'EdDSA'],
  'openadr/2.0b': ['ES256', 'EdDSA'],
} as const satisfies Record<string, readonly string[]>;
export type ApiVersion = keyof typeof ENVELOPE_ALGORITHMS;

/** The API version a request path belongs to (`/anm/v1/…` → `anm/v1`), if any. */
export function apiVersionOfPath(path: string): ApiVersion | undefined {
  return (Object.keys(ENVELOPE_ALGORITHMS) as ApiVersion[]).find((version) => path.startsWith(`/${version}/`));
}

/**
 * The API version the gateway signs a path's answers with: its API's, or
 * `admin/v1` for the operational endpoints that belong to none (`/metrics`,
 * `/healthz`, `/docs`, a path nothing serves).
 */
export function answerApiVersionOfPath(path: string): ApiVersion {
  return apiVersionOfPath(path) ?? 'admin/v1';
}

/** Members a receiver must understand and check; every envelope lists them in `crit`. */
export const CRITICAL_MEMBERS = ['b64', 'iss', 'aud', 'jti', 'seq', 'iat', 'ver', 'htm', 'htu'] as const;
/** Present on a response that acknowledges a signed request (the receipt). */
export const RECEIPT_MEMBER = 'rcpt';
/** Present on a response: the HTTP status it carries, so a receipt cannot be re-labelled. */
export const STATUS_MEMBER = 'sts';

/** The largest `seq`: 2^53 - 1, so every number is exact in JSON and in the store's 64-bit columns. */
export const MAX_SEQUENCE = 9_007_199_254_740_991n;
/** How far below the highest sequence number accepted a late one may still arrive (anti-replay window, as IPsec and DTLS). */
export const REPLAY_WINDOW = 1024;
/** The largest `iat`: 9999-12-31T23:59:59Z, the last second an ISO 8601 date can name in four digits. */
export const MAX_ISSUED_AT = 253_402_300_799;

const PartyUrn = Type.String({ pattern: '^urn:flexgate:[a-z]+:[a-z0-9._-]{1,60}$', maxLength: 90 });
const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'UUID, lower case' });
const Sha256 = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'SHA-256, base64url without padding' });

/** What a receipt names: the request it acknowledges, by message id and hashes. */
export const Receipt = Type.Object(
  {
    jti: Uuid,
    'body#S256': Sha256,
    'protected#S256': Sha256,
  },
  { additionalProperties: false },
);
export type Receipt = Static<typeof Receipt>;

/** The protected header of every envelope. */
export const EnvelopeHeader = Type.Object(
  {
    alg: Type.String({ minLength: 1, maxLength: 16 }),
    kid: Sha256,
    'x5t#S256': Sha256,
    x5c: Type.Optional(
      Type.Array(Type.String({ maxLength: 16_384, pattern: '^[A-Za-z0-9+/]+={0,2}$', description: 'DER certificate, base64 (RFC 7515 §4.1.6)' }), {
        minItems: 1,
        maxItems: 4,
      }),
    ),
    b64: Type.Literal(false),
    crit: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 16, uniqueItems: true }),
    iss: PartyUrn,
    aud: PartyUrn,
    jti: Uuid,
    seq: Type.String({
      pattern: '^[1-9][0-9]{0,15}$',
      description: `Decimal, at most 2^53 - 1 (${MAX_SEQUENCE}); used once per issuer and audience, within a window of the last ${REPLAY_WINDOW} below the highest`,
    }),
    iat: Type.Integer({ minimum: 0, maximum: MAX_ISSUED_AT, description: 'Issue time, seconds since the epoch, before the year 10000' }),
    ver: Type.String({ minLength: 1, maxLength: 32 }),
    htm: Type.String({ pattern: '^[A-Z]{3,7}$' }),
    htu: Type.String({ minLength: 1, maxLength: 2048, description: 'Request path and query as sent' }),
    sts: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    rcpt: Type.Optional(Receipt),
  },
  { additionalProperties: false },
);
export type EnvelopeHeader = Static<typeof EnvelopeHeader>;
