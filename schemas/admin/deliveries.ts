import { Type, type Static } from '@sinclair/typebox';

// The admin API's view of push delivery (/admin/v1/deliveries): the outbox as
// operators see it. The bearer token a subscriber gave is never shown.

export const DELIVERY_STATES = ['pending', 'retrying', 'delivered', 'dead'] as const;

const Instant = Type.String({ description: 'RFC 3339, UTC' });
const Failure = Type.Object({ code: Type.String({ description: 'A delivery.* problem code' }), detail: Type.Union([Type.String(), Type.Null()]) });

export const DeliveryView = Type.Object({
  id: Type.String(),
  subscriberKey: Type.String({ description: 'The queue: one per subscriber and destination; one slow subscriber never holds up another' }),
  channel: Type.Union([
    Type.Object({ kind: Type.Literal('webhook'), url: Type.String(), hasBearerToken: Type.Boolean() }),
    Type.Object({ kind: Type.Literal('mqtt'), topic: Type.String() }),
  ]),
  contentType: Type.String(),
  bodyBytes: Type.Integer({ minimum: 0 }),
  idempotencyKey: Type.String(),
  state: Type.Union(DELIVERY_STATES.map((state) => Type.Literal(state))),
  inFlight: Type.Boolean({ description: 'A dispatcher holds a live claim on it: an attempt is under way' }),
  attempts: Type.Integer({ minimum: 0 }),
  redeliveries: Type.Integer({ minimum: 0 }),
  createdAt: Instant,
  nextAttemptAt: Type.Union([Instant, Type.Null()]),
  lastAttemptAt: Type.Union([Instant, Type.Null()]),
  deliveredAt: Type.Union([Instant, Type.Null()]),
  lastError: Type.Union([Failure, Type.Null()]),
  redelivered: Type.Union([Type.Object({ at: Instant, by: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  href: Type.String(),
});
export type DeliveryView = Static<typeof DeliveryView>;

export const AttemptView = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  dispatcher: Type.String(),
  startedAt: Instant,
  finishedAt: Type.Union([Instant, Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()], { description: 'Null: the attempt was cut off (its dispatcher stopped or lost the claim)' }),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Failure, Type.Null()]),
});

export const DeliveryDetail = Type.Intersect([
  DeliveryView,
  Type.Object({
    body: Type.Object({ encoding: Type.Union([Type.Literal('utf-8'), Type.Literal('base64')]), data: Type.String() }),
    attemptHistory: Type.Array(AttemptView),
  }),
]);

export const DeliveryPage = Type.Object({ deliveries: Type.Array(DeliveryView), next: Type.Optional(Type.String()) });

export const QueueSummary = Type.Object({
  subscriberKey: Type.String(),
  pending: Type.Integer({ minimum: 0 }),
  retrying: Type.Integer({ minimum: 0 }),
  delivered: Type.Integer({ minimum: 0 }),
  dead: Type.Integer({ minimum: 0 }),
  inFlight: Type.Integer({ minimum: 0 }),
  oldestOutstandingAt: Type.Union([Instant, Type.Null()]),
  nextAttemptAt: Type.Union([Instant, Type.Null()]),
});

export const QueueList = Type.Object({ queues: Type.Array(QueueSummary) });
