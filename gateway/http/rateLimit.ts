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
 * back). One per gateway, however a request is answered.
 */
export class PartyRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    /** Milliseconds, monotonic; default `performance.now`. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one of the party's tokens; undefined when it had one, else the refusal with the seconds until it has one again. */
  take(party: string): { problem: Problem; retryAfter: number } | undefined {
    const { limit } = this;
    const at = this.now();
    const bucket = this.buckets.get(party) ?? { tokens: limit.requestBurst, refilledAt: at };
    bucket.tokens = Math.min(limit.requestBurst, bucket.tokens + ((at - bucket.refilledAt) / 1000) * limit.requestsPerSecond);
    bucket.refilledAt = at;
    this.buckets.set(party, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond));
    const problem = new Problem(
      'request.rate-limited',
      `${party} sent more than ${limit.requestBurst} requests at once or ${limit.requestsPerSecond} a second sustained; retry after ${retryAfter} s`,
    );
    return { problem, retryAfter };
  }
}

/**
 * The bucket as middleware: mounted after the caller is identified and
 * before the body is read or a signature checked, so a refusal costs next to
 * nothing.
 */
export function rateLimitPerParty(buckets: PartyRateLimit, options: RateLimitOptions = {}): RequestHandler {
  const partyOf = options.partyOf ?? ((req: Request) => findCaller(req)?.party.urn);
  return (req, res, next) => {
    const party = partyOf(req);
    if (!party) return next();
    const refused = buckets.take(party);
    if (!refused) return next();
    res.setHeader('Retry-After', String(refused.retryAfter));
    next(refused.problem);
  };
}
