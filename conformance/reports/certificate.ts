import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { envelopeAlgorithmOf } from '../../protocol/envelope/index.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { certificateThumbprint, partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { resultDigest, summary, type RunResult } from '../runner/results.ts';

export const CERTIFICATE_TYPE = 'flexgate-conformance+jws';

/** What a conformance certificate attests. */
export interface ConformanceClaims {
  /** The implementation under test: the party its TLS certificate names, and that certificate's SHA-256 thumbprint. */
  implementation: { party: string; fingerprint: string; url: string };
  suiteVersion: string;
  roles: string[];
  suites: string[];
  seed: number;
  date: string;
  result: { passed: boolean; total: number; failed: number; skipped: number; digest: string };
  /** Who signed: the conformance key's party. */
  issuer: string;
}

/** The certificate does not verify: altered, signed by another key, or not one at all. */
export class CertificateInvalid extends FlexgateError {
  readonly code = 'conformance.certificate-invalid';
}

export interface SigningIdentity {
  /** Leaf first, then its issuing CA: the verifier reads the key and the chain from `x5c`. */
  chain: string[];
  key: KeyObject;
}

export function signingIdentityFrom(certificatePem: string, keyPem: string): SigningIdentity {
  return { chain: splitPemCertificates(certificatePem), key: createPrivateKey(keyPem) };
}

export function claimsOf(run: RunResult, issuer: string): ConformanceClaims {
  const counts = summary(run);
  return {
    implementation: { ...run.implementation, url: run.target },
    suiteVersion: run.suiteVersion,
    roles: run.roles,
    suites: run.suites,
    seed: run.seed,
    date: run.finishedAt,
    result: { passed: run.passed, total: counts.total, failed: counts.failed, skipped: counts.skipped, digest: resultDigest(run) },
    issuer,
  };
}

/** A compact JWS over the claims, with the signing certificate chain in `x5c`: verifiable offline. */
export async function signCertificate(run: RunResult, identity: SigningIdentity): Promise<string> {
  const leaf = identity.chain[0];
  if (!leaf) throw new CertificateInvalid('The signing identity holds no certificate');
  const issuer = partyFromCertificate(leaf)?.urn ?? new X509Certificate(leaf).subject;
  const payload = new TextEncoder().encode(JSON.stringify(claimsOf(run, issuer)));
  return new CompactSign(payload)
    .setProtectedHeader({
      alg: envelopeAlgorithmOf(identity.key),
      typ: CERTIFICATE_TYPE,
      'x5t#S256': certificateThumbprint(leaf),
      x5c: identity.chain.map((pem) => new X509Certificate(pem).raw.toString('base64')),
    })
    .sign(identity.key);
}

export interface VerifiedCertificate {
  claims: ConformanceClaims;
  signer: { subject: string; fingerprint: string; chainedTo: string };
}

/**
 * Verifies a certificate offline: the signature with the leaf of `x5c`, each
 * certificate of the chain by the next, and, when `trustedRoots` are given,
 * the last one by one of them (else the chain's top is reported for the
 * reader to judge).
 */
export async function verifyCertificate(jws: string, trustedRoots: string[] = []): Promise<VerifiedCertificate> {
  let verified;
  try {
    verified = await compactVerify(jws.trim(), async (header) => {
      if (header.typ !== CERTIFICATE_TYPE) throw new CertificateInvalid(`Not a conformance certificate (typ ${String(header.typ)})`);
      const first = header.x5c?.[0];
      if (!first) throw new CertificateInvalid('The certificate carries no x5c chain');
      return new X509Certificate(Buffer.from(first, 'base64')).publicKey;
    });
  } catch (error) {
    if (error instanceof CertificateInvalid) throw error;
    throw new CertificateInvalid(`The conformance certificate does not verify: ${(error as Error).message}`, { cause: error });
  }
  const chain = (verified.protectedHeader.x5c ?? []).map((der) => new X509Certificate(Buffer.from(der, 'base64')));
  for (let index = 0; index + 1 < chain.length; index += 1) {
    if (!chain[index]!.verify(chain[index + 1]!.publicKey)) throw new CertificateInvalid(`Certificate ${index} of x5c is not signed by the next one`);
  }
  const top = chain.at(-1)!;
  if (trustedRoots.length) {
    const roots = trustedRoots.flatMap(splitPemCertificates).map((pem) => new X509Certificate(pem));
    if (!roots.some((root) => root.raw.equals(top.raw) || top.verify(root.publicKey))) {
      throw new CertificateInvalid('The signing chain does not lead to a trusted root');
    }
  }
  const now = new Date();
  const leaf = chain[0]!;
  if (new Date(leaf.validFrom) > now || new Date(leaf.validTo) < now) throw new CertificateInvalid('The signing certificate is outside its validity');
  let claims: ConformanceClaims;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(verified.payload)) as ConformanceClaims;
  } catch (error) {
    throw new CertificateInvalid('The certificate payload is not JSON', { cause: error });
  }
  return { claims, signer: { subject: leaf.subject, fingerprint: certificateThumbprint(leaf), chainedTo: top.subject } };
}
