import type { AreaProblemCode } from '../../schemas/problemCatalogue.ts';

/** A claimed notification as a transport sends it. */
export interface OutboundDelivery {
  id: string;
  subscriberKey: string;
  /** Callback URL or topic. */
  destination: string;
  bearerToken: string | null;
  contentType: string;
  body: Uint8Array;
  idempotencyKey: string;
  /** 1-based within the current round. */
  attempt: number;
}

/** What one attempt came to: acknowledged, worth another try, or refused for good. */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode?: number }
  | { kind: 'retry'; code: AreaProblemCode<'delivery'>; detail: string; statusCode?: number; retryAfterMs?: number }
  | { kind: 'failed'; code: AreaProblemCode<'delivery'>; detail: string; statusCode?: number };

/** Sends one notification; never throws: every failure is an outcome. Gives up when `signal` aborts. */
export interface Transport {
  send(delivery: OutboundDelivery, signal: AbortSignal): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

/**
 * The detached JWS (`x-jws-signature`) for a body on its way to a
 * destination (callback URL or topic) of a subscriber. Called per attempt:
 * each carries a fresh issue time and the next sequence number.
 */
export type NotificationSigner = (body: Uint8Array, delivery: Pick<OutboundDelivery, 'destination' | 'subscriberKey'>) => Promise<string>;
