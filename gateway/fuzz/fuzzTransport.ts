import { Agent, request as httpsRequest } from 'node:https';
import { MutualTlsTransport, TransportFailed } from '../../client/transport.ts';
import type { ClientCredentials, Transport, TransportRequest, TransportResponse } from '../../client/transport.ts';

/**
 * Mutual TLS like the client's own transport, but the request target goes
 * out byte for byte as the case wrote it (`rawTarget`: dot segments, bad
 * escapes, doubled slashes, which `URL` would normalise away), and every
 * exchange is timed from the first byte sent to the last byte received.
 */
export class FuzzTransport implements Transport {
  private readonly agent: Agent;
  private readonly discovery: MutualTlsTransport;
  /** The target of the next request as sent; the URL's own when unset. Set by the harness per case. */
  rawTarget: string | undefined;
  /** Milliseconds of the last exchange. */
  lastMs = 0;

  constructor(
    readonly baseUrl: string,
    credentials: ClientCredentials,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, cert: credentials.cert, key: credentials.key, ca: credentials.ca });
    this.discovery = new MutualTlsTransport(baseUrl, credentials);
  }

  send({ method, url, headers, body }: TransportRequest): Promise<TransportResponse> {
    const path = this.rawTarget ?? `${url.pathname}${url.search}`;
    this.rawTarget = undefined;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...headers, 'content-length': String(body.length) },
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            this.lastMs = performance.now() - started;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on('error', (error) => reject(new TransportFailed(`${method} ${path}: ${error.message}`, { cause: error })));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) => {
        this.lastMs = performance.now() - started;
        reject(new TransportFailed(`${method} ${path}: ${error.message}`, { cause: error }));
      });
      req.end(body);
    });
  }

  serverCertificate(): Promise<string> {
    return this.discovery.serverCertificate();
  }

  close(): void {
    this.agent.destroy();
    this.discovery.close();
  }
}
