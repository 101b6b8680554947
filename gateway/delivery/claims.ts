import type { Database } from '../store/schema.ts';
import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../store/dialect.ts';
import type { StoreExecutor } from '../store/store.ts';
import type { AttemptOutcome } from './transport.ts';
import { DELIVERY_STATES, OUTSTANDING_STATES, type AttemptOutcomeKind, type ChannelKind, type DeliveryOutboxTable, type DeliveryState } from './tables.ts';

/** A claimed notification with its body, read from `delivery_bodies`. */
export type ClaimedRow = Selectable<DeliveryOutboxTable> & { claim_token: string; body: Buffer };

export interface ClaimRequest {
  dispatcher: string;
  /** Subscribers to take at most (each contributes only its head of line). */
  limit: number;
  kinds: readonly ChannelKind[];
  leaseMs: number;
  now: Date;
}

type OutboxScope = ExpressionBuilder<Database & { o: DeliveryOutboxTable }, 'o'>;

/**
 * `<column> in ('pending', 'retrying')` written out, never bound: a planner
 * uses a partial index only when the query's condition visibly implies the
 * index's, which SQLite cannot know of a bound parameter (a claim then read
 * every outstanding row, 66 ms each at 1,000 pending).
 */
function outstanding(column: 'o.state' | 'e.state' | 'n.state' | 'state') {
  return sql<boolean>`${sql.ref(column)} in (${sql.join(OUTSTANDING_STATES.map((state) => sql.lit(state)))})`;
}

/** SQLite's `INDEXED BY`, where its planner without statistics would choose worse; PostgreSQL plans by its statistics. */
const indexedBy = (dialect: Dialect, index: string) => sql.raw(dialect === 'sqlite' ? `indexed by ${index}` : '');

/** Due rows a claim may read in due order looking for heads of line, beyond the heads it wants. */
const DUE_SCAN_SLACK = 256;

/**
 * How heads of line are found. In due order, each due row checked for an
 * elder: what a claim reads is about what it takes while most due rows are
 * heads (many subscribers, short queues). But every row of a deep queue is
 * due and only its first is a head, so behind a 100k-entry list's 200,000
 * MQTT notifications on two topics every claim read them all (60-170 ms of
 * event loop each, 4-5 deliveries a second). So the first due rows a claim
 * may read are looked at: when there are more of them, belonging to few
 * subscribers (deep queues), heads are found subscriber by subscriber, one
 * seek each however deep the queues.
 */
type HeadSearch = 'due-order' | 'by-subscriber';

async function headSearch(db: StoreExecutor, dialect: Dialect, at: string, mayRead: number): Promise<HeadSearch> {
  const { rows } = await sql<{ due: number | string; subscribers: number | string }>`select count(*) as due, count(distinct subscriber_key) as subscribers
    from (select subscriber_key from delivery_outbox ${indexedBy(dialect, 'delivery_outbox_outstanding_by_due')} where ${outstanding('state')} and next_attempt_at <= ${at}
      order by next_attempt_at limit ${mayRead}) as first_due`.execute(db);
  const due = Number(rows[0]?.due ?? 0);
  const subscribers = Number(rows[0]?.subscribers ?? 0);
  return due < mayRead || subscribers * 2 >= due ? 'due-order' : 'by-subscriber';
}

/**
 * The `seq` of each subscriber's head of line (its oldest outstanding
 * notification), as a loose index scan: from one subscriber key to the next
 * through the partial index by subscriber. SQLite is named the index:
 * without statistics it would read every outstanding row by state and sort
 * them.
 */
function headsOfLine(dialect: Dialect) {
  const bySubscriber = indexedBy(dialect, 'delivery_outbox_outstanding_by_subscriber');
  // Seeded below every key (''), so the first head is found by the same seek as the others; the seed's seq 0 is no row's.
  return sql<number>`(with recursive heads (subscriber_key, seq) as (
      select cast('' as text), cast(0 as bigint)
      union all
      select d.subscriber_key, d.seq from heads join delivery_outbox d on d.seq = (
        select n.seq from delivery_outbox n ${bySubscriber} where ${outstanding('n.state')} and n.subscriber_key > heads.subscriber_key
        order by n.subscriber_key, n.seq limit 1)
    ) select seq from heads)`;
}

/** Delivered or dead: a head of line found by subscriber is checked against these, not the outstanding ones (see below). */
const SETTLED_STATES = DELIVERY_STATES.filter((state) => !OUTSTANDING_STATES.includes(state));

/**
 * Outstanding, for one of `kinds`, and first in its subscriber's queue. The
 * row's own state is checked in both searches: on PostgreSQL a row another
 * instance settled after this statement's snapshot is re-checked against
 * this condition when it is locked, and must then fail it. Found by
 * subscriber, the check is written as "not settled": written as
 * "outstanding" it would let PostgreSQL's planner read the due rows through
 * the partial index by due time, which is what this search avoids.
 */
function firstInLine(eb: OutboxScope, dialect: Dialect, kinds: readonly ChannelKind[], search: HeadSearch) {
  if (search === 'by-subscriber') {
    return eb.and([eb('o.seq', 'in', headsOfLine(dialect)), eb('o.state', 'not in', SETTLED_STATES), eb('o.channel_kind', 'in', kinds)]);
  }
  const head = eb.not(
    eb.exists(
      eb
        .selectFrom('delivery_outbox as e')
        .select(sql.lit(1).as('one'))
        .whereRef('e.subscriber_key', '=', 'o.subscriber_key')
        .where(outstanding('e.state'))
        .whereRef('e.seq', '<', 'o.seq'),
    ),
  );
  return eb.and([outstanding('o.state'), eb('o.channel_kind', 'in', kinds), head]);
}

/**
 * Claims due notifications, at most one per subscriber (its oldest
 * outstanding), most overdue first, for `leaseMs`; opens an attempt for
 * each. A claim moves `next_attempt_at` to the end of its lease: the row is
 * out of the due index while attempted, and due again by itself if its
 * dispatcher dies, so no claim reads rows being attempted. One UPDATE picks
 * and marks the rows; on PostgreSQL its `FOR UPDATE SKIP LOCKED` lets other
 * instances claim other subscribers at the same moment, and a claimed head
 * keeps every instance off that subscriber until it settles or the lease
 * lapses (a crashed process's claims come back that way).
 */
export async function claimDue(db: Kysely<Database>, dialect: Dialect, request: ClaimRequest): Promise<ClaimedRow[]> {
  if (request.limit <= 0 || request.kinds.length === 0) return [];
  const at = request.now.toISOString();
  const batch = randomUUID();
  const leaseEnd = new Date(request.now.getTime() + request.leaseMs).toISOString();
  return db.transaction().execute(async (tx) => {
    const search = await headSearch(tx, dialect, at, request.limit + DUE_SCAN_SLACK);
    const rows = await tx
      .updateTable('delivery_outbox')
      .set((eb) => ({
        claim_token: sql<string>`${batch} || '.' || cast(seq as text)`,
        claimed_until: leaseEnd,
        next_attempt_at: leaseEnd,
        attempts: eb('attempts', '+', 1),
        last_attempt_at: at,
        updated_at: at,
      }))
      .where('seq', 'in', (eb) =>
        eb
          .selectFrom('delivery_outbox as o')
          .select('o.seq')
          .where('o.next_attempt_at', '<=', at)
          .where((o) => firstInLine(o, dialect, request.kinds, search))
          // A lapsed claim is due by its moved next_attempt_at; this guards a row claimed before that rule.
          .where((o) => o.or([o('o.claimed_until', 'is', null), o('o.claimed_until', '<', at)]))
          .orderBy('o.next_attempt_at')
          .limit(request.limit)
          .$if(dialect === 'postgres', (query) => query.forUpdate().skipLocked()),
      )
      .returningAll()
      .execute();
    const bodies = await bodiesOf(
      tx,
      rows.map((row) => row.body_id),
    );
    const claimed = rows.flatMap((row) => (row.claim_token === null ? [] : [{ ...row, claim_token: row.claim_token, body: bodies.get(row.body_id)! }]));
    if (claimed.length > 0) {
      await tx
        .insertInto('delivery_attempts')
        .values(claimed.map((row) => ({ id: row.claim_token, delivery_id: row.id, attempt: row.attempts, dispatcher: request.dispatcher, started_at: at })))
        .execute();
    }
    return claimed.sort((a, b) => a.seq - b.seq);
  });
}

/** Bodies per IN list: within both databases' bound-parameter limits. */
const BODY_LOOKUP_BATCH = 500;

async function bodiesOf(tx: StoreExecutor, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const bodies = new Map<string, Buffer>();
  const distinct = [...new Set(ids)];
  for (let start = 0; start < distinct.length; start += BODY_LOOKUP_BATCH) {
    const rows = await tx
      .selectFrom('delivery_bodies')
      .select(['id', 'body'])
      .where('id', 'in', distinct.slice(start, start + BODY_LOOKUP_BATCH))
      .execute();
    for (const row of rows) bodies.set(row.id, row.body);
  }
  for (const id of distinct) if (!bodies.has(id)) throw new Error(`delivery body ${id} is missing`);
  return bodies;
}

/** When the next head of line falls due, a claim's lapse included (undefined: nothing outstanding is waiting). */
export async function nextDueAt(db: Kysely<Database>, dialect: Dialect, kinds: readonly ChannelKind[]): Promise<Date | undefined> {
  if (kinds.length === 0) return undefined;
  const search = await headSearch(db, dialect, new Date().toISOString(), DUE_SCAN_SLACK);
  const row = await db
    .selectFrom('delivery_outbox as o')
    .select('o.next_attempt_at')
    .where((o) => firstInLine(o, dialect, kinds, search))
    .orderBy('o.next_attempt_at')
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.next_attempt_at) : undefined;
}

/**
 * Dead-letters notifications whose last allowed attempt was cut off (its
 * dispatcher died and the lease lapsed), so a notification that crashes its
 * dispatcher cannot be retried forever. Only claimed rows can be such, and
 * they are found through their own index by lease end (SQLite is told it:
 * without statistics it would read every queued notification by state).
 */
export async function abandonExhausted(db: Kysely<Database>, dialect: Dialect, maxAttempts: number, now: Date): Promise<number> {
  const at = now.toISOString();
  const result =
    await sql`update delivery_outbox ${indexedBy(dialect, 'delivery_outbox_claimed_by_lease')} set state = ${'dead'}, claim_token = null, claimed_until = null,
      last_error_code = ${'delivery.abandoned'}, last_error_detail = ${`attempt ${maxAttempts} of ${maxAttempts} never finished`}, updated_at = ${at}
    where claimed_until < ${at} and ${outstanding('state')} and attempts >= ${maxAttempts}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export type Settlement = { state: Exclude<DeliveryState, 'pending'>; nextAttemptAt?: Date };

/** An attempt's outcome as the history shows it: a retryable failure on the last allowed attempt is a failure. */
const attemptOutcome = (settlement: Settlement): AttemptOutcomeKind =>
  settlement.state === 'delivered' ? 'delivered' : settlement.state === 'dead' ? 'failed' : 'retry';

/**
 * Records an attempt's outcome and settles the notification, in the
 * caller's transaction (the dispatcher's group commit), if the claim is
 * still this attempt's: after a lapsed lease or a redelivery the row
 * belongs to someone else and only the attempt history is written.
 */
export async function finishAttempt(tx: StoreExecutor, claimed: ClaimedRow, outcome: AttemptOutcome, settlement: Settlement, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const error = outcome.kind === 'delivered' ? { code: null, detail: null } : { code: outcome.code, detail: outcome.detail };
  await tx
    .updateTable('delivery_attempts')
    .set({
      finished_at: at,
      outcome: attemptOutcome(settlement),
      status_code: outcome.statusCode ?? null,
      error_code: error.code,
      error_detail: error.detail,
    })
    .where('id', '=', claimed.claim_token)
    .execute();
  const settled = await tx
    .updateTable('delivery_outbox')
    .set({
      state: settlement.state,
      claim_token: null,
      claimed_until: null,
      updated_at: at,
      last_error_code: error.code,
      last_error_detail: error.detail,
      ...(settlement.nextAttemptAt ? { next_attempt_at: settlement.nextAttemptAt.toISOString() } : {}),
      ...(settlement.state === 'delivered' ? { delivered_at: at } : {}),
    })
    .where('id', '=', claimed.id)
    .where('claim_token', '=', claimed.claim_token)
    .executeTakeFirst();
  return settled.numUpdatedRows > 0n;
}
