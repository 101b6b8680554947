import { canonicalJson } from '../../protocol/canonicalJson.ts';
import type { StoreExecutor } from '../store/store.ts';
// Every write announces itself to subscribers in its own transaction.
import { announceChange } from './notifications.ts';
import type { NewObject, StoredObject } from './objectTable.ts';

export async function insertObject<T>(db: StoreExecutor, object: NewObject<T>): Promise<void> {
  await db
    .insertInto('openadr_objects')
    .values({
      id: object.id,
      object_type: object.objectType,
      client_id: object.clientId,
      ven_id: object.venId,
      program_id: object.programId,
      event_id: object.eventId,
      name: object.name,
      targets: JSON.stringify(object.targets),
      body: canonicalJson(object.body),
      created_at: object.createdAt,
      modified_at: object.createdAt,
      source_key: object.sourceKey,
      lifecycle: object.lifecycle,
      version: 1,
    })
    .execute();
  await announceChange(db, 'CREATE', { ...object, seq: 0, version: 1 });
}

/** Raised when another writer changed the object first; the request is retried from a fresh read. */
export class ObjectChanged extends Error {}

/** Replaces an object's body and columns if it is still at `previous.version` (optimistic concurrency across instances). */
export async function updateObject<T>(
  db: StoreExecutor,
  previous: StoredObject<unknown>,
  next: Omit<NewObject<T>, 'createdAt'> & { modifiedAt: string },
): Promise<void> {
  const result = await db
    .updateTable('openadr_objects')
    .set({
      client_id: next.clientId,
      ven_id: next.venId,
      program_id: next.programId,
      event_id: next.eventId,
      name: next.name,
      targets: JSON.stringify(next.targets),
      body: canonicalJson(next.body),
      modified_at: next.modifiedAt,
      lifecycle: next.lifecycle,
      version: previous.version + 1,
    })
    .where('id', '=', previous.id)
    .where('version', '=', previous.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new ObjectChanged(`OpenADR object ${previous.id} changed concurrently`);
  await announceChange(db, 'UPDATE', { ...next, id: previous.id, objectType: previous.objectType, seq: previous.seq, version: previous.version + 1 });
}

export async function deleteObject(db: StoreExecutor, object: StoredObject<unknown>): Promise<void> {
  const result = await db.deleteFrom('openadr_objects').where('id', '=', object.id).where('version', '=', object.version).executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw new ObjectChanged(`OpenADR object ${object.id} changed concurrently`);
  await announceChange(db, 'DELETE', { ...object, version: object.version + 1 });
}
