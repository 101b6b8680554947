import { sql, type Kysely, type Migration } from 'kysely';
import { dialectColumns, executeAll, type Dialect } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { grantRows, INDEXED_TYPES, subscriptionCallbackRows } from './indexTables.ts';
import { fromRow, COLUMNS } from './objectTable.ts';

/** The VTN's tables: every OpenADR object in one table, OAuth clients and certificate-bound tokens. */
export function openadrMigrations(dialect: Dialect): Record<string, Migration> {
  const { seqKey } = dialectColumns(dialect);
  return {
    '0003_openadr': {
      async up(db: Kysely<unknown>) {
        await executeAll(db, [
          // Every OpenADR object in one table; the columns the operations filter on are lifted out of the body.
          sql`create table openadr_objects (${seqKey}, id text not null unique, object_type text not null,
            client_id text, ven_id text, program_id text, event_id text, name text, targets text not null, body text not null,
            created_at text not null, modified_at text not null, source_key text unique, lifecycle text, version integer not null)`,
          sql`create index openadr_objects_by_type on openadr_objects (object_type, seq)`,
          sql`create index openadr_objects_by_client on openadr_objects (client_id, object_type)`,
          sql`create index openadr_objects_by_event on openadr_objects (event_id)`,
          sql`create table openadr_clients (client_id text primary key, secret_hash text not null, created_at text not null)`,
          sql`create table openadr_tokens (token_sha256 text primary key, client_id text not null, role text not null, scopes text not null,
            certificate_thumbprint text not null, issued_at text not null, expires_at text not null, user_agent text)`,
          sql`create index openadr_tokens_by_expiry on openadr_tokens (expires_at)`,
        ]);
      },
    },
    // Named after 0004_delivery so that stores migrated before it take it as the next step.
    '0004_openadr_lookup_tables': lookupTables(dialect),
  };
}

/**
 * Who to tell about a change, found by index: subscription callbacks by
 * (object type, operation), grants by target and by client, and a merit
 * order list's events by a range of source keys (byte order on PostgreSQL
 * too, whatever the database's collation).
 */
function lookupTables(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const sourceKey = dialect === 'postgres' ? sql`source_key collate "C"` : sql`source_key`;
      await executeAll(db, [
        sql`create table openadr_subscription_callbacks (subscription_id text not null, position integer not null,
          client_id text, program_id text, object_type text not null, operation text not null, callback_url text not null, bearer_token text)`,
        sql`create index openadr_callbacks_by_change on openadr_subscription_callbacks (object_type, operation)`,
        sql`create index openadr_callbacks_by_subscription on openadr_subscription_callbacks (subscription_id)`,
        sql`create table openadr_grants (object_id text not null, client_id text not null, target text not null)`,
        sql`create index openadr_grants_by_target on openadr_grants (target, client_id)`,
        sql`create index openadr_grants_by_client on openadr_grants (client_id, target)`,
        sql`create index openadr_grants_by_object on openadr_grants (object_id)`,
        sql`create index openadr_objects_by_source on openadr_objects (object_type, ${sourceKey})`,
      ]);
      const typed = db as unknown as Kysely<Database>;
      const rows = await typed
        .selectFrom('openadr_objects')
        .select(COLUMNS)
        .where('object_type', 'in', [...INDEXED_TYPES])
        .orderBy('seq')
        .execute();
      for (const object of rows.map((row) => fromRow(row))) {
        const callbacks = subscriptionCallbackRows(object);
        if (callbacks.length > 0) await typed.insertInto('openadr_subscription_callbacks').values(callbacks).execute();
        const grants = grantRows(object);
        if (grants.length > 0) await typed.insertInto('openadr_grants').values(grants).execute();
      }
    },
  };
}
