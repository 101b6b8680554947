import type { Request } from 'express';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import type { IncomingMessage } from '../intake.ts';
import { callerOf, envelopeOf, type Caller } from '../trust/caller.ts';

/**
 * An OpenADR request as the VTN's operations and token endpoint see it:
 * read once from Express at the HTTP edge, so nothing below the routers
 * touches `Request`.
 */
export interface VtnRequest {
  /** Who sent it: the party of the verified TLS client certificate. */
  caller: Caller;
  /** The verified flexgate signature, when the request carried one. */
  envelope: VerifiedEnvelope | undefined;
  method: string;
  /** Path and query as received: what signatures name and the journal records. */
  path: string;
  contentType: string | undefined;
  /** The body bytes exactly as received. */
  body: Buffer;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  userAgent: string | null;
}

/** The typed request of an Express request behind the trust layer. */
export function vtnRequestOf(req: Request): VtnRequest {
  return {
    caller: callerOf(req),
    envelope: envelopeOf(req),
    method: req.method,
    path: req.originalUrl,
    contentType: req.headers['content-type'],
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    authorization: req.headers.authorization,
    idempotencyKey: req.header('idempotency-key'),
    userAgent: req.headers['user-agent'] ?? null,
  };
}

/** The request as the intake journals it. */
export function journalMessage(request: VtnRequest, idempotencyKey: string): IncomingMessage {
  return {
    method: request.method,
    path: request.path,
    contentType: request.contentType ?? 'application/json',
    body: request.body,
    userAgent: request.userAgent,
    idempotencyKey,
    caller: request.caller,
    ...(request.envelope ? { envelope: request.envelope } : {}),
  };
}
