import { issueCertificate, loadTlsCredentials, PkiError, type TlsCredentials } from '../../certs/index.ts';

/** A party's certificate from the PKI, issued first when it has none that is usable (first start, expired, revoked). */
export async function ensurePartyCertificate(pkiDir: string, role: 'fsp', id: string): Promise<TlsCredentials> {
  const urn = `urn:flexgate:${role}:${id}`;
  try {
    return await loadTlsCredentials(pkiDir, urn);
  } catch (error) {
    if (!(error instanceof PkiError) || (error.code !== 'pki.unknown-certificate' && error.code !== 'pki.certificate-unusable')) throw error;
    await issueCertificate(pkiDir, { role, id });
    return loadTlsCredentials(pkiDir, urn);
  }
}
