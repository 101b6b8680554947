import { sign, X509Certificate } from 'node:crypto';
import { timeOrderedUuid } from '../identity/timeOrderedUuid.ts';
import { CRITICAL_MEMBERS, RECEIPT_MEMBER, STATUS_MEMBER, type ApiVersion, type EnvelopeHeader, type Receipt } from '../../schemas/envelope.ts';
import { envelopeAlgorithmOf, type EnvelopeSigner } from './signer.ts';

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

/** Signs `body` as sent and returns the detached compact JWS (`<protected>..<signature>`) for the signature header. */
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
    jti: claims.messageId ?? timeOrderedUuid(),
    seq: claims.sequence,
    iat: Math.floor((claims.issuedAt ?? new Date()).getTime() / 1000),
    ver: claims.apiVersion,
    htm: claims.method.toUpperCase(),
    htu: claims.path,
    ...(claims.status === undefined ? {} : { sts: claims.status }),
    ...(claims.receipt ? { rcpt: claims.receipt } : {}),
  };
  const protectedPart = Buffer.from(JSON.stringify(header)).toString('base64url');
  // RFC 7797 (b64:false): the signing input is the protected part, a dot, and the body's own bytes. Signed in libuv's thread pool.
  const input = Buffer.concat([Buffer.from(`${protectedPart}.`, 'latin1'), body]);
  const signature = await new Promise<Buffer>((resolve, reject) =>
    sign(header.alg === 'ES256' ? 'sha256' : null, input, { key: signer.key, dsaEncoding: 'ieee-p1363' }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
  return `${protectedPart}..${signature.toString('base64url')}`;
}
