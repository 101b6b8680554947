import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { CRITICAL_MEMBERS, type EnvelopeHeader } from '../../../schemas/envelope.ts';
import type { EnvelopeSigner } from '../../../protocol/envelope/index.ts';

/** A gateway signer with a throwaway P-256 key, and a check of what it signed. */
export function testEnvelopeSigner(): { signer: EnvelopeSigner; verify: (jws: string, body: string) => Promise<EnvelopeHeader> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signer: EnvelopeSigner = { issuer: 'urn:flexgate:gateway:test', key: privateKey, certificateThumbprint: 'A'.repeat(43) };
  return { signer, verify: (jws, body) => verifyDetached(jws, body, publicKey) };
}

async function verifyDetached(jws: string, body: string, key: KeyObject): Promise<EnvelopeHeader> {
  const [protectedPart = '', , signature = ''] = jws.split('.');
  const crit = Object.fromEntries(CRITICAL_MEMBERS.filter((name) => name !== 'b64').map((name) => [name, true]));
  const { protectedHeader } = await flattenedVerify({ protected: protectedPart, signature, payload: Buffer.from(body) }, key, { algorithms: ['ES256'], crit });
  return protectedHeader as EnvelopeHeader;
}
