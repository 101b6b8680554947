import { loadTlsCredentials, loadTrustMaterial } from '../../certs/index.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { signerFromCredentials, type EnvelopeSigner } from '../../protocol/envelope/index.ts';

export interface GatewaySigningIdentity {
  signer: EnvelopeSigner;
  /** The gateway's certificate chain, PEM, leaf first: what a bundle header carries. */
  certificateChain: string[];
  /** The current CRL of every CA. */
  revocationLists: string[];
}

/** The gateway's signing identity from its PKI folder: the certificate and key it serves TLS and signs responses with. */
export async function loadGatewaySigner(pkiDir: string, identity: string): Promise<GatewaySigningIdentity> {
  const credentials = await loadTlsCredentials(pkiDir, identity);
  const { crl } = await loadTrustMaterial(pkiDir);
  return { signer: signerFromCredentials(credentials), certificateChain: splitPemCertificates(credentials.cert), revocationLists: crl };
}
