import { constants, X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import {
  keepCrlsFresh,
  loadTlsCredentials,
  loadTrustMaterial,
  revokedSerialNumbers,
  watchPki,
  type TlsCredentials,
  type TrustMaterial,
} from '../../certs/index.ts';
import { pkiLayout } from '../../certs/pkiLayout.ts';
import { partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { Problem } from '../../protocol/problem.ts';
import { normaliseSerial } from '../../protocol/identity/serialNumber.ts';
import type { Logger } from '../log.ts';
import { signerFromCredentials, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import type { Budgets } from '../budgets.ts';
import { connectionIdentity, findCaller, identifyCaller, type ConnectionIdentity } from './caller.ts';
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
  /** Connection limits and timeouts. */
  budgets: Pick<Budgets, 'maxConnections' | 'maxConnectionsPerParty' | 'idleConnectionMs' | 'handshakeMs'>;
}

export interface MutualTlsListener {
  server: Server;
  /** The gateway's envelope signer: its TLS key and certificate. */
  signer: EnvelopeSigner;
  trust: () => TrustState;
  /**
   * The connection's admission, as middleware in front of everything else:
   * a peer whose certificate did not verify, a revoked caller (the CRLs are
   * re-read first when they changed on disk, so a request right after
   * `flexgate pki revoke` returns is already refused) and a connection over
   * the party's limit are each answered with a problem naming the reason,
   * and the connection closed.
   */
  admitConnections(): RequestHandler[];
  /**
   * The caller of a connection whose requests `admitConnections` lets
   * through right now with nothing to say and nothing to wait for (verified,
   * within its party's limit, not revoked, the CRLs on disk in force);
   * undefined when they must go through it.
   */
  admittedCaller(socket: TLSSocket): ConnectionIdentity | undefined;
  /** Stops watching the PKI folder and refreshing CRLs. */
  stop(): void;
}

/** Server TLS settings: our certificate, every CA and CRL, client certificates required. */
export function serverTlsOptions(
  credentials: TlsCredentials,
  material: TrustMaterial,
): SecureContextOptions & { requestCert: true; rejectUnauthorized: false } {
  return {
    cert: credentials.cert,
    key: credentials.key,
    ca: material.ca,
    crl: material.crl,
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    // TLS 1.2 renegotiation costs the server a handshake for nothing a client needs.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    requestCert: true,
    // Node would drop an unverified peer after the handshake with no alert, so the client only sees
    // an empty reply; instead the peer is let through to `admitConnections`, which answers a problem naming why.
    rejectUnauthorized: false,
  };
}

/**
 * An HTTPS server that only serves holders of a certificate from the
 * flexgate CA that is not revoked. When a CRL in the PKI folder changes
 * (`flexgate pki revoke`, the CRL keeper) the secure context is swapped
 * without a restart and open connections of newly revoked certificates are
 * closed. Connections are bounded in number, overall and per party, and in
 * idle time.
 */
export async function createMutualTlsServer(options: MutualTlsOptions): Promise<MutualTlsListener> {
  const { budgets } = options;
  const credentials = await loadTlsCredentials(options.pkiDir, options.identity);
  let material = await loadTrustMaterial(options.pkiDir);
  let state = trustStateOf(material);
  // The request listener is attached by the caller, once the app exists (it needs the signer below).
  const server = createServer({ ...serverTlsOptions(credentials, material), handshakeTimeout: budgets.handshakeMs });
  server.maxConnections = budgets.maxConnections;
  // A connection with no request in progress (before its first request or between two) is closed after this.
  server.timeout = budgets.idleConnectionMs;
  server.keepAliveTimeout = Math.min(5_000, budgets.idleConnectionMs);
  // Receiving a request is bounded: its head, and the whole of it.
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  closeOnlyIdleConnections(server);

  const sockets = new Map<TLSSocket, { serial: string; party: string }>();
  const perParty = new Map<string, number>();
  const overLimit = new WeakSet<Socket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    const peer = socket.getPeerCertificate();
    // No certificate at all: refused at the handshake, as before (a peer with one that does not verify is told why).
    if (!peer?.raw) return void socket.destroy();
    if (!socket.authorized) return;
    const serial = normaliseSerial(peer.serialNumber ?? '');
    if (!serial) return;
    const party = partyFromCertificate(peer)?.urn ?? serial;
    const open = perParty.get(party) ?? 0;
    if (open >= budgets.maxConnectionsPerParty) {
      overLimit.add(socket);
      return;
    }
    perParty.set(party, open + 1);
    sockets.set(socket, { serial, party });
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perParty.get(party) ?? 1) - 1;
      if (left > 0) perParty.set(party, left);
      else perParty.delete(party);
    });
  });

  const apply = (reloaded: TrustMaterial) => {
    material = reloaded;
    state = trustStateOf(reloaded);
    server.setSecureContext(serverTlsOptions(credentials, reloaded));
    let closed = 0;
    for (const [socket, { serial }] of sockets) {
      if (!state.revokedSerials.has(serial)) continue;
      socket.destroy();
      closed++;
    }
    options.logger.info({ revoked: state.revokedSerials.size, closedConnections: closed }, 'trust material reloaded');
  };
  const crlFiles = new CrlFiles(options.pkiDir);
  crlFiles.changed();
  const watcher = watchPki(options.pkiDir, apply, {
    current: material,
    onError: (err) => options.logger.error({ err }, 'reloading trust material failed'),
  });
  const keeper = options.keepCrlsFresh
    ? keepCrlsFresh(options.pkiDir, {
        onRefresh: (issued) => options.logger.info({ crls: issued.length }, 'CRLs re-issued before they lapse'),
        onError: (err) => options.logger.error({ err }, 'CRL refresh failed: clients will be refused once a CRL lapses'),
      })
    : undefined;

  // One reload at a time; a request arriving during one looks again once it is done, so no request is judged on a stat taken before
  // the turn of the event loop it arrived in.
  let running: Promise<void> | undefined;
  const reload = async () => {
    try {
      const reloaded = await loadTrustMaterial(options.pkiDir);
      if (JSON.stringify(reloaded) !== JSON.stringify(material)) apply(reloaded);
    } catch (err) {
      // As the watcher does: keep what is trusted now, and try again on the next request.
      crlFiles.forget();
      options.logger.error({ err }, 'reloading trust material failed');
    }
  };
  /** Undefined when the CRLs on disk are the ones in force (every request, so no promise); else the reload to wait for. */
  const refreshTrust = (): Promise<void> | undefined => {
    if (running) return running.then(refreshTrust);
    if (!crlFiles.changed()) return undefined;
    running = reload().finally(() => (running = undefined));
    return running;
  };

  const admitConnections = (): RequestHandler[] => [
    (req, res, next) => {
      const socket = req.socket as TLSSocket;
      if (socket.authorized) return next();
      res.setHeader('Connection', 'close');
      const revoked = authorizationCode(socket) === 'CERT_REVOKED';
      next(new Problem(revoked ? 'auth.certificate-revoked' : 'auth.client-certificate-required', unverifiedPeerDetail(socket)));
    },
    identifyCaller(),
    (req, res, next) => {
      if (!overLimit.has(req.socket)) return next();
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', '1');
      next(new Problem('request.too-many-connections', `A party may hold at most ${budgets.maxConnectionsPerParty} connections; reuse one of those open`));
    },
    (req, res, next) => {
      const judge = () => {
        const caller = findCaller(req);
        if (!caller || !state.revokedSerials.has(caller.certificateSerial)) return next();
        res.setHeader('Connection', 'close');
        next(new Problem('auth.certificate-revoked', `The client certificate (serial ${caller.certificateSerial}) is revoked`));
      };
      const reloading = refreshTrust();
      if (reloading) reloading.then(judge, next);
      else judge();
    },
  ];

  const admittedCaller = (socket: TLSSocket): ConnectionIdentity | undefined => {
    if (!socket.authorized || overLimit.has(socket) || refreshTrust() !== undefined) return undefined;
    const identity = connectionIdentity(socket);
    return identity && !state.revokedSerials.has(identity.certificateSerial) ? identity : undefined;
  };

  return {
    server,
    signer: signerFromCredentials(credentials),
    trust: () => state,
    admitConnections,
    admittedCaller,
    stop() {
      watcher.close();
      keeper?.stop();
    },
  };
}

/** OpenSSL's code for why the peer's certificate did not verify (`CERT_REVOKED`, …), or `unverified`. */
function authorizationCode(socket: TLSSocket): string {
  const reason = socket.authorizationError;
  return reason === undefined ? 'unverified' : String((reason as Error & { code?: string }).code ?? reason);
}

/** Why the TLS layer did not verify the peer's certificate, in words an FSP can act on. */
function unverifiedPeerDetail(socket: TLSSocket): string {
  const code = authorizationCode(socket);
  const why: Record<string, string> = {
    CERT_REVOKED: 'it is revoked',
    CERT_HAS_EXPIRED: 'it has expired',
    CERT_NOT_YET_VALID: 'it is not yet valid',
    UNABLE_TO_GET_ISSUER_CERT: 'it was not issued by the flexgate CA (unknown CA)',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it was not issued by the flexgate CA (unknown CA)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it was not issued by the flexgate CA (unknown CA)',
    SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a CA the gateway does not trust (unknown CA)',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed (unknown CA)',
    // The gateway holds a CRL for each of its own CAs, so a certificate whose issuer has none comes from elsewhere.
    UNABLE_TO_GET_CRL: 'it was not issued by the flexgate CA (unknown CA: no CRL for its issuer)',
    CRL_HAS_EXPIRED: "its CA's CRL has lapsed",
  };
  return `The client certificate was refused: ${why[code] ?? 'it does not verify'} (${code})`;
}

/**
 * Notices a change of the CRL files (replaced atomically on every issue)
 * with a stat, far cheaper than reading them: synchronous, since two stats
 * of local files cost microseconds and the thread pool's round trip more.
 * Once per turn of the event loop: the requests that arrive in one turn
 * (a dozen under load) are judged on the same stat, taken in that turn.
 */
class CrlFiles {
  private readonly paths: string[];
  private seen = '';
  private statted = false;

  constructor(pkiDir: string) {
    const layout = pkiLayout(pkiDir);
    this.paths = [layout.crl('root'), layout.crl('issuing')];
  }

  forget(): void {
    this.seen = '';
  }

  changed(): boolean {
    if (this.statted) return false;
    this.statted = true;
    setImmediate(() => (this.statted = false));
    const now = this.paths
      .map((path) => {
        const s = statSync(path, { throwIfNoEntry: false });
        return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '-';
      })
      .join('|');
    if (now === this.seen) return false;
    this.seen = now;
    return true;
  }
}

function trustStateOf(material: TrustMaterial): TrustState {
  return { issuingAuthorities: material.ca.map((pem) => new X509Certificate(pem)), revokedSerials: revokedSerialNumbers(material.crl) };
}

/** Longest a connection is kept for an answer still being worked out (Node's own default bound on receiving a request). */
const LONGEST_ANSWER_MS = 5 * 60_000;

/**
 * Node closes a connection silent for `server.timeout` even while the
 * gateway is still working on its request (a 100k-entry list on a slow
 * machine), and the client sees a reset instead of its answer. So a
 * connection is spared, and its idle timer started again, while an answer
 * is still being worked out, for at most LONGEST_ANSWER_MS; once the answer
 * is being sent the timeout applies as before, so a client that stops
 * reading cannot hold the connection.
 */
function closeOnlyIdleConnections(server: Server): void {
  const answers = new WeakMap<Socket, Map<ServerResponse, number>>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    let open = answers.get(socket);
    if (!open) answers.set(socket, (open = new Map()));
    open.set(res, Date.now());
    res.once('close', () => open.delete(res));
  });
  server.on('timeout', (socket: Socket) => {
    const now = Date.now();
    const working = [...(answers.get(socket) ?? [])].some(([res, since]) => !res.headersSent && now - since < LONGEST_ANSWER_MS);
    if (working) socket.setTimeout(server.timeout);
    else socket.destroy();
  });
}
