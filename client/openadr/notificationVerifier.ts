import { OBJECT_TYPES, type ObjectType, type OpenadrSchemaName } from '../../schemas/openadr/wire.ts';
import { verifyEnvelope, type VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { Problem } from '../../protocol/problem.ts';
import type { GatewayIdentity } from '../flexgateClient.ts';
import { openadrWire } from './wireDocument.ts';

/** Why a VEN refused a notification: no or wrong bearer token, no or bad signature, stale or replayed, or a body that is no notification. */
export type NotificationRefusalCode =
  | 'notification.unauthorized'
  | 'notification.unsigned'
  | 'notification.signature-invalid'
  | 'notification.stale'
  | 'notification.replayed'
  | 'notification.invalid';

export class NotificationRefused extends FlexgateError {
  constructor(
    readonly code: NotificationRefusalCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What the VTN sends to a subscriber (the 3.1.0 `notification`). */
export interface OpenadrNotification {
  objectType: ObjectType;
  operation: 'READ' | 'CREATE' | 'UPDATE' | 'DELETE';
  object: { id: string; objectType: ObjectType } & Record<string, unknown>;
  targets?: string[] | null;
}

/** A notification that passed every check, with what proved it. */
export interface VerifiedNotification {
  notification: OpenadrNotification;
  envelope: VerifiedEnvelope;
  channel: 'webhook' | 'mqtt';
  /** The callback path (and query) or the MQTT topic it arrived on. */
  destination: string;
  idempotencyKey?: string;
  /** The same notification (by idempotency key) arrived before: delivery is at least once. */
  repeat: boolean;
}

export interface NotificationVerifierOptions {
  /** The gateway: issuer of every notification, and the certificate its signature must verify with. */
  gateway: GatewayIdentity;
  /** The party notifications must be addressed to (`aud`): the VEN's own URN. */
  audience: string;
  /** Tolerance between a signature's `iat` and this clock, either way; default 300 s. */
  skewSeconds?: number;
  now?: () => Date;
}

const REMEMBERED = 10_000;

/**
 * Checks a notification as the gateway sends it (gateway/delivery): a
 * detached flexgate envelope over the exact body, issued by the gateway
 * with the key of the certificate it serves TLS with, addressed to this
 * VEN, for POST to the callback path (webhooks) or PUBLISH to the topic
 * (MQTT), version `openadr/3.1.0`; issued recently, its message id not seen
 * before (a retry is signed afresh, so only a copy is refused); the body a
 * 3.1.0 notification. Sequence numbers are not held in order: one audience
 * counter serves every channel, so channels interleave.
 */
export class NotificationVerifier {
  private readonly seenMessages = new Set<string>();
  private readonly seenKeys = new Set<string>();

  constructor(private readonly options: NotificationVerifierOptions) {}

  async verify(
    arrival: { channel: 'webhook' | 'mqtt'; destination: string; signature: string | undefined; idempotencyKey?: string | undefined },
    body: Uint8Array,
  ): Promise<VerifiedNotification> {
    if (!arrival.signature)
      throw new NotificationRefused('notification.unsigned', `A notification on ${arrival.destination} came without the gateway's signature`);
    const { gateway } = this.options;
    let envelope: VerifiedEnvelope;
    try {
      envelope = await verifyEnvelope(arrival.signature, body, {
        issuer: gateway.party,
        audience: this.options.audience,
        method: arrival.channel === 'webhook' ? 'POST' : 'PUBLISH',
        path: arrival.destination,
        apiVersion: 'openadr/3.1.0',
        certificate: { thumbprint: gateway.thumbprint, chain: [gateway.certificate] },
      });
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      throw new NotificationRefused(
        'notification.signature-invalid',
        `Not a notification from ${gateway.party} to ${this.options.audience}: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    const now = Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
    const skew = this.options.skewSeconds ?? 300;
    if (Math.abs(now - envelope.issuedAt) > skew) {
      throw new NotificationRefused('notification.stale', `Signed at ${new Date(envelope.issuedAt * 1000).toISOString()}, more than ${skew} s from now`);
    }
    if (this.seenMessages.has(envelope.messageId)) throw new NotificationRefused('notification.replayed', `Message ${envelope.messageId} was received before`);
    const notification = readNotification(body);
    remember(this.seenMessages, envelope.messageId);
    const repeat = arrival.idempotencyKey !== undefined && this.seenKeys.has(arrival.idempotencyKey);
    if (arrival.idempotencyKey !== undefined) remember(this.seenKeys, arrival.idempotencyKey);
    return {
      notification,
      envelope,
      channel: arrival.channel,
      destination: arrival.destination,
      ...(arrival.idempotencyKey === undefined ? {} : { idempotencyKey: arrival.idempotencyKey }),
      repeat,
    };
  }
}

function remember(set: Set<string>, value: string): void {
  if (set.size >= REMEMBERED) set.delete(set.values().next().value!);
  set.add(value);
}

const SCHEMA_OF_TYPE: Record<ObjectType, OpenadrSchemaName> = {
  PROGRAM: 'program',
  EVENT: 'event',
  REPORT: 'report',
  SUBSCRIPTION: 'subscription',
  VEN: 'ven',
  RESOURCE: 'resource',
};

/** The body as a 3.1.0 notification: its object checked against the schema its objectType names. */
function readNotification(body: Uint8Array): OpenadrNotification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new NotificationRefused('notification.invalid', 'The notification body is not JSON');
  }
  const candidate = parsed as Partial<OpenadrNotification> | null;
  const type = candidate?.objectType;
  if (!type || !(OBJECT_TYPES as readonly string[]).includes(type) || typeof candidate.object !== 'object' || candidate.object === null) {
    throw new NotificationRefused('notification.invalid', 'The body is not an OpenADR notification (objectType, operation, object)');
  }
  const errors = [
    ...openadrWire()
      .schemaErrors('notification', { ...candidate, object: {} })
      .filter((e) => !e.startsWith('/object')),
    ...openadrWire()
      .schemaErrors(SCHEMA_OF_TYPE[type], candidate.object)
      .map((e) => `/object${e}`),
  ];
  if (errors.length > 0) throw new NotificationRefused('notification.invalid', `The notification does not match OpenADR 3.1.0: ${errors.join('; ')}`);
  return candidate as OpenadrNotification;
}
