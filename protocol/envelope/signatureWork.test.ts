import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { INLINE_BYTES, signBytes, verifyBytes } from './signatureWork.ts';

const schemes = [
  { name: 'ES256', digest: 'sha256', keys: generateKeyPairSync('ec', { namedCurve: 'P-256' }), length: 64 },
  { name: 'EdDSA', digest: null, keys: generateKeyPairSync('ed25519'), length: 64 },
] as const;

// Both sides of the line between the event loop and the thread pool, and a request-sized input.
const sizes = [600, INLINE_BYTES, INLINE_BYTES + 1, 3 * INLINE_BYTES];

describe('signature work (protocol/envelope/signatureWork.ts)', () => {
  for (const { name, digest, keys, length } of schemes) {
    it(`${name}: signs IEEE P1363 signatures node's own verify accepts, inline and in the thread pool alike`, async () => {
      for (const size of sizes) {
        const input = Buffer.alloc(size, `${size}`);
        const signature = await signBytes(digest, input, keys.privateKey);
        assert.equal(signature.length, length, `${size} bytes`);
        assert.ok(verify(digest, input, { key: keys.publicKey, dsaEncoding: 'ieee-p1363' }, signature), `${size} bytes`);
        assert.equal(await verifyBytes(digest, input, keys.publicKey, signature), true, `${size} bytes`);
      }
    });

    it(`${name}: a changed input, a changed signature or a signature the key cannot check does not hold, on either path`, async () => {
      for (const size of sizes) {
        const input = Buffer.alloc(size, 'a');
        const signature = await signBytes(digest, input, keys.privateKey);
        const changed = Buffer.from(input);
        changed[size - 1] = 0x62;
        assert.equal(await verifyBytes(digest, changed, keys.publicKey, signature), false, `${size} bytes, input changed`);
        const flipped = Buffer.from(signature);
        flipped[0]! ^= 1;
        assert.equal(await verifyBytes(digest, input, keys.publicKey, flipped), false, `${size} bytes, signature changed`);
        assert.equal(await verifyBytes(digest, input, keys.publicKey, Buffer.alloc(0)), false, `${size} bytes, no signature`);
        const other = schemes.find((scheme) => scheme.name !== name)!;
        assert.equal(await verifyBytes(digest, input, other.keys.publicKey, signature), false, `${size} bytes, another kind of key`);
      }
    });
  }

  it('refuses to sign with a public key, as a rejected promise on either path', async () => {
    const { publicKey } = schemes[0].keys;
    for (const size of [600, INLINE_BYTES + 1]) await assert.rejects(signBytes('sha256', Buffer.alloc(size), publicKey));
  });
});
