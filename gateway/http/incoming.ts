import type { Request } from 'express';
import type { IncomingMessage } from '../intake.ts';
import { envelopeOf, findCaller } from '../trust/caller.ts';
import type { DirectRequest } from './directLane.ts';

/** The request as the intake journals it: the exact body bytes, who sent it and the signature it came with. */
export function incomingMessage(req: Request, body: Buffer, defaultContentType: string): IncomingMessage {
  return incomingMessageOf(
    { method: req.method, target: req.originalUrl, headers: req.headers, body, caller: findCaller(req), envelope: envelopeOf(req) },
    defaultContentType,
  );
}

/** The same, of a request the direct lane answers (or any taken apart from Express). */
export function incomingMessageOf(
  request: Pick<DirectRequest, 'method' | 'target' | 'headers' | 'body' | 'envelope'> & { caller: DirectRequest['caller'] | undefined },
  defaultContentType: string,
): IncomingMessage {
  const { headers } = request;
  const idempotencyKey = headers['idempotency-key'];
  return {
    method: request.method,
    path: request.target,
    contentType: headers['content-type'] ?? defaultContentType,
    body: request.body,
    userAgent: headers['user-agent'] ?? null,
    idempotencyKey: Array.isArray(idempotencyKey) ? idempotencyKey.join(', ') : idempotencyKey,
    caller: request.caller,
    envelope: request.envelope,
  };
}
