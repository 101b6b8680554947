import type { Request } from 'express';
import type { IncomingMessage } from '../intake.ts';
import { envelopeOf, findCaller } from '../trust/caller.ts';

/** The request as the intake journals it: the exact body bytes, who sent it and the signature it came with. */
export function incomingMessage(req: Request, body: Buffer, defaultContentType: string): IncomingMessage {
  return {
    method: req.method,
    path: req.originalUrl,
    contentType: req.headers['content-type'] ?? defaultContentType,
    body,
    userAgent: req.headers['user-agent'] ?? null,
    idempotencyKey: req.header('idempotency-key'),
    caller: findCaller(req),
    envelope: envelopeOf(req),
  };
}
