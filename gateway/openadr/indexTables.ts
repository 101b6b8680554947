import type { ObjectType, Subscription } from '../../schemas/openadr/wire.ts';

/**
 * Lookup tables kept beside `openadr_objects`, in the same transaction as
 * each write, so that announcing a change finds its subscribers and the
 * clients it is visible to through indexes instead of reading every
 * subscription and VEN.
 */
export interface OpenadrIndexTables {
  openadr_subscription_callbacks: SubscriptionCallbackTable;
  openadr_grants: GrantTable;
}

/** One (object type, operation) a subscription asked to be told about, and where. */
export interface SubscriptionCallbackTable {
  subscription_id: string;
  /** Index of the `objectOperations` entry. */
  position: number;
  /** The subscription's owner (party URN). */
  client_id: string | null;
  program_id: string | null;
  object_type: string;
  operation: string;
  callback_url: string;
  bearer_token: string | null;
}

/** A target the business logic granted a client through one of its VENs or resources. */
export interface GrantTable {
  /** The VEN or resource carrying the target. */
  object_id: string;
  client_id: string;
  target: string;
}

/** The columns of a stored object the lookup tables are made from (objectTable.ts's `StoredObject`, which the schema cannot import). */
interface Indexed {
  id: string;
  objectType: ObjectType;
  clientId: string | null;
  programId: string | null;
  targets: string[];
  body: unknown;
}

export function subscriptionCallbackRows(object: Indexed): SubscriptionCallbackTable[] {
  if (object.objectType !== 'SUBSCRIPTION') return [];
  const rows: SubscriptionCallbackTable[] = [];
  for (const [position, wanted] of (object.body as Subscription).objectOperations.entries()) {
    for (const objectType of new Set(wanted.objects)) {
      for (const operation of new Set(wanted.operations)) {
        rows.push({
          subscription_id: object.id,
          position,
          client_id: object.clientId,
          program_id: object.programId,
          object_type: objectType,
          operation,
          callback_url: wanted.callbackUrl,
          bearer_token: wanted.bearerToken ?? null,
        });
      }
    }
  }
  return rows;
}

/** Only the business logic sets a VEN's or resource's targets, so a VEN cannot widen what it sees by naming a resource after someone else's. */
export function grantRows(object: Indexed): GrantTable[] {
  if ((object.objectType !== 'VEN' && object.objectType !== 'RESOURCE') || object.clientId === null) return [];
  const clientId = object.clientId;
  return [...new Set(object.targets)].map((target) => ({ object_id: object.id, client_id: clientId, target }));
}

/** Objects whose writes change the lookup tables. */
export const INDEXED_TYPES: ReadonlySet<string> = new Set(['SUBSCRIPTION', 'VEN', 'RESOURCE']);
