import type { Generated } from 'kysely';

export type ChannelKind = 'webhook' | 'mqtt';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['webhook', 'mqtt'];

/** `pending` and `retrying` are still to be delivered; `delivered` and `dead` are settled. */
export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'dead';
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'retrying', 'delivered', 'dead'];
export const OUTSTANDING_STATES: readonly DeliveryState[] = ['pending', 'retrying'];

/** The delivery tables, part of `Database` (gateway/store/schema.ts). */
export interface DeliveryTables {
  delivery_outbox: DeliveryOutboxTable;
  delivery_attempts: DeliveryAttemptTable;
  delivery_bodies: DeliveryBodyTable;
}

/** One notification to one subscriber: written in the transaction of the change it announces. */
export interface DeliveryOutboxTable {
  /** Outbox order: a subscriber's notifications go out in this order. */
  seq: Generated<number>;
  id: string;
  /** The queue this notification waits in; one slow subscriber holds up only its own key. */
  subscriber_key: string;
  channel_kind: ChannelKind;
  /** Callback URL (webhook) or topic (MQTT). */
  destination: string;
  /** Bearer token the subscription gave for its callback. */
  bearer_token: string | null;
  content_type: string;
  /** The body, in `delivery_bodies`: shared by every notification of one change. */
  body_id: string;
  /** Unique per subscriber; sent with every attempt so the receiver can drop duplicates. */
  idempotency_key: string;
  state: DeliveryState;
  /** Attempts since enqueue or the last redelivery (the dead-letter bound counts these). */
  attempts: number;
  redeliveries: number;
  created_at: string;
  /** When retrying started counting: enqueue, or the last redelivery. */
  round_started_at: string;
  /** When it is due; while an attempt holds the claim, the end of its lease (due again if the attempt is lost). */
  next_attempt_at: string;
  /** The claim (= attempt id) of the dispatcher attempting it, and until when the claim holds. */
  claim_token: string | null;
  claimed_until: string | null;
  last_attempt_at: string | null;
  last_error_code: string | null;
  last_error_detail: string | null;
  delivered_at: string | null;
  redelivered_at: string | null;
  /** Party URN of the administrator who last asked for redelivery. */
  redelivered_by: string | null;
  updated_at: string;
}

/** A notification body, stored once for all the subscribers and topics of one change. */
export interface DeliveryBodyTable {
  id: string;
  body: Buffer;
}

/** Every attempt, kept for the admin API; an attempt with no outcome was cut off (crash, lost lease). */
export interface DeliveryAttemptTable {
  /** The claim token of the attempt. */
  id: string;
  seq: Generated<number>;
  delivery_id: string;
  /** 1-based within the round (see `round_started_at`). */
  attempt: number;
  dispatcher: string;
  started_at: string;
  finished_at: string | null;
  outcome: AttemptOutcomeKind | null;
  status_code: number | null;
  error_code: string | null;
  error_detail: string | null;
}

export type AttemptOutcomeKind = 'delivered' | 'retry' | 'failed';
