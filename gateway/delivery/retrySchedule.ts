/** How a failed delivery is retried; every attempt counts, crashed ones included. */
export interface RetrySchedule {
  /** Upper bound of the first retry's delay; it doubles per attempt up to `maxDelayMs` (full jitter below it). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts per round (enqueue or redelivery) before the notification is dead-lettered. */
  maxAttempts: number;
  /** The last attempt waits until the round is at least this old, so retrying spans it whatever the jitter drew. */
  minRetryWindowMs: number;
  /** A subscriber's `Retry-After` is honoured up to this. */
  maxRetryAfterMs: number;
}

/** Twenty attempts over at least an hour; a retry waits at most ten minutes unless the subscriber asks for longer. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  initialDelayMs: 2_000,
  maxDelayMs: 10 * 60_000,
  maxAttempts: 20,
  minRetryWindowMs: 60 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
};

export interface FailedAttempt {
  /** Attempts made in this round, the failed one included. */
  attempts: number;
  roundStartedAt: Date;
  retryable: boolean;
  retryAfterMs?: number;
}

export type AfterFailure = { state: 'dead' } | { state: 'retrying'; nextAttemptAt: Date };

/** Exponential backoff with full jitter (delay uniform in [0, cap)); the subscriber's Retry-After as a floor. */
export function afterFailure(schedule: RetrySchedule, failed: FailedAttempt, now: Date, random: () => number = Math.random): AfterFailure {
  if (!failed.retryable || failed.attempts >= schedule.maxAttempts) return { state: 'dead' };
  const cap = Math.min(schedule.maxDelayMs, schedule.initialDelayMs * 2 ** (failed.attempts - 1));
  const jittered = Math.floor(random() * cap);
  const asked = Math.min(failed.retryAfterMs ?? 0, schedule.maxRetryAfterMs);
  let next = now.getTime() + Math.max(jittered, asked);
  if (failed.attempts + 1 === schedule.maxAttempts) next = Math.max(next, failed.roundStartedAt.getTime() + schedule.minRetryWindowMs);
  return { state: 'retrying', nextAttemptAt: new Date(next) };
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
