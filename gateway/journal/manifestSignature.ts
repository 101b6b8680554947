import type { KeyObject } from 'node:crypto';
import { flattenedVerify, FlattenedSign } from 'jose';
import { envelopeAlgorithmOf, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { MANIFEST_SIGNATURE_TYPE } from '../../schemas/journalBundle.ts';

const ALGORITHMS = ['ES256', 'EdDSA'];
const DETACHED = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;

/** Signs the manifest's canonical bytes as the envelope signs a body: detached, unencoded payload, keyed by certificate thumbprint. */
export async function signManifest(signer: EnvelopeSigner, payload: Uint8Array): Promise<string> {
  const jws = await new FlattenedSign(payload)
    .setProtectedHeader({
      alg: envelopeAlgorithmOf(signer.key),
      typ: MANIFEST_SIGNATURE_TYPE,
      kid: signer.certificateThumbprint,
      'x5t#S256': signer.certificateThumbprint,
      b64: false,
      crit: ['b64'],
    })
    .sign(signer.key);
  return `${jws.protected}..${jws.signature}`;
}

/** Why the signature does not verify over `payload` with the certificate of `thumbprint`, or undefined when it does. */
export async function manifestSignatureFailure(signature: string, payload: Uint8Array, key: KeyObject, thumbprint: string): Promise<string | undefined> {
  const match = DETACHED.exec(signature);
  if (!match) return 'the signature is not a detached compact JWS';
  const [, protectedPart = '', signaturePart = ''] = match;
  // Base64url decoding ignores the unused bits of the last character; a flip there must not pass as the same signature.
  if (!isCanonicalBase64url(protectedPart) || !isCanonicalBase64url(signaturePart)) return 'the signature is not canonical base64url';
  let header: { typ?: unknown; kid?: unknown; 'x5t#S256'?: unknown };
  try {
    header = JSON.parse(Buffer.from(protectedPart, 'base64url').toString('utf8')) as typeof header;
  } catch {
    return 'the protected header is not JSON';
  }
  if (header.typ !== MANIFEST_SIGNATURE_TYPE) return `the signature's typ is not ${MANIFEST_SIGNATURE_TYPE}`;
  if (header.kid !== thumbprint || header['x5t#S256'] !== thumbprint) return 'the signature names another key than the gateway certificate in the header';
  try {
    await flattenedVerify({ protected: protectedPart, signature: signaturePart, payload }, key, { algorithms: ALGORITHMS });
    return undefined;
  } catch (error) {
    return `the signature does not verify: ${(error as Error).message}`;
  }
}

export const isCanonicalBase64url = (text: string) => Buffer.from(text, 'base64url').toString('base64url') === text;
