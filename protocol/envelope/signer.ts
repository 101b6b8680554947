import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { InvalidCredentials, UnsupportedSigningKey } from '../errors.ts';
import { certificateThumbprint, partyFromCertificate } from '../identity/certificateIdentity.ts';
import { splitPemCertificates } from '../identity/pem.ts';

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
  if (!leaf) throw new InvalidCredentials('The certificate file holds no certificate');
  const party = partyFromCertificate(new X509Certificate(leaf));
  if (!party) throw new InvalidCredentials('The certificate names no flexgate party (SAN URI urn:flexgate:<role>:<id>)');
  return { issuer: party.urn, key: createPrivateKey(credentials.key), certificateThumbprint: certificateThumbprint(leaf) };
}

/** The JOSE algorithm for a key: ES256 for P-256, EdDSA for Ed25519; nothing else may sign envelopes. */
export function envelopeAlgorithmOf(key: KeyObject): EnvelopeAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new UnsupportedSigningKey(`Keys of type ${key.asymmetricKeyType ?? 'unknown'} cannot sign flexgate envelopes (ES256 or EdDSA only)`);
}
