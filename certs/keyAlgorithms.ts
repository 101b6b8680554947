import type { webcrypto } from 'node:crypto';
import { subtle, x509, type CryptoKeyPair } from './x509.ts';

/** End-entity key algorithms, named by their JOSE `alg` so the message signatures use the same words. */
export const KEY_ALGORITHMS = ['ES256', 'RS3072', 'EdDSA'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ES256';

const keyGeneration: Record<KeyAlgorithm, webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams | webcrypto.Algorithm> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  RS3072: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
};

export function isKeyAlgorithm(text: string): text is KeyAlgorithm {
  return (KEY_ALGORITHMS as readonly string[]).includes(text);
}

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyGeneration[algorithm], true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** RSA keys also get keyEncipherment: TLS 1.2 peers may still choose RSA key transport with them. */
export function endEntityKeyUsage(algorithm: KeyAlgorithm): x509.KeyUsageFlags {
  const signing = x509.KeyUsageFlags.digitalSignature;
  return algorithm === 'RS3072' ? signing | x509.KeyUsageFlags.keyEncipherment : signing;
}
