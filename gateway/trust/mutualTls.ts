import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import {
  keepCrlsFresh,
  loadTlsCredentials,
  loadTrustMaterial,
  revokedSerialNumbers,
  watchPki,
  type TlsCredentials,
  type TrustMaterial,
} from '../../certs/index.ts';
import { normaliseSerial } from '../../protocol/identity/serialNumber.ts';
import type { Logger } from '../log.ts';
import { signerFromCredentials, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import type { TrustState } from './trustLayer.ts';

/**
 * TLS 1.3 suites, then TLS 1.2 with ECDHE key exchange and AEAD ciphers only
 * (no CBC, no RSA key transport, no SHA-1).
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface MutualTlsOptions {
  pkiDir: string;
  /** Party URN of the gateway's own certificate in the PKI. */
  identity: string;
  logger: Logger;
  /** Re-issue CRLs before they lapse; only where this process holds the CA keys (the dev PKI). */
  keepCrlsFresh?: boolean;
}

export interface MutualTlsListener {
  server: Server;
  /** The gateway's envelope signer: its TLS key and certificate. */
  signer: EnvelopeSigner;
  trust: () => TrustState;
  /** Stops watching the PKI folder and refreshing CRLs. */
  stop(): void;
}

/** Server TLS settings: our certificate, every CA and CRL, client certificates required. */
export function serverTlsOptions(credentials: TlsCredentials, material: TrustMaterial): SecureContextOptions & { requestCert: true; rejectUnauthorized: true } {
  return {
    cert: credentials.cert,
    key: credentials.key,
    ca: material.ca,
    crl: material.crl,
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    requestCert: true,
    rejectUnauthorized: true,
  };
}

/**
 * An HTTPS server that only talks to holders of a certificate from the
 * flexgate CA that is not revoked. When a CRL in the PKI folder changes
 * (`flexgate pki revoke`, the CRL keeper) the secure context is swapped
 * without a restart and open connections of newly revoked certificates are
 * closed.
 */
export async function createMutualTlsServer(options: MutualTlsOptions): Promise<MutualTlsListener> {
  const credentials = await loadTlsCredentials(options.pkiDir, options.identity);
  let material = await loadTrustMaterial(options.pkiDir);
  let state = trustStateOf(material);
  // The request listener is attached by the caller, once the app exists (it needs the signer below).
  const server = createServer(serverTlsOptions(credentials, material));

  const sockets = new Map<TLSSocket, string>();
  server.on('secureConnection', (socket: TLSSocket) => {
    const serial = normaliseSerial(socket.getPeerCertificate().serialNumber ?? '');
    if (!serial) return;
    sockets.set(socket, serial);
    socket.once('close', () => sockets.delete(socket));
  });

  const watcher = watchPki(
    options.pkiDir,
    (reloaded) => {
      material = reloaded;
      state = trustStateOf(reloaded);
      server.setSecureContext(serverTlsOptions(credentials, reloaded));
      let closed = 0;
      for (const [socket, serial] of sockets) {
        if (!state.revokedSerials.has(serial)) continue;
        socket.destroy();
        closed++;
      }
      options.logger.info({ revoked: state.revokedSerials.size, closedConnections: closed }, 'trust material reloaded');
    },
    { current: material, onError: (err) => options.logger.error({ err }, 'reloading trust material failed') },
  );
  const keeper = options.keepCrlsFresh
    ? keepCrlsFresh(options.pkiDir, {
        onRefresh: (issued) => options.logger.info({ crls: issued.length }, 'CRLs re-issued before they lapse'),
        onError: (err) => options.logger.error({ err }, 'CRL refresh failed: clients will be refused once a CRL lapses'),
      })
    : undefined;

  return {
    server,
    signer: signerFromCredentials(credentials),
    trust: () => state,
    stop() {
      watcher.close();
      keeper?.stop();
    },
  };
}

function trustStateOf(material: TrustMaterial): TrustState {
  return { issuingAuthorities: material.ca.map((pem) => new X509Certificate(pem)), revokedSerials: revokedSerialNumbers(material.crl) };
}
