/** The PEM certificate blocks of a concatenated chain, in order, each ending in a newline. */
export function splitPemCertificates(chain: string): string[] {
  return (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => `${block}\n`);
}

/** A DER certificate as PEM, 64 characters per line (RFC 7468). */
export function certificatePem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
