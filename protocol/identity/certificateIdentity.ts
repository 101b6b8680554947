import { createHash, X509Certificate } from 'node:crypto';
import { PARTY_URN_PREFIX, parsePartyUrn, type PartyIdentity } from './partyUrn.ts';

/**
 * A certificate as the gateway meets it: Node's `tls.PeerCertificate` (or
 * anything with its `subjectaltname` string), a Node `X509Certificate`, PEM
 * text, or DER bytes.
 */
export type CertificateInput = { subjectaltname?: string | undefined } | X509Certificate | string | Uint8Array;

/**
 * The party a certificate speaks for, from its `urn:flexgate:<role>:<id>` SAN
 * URI. Undefined when there is none, when it is malformed, or when there are
 * several: an ambiguous identity is no identity.
 */
export function partyFromCertificate(certificate: CertificateInput): PartyIdentity | undefined {
  const subjectAltName = subjectAltNameOf(certificate);
  if (!subjectAltName) return undefined;
  const partyUris = uriNames(subjectAltName).filter((uri) => uri.startsWith(PARTY_URN_PREFIX));
  const [only, ...others] = partyUris;
  return only !== undefined && others.length === 0 ? parsePartyUrn(only) : undefined;
}

/** SHA-256 of the DER certificate, base64url: the JWS `x5t#S256` header value (RFC 7515 §4.1.8). */
export function certificateThumbprint(certificate: Uint8Array | string | X509Certificate): string {
  return createHash('sha256').update(derOf(certificate)).digest('base64url');
}

function subjectAltNameOf(certificate: CertificateInput): string | undefined {
  if (certificate instanceof X509Certificate) return certificate.subjectAltName;
  if (typeof certificate === 'string' || certificate instanceof Uint8Array) return new X509Certificate(certificate).subjectAltName;
  return certificate.subjectaltname;
}

function derOf(certificate: Uint8Array | string | X509Certificate): Uint8Array {
  if (certificate instanceof Uint8Array) return certificate;
  return (certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate)).raw;
}

/**
 * The URI entries of Node's SAN text ("URI:a, DNS:b, IP Address:c"). Node
 * writes a value containing a comma or quote as a JSON string, so entries are
 * split outside quotes only and quoted values decoded.
 */
function uriNames(subjectAltName: string): string[] {
  const entries = subjectAltName.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return entries.flatMap((entry) => {
    const trimmed = entry.trim();
    if (!trimmed.startsWith('URI:')) return [];
    const value = trimmed.slice('URI:'.length);
    if (!value.startsWith('"')) return [value];
    try {
      return [String(JSON.parse(value))];
    } catch {
      return [];
    }
  });
}
