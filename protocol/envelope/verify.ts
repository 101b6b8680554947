import { createHash, createVerify, verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto';
import { ENVELOPE_ALGORITHMS, RECEIPT_MEMBER, STATUS_MEMBER, type ApiVersion, type EnvelopeHeader } from '../../schemas/envelope.ts';
import { certificateThumbprint } from '../identity/certificateIdentity.ts';
import { normaliseSerial } from '../identity/serialNumber.ts';
import { Problem } from '../problem.ts';
import { requestSha256, sha256Base64url } from './digest.ts';
import { readEnvelopeHeader } from './readHeader.ts';
import type { EnvelopeAlgorithm } from './signer.ts';
import type { VerifiedEnvelope } from './verifiedEnvelope.ts';

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
  /** A request may not carry the members only a response carries (`sts`, `rcpt`): a signed answer is not a request. */
  kind?: 'request' | 'response';
  /** A response's HTTP status as it arrived: its `sts` must name it, so no outcome can be re-labelled as another. */
  status?: number;
}

/**
 * Verifies a detached envelope over `body`. Checks run in the order a
 * receiver can trust them: shape and critical members, algorithm
 * allow-list, key, signature, then the signed claims against the request.
 * Freshness, message ids and sequences need the store: see replayGuard.ts.
 */
export async function verifyEnvelope(jws: string | undefined, body: Uint8Array, expected: EnvelopeExpectations): Promise<VerifiedEnvelope> {
  const { header, protectedPart, signature } = readEnvelopeHeader(jws);
  if (expected.kind === 'request') {
    for (const member of [STATUS_MEMBER, RECEIPT_MEMBER] as const) {
      if (member in header) throw new Problem('envelope.malformed', `${member} is a response member: a request must not carry it`, { pointer: `/${member}` });
    }
  }
  if (header.ver !== expected.apiVersion) {
    throw new Problem('envelope.request-mismatch', `Signed for API version ${header.ver}, sent to ${expected.apiVersion}`, { pointer: '/ver' });
  }
  const allowed: readonly EnvelopeAlgorithm[] = ENVELOPE_ALGORITHMS[expected.apiVersion];
  const alg = allowed.find((name) => name === header.alg);
  if (alg === undefined) {
    throw new Problem('envelope.algorithm-not-allowed', `alg ${header.alg} is not accepted on ${expected.apiVersion}; use one of ${allowed.join(', ')}`, {
      pointer: '/alg',
    });
  }
  const chain = signingChain(header, expected);
  // Base64url never leaves one character over (RFC 4648 §5): such a signature is malformed, not merely wrong.
  if (signature.length % 4 === 1) throw new Problem('envelope.malformed', 'The signature could not be checked: it is not base64url');
  const { holds, bodySha256 } = await checkSignature(alg, publicKeyOf(chain[0]!), protectedPart, body, Buffer.from(signature, 'base64url'));
  if (!holds) throw new Problem('envelope.bad-signature', `The signature does not verify over the body with the certificate ${header.kid}`);
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
  if (expected.status !== undefined && header.sts !== expected.status) {
    throw new Problem('envelope.request-mismatch', `Signed as an answer with status ${header.sts ?? '(none)'}, received with status ${expected.status}`, {
      pointer: '/sts',
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
    bodySha256,
    protectedHeaderSha256: sha256Base64url(protectedPart),
    requestSha256: requestSha256(header.htm, header.htu, bodySha256),
    ...(header.rcpt ? { receipt: header.rcpt } : {}),
  };
}

/** How node's crypto verifies each algorithm, and the only key it verifies with (as jose: ES256 on P-256, EdDSA on Ed25519). */
const SCHEMES: Record<EnvelopeAlgorithm, { digest: 'sha256' | null; keyType: string; curve?: string }> = {
  ES256: { digest: 'sha256', keyType: 'ec', curve: 'prime256v1' },
  EdDSA: { digest: null, keyType: 'ed25519' },
};

/** Bytes hashed in one turn of the event loop (a few milliseconds): a large body never holds it for long. */
const SLICE_BYTES = 1024 * 1024;

/** Feeds `body` to `consume` slice by slice, yielding to the event loop between slices; no copy of the body is made. */
async function eachSlice(body: Uint8Array, consume: (slice: Uint8Array) => void): Promise<void> {
  for (let offset = 0; offset < body.length; offset += SLICE_BYTES) {
    if (offset > 0) await new Promise((resolve) => setImmediate(resolve));
    consume(body.subarray(offset, offset + SLICE_BYTES));
  }
}

/**
 * Whether the signature holds over the RFC 7797 unencoded signing input
 * (`<protected>.<body bytes>`), and the body's SHA-256. The signature is
 * checked in libuv's thread pool, off the event loop, except for an ES256
 * body over one slice: that one is hashed on the event loop slice by slice
 * as it is verified, so no copy of it is made. A key that cannot make this
 * algorithm's signatures never verifies.
 */
async function checkSignature(
  alg: EnvelopeAlgorithm,
  key: KeyObject,
  protectedPart: string,
  body: Uint8Array,
  signature: Buffer,
): Promise<{ holds: boolean; bodySha256: string }> {
  const scheme = SCHEMES[alg];
  const usable = key.asymmetricKeyType === scheme.keyType && (scheme.curve === undefined || key.asymmetricKeyDetails?.namedCurve === scheme.curve);
  const prefix = Buffer.from(`${protectedPart}.`, 'latin1');
  const bodyHash = createHash('sha256');
  const streamed = scheme.digest !== null && body.length > SLICE_BYTES ? createVerify(scheme.digest).update(prefix) : undefined;
  await eachSlice(body, (slice) => {
    bodyHash.update(slice);
    streamed?.update(slice);
  });
  const bodySha256 = bodyHash.digest('base64url');
  if (!usable) return { holds: false, bodySha256 };
  if (streamed) {
    try {
      return { holds: streamed.verify({ key, dsaEncoding: 'ieee-p1363' }, signature), bodySha256 };
    } catch {
      return { holds: false, bodySha256 };
    }
  }
  const input = Buffer.concat([prefix, body]);
  const holds = await new Promise<boolean>((resolve) =>
    verifySignature(scheme.digest, input, { key, dsaEncoding: 'ieee-p1363' }, signature, (error, result) => resolve(!error && result)),
  );
  return { holds, bodySha256 };
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
    throw new Problem('envelope.certificate-expired', `Certificate ${leaf.serialNumber} is valid only from ${leaf.validFrom} to ${leaf.validTo}`, {
      pointer: '/x5c/0',
    });
  }
  throw new Problem('envelope.key-mismatch', `Signed with certificate ${leaf.serialNumber}, but the TLS client certificate is another one`, {
    pointer: '/kid',
  });
}
