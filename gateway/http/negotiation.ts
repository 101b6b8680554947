import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { Problem } from '../../protocol/problem.ts';

/** The request body's media type if it is one of `accepted` (UTF-8 only), else 415. */
export function requireMediaType<T extends string>(req: { headers: IncomingHttpHeaders }, accepted: readonly T[]): T {
  const header = req.headers['content-type'];
  if (!header) throw new Problem('request.unsupported-media-type', `Content-Type is required: one of ${accepted.join(', ')}`);
  const [essence = '', ...params] = header.split(';').map((p) => p.trim());
  const mediaType = accepted.find((t) => t === essence.toLowerCase());
  if (!mediaType) throw new Problem('request.unsupported-media-type', `${essence} is not accepted here; use one of ${accepted.join(', ')}`);
  const charset = params.map((p) => /^charset\s*=\s*"?([^";]+)"?$/i.exec(p)?.[1]).find(Boolean);
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new Problem('request.unsupported-media-type', `charset ${charset} is not accepted; send UTF-8`);
  }
  return mediaType;
}

/** The representation to answer with, from the Accept header; 406 when none is offered. */
export function chooseRepresentation<T extends string>(req: Request, offered: readonly T[]): T {
  const chosen = req.accepts([...offered]);
  if (!chosen) throw new Problem('request.not-acceptable', `This resource is available as ${offered.join(', ')}`);
  return chosen as T;
}
