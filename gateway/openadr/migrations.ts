import { sql, type Kysely, type Migration } from 'kysely';
import { dialectColumns, type Dialect } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { grantRows, INDEXED_TYPES, subscriptionCallbackRows } from './indexTables.ts';
import { fromRow, COLUMNS } from './objectTable.ts';

/** The VTN's tables: every OpenADR object in one table, OAuth clients and certificate-bound tokens. */
export function openadrMigrations(dialect: Dialect): Record<string, Migration> {
  const { autoSeq } = dialectColumns(dialect);
  return {
    '0003_openadr': {
      async up(db: Kysely<unknown>) {
        await autoSeq(db.schema.createTable('openadr_objects'))
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('object_type', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text')
          .addColumn('ven_id', 'text')
          .addColumn('program_id', 'text')
          .addColumn('event_id', 'text')
          .addColumn('name', 'text')
          .addColumn('targets', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('modified_at', 'text', (c) => c.notNull())
          .addColumn('source_key', 'text', (c) => c.unique())
          .addColumn('lifecycle', 'text')
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('openadr_objects_by_type').on('openadr_objects').columns(['object_type', 'seq']).execute();
        await db.schema.createIndex('openadr_objects_by_client').on('openadr_objects').columns(['client_id', 'object_type']).execute();
        await db.schema.createIndex('openadr_objects_by_event').on('openadr_objects').columns(['event_id']).execute();
        await db.schema
          .createTable('openadr_clients')
          .addColumn('client_id', 'text', (c) => c.primaryKey())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('openadr_tokens')
          .addColumn('token_sha256', 'text', (c) => c.primaryKey())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('certificate_thumbprint', 'text', (c) => c.notNull())
          .addColumn('issued_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('user_agent', 'text')
          .execute();
        await db.schema.createIndex('openadr_tokens_by_expiry').on('openadr_tokens').column('expires_at').execute();
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
      await db.schema
        .createTable('openadr_subscription_callbacks')
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('program_id', 'text')
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('callback_url', 'text', (c) => c.notNull())
        .addColumn('bearer_token', 'text')
        .execute();
      await db.schema.createIndex('openadr_callbacks_by_change').on('openadr_subscription_callbacks').columns(['object_type', 'operation']).execute();
      await db.schema.createIndex('openadr_callbacks_by_subscription').on('openadr_subscription_callbacks').column('subscription_id').execute();
      await db.schema
        .createTable('openadr_grants')
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('openadr_grants_by_target').on('openadr_grants').columns(['target', 'client_id']).execute();
      await db.schema.createIndex('openadr_grants_by_client').on('openadr_grants').columns(['client_id', 'target']).execute();
      await db.schema.createIndex('openadr_grants_by_object').on('openadr_grants').column('object_id').execute();
      const sourceKey = dialect === 'postgres' ? sql`source_key collate "C"` : sql`source_key`;
      await sql`create index openadr_objects_by_source on openadr_objects (object_type, ${sourceKey})`.execute(db);
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
