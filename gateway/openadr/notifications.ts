import { parsePartyUrn } from '../../protocol/identity/partyUrn.ts';
import type { ObjectType } from '../../schemas/openadr/wire.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { enqueueNotifications, type OutboundNotification } from '../delivery/outbox.ts';
import { subscriberKeyOf } from '../delivery/notificationSigners.ts';
import type { Reaction } from '../intake.ts';
import type { StoreExecutor } from '../store/store.ts';
import { isEnaTarget } from './enaTargets.ts';
import type { SubscriptionCallbackTable } from './indexTables.ts';
import type { StoredObject } from './objectTable.ts';

export type ChangeOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface ObjectChange {
  operation: ChangeOperation;
  object: StoredObject<unknown>;
  /** The object's body as canonical JSON, when the write already made it. */
  bodyJson?: string;
}

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

/** Values per `IN (…)` list: well within both databases' bound-parameter limits. */
const LOOKUP_BATCH = 500;

/** Changes made in a transaction and not yet announced, by transaction. */
const pending = new WeakMap<StoreExecutor, ObjectChange[]>();

/**
 * Notes a change for announcement in its transaction: by the intake's last
 * reaction (`openadrNotificationsReaction`), or earlier by a reaction that
 * writes many objects (`announcePending`); a write outside a transaction is
 * announced at once.
 */
export async function recordChange(db: StoreExecutor, operation: ChangeOperation, object: StoredObject<unknown>, bodyJson?: string): Promise<void> {
  const change: ObjectChange = { operation, object, ...(bodyJson === undefined ? {} : { bodyJson }) };
  if (!db.isTransaction) return announceChanges(db, [change]);
  const changes = pending.get(db);
  if (changes) changes.push(change);
  else pending.set(db, [change]);
}

/**
 * Announces every OpenADR change of an accepted message (the operation's and
 * what earlier reactions derived), in its transaction. Register it after
 * every reaction that writes OpenADR objects.
 */
export function openadrNotificationsReaction(): Reaction {
  return async ({ tx }) => {
    await announcePending(tx);
    return [];
  };
}

/**
 * Announces, in order, the changes noted so far in this transaction. A
 * reaction that writes many objects calls it after each batch, so each
 * batch's notifications are written and let go before the next is built.
 */
export async function announcePending(tx: StoreExecutor): Promise<void> {
  const changes = pending.get(tx);
  pending.delete(tx);
  if (changes) await announceChanges(tx, changes);
}

/**
 * Writes the outbox rows that announce `changes`, in order: one per
 * subscription callback that asked for the object type and operation and
 * whose owner may see the object, and one per MQTT topic the VTN advertises
 * for it (the gateway always runs an MQTT notifier; an unreachable broker
 * shows as retrying, then dead-lettered deliveries). Subscribers, grants and
 * VENs are read once for all the changes, through indexes, and the rows are
 * inserted in batches.
 */
export async function announceChanges(db: StoreExecutor, changes: readonly ObjectChange[]): Promise<void> {
  const announced = changes.filter((change) => TOPIC_OF_TYPE[change.object.objectType] !== undefined);
  if (announced.length === 0) return;
  const callbacks = await callbacksFor(db, announced);
  const audience = await Audience.load(db, announced);
  const outbox: OutboundNotification[] = [];
  for (const { operation, object, bodyJson } of announced) {
    const family = TOPIC_OF_TYPE[object.objectType]!;
    // As bytes once: every subscriber and topic of the change stores the same ones.
    const body = Buffer.from(notificationJson(operation, object, bodyJson ?? canonicalJson(object.body)));
    const key = (destination: string) => `${object.id}:${object.version}:${operation}:${destination}`;
    const program = programOf(object);

    for (const callback of callbacks.get(`${object.objectType} ${operation}`) ?? []) {
      if (callback.subscription_id === object.id) continue;
      if (callback.program_id && callback.program_id !== program) continue;
      const owner = callback.client_id ?? undefined;
      if (!audience.sees(owner, object)) continue;
      outbox.push({
        subscriberKey: subscriberKeyOf(owner, callback.callback_url),
        channel: { kind: 'webhook', url: callback.callback_url, bearerToken: callback.bearer_token },
        contentType: 'application/json',
        body,
        idempotencyKey: key(`${callback.subscription_id}:${callback.callback_url}`),
      });
    }

    const verb = operation.toLowerCase();
    const topics: { topic: string; party?: string | null }[] = [{ topic: `${MQTT_TOPIC_ROOT}/${family}/${verb}` }];
    if (program && object.objectType === 'PROGRAM') topics.push({ topic: `${MQTT_TOPIC_ROOT}/programs/${program}/${verb}` });
    if (program && object.objectType === 'EVENT') topics.push({ topic: `${MQTT_TOPIC_ROOT}/programs/${program}/events/${verb}` });
    // Each VEN's own topics carry only what that VEN may see (spec §9): the broker's ACL gives a VEN its own.
    for (const ven of audience.vensOf(operation, object))
      topics.push({ topic: `${MQTT_TOPIC_ROOT}/vens/${ven.id}/${venFamily(object, family)}${verb}`, party: ven.clientId });
    for (const { topic, party } of topics) {
      outbox.push({
        subscriberKey: subscriberKeyOf(party ?? undefined, `mqtt:${topic}`),
        channel: { kind: 'mqtt', topic },
        contentType: 'application/json',
        body,
        idempotencyKey: key(topic),
      });
    }
  }
  await enqueueNotifications(db, outbox);
}

/**
 * The notification of a change as canonical JSON, written around the
 * object's own canonical JSON (its members in canonical order: object,
 * objectType, operation, targets), so a stored body is not serialised twice.
 */
export function notificationJson(operation: ChangeOperation, object: StoredObject<unknown>, bodyJson: string): string {
  const targets = object.targets.length > 0 ? `,"targets":${canonicalJson(object.targets)}` : '';
  return `{"object":${bodyJson},"objectType":${JSON.stringify(object.objectType)},"operation":${JSON.stringify(operation)}${targets}}`;
}

/** A VEN's own topic for a change: `vens/{id}/events/…`, `vens/{id}/resources/…`, or `vens/{id}/…` for the VEN itself. */
const venFamily = (object: StoredObject<unknown>, family: string) => (object.objectType === 'VEN' ? '' : `${family}/`);

function programOf(object: StoredObject<unknown>): string | null {
  return object.objectType === 'PROGRAM' ? object.id : object.programId;
}

/** The callbacks that asked for each (object type, operation) among the changes: one indexed lookup. */
async function callbacksFor(db: StoreExecutor, changes: readonly ObjectChange[]): Promise<Map<string, SubscriptionCallbackTable[]>> {
  const wanted = new Map(changes.map(({ operation, object }) => [`${object.objectType} ${operation}`, [object.objectType, operation] as const]));
  const rows = await db
    .selectFrom('openadr_subscription_callbacks')
    .selectAll()
    .where((eb) => eb.or([...wanted.values()].map(([type, operation]) => eb.and([eb('object_type', '=', type), eb('operation', '=', operation)]))))
    .execute();
  const byChange = new Map<string, SubscriptionCallbackTable[]>();
  for (const row of rows) {
    const key = `${row.object_type} ${row.operation}`;
    byChange.set(key, [...(byChange.get(key) ?? []), row]);
  }
  return byChange;
}

interface VenRef {
  id: string;
  clientId: string | null;
}

/**
 * Who may see the changed objects, as the read operations decide it:
 * business-logic clients everything, a VEN's client its own objects and the
 * programs and events targeted at what it was granted (privacy.ts).
 */
class Audience {
  /** VENs by client, and those whose client sees everything. */
  private readonly vensByClient = new Map<string, VenRef[]>();
  private readonly broadVens: VenRef[] = [];
  /** Business-logic clients (any role but FSP) see every object; per client, parsed once. */
  private readonly broad = new Map<string, boolean>();

  private constructor(
    /** Clients granted each target that a changed program or event names. */
    private readonly grantees: ReadonlyMap<string, ReadonlySet<string>>,
    /** Every VEN, when a change goes to VEN topics. */
    private readonly vens: readonly VenRef[],
    private readonly venById: ReadonlyMap<string, VenRef>,
  ) {
    for (const ven of vens) {
      if (!ven.clientId) continue;
      if (this.seesEverything(ven.clientId)) this.broadVens.push(ven);
      else this.vensByClient.set(ven.clientId, [...(this.vensByClient.get(ven.clientId) ?? []), ven]);
    }
  }

  static async load(db: StoreExecutor, changes: readonly ObjectChange[]): Promise<Audience> {
    const targets = new Set<string>();
    for (const { object } of changes) if (TARGETED.has(object.objectType)) for (const target of object.targets) targets.add(target);
    const grantees = new Map<string, Set<string>>();
    const list = [...targets];
    for (let start = 0; start < list.length; start += LOOKUP_BATCH) {
      const rows = await db
        .selectFrom('openadr_grants')
        .select(['target', 'client_id'])
        .where('target', 'in', list.slice(start, start + LOOKUP_BATCH))
        .execute();
      for (const row of rows) grantees.set(row.target, (grantees.get(row.target) ?? new Set()).add(row.client_id));
    }
    const needsVens = changes.some(({ object }) => TARGETED.has(object.objectType) || object.objectType === 'RESOURCE');
    const vens: VenRef[] = needsVens
      ? (await db.selectFrom('openadr_objects').select(['id', 'client_id']).where('object_type', '=', 'VEN').orderBy('seq').execute()).map((row) => ({
          id: row.id,
          clientId: row.client_id,
        }))
      : [];
    const venById = new Map(vens.map((ven) => [ven.id, ven]));
    // A VEN deleted in the same transaction still hears of what happened to its resources before.
    for (const { object } of changes)
      if (object.objectType === 'VEN' && !venById.has(object.id)) venById.set(object.id, { id: object.id, clientId: object.clientId });
    return new Audience(grantees, vens, venById);
  }

  sees(client: string | undefined | null, object: StoredObject<unknown>): boolean {
    if (!client) return false;
    if (this.seesEverything(client)) return true;
    if (!TARGETED.has(object.objectType)) return object.clientId === client;
    // As privacy.ts: the ENA fields an event names describe it and grant no one sight of it.
    return object.targets.length === 0 || object.targets.some((target) => !isEnaTarget(target) && this.grantees.get(target)?.has(client));
  }

  private seesEverything(client: string): boolean {
    let broad = this.broad.get(client);
    if (broad === undefined) {
      const role = parsePartyUrn(client)?.role;
      this.broad.set(client, (broad = role !== undefined && role !== 'fsp'));
    }
    return broad;
  }

  /** The VENs whose own topics carry this change. */
  vensOf(operation: ChangeOperation, object: StoredObject<unknown>): VenRef[] {
    if (TARGETED.has(object.objectType)) {
      if (object.targets.length === 0) return this.vens.filter((ven) => ven.clientId);
      const clients = new Set(object.targets.flatMap((target) => [...(this.grantees.get(target) ?? [])]));
      return [...this.broadVens, ...[...clients].flatMap((client) => this.vensByClient.get(client) ?? [])];
    }
    if (object.objectType === 'RESOURCE' && object.venId !== null) {
      const ven = this.venById.get(object.venId);
      return ven ? [ven] : [];
    }
    // A VEN hears of its own creation and updates; once deleted it has no topics.
    if (object.objectType === 'VEN' && operation !== 'DELETE') return [{ id: object.id, clientId: object.clientId }];
    return [];
  }
}
