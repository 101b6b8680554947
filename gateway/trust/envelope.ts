import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { errors as joseErrors, flattenedVerify, FlattenedSign } from 'jose';
import {
  CRITICAL_MEMBERS,
  ENVELOPE_ALGORITHMS,
  EnvelopeHeader,
  RECEIPT_MEMBER,
  STATUS_MEMBER,
  type ApiVersion,
  type Receipt,
} from '../../schemas/envelope.ts';
import { certificateThumbprint, normaliseSerial, partyFromCertificate, splitPemCertificates } from '../../certs/index.ts';
import { Problem } from '../problem.ts';
import { compileValidator } from '../validation/jsonSchema.ts';
import { parseJson } from '../validation/safeJson.ts';
import type { VerifiedEnvelope } from './caller.ts';

export type EnvelopeAlgorithm = 'ES256' | 'EdDSA';

/** Who signs, with what: the private key of the certificate whose thumbprint is the `kid`. */
export interface EnvelopeSigner {
  issuer: string;
  key: KeyObject;
  certificateThumbprint: string;
  /** The signing certificate chain (PEM, leaf first), sent as `x5c` only when asked: normally the TLS certificate identifies the key. */
  x5c?: string[];
}

/** The signer for a party's own certificate (chain PEM, leaf first) and private key (PEM). */
export function signerFromCredentials(credentials: { cert: string; key: string }): EnvelopeSigner {
  const leaf = splitPemCertificates(credentials.cert)[0];
  if (!leaf) throw new Error('The certificate file holds no certificate');
  const party = partyFromCertificate(new X509Certificate(leaf));
  if (!party) throw new Error('The certificate names no flexgate party (SAN URI urn:flexgate:<role>:<id>)');
  return { issuer: party.urn, key: createPrivateKey(credentials.key), certificateThumbprint: certificateThumbprint(leaf) };
}

export interface EnvelopeClaims {
  audience: string;
  sequence: string;
  method: string;
  path: string;
  apiVersion: ApiVersion;
  messageId?: string;
  issuedAt?: Date;
  /** Responses only: the HTTP status they carry. */
  status?: number;
  /** Responses only: the signed request they acknowledge. */
  receipt?: Receipt;
}

/** Every member jose must let through: ours are checked here, after the signature. */
const JOSE_CRIT = Object.fromEntries([...CRITICAL_MEMBERS, STATUS_MEMBER, RECEIPT_MEMBER].filter((name) => name !== 'b64').map((name) => [name, true]));
const UNDERSTOOD = new Set<string>([...CRITICAL_MEMBERS, STATUS_MEMBER, RECEIPT_MEMBER]);
const MAX_SIGNATURE_HEADER = 64 * 1024;
const DETACHED = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;
const validateHeader = compileValidator(EnvelopeHeader);

export const sha256Base64url = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('base64url');

/** The JOSE algorithm for a key: ES256 for P-256, EdDSA for Ed25519; nothing else may sign envelopes. */
export function envelopeAlgorithmOf(key: KeyObject): EnvelopeAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`Keys of type ${key.asymmetricKeyType ?? 'unknown'} cannot sign flexgate envelopes (ES256 or EdDSA only)`);
}

/** Signs `body` as sent and returns the detached compact JWS for the signature header. */
export async function signEnvelope(signer: EnvelopeSigner, claims: EnvelopeClaims, body: Uint8Array): Promise<string> {
  const extra = [...(claims.status === undefined ? [] : [STATUS_MEMBER]), ...(claims.receipt ? [RECEIPT_MEMBER] : [])];
  const header: EnvelopeHeader = {
    alg: envelopeAlgorithmOf(signer.key),
    kid: signer.certificateThumbprint,
    'x5t#S256': signer.certificateThumbprint,
    ...(signer.x5c ? { x5c: signer.x5c.map((pem) => new X509Certificate(pem).raw.toString('base64')) } : {}),
    b64: false,
    crit: [...CRITICAL_MEMBERS, ...extra],
    iss: signer.issuer,
    aud: claims.audience,
    jti: claims.messageId ?? randomUUID(),
    seq: claims.sequence,
    iat: Math.floor((claims.issuedAt ?? new Date()).getTime() / 1000),
    ver: claims.apiVersion,
    htm: claims.method.toUpperCase(),
    htu: claims.path,
    ...(claims.status === undefined ? {} : { sts: claims.status }),
    ...(claims.receipt ? { rcpt: claims.receipt } : {}),
  };
  const jws = await new FlattenedSign(body).setProtectedHeader(header).sign(signer.key, { crit: JOSE_CRIT });
  return `${jws.protected}..${jws.signature}`;
}

/** The protected header of a detached compact JWS, decoded but not verified: enough to pick the key. */
export function readEnvelopeHeader(jws: string | undefined): { header: EnvelopeHeader; protectedPart: string; signature: string } {
  if (jws === undefined || jws === '') throw new Problem('envelope.signature-missing', 'This route needs a signed request: send the detached JWS in the x-jws-signature header');
  if (jws.length > MAX_SIGNATURE_HEADER) throw new Problem('envelope.malformed', `The signature header is longer than ${MAX_SIGNATURE_HEADER} characters`);
  const match = DETACHED.exec(jws.trim());
  if (!match) throw new Problem('envelope.malformed', 'The signature must be a detached compact JWS: <protected>..<signature>');
  const [, protectedPart = '', signature = ''] = match;
  let decoded: unknown;
  try {
    decoded = parseJson(Buffer.from(protectedPart, 'base64url').toString('utf8'), 8);
  } catch {
    throw new Problem('envelope.malformed', 'The protected header is not base64url-encoded JSON');
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new Problem('envelope.malformed', 'The protected header is not a JSON object');
  const crit = (decoded as { crit?: unknown }).crit;
  if (!Array.isArray(crit)) throw new Problem('envelope.malformed', `The protected header must list ${CRITICAL_MEMBERS.join(', ')} in crit`, { pointer: '/crit' });
  const unknown = crit.filter((name) => typeof name !== 'string' || !UNDERSTOOD.has(name));
  if (unknown.length > 0) throw new Problem('envelope.unknown-critical', `crit names members flexgate does not understand: ${unknown.map(String).join(', ')}`, { pointer: '/crit' });
  const missing = CRITICAL_MEMBERS.filter((name) => !crit.includes(name) || !(name in decoded));
  if (missing.length > 0) throw new Problem('envelope.malformed', `The protected header must carry and list in crit: ${missing.join(', ')}`, { pointer: '/crit' });
  let header: EnvelopeHeader;
  try {
    header = validateHeader(decoded);
  } catch (error) {
    const problem = error as Problem;
    throw Problem.of(problem.items.map((item) => ({ ...item, code: 'envelope.malformed', detail: `protected header: ${item.detail}` })));
  }
  if (header.kid !== header['x5t#S256']) throw new Problem('envelope.malformed', 'kid must equal x5t#S256 (the signing certificate thumbprint)', { pointer: '/kid' });
  for (const member of [STATUS_MEMBER, RECEIPT_MEMBER] as const) {
    if ((member in header) !== crit.includes(member)) throw new Problem('envelope.malformed', `${member} must be listed in crit exactly when present`, { pointer: '/crit' });
  }
  return { header, protectedPart, signature };
}

/** What a receiver checks a signature against: the request as it arrived and who it came from. */
export interface EnvelopeExpectations {
  /** The party URN of the TLS peer (requests) or of the gateway (responses). */
  issuer: string;
  audience: string;
  method: string;
  path: string;
  apiVersion: ApiVersion;
  /** The key the signature must be made with and the chain that proves it, leaf first. */
  certificate: { thumbprint: string; chain: string[] };
  /** Used when the signature names another certificate by `x5c`: to tell a revoked or expired one from a mismatch. */
  issuingAuthorities?: readonly X509Certificate[];
  revokedSerials?: ReadonlySet<string>;
  now?: Date;
}

/**
 * Verifies a detached envelope over `body`. Checks run in the order a
 * receiver can trust them: shape and critical members, algorithm
 * allow-list, key, signature, then the signed claims against the request.
 * Freshness, message ids and sequences need the store: see replayGuard.ts.
 */
export async function verifyEnvelope(jws: string | undefined, body: Uint8Array, expected: EnvelopeExpectations): Promise<VerifiedEnvelope> {
  const { header, protectedPart, signature } = readEnvelopeHeader(jws);
  if (header.ver !== expected.apiVersion) {
    throw new Problem('envelope.request-mismatch', `Signed for API version ${header.ver}, sent to ${expected.apiVersion}`, { pointer: '/ver' });
  }
  const allowed: readonly string[] = ENVELOPE_ALGORITHMS[expected.apiVersion];
  if (!allowed.includes(header.alg)) {
    throw new Problem('envelope.algorithm-not-allowed', `alg ${header.alg} is not accepted on ${expected.apiVersion}; use one of ${allowed.join(', ')}`, { pointer: '/alg' });
  }
  const chain = signingChain(header, expected);
  try {
    await flattenedVerify({ protected: protectedPart, signature, payload: body }, publicKeyOf(chain[0]!), { algorithms: [...allowed], crit: JOSE_CRIT });
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JOSENotSupported || error instanceof TypeError) {
      throw new Problem('envelope.bad-signature', `The signature does not verify over the body with the certificate ${header.kid}`);
    }
    throw new Problem('envelope.malformed', `The signature could not be checked: ${(error as Error).message}`);
  }
  if (header.iss !== expected.issuer) {
    throw new Problem('envelope.issuer-mismatch', `Signed as ${header.iss}, but the client certificate is ${expected.issuer}`, { pointer: '/iss' });
  }
  if (header.aud !== expected.audience) {
    throw new Problem('envelope.wrong-audience', `Addressed to ${header.aud}; this is ${expected.audience}`, { pointer: '/aud' });
  }
  if (header.htm !== expected.method.toUpperCase() || header.htu !== expected.path) {
    throw new Problem('envelope.request-mismatch', `Signed for ${header.htm} ${header.htu}, received as ${expected.method.toUpperCase()} ${expected.path}`, {
      pointer: header.htm === expected.method.toUpperCase() ? '/htu' : '/htm',
    });
  }
  return {
    jws: `${protectedPart}..${signature}`,
    alg: header.alg,
    issuer: header.iss,
    audience: header.aud,
    messageId: header.jti,
    sequence: header.seq,
    issuedAt: header.iat,
    schemaVersion: header.ver,
    certificateChain: chain,
    bodySha256: sha256Base64url(body),
    protectedHeaderSha256: sha256Base64url(protectedPart),
  };
}

const publicKeys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 1024;

/** The public key of a PEM certificate; parsed once per certificate, since parsing costs more than verifying. */
function publicKeyOf(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = new X509Certificate(pem).publicKey;
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(pem, key);
  }
  return key;
}

/**
 * The chain to verify with. The signing key must be the TLS client
 * certificate's; a signature naming another certificate is refused, and the
 * refusal says why when that certificate comes along as `x5c`.
 */
function signingChain(header: EnvelopeHeader, expected: EnvelopeExpectations): string[] {
  const thumbprint = header['x5t#S256'];
  if (thumbprint === expected.certificate.thumbprint) return expected.certificate.chain;
  const [leafDer] = header.x5c ?? [];
  if (leafDer === undefined) throw new Problem('envelope.unknown-key', `No certificate known with thumbprint ${thumbprint}`, { pointer: '/kid' });
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(Buffer.from(leafDer, 'base64'));
  } catch {
    throw new Problem('envelope.malformed', 'x5c[0] is not a DER certificate', { pointer: '/x5c/0' });
  }
  if (certificateThumbprint(leaf) !== thumbprint) throw new Problem('envelope.malformed', 'x5t#S256 is not the thumbprint of x5c[0]', { pointer: '/x5t#S256' });
  const issuedByUs = (expected.issuingAuthorities ?? []).some((authority) => leaf.checkIssued(authority) && leaf.verify(authority.publicKey));
  if (!issuedByUs) throw new Problem('envelope.unknown-key', `Certificate ${thumbprint} was not issued by the flexgate CA`, { pointer: '/x5c/0' });
  if (expected.revokedSerials?.has(normaliseSerial(leaf.serialNumber) ?? '')) {
    throw new Problem('envelope.certificate-revoked', `Certificate ${leaf.serialNumber} is revoked`, { pointer: '/x5c/0' });
  }
  const now = expected.now ?? new Date();
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) {
    throw new Problem('envelope.certificate-expired', `Certificate ${leaf.serialNumber} is valid only from ${leaf.validFrom} to ${leaf.validTo}`, { pointer: '/x5c/0' });
  }
  throw new Problem('envelope.key-mismatch', `Signed with certificate ${leaf.serialNumber}, but the TLS client certificate is another one`, { pointer: '/kid' });
}
