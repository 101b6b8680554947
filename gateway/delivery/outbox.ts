import { sql } from 'kysely';
import { timeOrderedUuid } from '../../protocol/identity/timeOrderedUuid.ts';
import { BulkInsert, type BulkRow } from '../store/bulkInsert.ts';
import type { StoreExecutor } from '../store/store.ts';
import type { ChannelKind } from './tables.ts';

/** Where a notification goes: a subscription's callback, or a topic on the gateway's MQTT broker. */
export type DeliveryChannel = { kind: 'webhook'; url: string; bearerToken?: string | null } | { kind: 'mqtt'; topic: string };

export interface OutboundNotification {
  /** The queue it waits in, e.g. one per subscription callback or per VEN topic. Order is kept per key. */
  subscriberKey: string;
  channel: DeliveryChannel;
  contentType: string;
  body: Uint8Array | string;
  /** Unique per subscriber: a second enqueue with the same key is ignored. Sent on every attempt. */
  idempotencyKey: string;
}

export interface Enqueued {
  /** The delivery's id (the admin API's `/admin/v1/deliveries/{id}`). */
  id: string;
  /** False when the subscriber already had a notification with this idempotency key. */
  created: boolean;
}

/**
 * Puts a notification in the outbox inside the caller's transaction, so it
 * exists exactly when the change it announces commits. Nothing is sent here:
 * a dispatcher picks it up (sooner if `DeliveryDispatcher.wake()` is called
 * after the commit).
 */
export async function enqueueNotification(tx: StoreExecutor, notification: OutboundNotification, now = new Date()): Promise<Enqueued> {
  const bodyId = timeOrderedUuid();
  await tx
    .insertInto('delivery_bodies')
    .values({ id: bodyId, body: bytesOf(notification.body) })
    .execute();
  const row = outboxRow(notification, bodyId, now.toISOString());
  const inserted = await tx
    .insertInto('delivery_outbox')
    .values(row)
    .onConflict((conflict) => conflict.columns(['subscriber_key', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { id: row.id, created: true };
  await tx.deleteFrom('delivery_bodies').where('id', '=', bodyId).execute();
  const existing = await tx
    .selectFrom('delivery_outbox')
    .select('id')
    .where('subscriber_key', '=', notification.subscriberKey)
    .where('idempotency_key', '=', notification.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

const OUTBOX_COLUMNS = [
  'id',
  'subscriber_key',
  'channel_kind',
  'destination',
  'bearer_token',
  'content_type',
  'body_id',
  'idempotency_key',
  'state',
  'attempts',
  'redeliveries',
  'created_at',
  'round_started_at',
  'next_attempt_at',
  'updated_at',
] as const;
const BODY_ROWS = new BulkInsert('delivery_bodies', ['id', 'body']);
const OUTBOX_ROWS = new BulkInsert('delivery_outbox', OUTBOX_COLUMNS, ['subscriber_key', 'idempotency_key']);

/**
 * Puts many notifications in the outbox in multi-row statements, in the
 * caller's transaction and in the given order (which is each subscriber's
 * delivery order); one already queued under its idempotency key is skipped.
 * Notifications that share one body (the same Buffer or string) share one
 * stored copy of it.
 */
export async function enqueueNotifications(tx: StoreExecutor, notifications: readonly OutboundNotification[], now = new Date()): Promise<void> {
  const at = now.toISOString();
  const bodyIds = new Map<Uint8Array | string, string>();
  const bodies: { id: string; body: Buffer }[] = [];
  const rows = notifications.map((notification) => {
    let bodyId = bodyIds.get(notification.body);
    if (bodyId === undefined) {
      bodyId = timeOrderedUuid();
      bodyIds.set(notification.body, bodyId);
      bodies.push({ id: bodyId, body: bytesOf(notification.body) });
    }
    return outboxRow(notification, bodyId, at);
  });
  await BODY_ROWS.insert(tx, bodies);
  await OUTBOX_ROWS.insert(tx, rows);
}

/** A body as bytes: a Buffer as it is, a string encoded once per distinct body. */
const bytesOf = (body: Uint8Array | string): Buffer => (Buffer.isBuffer(body) ? body : Buffer.from(body));

function outboxRow(notification: OutboundNotification, bodyId: string, at: string): BulkRow<'delivery_outbox', (typeof OUTBOX_COLUMNS)[number]> {
  // Claims walk the queues from the empty key up (claims.ts): a queue keyed '' would never be claimed.
  if (notification.subscriberKey === '') throw new Error('A notification needs a subscriber key');
  const { kind, destination, bearerToken } = channelColumns(notification.channel);
  return {
    id: timeOrderedUuid(),
    subscriber_key: notification.subscriberKey,
    channel_kind: kind,
    destination,
    bearer_token: bearerToken,
    content_type: notification.contentType,
    body_id: bodyId,
    idempotency_key: notification.idempotencyKey,
    state: 'pending' as const,
    attempts: 0,
    redeliveries: 0,
    created_at: at,
    round_started_at: at,
    next_attempt_at: at,
    updated_at: at,
  };
}

function channelColumns(channel: DeliveryChannel): { kind: ChannelKind; destination: string; bearerToken: string | null } {
  if (channel.kind === 'webhook') return { kind: 'webhook', destination: channel.url, bearerToken: channel.bearerToken ?? null };
  return { kind: 'mqtt', destination: channel.topic, bearerToken: null };
}

/**
 * Why a subscription's `callbackUrl` cannot receive webhooks, or undefined
 * when it can. The VTN should refuse such subscriptions; a notification
 * enqueued for one anyway fails at its first attempt (`delivery.callback-url-invalid`).
 */
export function callbackUrlDefect(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not an absolute URL`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `callback URLs must be http or https, not ${parsed.protocol}`;
  if (parsed.username !== '' || parsed.password !== '') return 'callback URLs must not carry credentials; use the subscription bearerToken';
  return undefined;
}

/** Delivered notifications stay visible to the admin API this long; dead-lettered ones stay until redelivered. */
export const DELIVERED_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Removes notifications delivered before the retention period, with their attempt history and the bodies no notification uses any more. */
export async function purgeDeliveredNotifications(db: StoreExecutor, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - DELIVERED_RETENTION_MS).toISOString();
  const settled = db.selectFrom('delivery_outbox').select('id').where('state', '=', 'delivered').where('delivered_at', '<', cutoff);
  await db.deleteFrom('delivery_attempts').where('delivery_id', 'in', settled).execute();
  const result = await db.deleteFrom('delivery_outbox').where('state', '=', 'delivered').where('delivered_at', '<', cutoff).executeTakeFirst();
  // Also those of notifications skipped as already queued: their body was stored before the skip was known.
  await db
    .deleteFrom('delivery_bodies')
    .where('id', 'not in', (eb) =>
      eb
        .selectFrom('delivery_outbox')
        .select('body_id')
        .where(sql<boolean>`body_id is not null`),
    )
    .execute();
  return Number(result.numDeletedRows);
}
