import { Agent, request as httpsRequest } from 'node:https';
import { connect, type ConnectionOptions } from 'node:tls';
import { FlexgateError } from '../protocol/errors.ts';
import { certificatePem } from '../protocol/identity/pem.ts';

/** A party's client identity: its certificate chain, key and the CA to trust the gateway with (PEM). */
export interface ClientCredentials {
  cert: string;
  key: string;
  ca: string[];
}

export interface TransportRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * How a client's bytes reach a gateway. The client signs and verifies; the
 * transport only carries. The default is mutual TLS with the party's
 * certificate; a conformance run swaps in transports with other TLS settings
 * or that record every exchange.
 */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** The certificate (PEM) the server presents: the key its signed responses must verify with. */
  serverCertificate(): Promise<string>;
  close(): void;
}

/** The transport failed: no connection, no answer in time, or the server presented no certificate. */
export class TransportFailed extends FlexgateError {
  readonly code = 'transport.failed';
}

export interface MutualTlsOptions {
  /** Extra TLS settings (tests of TLS versions and suites); credentials come from the constructor. */
  tls?: Omit<ConnectionOptions, 'cert' | 'key' | 'ca'>;
  /** Give up on a request that has not been answered in this time; default 60 s. */
  timeoutMs?: number;
  /** Connections open to the gateway at once; requests beyond wait for one. Default: as many as requests in flight. */
  maxSockets?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** HTTPS with the party's client certificate, connections kept alive. */
export class MutualTlsTransport implements Transport {
  private readonly agent: Agent;
  private certificate: Promise<string> | undefined;
  private readonly timeoutMs: number;

  constructor(
    readonly baseUrl: string,
    private readonly credentials: ClientCredentials,
    private readonly options: MutualTlsOptions = {},
  ) {
    this.agent = new Agent({
      keepAlive: true,
      minVersion: 'TLSv1.2',
      ...options.tls,
      ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
      cert: credentials.cert,
      key: credentials.key,
      ca: credentials.ca,
    });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  send({ method, url, headers, body }: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method, headers: { ...headers, 'content-length': String(body.length) }, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', (error) => reject(new TransportFailed(`${method} ${url.pathname}: ${error.message}`, { cause: error })));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) => reject(new TransportFailed(`${method} ${url.pathname}: ${error.message}`, { cause: error })));
      req.end(body);
    });
  }

  /** From a full TLS handshake of its own: a resumed session does not show the peer certificate again. */
  serverCertificate(): Promise<string> {
    this.certificate ??= new Promise<string>((resolve, reject) => {
      const url = new URL(this.baseUrl);
      const socket = connect(
        {
          host: url.hostname,
          port: Number(url.port || 443),
          servername: isIpAddress(url.hostname) ? undefined : url.hostname,
          minVersion: 'TLSv1.2',
          ...this.options.tls,
          cert: this.credentials.cert,
          key: this.credentials.key,
          ca: this.credentials.ca,
        },
        () => {
          const peer = socket.getPeerCertificate();
          socket.end();
          if (peer.raw) resolve(certificatePem(peer.raw));
          else reject(new TransportFailed(`${this.baseUrl} presented no certificate`));
        },
      );
      socket.setTimeout(this.timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${this.timeoutMs} ms`)));
      socket.on('error', (error) => reject(new TransportFailed(`${this.baseUrl}: ${error.message}`, { cause: error })));
    });
    // A failed discovery is tried again on the next request rather than remembered.
    this.certificate.catch(() => (this.certificate = undefined));
    return this.certificate;
  }

  close(): void {
    this.agent.destroy();
  }
}

const isIpAddress = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');
