import type { Request } from 'express';
import type { IncomingMessage } from '../intake.ts';

/** The request as the intake journals it: the exact body bytes and what identifies the message. */
export function incomingMessage(req: Request, body: Buffer, defaultContentType: string): IncomingMessage {
  return {
    method: req.method,
    path: req.originalUrl,
    contentType: req.headers['content-type'] ?? defaultContentType,
    body,
    userAgent: req.headers['user-agent'] ?? null,
    idempotencyKey: req.header('idempotency-key'),
  };
}
