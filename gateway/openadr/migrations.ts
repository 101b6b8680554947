import type { Kysely, Migration } from 'kysely';
import { dialectColumns, type Dialect } from '../store/dialect.ts';

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
  };
}
