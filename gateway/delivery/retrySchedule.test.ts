import assert from 'node:assert/strict';
import { afterFailure, DEFAULT_RETRY_SCHEDULE, parseRetryAfter, type RetrySchedule } from './retrySchedule.ts';

const schedule: RetrySchedule = { initialDelayMs: 1000, maxDelayMs: 4000, maxAttempts: 6, minRetryWindowMs: 60_000, maxRetryAfterMs: 30_000 };
const start = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const delayAfter = (attempts: number, random: number, retryAfterMs?: number) => {
  const next = afterFailure(
    schedule,
    { attempts, roundStartedAt: start, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    start,
    () => random,
  );
  assert.equal(next.state, 'retrying');
  return next.state === 'retrying' ? next.nextAttemptAt.getTime() - start.getTime() : NaN;
};

describe('Retry schedule', () => {
  it('draws each delay uniformly below a cap that doubles from the initial delay up to the maximum (full jitter)', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempts) => delayAfter(attempts, 0.999_999)),
      [999, 1999, 3999, 3999],
    );
    assert.equal(delayAfter(3, 0), 0);
    assert.equal(delayAfter(3, 0.5), 2000);
  });

  it('makes the last allowed attempt no sooner than the retry window after the round began', () => {
    assert.equal(delayAfter(5, 0), 60_000);
  });

  it("waits at least as long as the subscriber's Retry-After, up to its cap", () => {
    assert.equal(delayAfter(1, 0, 5000), 5000);
    assert.equal(delayAfter(1, 0.5, 100), 500);
    assert.equal(delayAfter(1, 0, 10 * 60_000), 30_000);
  });

  it('dead-letters a final failure at once and a retryable one after the last allowed attempt', () => {
    assert.deepEqual(afterFailure(schedule, { attempts: 1, roundStartedAt: start, retryable: false }, start), { state: 'dead' });
    assert.deepEqual(afterFailure(schedule, { attempts: 6, roundStartedAt: start, retryable: true }, at(90_000)), { state: 'dead' });
  });

  it('retries for at least an hour by default, in a bounded number of attempts', () => {
    let now = start;
    let attempts = 1;
    for (;;) {
      const next = afterFailure(DEFAULT_RETRY_SCHEDULE, { attempts, roundStartedAt: start, retryable: true }, now, () => 0);
      if (next.state === 'dead') break;
      now = next.nextAttemptAt;
      attempts++;
    }
    assert.equal(attempts, DEFAULT_RETRY_SCHEDULE.maxAttempts);
    assert.ok(now.getTime() - start.getTime() >= 60 * 60_000, 'even when every jittered delay is zero');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('120', start), 120_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', start), 30_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', start), 0);
    assert.equal(parseRetryAfter('soon', start), undefined);
    assert.equal(parseRetryAfter(undefined, start), undefined);
  });
});
