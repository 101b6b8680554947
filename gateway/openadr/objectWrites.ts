import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { BulkInsert, type BulkRow } from '../store/bulkInsert.ts';
import type { StoreExecutor } from '../store/store.ts';
import { grantRows, INDEXED_TYPES, subscriptionCallbackRows } from './indexTables.ts';
// Every write is announced to subscribers in its own transaction, just before it commits.
import { recordChange } from './notifications.ts';
import { COLUMNS, type NewObject, type StoredObject } from './objectTable.ts';

/** What a new object's row sets: the columns objects are read by, but the position the database assigns, and the two timestamps. */
const OBJECT_COLUMNS = [
  ...COLUMNS.filter((column): column is Exclude<(typeof COLUMNS)[number], 'seq'> => column !== 'seq'),
  'created_at',
  'modified_at',
] as const;
const OBJECT_ROWS = new BulkInsert('openadr_objects', OBJECT_COLUMNS);

export async function insertObject<T>(db: StoreExecutor, object: NewObject<T>): Promise<void> {
  await insertObjects(db, [object]);
}

/** Inserts new objects in multi-row statements (a merit order list's events), then records their creation. */
export async function insertObjects<T>(db: StoreExecutor, objects: readonly NewObject<T>[]): Promise<void> {
  // Serialised once: the stored body is also what the change's notifications carry.
  const bodies = objects.map((object) => canonicalJson(object.body));
  await OBJECT_ROWS.insert(
    db,
    objects.map((object, k): BulkRow<'openadr_objects', (typeof OBJECT_COLUMNS)[number]> => ({
      id: object.id,
      object_type: object.objectType,
      client_id: object.clientId,
      ven_id: object.venId,
      program_id: object.programId,
      event_id: object.eventId,
      name: object.name,
      targets: JSON.stringify(object.targets),
      body: bodies[k]!,
      created_at: object.createdAt,
      modified_at: object.createdAt,
      source_key: object.sourceKey,
      lifecycle: object.lifecycle,
      version: 1,
    })),
  );
  for (const [k, object] of objects.entries()) {
    await reindex(db, object, true);
    await recordChange(db, 'CREATE', { ...object, seq: 0, version: 1 }, bodies[k]);
  }
}

/** Raised when another writer changed the object first; the request is retried from a fresh read. */
export class ObjectChanged extends Error {}

/** Replaces an object's body and columns if it is still at `previous.version` (optimistic concurrency across instances). */
export async function updateObject<T>(
  db: StoreExecutor,
  previous: StoredObject<unknown>,
  next: Omit<NewObject<T>, 'createdAt'> & { modifiedAt: string },
): Promise<void> {
  const body = canonicalJson(next.body);
  const result = await db
    .updateTable('openadr_objects')
    .set({
      client_id: next.clientId,
      ven_id: next.venId,
      program_id: next.programId,
      event_id: next.eventId,
      name: next.name,
      targets: JSON.stringify(next.targets),
      body,
      modified_at: next.modifiedAt,
      lifecycle: next.lifecycle,
      version: previous.version + 1,
    })
    .where('id', '=', previous.id)
    .where('version', '=', previous.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new ObjectChanged(`OpenADR object ${previous.id} changed concurrently`);
  const stored = { ...next, id: previous.id, objectType: previous.objectType, seq: previous.seq, version: previous.version + 1 };
  await reindex(db, stored, true, true);
  await recordChange(db, 'UPDATE', stored, body);
}

export async function deleteObject(db: StoreExecutor, object: StoredObject<unknown>): Promise<void> {
  const result = await db.deleteFrom('openadr_objects').where('id', '=', object.id).where('version', '=', object.version).executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw new ObjectChanged(`OpenADR object ${object.id} changed concurrently`);
  await reindex(db, object, false, true);
  await recordChange(db, 'DELETE', { ...object, version: object.version + 1 });
}

/** Keeps the lookup tables (indexTables.ts) in step with a subscription, VEN or resource. */
async function reindex(db: StoreExecutor, object: Parameters<typeof grantRows>[0], present: boolean, replacing = false): Promise<void> {
  if (!INDEXED_TYPES.has(object.objectType)) return;
  if (replacing) {
    await db.deleteFrom('openadr_subscription_callbacks').where('subscription_id', '=', object.id).execute();
    await db.deleteFrom('openadr_grants').where('object_id', '=', object.id).execute();
  }
  if (!present) return;
  const callbacks = subscriptionCallbackRows(object);
  if (callbacks.length > 0) await db.insertInto('openadr_subscription_callbacks').values(callbacks).execute();
  const grants = grantRows(object);
  if (grants.length > 0) await db.insertInto('openadr_grants').values(grants).execute();
}
