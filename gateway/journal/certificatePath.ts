import { X509Certificate } from 'node:crypto';

/**
 * Why `chain` (PEM, leaf first) does not lead to one of `roots` with every
 * certificate valid at `at`, or undefined when it does. Each link is checked
 * with Node's own issuer-name and signature checks; intermediates must be CAs.
 * The chain may end at the root itself or at a certificate the root issued.
 */
export function certificatePathFailure(chain: readonly string[], roots: readonly X509Certificate[], at: Date): string | undefined {
  let certificates: X509Certificate[];
  try {
    certificates = chain.map((pem) => new X509Certificate(pem));
  } catch (error) {
    return `a certificate does not parse: ${(error as Error).message}`;
  }
  if (certificates.length === 0) return 'there is no certificate';
  for (const [position, certificate] of certificates.entries()) {
    const invalid = validityFailure(certificate, at);
    if (invalid) return `certificate ${position + 1} (${certificate.subject.replace(/\n/g, ', ')}) ${invalid}`;
    if (roots.some((root) => root.raw.equals(certificate.raw))) return undefined;
    const root = roots.find((candidate) => issuedBy(certificate, candidate));
    if (root) {
      const rootInvalid = validityFailure(root, at);
      return rootInvalid ? `the root CA ${rootInvalid}` : undefined;
    }
    const issuer = certificates[position + 1];
    if (!issuer) return `certificate ${position + 1} is not issued by the trusted root, and the chain ends there`;
    if (!issuedBy(certificate, issuer)) return `certificate ${position + 1} is not issued by certificate ${position + 2}`;
    if (!issuer.ca) return `certificate ${position + 2} is not a CA certificate`;
  }
  return undefined;
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    // A certificate whose key does not decode issued nothing.
    return false;
  }
}

function validityFailure(certificate: X509Certificate, at: Date): string | undefined {
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  return at < from || at > to ? `is valid only from ${from.toISOString()} to ${to.toISOString()}, not at ${at.toISOString()}` : undefined;
}
