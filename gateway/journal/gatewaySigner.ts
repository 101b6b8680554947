import { loadTlsCredentials, splitPemCertificates } from '../../certs/index.ts';
import { signerFromCredentials, type EnvelopeSigner } from '../trust/envelope.ts';

export interface GatewaySigningIdentity {
  signer: EnvelopeSigner;
  /** The gateway's certificate chain, PEM, leaf first: what a bundle header carries. */
  certificateChain: string[];
}

/** The gateway's signing identity from its PKI folder: the certificate and key it serves TLS and signs responses with. */
export async function loadGatewaySigner(pkiDir: string, identity: string): Promise<GatewaySigningIdentity> {
  const credentials = await loadTlsCredentials(pkiDir, identity);
  return { signer: signerFromCredentials(credentials), certificateChain: splitPemCertificates(credentials.cert) };
}
