import { parsePartyUrn } from '../../protocol/identity/partyUrn.ts';
import type { ObjectType, Subscription } from '../../schemas/openadr/wire.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { enqueueNotification } from '../delivery/outbox.ts';
import { subscriberKeyOf } from '../delivery/notificationSigners.ts';
import type { StoreExecutor } from '../store/store.ts';
import { listObjects, type StoredObject } from './objectTable.ts';
import { grantedTargets, targetedAt } from './privacy.ts';

export type ChangeOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** Root of the MQTT topics the VTN publishes to and advertises at /notifiers (see operations/notifiers.ts). */
export const MQTT_TOPIC_ROOT = 'openadr/3.1.0';

const TOPIC_OF_TYPE: Partial<Record<ObjectType, string>> = {
  PROGRAM: 'programs',
  EVENT: 'events',
  REPORT: 'reports',
  SUBSCRIPTION: 'subscriptions',
  VEN: 'vens',
  RESOURCE: 'resources',
};

/** Programs and events are for whoever they target; everything else belongs to one client. */
const TARGETED: ReadonlySet<ObjectType> = new Set(['PROGRAM', 'EVENT']);

/**
 * Announces a change of an OpenADR object, inside the transaction that makes
 * it, by writing outbox rows (gateway/delivery): one per subscription
 * callback that asked for this object type and operation and whose owner may
 * see the object, and one per MQTT topic the VTN advertises for it (the
 * gateway always runs an MQTT notifier; an unreachable broker shows as
 * retrying, then dead-lettered deliveries). The change and its
 * notifications commit together or not at all.
 */
export async function announceChange(db: StoreExecutor, operation: ChangeOperation, object: StoredObject<unknown>): Promise<void> {
  const family = TOPIC_OF_TYPE[object.objectType];
  if (!family) return;
  const notification = canonicalJson({
    objectType: object.objectType,
    operation,
    object: object.body,
    ...(object.targets.length > 0 ? { targets: object.targets } : {}),
  });
  const key = (destination: string) => `${object.id}:${object.version}:${operation}:${destination}`;
  const visibleTo = visibility(db, object);

  for (const subscription of await listObjects<Subscription>(db, 'SUBSCRIPTION')) {
    if (subscription.id === object.id) continue;
    if (subscription.programId && subscription.programId !== programOf(object)) continue;
    const owner = subscription.clientId ?? undefined;
    if (!(await visibleTo(owner))) continue;
    for (const wanted of subscription.body.objectOperations) {
      if (!wanted.objects.includes(object.objectType) || !wanted.operations.includes(operation)) continue;
      await enqueueNotification(db, {
        subscriberKey: subscriberKeyOf(owner, wanted.callbackUrl),
        channel: { kind: 'webhook', url: wanted.callbackUrl, bearerToken: wanted.bearerToken ?? null },
        contentType: 'application/json',
        body: notification,
        idempotencyKey: key(`${subscription.id}:${wanted.callbackUrl}`),
      });
    }
  }

  const verb = operation.toLowerCase();
  const topics: { topic: string; party?: string }[] = [{ topic: `${MQTT_TOPIC_ROOT}/${family}/${verb}` }];
  const program = programOf(object);
  if (program && object.objectType === 'PROGRAM') topics.push({ topic: `${MQTT_TOPIC_ROOT}/programs/${program}/${verb}` });
  if (program && object.objectType === 'EVENT') topics.push({ topic: `${MQTT_TOPIC_ROOT}/programs/${program}/events/${verb}` });
  // Each VEN's own topics carry only what that VEN may see (spec §9): the broker's ACL gives a VEN its own.
  for (const ven of await listObjects(db, 'VEN')) {
    const client = ven.clientId ?? undefined;
    if (TARGETED.has(object.objectType)) {
      if (await visibleTo(client)) topics.push({ topic: `${MQTT_TOPIC_ROOT}/vens/${ven.id}/${family}/${verb}`, ...(client ? { party: client } : {}) });
    } else if (object.objectType === 'RESOURCE' && object.venId === ven.id) {
      topics.push({ topic: `${MQTT_TOPIC_ROOT}/vens/${ven.id}/resources/${verb}`, ...(client ? { party: client } : {}) });
    } else if (object.objectType === 'VEN' && object.id === ven.id) {
      topics.push({ topic: `${MQTT_TOPIC_ROOT}/vens/${ven.id}/${verb}`, ...(client ? { party: client } : {}) });
    }
  }
  for (const { topic, party } of topics) {
    await enqueueNotification(db, {
      subscriberKey: subscriberKeyOf(party, `mqtt:${topic}`),
      channel: { kind: 'mqtt', topic },
      contentType: 'application/json',
      body: notification,
      idempotencyKey: key(topic),
    });
  }
}

function programOf(object: StoredObject<unknown>): string | null {
  return object.objectType === 'PROGRAM' ? object.id : object.programId;
}

/**
 * Who may see the object, as the read operations decide it: business-logic
 * clients everything, a VEN's client its own objects and the programs and
 * events targeted at what it was granted. Grants are read once per client.
 */
function visibility(db: StoreExecutor, object: StoredObject<unknown>): (client: string | undefined) => Promise<boolean> {
  const grants = new Map<string, Promise<Set<string>>>();
  return async (client) => {
    if (!client) return false;
    const role = parsePartyUrn(client)?.role;
    if (role !== undefined && role !== 'fsp') return true;
    if (!TARGETED.has(object.objectType)) return object.clientId === client;
    if (!grants.has(client)) grants.set(client, grantedTargets(db, client));
    return targetedAt(object, await grants.get(client)!);
  };
}
