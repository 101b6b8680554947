import type { Database } from '../store/schema.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.ts';
import type { Dialect } from '../store/dialect.ts';
import { abandonExhausted, claimDue, finishAttempt, nextDueAt, type ClaimedRow, type Settlement } from './claims.ts';
import { afterFailure, DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retrySchedule.ts';
import { GroupCommit } from './groupCommit.ts';
import type { ChannelKind } from './tables.ts';
import type { AttemptOutcome, Transport } from './transport.ts';

export interface DispatcherOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A dispatcher claims only the channels it has a transport for. */
  transports: Partial<Record<ChannelKind, Transport>>;
  retry?: Partial<RetrySchedule>;
  /**
   * Attempts in flight at once, one per subscriber. Each claim takes every
   * due subscriber up to this, so the slots in use grow with the subscribers
   * waiting: an attempt is a socket and a promise, not a thread.
   */
  maxConcurrency?: number;
  /** An attempt unanswered this long moves to the slow pool and frees its slot for responsive subscribers. */
  slowAfterMs?: number;
  /** Attempts the slow pool holds; beyond it, a hanging subscriber keeps its slot until the attempt timeout. */
  maxSlow?: number;
  attemptTimeoutMs?: number;
  /** How long a claim holds; must outlast an attempt, since a lapsed claim is attempted again elsewhere. */
  leaseMs?: number;
  /** Longest sleep between looks at the outbox (other instances' work, lapsed claims). */
  pollIntervalMs?: number;
  /** Names this dispatcher in the attempt history. */
  name?: string;
  logger?: Logger;
  random?: () => number;
}

const DEFAULTS = { maxConcurrency: 1024, slowAfterMs: 1000, maxSlow: 256, attemptTimeoutMs: 10_000, leaseMs: 25_000, pollIntervalMs: 500 };
const MIN_SLEEP_MS = 10;

/**
 * Moves notifications from the outbox to their subscribers, at least once:
 * a notification is settled only after its transport's acknowledgement (2xx
 * or PUBACK) and only by the attempt that holds its claim, so nothing in this
 * process's memory is needed after a crash. Each subscriber's queue is
 * served in order, one attempt at a time; different subscribers run
 * concurrently, so one that is slow or dead delays only itself: an attempt
 * that goes unanswered moves to a pool of its own (`slowAfterMs`,
 * `maxSlow`), so hanging endpoints never hold the slots responsive ones need.
 */
export class DeliveryDispatcher {
  readonly name: string;
  private readonly schedule: RetrySchedule;
  private readonly settings: typeof DEFAULTS;
  private readonly kinds: ChannelKind[];
  private readonly inFlight = new Set<Promise<void>>();
  /** How many of `inFlight` are in the slow pool. */
  private slow = 0;
  private abandonedAt = 0;
  /** Attempts settle in shared transactions: a fan-out to many subscribers costs a few commits, not one each. */
  private readonly settlements: GroupCommit;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;

  constructor(private readonly options: DispatcherOptions) {
    this.settlements = new GroupCommit(options.db);
    this.name = options.name ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.schedule = { ...DEFAULT_RETRY_SCHEDULE, ...options.retry };
    this.settings = {
      maxConcurrency: options.maxConcurrency ?? DEFAULTS.maxConcurrency,
      slowAfterMs: options.slowAfterMs ?? DEFAULTS.slowAfterMs,
      maxSlow: options.maxSlow ?? DEFAULTS.maxSlow,
      attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    };
    if (this.settings.leaseMs < 2 * this.settings.attemptTimeoutMs) {
      throw new Error(`leaseMs (${this.settings.leaseMs}) must be at least twice attemptTimeoutMs (${this.settings.attemptTimeoutMs})`);
    }
    this.kinds = (Object.keys(options.transports) as ChannelKind[]).filter((kind) => options.transports[kind]);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Look at the outbox now (call after committing an enqueue); otherwise within `pollIntervalMs`. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Stops claiming and waits for the attempts in flight to be recorded; transports stay open (their owner closes them). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      const free = this.settings.maxConcurrency - (this.inFlight.size - this.slow);
      let claimed: ClaimedRow[] = [];
      let sleepMs = this.settings.pollIntervalMs;
      try {
        const now = new Date();
        // Lapsed last attempts are rare (a dispatcher died): looked for once per poll interval, not at every wake.
        if (now.getTime() - this.abandonedAt >= this.settings.pollIntervalMs) {
          this.abandonedAt = now.getTime();
          await abandonExhausted(this.options.db, this.options.dialect, this.schedule.maxAttempts, now);
        }
        claimed = await claimDue(this.options.db, this.options.dialect, {
          dispatcher: this.name,
          limit: free,
          kinds: this.kinds,
          leaseMs: this.settings.leaseMs,
          now,
        });
        for (const row of claimed) this.track(this.attempt(row));
        if (free > 0 && claimed.length === free) continue;
        const due = await nextDueAt(this.options.db, this.options.dialect, this.kinds);
        if (due) sleepMs = Math.min(sleepMs, due.getTime() - Date.now());
      } catch (error) {
        this.options.logger?.error({ err: error, dispatcher: this.name }, 'delivery claim failed; retrying');
      }
      if (this.running && !this.wakeRequested) await this.sleep(Math.max(MIN_SLEEP_MS, sleepMs));
    }
  }

  private track(attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    let slow = false;
    const demote = setTimeout(() => {
      if (this.slow >= this.settings.maxSlow) return;
      slow = true;
      this.slow++;
      this.wake();
    }, this.settings.slowAfterMs).unref();
    void attempt.finally(() => {
      clearTimeout(demote);
      if (slow) this.slow--;
      this.inFlight.delete(attempt);
      // A settled head lets its subscriber's next notification go; a freed slot takes another subscriber.
      this.wake();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private async attempt(row: ClaimedRow): Promise<void> {
    const transport = this.options.transports[row.channel_kind]!;
    let outcome: AttemptOutcome;
    try {
      outcome = await transport.send(
        {
          id: row.id,
          subscriberKey: row.subscriber_key,
          destination: row.destination,
          bearerToken: row.bearer_token,
          contentType: row.content_type,
          body: row.body,
          idempotencyKey: row.idempotency_key,
          attempt: row.attempts,
        },
        AbortSignal.timeout(this.settings.attemptTimeoutMs),
      );
    } catch (error) {
      outcome = { kind: 'retry', code: 'delivery.failed', detail: (error as Error).message };
    }
    const now = new Date();
    const settlement = this.settle(row, outcome, now);
    try {
      const kept = await this.settlements.run((tx) => finishAttempt(tx, row, outcome, settlement, now));
      const log = {
        dispatcher: this.name,
        delivery: row.id,
        subscriber: row.subscriber_key,
        attempt: row.attempts,
        outcome: outcome.kind,
        state: settlement.state,
      };
      if (!kept) this.options.logger?.warn(log, 'delivery claim lapsed or was redelivered during the attempt; outcome kept in history only');
      else if (outcome.kind !== 'delivered') this.options.logger?.warn({ ...log, code: outcome.code, detail: outcome.detail }, 'delivery attempt failed');
    } catch (error) {
      // The claim lapses and the notification is attempted again: at least once, never lost.
      this.options.logger?.error({ err: error, dispatcher: this.name, delivery: row.id }, 'could not record a delivery attempt');
    }
  }

  private settle(row: ClaimedRow, outcome: AttemptOutcome, now: Date): Settlement {
    if (outcome.kind === 'delivered') return { state: 'delivered' };
    const next = afterFailure(
      this.schedule,
      {
        attempts: row.attempts,
        roundStartedAt: new Date(row.round_started_at),
        retryable: outcome.kind === 'retry',
        ...(outcome.kind === 'retry' && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      },
      now,
      this.options.random,
    );
    return next.state === 'dead' ? { state: 'dead' } : { state: 'retrying', nextAttemptAt: next.nextAttemptAt };
  }
}
