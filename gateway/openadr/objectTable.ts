import { PostgresAdapter, sql } from 'kysely';
import type { ObjectType } from '../../schemas/openadr/wire.ts';
import { runSql, type StoreExecutor } from '../store/store.ts';
import type { DispatchState } from './lifecycle.ts';

/** One OpenADR object as stored: the served body plus the columns the VTN filters and authorises by. */
export interface StoredObject<T = Record<string, unknown>> {
  seq: number;
  id: string;
  objectType: ObjectType;
  clientId: string | null;
  venId: string | null;
  programId: string | null;
  eventId: string | null;
  name: string | null;
  targets: string[];
  body: T;
  sourceKey: string | null;
  lifecycle: DispatchState | null;
  version: number;
}

export type NewObject<T> = Omit<StoredObject<T>, 'seq' | 'version'> & { createdAt: string };

type Row = {
  seq: number;
  id: string;
  object_type: string;
  client_id: string | null;
  ven_id: string | null;
  program_id: string | null;
  event_id: string | null;
  name: string | null;
  targets: string;
  body: string;
  source_key: string | null;
  lifecycle: string | null;
  version: number;
};

export function fromRow<T>(row: Row): StoredObject<T> {
  return {
    seq: Number(row.seq),
    id: row.id,
    objectType: row.object_type as ObjectType,
    clientId: row.client_id,
    venId: row.ven_id,
    programId: row.program_id,
    eventId: row.event_id,
    name: row.name,
    targets: JSON.parse(row.targets) as string[],
    body: JSON.parse(row.body) as T,
    sourceKey: row.source_key,
    lifecycle: row.lifecycle as DispatchState | null,
    version: Number(row.version),
  };
}

export const COLUMNS = [
  'seq',
  'id',
  'object_type',
  'client_id',
  'ven_id',
  'program_id',
  'event_id',
  'name',
  'targets',
  'body',
  'source_key',
  'lifecycle',
  'version',
] as const;

/** An object of the given type, cancelled events included (callers decide what a tombstone means). */
export async function findObject<T>(db: StoreExecutor, objectType: ObjectType, id: string): Promise<StoredObject<T> | undefined> {
  const row = await db.selectFrom('openadr_objects').select(COLUMNS).where('id', '=', id).where('object_type', '=', objectType).executeTakeFirst();
  return row && fromRow<T>(row);
}

export interface ObjectFilter {
  clientId?: string;
  venId?: string;
  programId?: string;
  eventId?: string;
  name?: string;
  /** Source keys starting with this prefix (a merit order list's events). */
  sourcePrefix?: string;
  /** Leave out cancelled events. */
  live?: boolean;
}

/** Every object of a type matching the filter, oldest first. Visibility and paging are the caller's. */
export async function listObjects<T>(db: StoreExecutor, objectType: ObjectType, filter: ObjectFilter = {}): Promise<StoredObject<T>[]> {
  // Every stored merit order list asks twice (its program, its events): SQL, not the query builder.
  const where = [sql`object_type = ${objectType}`];
  if (filter.clientId !== undefined) where.push(sql`client_id = ${filter.clientId}`);
  if (filter.venId !== undefined) where.push(sql`ven_id = ${filter.venId}`);
  if (filter.programId !== undefined) where.push(sql`program_id = ${filter.programId}`);
  if (filter.eventId !== undefined) where.push(sql`event_id = ${filter.eventId}`);
  if (filter.name !== undefined) where.push(sql`name = ${filter.name}`);
  if (filter.sourcePrefix !== undefined) {
    const key = sourceKeyColumn(db);
    where.push(sql`${key} >= ${filter.sourcePrefix} and ${key} < ${prefixSuccessor(filter.sourcePrefix)}`);
  }
  if (filter.live) where.push(sql`(lifecycle is null or lifecycle <> 'CANCELLED')`);
  const { rows } = await runSql(db, sql<Row>`select ${sql.raw(COLUMNS.join(', '))} from openadr_objects where ${sql.join(where, sql` and `)} order by seq asc`);
  return rows.map((row) => fromRow<T>(row));
}

/** The id of the oldest program of this name (a configured program's name is its identity), without reading the program. */
export async function programIdNamed(db: StoreExecutor, name: string): Promise<string | undefined> {
  const { rows } = await runSql(
    db,
    sql<{ id: string }>`select id from openadr_objects where object_type = ${'PROGRAM' satisfies ObjectType} and name = ${name} order by seq asc limit 1`,
  );
  return rows[0]?.id;
}

/**
 * `source_key` compared in byte order, as its index is (SQLite's unique
 * index; a `collate "C"` index on PostgreSQL, whose default collation may
 * not order a prefix's keys together). A range rather than LIKE, whose
 * escaping and index use differ between the two.
 */
function sourceKeyColumn(db: StoreExecutor) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql<string>`source_key collate "C"` : sql<string>`source_key`;
}

/** The least string above every string that starts with `prefix`, in byte order; prefixes here end in ASCII (`<list id>/`). */
export function prefixSuccessor(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (!(last < 0x7f)) throw new RangeError(`A source prefix ends in an ASCII character, not ${JSON.stringify(prefix.slice(-1))}`);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
