import { readFile } from 'node:fs/promises';
import type { webcrypto } from 'node:crypto';
import { PRIVATE_KEY_MODE, writeFileAtomically } from './privateFiles.ts';
import { subtle, x509, type CryptoKey } from './x509.ts';

/** Writes a private key as unencrypted PKCS#8 PEM, mode 0600: the form Node TLS and openssl both read. */
export async function writePrivateKey(path: string, key: CryptoKey): Promise<void> {
  const pkcs8 = await subtle.exportKey('pkcs8', key);
  await writeFileAtomically(path, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), PRIVATE_KEY_MODE);
}

/** Reads a PKCS#8 PEM key back as a non-extractable signing key. */
export async function readSigningKey(path: string, algorithm: webcrypto.EcKeyImportParams): Promise<CryptoKey> {
  const pem = await readFile(path, 'utf8');
  return subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), algorithm, false, ['sign']);
}
