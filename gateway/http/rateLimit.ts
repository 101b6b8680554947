import type { Request, RequestHandler } from 'express';
import { Problem } from '../../protocol/problem.ts';
import { findCaller } from '../trust/caller.ts';

export interface RateLimit {
  /** Tokens added per second: the sustained rate. */
  requestsPerSecond: number;
  /** Bucket size: the requests a party may send at once after a quiet spell. */
  requestBurst: number;
}

export interface RateLimitOptions {
  /** Milliseconds, monotonic; default `performance.now`. */
  now?: () => number;
  /** Whose bucket a request takes from; default the caller of its client certificate. */
  partyOf?: (req: Request) => string | undefined;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * A token bucket per party, so one party cannot take the gateway's time from
 * the others. Every request of an identified caller takes a token; with none
 * left it is refused 429 with `Retry-After` (whole seconds until a token is
 * back). Mounted after the caller is identified and before the body is read
 * or a signature checked, so a refusal costs next to nothing.
 */
export function rateLimitPerParty(limit: RateLimit, options: RateLimitOptions = {}): RequestHandler {
  const now = options.now ?? (() => performance.now());
  const partyOf = options.partyOf ?? ((req: Request) => findCaller(req)?.party.urn);
  const buckets = new Map<string, Bucket>();
  return (req, res, next) => {
    const party = partyOf(req);
    if (!party) return next();
    const at = now();
    const bucket = buckets.get(party) ?? { tokens: limit.requestBurst, refilledAt: at };
    bucket.tokens = Math.min(limit.requestBurst, bucket.tokens + ((at - bucket.refilledAt) / 1000) * limit.requestsPerSecond);
    bucket.refilledAt = at;
    buckets.set(party, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return next();
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond));
    res.setHeader('Retry-After', String(retryAfter));
    next(
      new Problem(
        'request.rate-limited',
        `${party} sent more than ${limit.requestBurst} requests at once or ${limit.requestsPerSecond} a second sustained; retry after ${retryAfter} s`,
      ),
    );
  };
}
