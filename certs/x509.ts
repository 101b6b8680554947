// @peculiar/x509 reads decorator metadata while it loads, so the polyfill has to be imported first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// Its type names the DOM `Crypto`, which Node's lib does not declare; the object is the same Web Crypto API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509, set up to use Node's Web Crypto. Import it from here, never directly. */
export { x509 };

export const subtle = webcrypto.subtle;
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
