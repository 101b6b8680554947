import type { Database } from '../store/schema.ts';
import { sql, type Kysely, type Selectable } from 'kysely';
import { OUTSTANDING_STATES, type DeliveryAttemptTable, type DeliveryOutboxTable, type DeliveryState } from './tables.ts';

/** A delivery as the admin API shows it: never the bearer token. */
export interface DeliveryView {
  id: string;
  subscriberKey: string;
  channel: { kind: 'webhook'; url: string; hasBearerToken: boolean } | { kind: 'mqtt'; topic: string };
  contentType: string;
  bodyBytes: number;
  idempotencyKey: string;
  state: DeliveryState;
  /** A dispatcher holds a live claim on it: an attempt is under way. */
  inFlight: boolean;
  attempts: number;
  redeliveries: number;
  createdAt: string;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: { code: string; detail: string | null } | null;
  redelivered: { at: string; by: string | null } | null;
}

export interface AttemptView {
  attempt: number;
  dispatcher: string;
  startedAt: string;
  finishedAt: string | null;
  /** Null: the attempt was cut off (its dispatcher stopped or lost the claim). */
  outcome: DeliveryAttemptTable['outcome'];
  statusCode: number | null;
  error: { code: string; detail: string | null } | null;
}

export interface DeliveryDetail extends DeliveryView {
  body: { encoding: 'utf-8' | 'base64'; data: string };
  attemptHistory: AttemptView[];
}

export interface QueueSummary {
  subscriberKey: string;
  pending: number;
  retrying: number;
  delivered: number;
  dead: number;
  inFlight: number;
  oldestOutstandingAt: string | null;
  nextAttemptAt: string | null;
}

export interface DeliveryFilter {
  state?: DeliveryState;
  subscriberKey?: string;
  /** Only deliveries older than this cursor (from a previous page). */
  before?: number;
  limit: number;
}

type OutboxRow = Selectable<DeliveryOutboxTable>;
const LISTED = [
  'seq',
  'id',
  'subscriber_key',
  'channel_kind',
  'destination',
  'bearer_token',
  'content_type',
  'idempotency_key',
  'state',
  'attempts',
  'redeliveries',
  'created_at',
  'round_started_at',
  'next_attempt_at',
  'claim_token',
  'claimed_until',
  'last_attempt_at',
  'last_error_code',
  'last_error_detail',
  'delivered_at',
  'redelivered_at',
  'redelivered_by',
  'updated_at',
] as const;
type ListedRow = Pick<OutboxRow, (typeof LISTED)[number]> & { body_bytes: number };

/** Newest first; `nextBefore` continues the listing when the page was full. */
export async function listDeliveries(db: Kysely<Database>, filter: DeliveryFilter, now: Date): Promise<{ deliveries: DeliveryView[]; nextBefore?: number }> {
  const rows = await db
    .selectFrom('delivery_outbox')
    .select(LISTED)
    .select(sql<number>`(select length(body) from delivery_bodies where delivery_bodies.id = delivery_outbox.body_id)`.as('body_bytes'))
    .$if(filter.state !== undefined, (query) => query.where('state', '=', filter.state!))
    .$if(filter.subscriberKey !== undefined, (query) => query.where('subscriber_key', '=', filter.subscriberKey!))
    .$if(filter.before !== undefined, (query) => query.where('seq', '<', filter.before!))
    .orderBy('seq', 'desc')
    .limit(filter.limit)
    .execute();
  const last = rows.at(-1);
  return { deliveries: rows.map((row) => deliveryView(row, now)), ...(rows.length === filter.limit && last ? { nextBefore: last.seq } : {}) };
}

export async function getDelivery(db: Kysely<Database>, id: string, now: Date): Promise<DeliveryDetail | undefined> {
  const row = await db
    .selectFrom('delivery_outbox')
    .innerJoin('delivery_bodies', 'delivery_bodies.id', 'delivery_outbox.body_id')
    .selectAll('delivery_outbox')
    .select('delivery_bodies.body')
    .where('delivery_outbox.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const attempts = await db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('seq').execute();
  return {
    ...deliveryView({ ...row, body_bytes: row.body.byteLength }, now),
    body: textual(row.content_type) ? { encoding: 'utf-8', data: row.body.toString('utf8') } : { encoding: 'base64', data: row.body.toString('base64') },
    attemptHistory: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      dispatcher: attempt.dispatcher,
      startedAt: attempt.started_at,
      finishedAt: attempt.finished_at,
      outcome: attempt.outcome,
      statusCode: attempt.status_code,
      error: attempt.error_code ? { code: attempt.error_code, detail: attempt.error_detail } : null,
    })),
  };
}

export type RedeliveryResult = 'redelivering' | 'not-found' | 'in-flight';

/**
 * Sends a delivery again, whatever its state, as a new round (its attempts
 * count from zero); refused while an attempt holds a live claim. The
 * receiver sees the same idempotency key.
 */
export async function requestRedelivery(db: Kysely<Database>, id: string, by: string | null, now: Date): Promise<RedeliveryResult> {
  const at = now.toISOString();
  const updated = await db
    .updateTable('delivery_outbox')
    .set((eb) => ({
      state: 'pending',
      attempts: 0,
      redeliveries: eb('redeliveries', '+', 1),
      round_started_at: at,
      next_attempt_at: at,
      claim_token: null,
      claimed_until: null,
      delivered_at: null,
      redelivered_at: at,
      redelivered_by: by,
      updated_at: at,
    }))
    .where('id', '=', id)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
    .executeTakeFirst();
  if (updated.numUpdatedRows > 0n) return 'redelivering';
  const exists = await db.selectFrom('delivery_outbox').select('id').where('id', '=', id).executeTakeFirst();
  return exists ? 'in-flight' : 'not-found';
}

/** One line per subscriber queue, optionally just one subscriber's. */
export async function queueSummaries(db: Kysely<Database>, now: Date, subscriberKey?: string): Promise<QueueSummary[]> {
  const at = now.toISOString();
  const rows = await db
    .selectFrom('delivery_outbox')
    .select((eb) => {
      const count = (condition: Parameters<typeof eb.case>[0]) => eb.fn.sum<number>(eb.case().when(condition).then(1).else(0).end());
      return [
        'subscriber_key',
        count(eb('state', '=', 'pending')).as('pending'),
        count(eb('state', '=', 'retrying')).as('retrying'),
        count(eb('state', '=', 'delivered')).as('delivered'),
        count(eb('state', '=', 'dead')).as('dead'),
        count(eb.and([eb('state', 'in', OUTSTANDING_STATES), eb('claimed_until', '>=', at)])).as('in_flight'),
        eb.fn.min(eb.case().when('state', 'in', OUTSTANDING_STATES).then(eb.ref('created_at')).end()).as('oldest_outstanding_at'),
        eb.fn.min(eb.case().when('state', 'in', OUTSTANDING_STATES).then(eb.ref('next_attempt_at')).end()).as('next_attempt_at'),
      ];
    })
    .$if(subscriberKey !== undefined, (query) => query.where('subscriber_key', '=', subscriberKey!))
    .groupBy('subscriber_key')
    .orderBy('subscriber_key')
    .execute();
  return rows.map((row) => ({
    subscriberKey: row.subscriber_key,
    pending: Number(row.pending),
    retrying: Number(row.retrying),
    delivered: Number(row.delivered),
    dead: Number(row.dead),
    inFlight: Number(row.in_flight),
    oldestOutstandingAt: row.oldest_outstanding_at ?? null,
    nextAttemptAt: row.next_attempt_at ?? null,
  }));
}

function deliveryView(row: ListedRow, now: Date): DeliveryView {
  const outstanding = OUTSTANDING_STATES.includes(row.state);
  return {
    id: row.id,
    subscriberKey: row.subscriber_key,
    channel:
      row.channel_kind === 'webhook'
        ? { kind: 'webhook', url: row.destination, hasBearerToken: row.bearer_token !== null }
        : { kind: 'mqtt', topic: row.destination },
    contentType: row.content_type,
    bodyBytes: Number(row.body_bytes),
    idempotencyKey: row.idempotency_key,
    state: row.state,
    inFlight: outstanding && row.claimed_until !== null && row.claimed_until >= now.toISOString(),
    attempts: row.attempts,
    redeliveries: row.redeliveries,
    createdAt: row.created_at,
    nextAttemptAt: outstanding ? row.next_attempt_at : null,
    lastAttemptAt: row.last_attempt_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error_code ? { code: row.last_error_code, detail: row.last_error_detail } : null,
    redelivered: row.redelivered_at ? { at: row.redelivered_at, by: row.redelivered_by } : null,
  };
}

const textual = (contentType: string) => /^(text\/|application\/([\w.+-]*\+)?(json|xml))/i.test(contentType);
