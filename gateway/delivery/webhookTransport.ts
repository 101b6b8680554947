import http from 'node:http';
import https from 'node:https';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { isIP } from 'node:net';
import { EgressPolicy, EgressRefused } from './egress.ts';
import { callbackUrlDefect } from './outbox.ts';
import { parseRetryAfter } from './retrySchedule.ts';
import type { AttemptOutcome, NotificationSigner, OutboundDelivery, Transport } from './transport.ts';

export interface WebhookTransportOptions {
  /** Signs each attempt's body for `x-jws-signature` (see `webhookEnvelopeSigner`). */
  sign: NotificationSigner;
  /** Response bytes read at most (kept for the attempt history); the status alone decides the outcome. */
  maxResponseBytes?: number;
  /**
   * Trust anchors for https callbacks (Node's defaults otherwise), and the
   * gateway's certificate and key, presented when a receiver asks for a
   * client certificate (mutual TLS on outbound webhooks).
   */
  tls?: { ca?: string | Buffer | Array<string | Buffer>; cert?: string | Buffer; key?: string | Buffer };
  /** Which addresses callbacks may reach; default: public addresses only (egress.ts). */
  egress?: EgressPolicy;
  userAgent?: string;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024;
const DETAIL_CHARS = 300;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  excerpt: string;
}

/**
 * POSTs notifications to subscription callbacks: the body as stored, the
 * subscription's bearer token, an `Idempotency-Key` and the gateway's signed
 * envelope. Redirects are never followed (the signature names the path).
 */
export class WebhookTransport implements Transport {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;
  private readonly maxResponseBytes: number;
  private readonly egress: EgressPolicy;

  constructor(private readonly options: WebhookTransportOptions) {
    this.egress = options.egress ?? new EgressPolicy();
    // Every new connection's address is checked as it is looked up (DNS rebinding cannot slip past the subscription-time check).
    this.httpAgent = new http.Agent({ keepAlive: true, lookup: this.egress.lookup });
    this.httpsAgent = new https.Agent({ keepAlive: true, lookup: this.egress.lookup, ...options.tls });
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  async send(delivery: OutboundDelivery, signal: AbortSignal): Promise<AttemptOutcome> {
    const defect = callbackUrlDefect(delivery.destination);
    if (defect) return { kind: 'failed', code: 'delivery.callback-url-invalid', detail: defect };
    const url = new URL(delivery.destination);
    // An address literal is never looked up, so it is checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    const refused = isIP(literal) ? this.egress.refusal(literal) : undefined;
    if (refused) return { kind: 'failed', code: 'delivery.egress-refused', detail: refused };
    let signature: string;
    try {
      signature = await this.options.sign(delivery.body, delivery);
    } catch (error) {
      return { kind: 'retry', code: 'delivery.failed', detail: `signing failed: ${(error as Error).message}` };
    }
    const headers: http.OutgoingHttpHeaders = {
      'content-type': delivery.contentType,
      'content-length': delivery.body.byteLength,
      'idempotency-key': delivery.idempotencyKey,
      [SIGNATURE_HEADER]: signature,
      'user-agent': this.options.userAgent ?? 'flexgate-delivery',
      ...(delivery.bearerToken ? { authorization: `Bearer ${delivery.bearerToken}` } : {}),
    };
    let answer: Answer;
    try {
      answer = await this.post(url, headers, delivery.body, signal);
    } catch (error) {
      if (signal.aborted) return { kind: 'retry', code: 'delivery.timeout', detail: `no answer from ${url.origin} within the attempt timeout` };
      if (error instanceof EgressRefused) return { kind: 'failed', code: 'delivery.egress-refused', detail: error.message };
      const { code, message } = error as NodeJS.ErrnoException;
      return { kind: 'retry', code: 'delivery.unreachable', detail: `${url.origin}: ${code ?? message}` };
    }
    return classify(answer, new Date());
  }

  private post(url: URL, headers: http.OutgoingHttpHeaders, body: Uint8Array, signal: AbortSignal): Promise<Answer> {
    const client = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let answered: http.IncomingMessage | undefined;
      // The status is the acknowledgement: a body that stalls, breaks off or runs long changes nothing.
      const settle = () => {
        if (answered)
          resolve({ status: answered.statusCode ?? 0, headers: answered.headers, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, DETAIL_CHARS) });
      };
      const request = client.request(url, { method: 'POST', headers, agent, signal }, (response) => {
        answered = response;
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received <= this.maxResponseBytes) return void chunks.push(chunk);
          settle();
          response.destroy();
        });
        response.on('end', settle);
        response.on('error', settle);
      });
      request.on('error', (error) => (answered ? settle() : reject(error)));
      request.end(body);
    });
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** 2xx delivered; 408, 429 and 5xx retried (honouring Retry-After); anything else final. */
function classify({ status, headers, excerpt }: Answer, now: Date): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', statusCode: status };
  const said = excerpt ? `: ${excerpt}` : '';
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headerValue(headers['retry-after']), now);
    return {
      kind: 'retry',
      code: 'delivery.unavailable',
      detail: `HTTP ${status}${said}`,
      statusCode: status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 300 && status < 400) {
    return {
      kind: 'failed',
      code: 'delivery.rejected',
      detail: `HTTP ${status} redirect to ${headerValue(headers.location) ?? '(none)'} not followed`,
      statusCode: status,
    };
  }
  return { kind: 'failed', code: 'delivery.rejected', detail: `HTTP ${status}${said}`, statusCode: status };
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
