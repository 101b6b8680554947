import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { NotificationRefused, type NotificationVerifier, type VerifiedNotification } from './notificationVerifier.ts';
import { NotificationQueue } from './notificationQueue.ts';

export interface WebhookReceiverOptions {
  /** Checks the gateway's signature on each notification (aud = this VEN). */
  verifier: NotificationVerifier;
  /** The bearer token this VEN gave in its subscription (`objectOperations[].bearerToken`): every callback must carry it. */
  bearerToken: string;
  /** Default 0, which picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with this certificate (issued for server use: serverAuth) and key, PEM, instead of HTTP. */
  tls?: { cert: string; key: string };
  /** Callback path; default `/openadr/notifications`. */
  path?: string;
  /** The URL the VTN reaches this receiver at, when not the one it listens on (a tunnel, a DNS name). */
  publicUrl?: string;
  maxBodyBytes?: number;
}

const DEFAULT_PATH = '/openadr/notifications';
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The VEN's webhook endpoint, hosted by the VEN: it takes a notification
 * only with the bearer token the VEN gave in its subscription and the
 * gateway's signature over the exact body (NotificationVerifier), answers
 * 204, and hands it on; anything forged, unsigned, stale, replayed or not a
 * notification is refused (401, 400) and recorded in `refused`.
 */
export class WebhookReceiver extends NotificationQueue {
  private constructor(
    private readonly server: http.Server | https.Server,
    private readonly options: WebhookReceiverOptions,
    /** The callback URL to subscribe with. */
    readonly callbackUrl: string,
  ) {
    super();
  }

  static async start(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
    const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }) : http.createServer();
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const path = options.path ?? DEFAULT_PATH;
    const callbackUrl = options.publicUrl ?? `${options.tls ? 'https' : 'http'}://${host}:${address.port}${path}`;
    const receiver = new WebhookReceiver(server, options, callbackUrl);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void receiver.handle(req, res));
    return receiver;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = this.options.path ?? DEFAULT_PATH;
    const target = req.url ?? '/';
    if (target.split('?')[0] !== path) return answer(res, 404, 'Not a callback of this VEN');
    if (req.method !== 'POST') return answer(res, 405, 'Notifications are POSTed');
    let body: Buffer;
    try {
      body = await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch {
      return answer(res, 413, 'Notification too large');
    }
    try {
      if (!bearerMatches(req.headers.authorization, this.options.bearerToken)) {
        throw new NotificationRefused('notification.unauthorized', 'The callback came without the bearer token this VEN subscribed with');
      }
      const signature = req.headers[SIGNATURE_HEADER];
      const key = req.headers['idempotency-key'];
      const verified: VerifiedNotification = await this.options.verifier.verify(
        {
          channel: 'webhook',
          destination: target,
          signature: typeof signature === 'string' ? signature : undefined,
          idempotencyKey: typeof key === 'string' ? key : undefined,
        },
        body,
      );
      answer(res, 204);
      this.deliver(verified);
    } catch (error) {
      if (!(error instanceof NotificationRefused)) throw error;
      this.refuse(error);
      if (error.code === 'notification.unauthorized') res.setHeader('WWW-Authenticate', 'Bearer realm="flexgate-ven"');
      answer(res, error.code === 'notification.invalid' ? 400 : 401, error.message);
    }
  }

  async close(): Promise<void> {
    this.end();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

function bearerMatches(authorization: string | undefined, expected: string): boolean {
  const presented = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
  const wanted = Buffer.from(expected);
  return presented.length === wanted.length && timingSafeEqual(presented, wanted);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new Error('too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, detail?: string): void {
  if (detail === undefined) return void res.writeHead(status).end();
  res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', status, detail }));
}
