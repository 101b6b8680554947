import { sql, type Kysely, type Migration } from 'kysely';
import { deliveryMigration } from '../delivery/migration.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The column types that differ between the two databases: raw bytes, and an auto-increasing `seq` key. */
export function dialectColumns(dialect: Dialect) {
  return {
    bytes: sql.raw(dialect === 'postgres' ? 'bytea' : 'blob'),
    autoSeq: (table: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
      dialect === 'postgres'
        ? table.addColumn('seq', 'bigserial', (c) => c.primaryKey())
        : table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
  };
}

/**
 * Versioned schema changes, in order. Each is written once against Kysely's
 * schema builder; only the few column types that differ between the two
 * databases are chosen per dialect.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  const { bytes, autoSeq } = dialectColumns(dialect);

  return {
    '0001_journal_documents_idempotency': {
      async up(db: Kysely<unknown>) {
        await autoSeq(db.schema.createTable('journal'))
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('body', bytes, (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('user_agent', 'text')
          .addColumn('derived', 'text', (c) => c.notNull())
          .execute();

        await autoSeq(db.schema.createTable('anm_documents'))
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('accepted_at', 'text', (c) => c.notNull())
          .addColumn('current_revision', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('anm_documents_by_kind').on('anm_documents').columns(['kind', 'seq']).execute();

        await db.schema
          .createTable('anm_document_revisions')
          .addColumn('document_id', 'text', (c) => c.notNull().references('anm_documents.id'))
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('journal_id', 'text', (c) => c.notNull().references('journal.id'))
          .addColumn('body', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('anm_document_revisions_pk', ['document_id', 'revision'])
          .execute();

        await db.schema
          .createTable('idempotency_records')
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('idem_key', 'text', (c) => c.notNull())
          .addColumn('request_sha256', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('status', 'integer', (c) => c.notNull())
          .addColumn('headers', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_records_pk', ['scope', 'idem_key'])
          .execute();
        await db.schema.createIndex('idempotency_records_by_age').on('idempotency_records').column('created_at').execute();
      },
    },
    '0002_trust': {
      async up(db: Kysely<unknown>) {
        // Who sent each journalled message and the proof: enough to re-verify it offline.
        for (const column of ['sender', 'jws', 'certificate_chain', 'verification']) {
          await db.schema.alterTable('journal').addColumn(column, 'text').execute();
        }
        // Per issuer and audience, the highest sequence accepted (R5: replay and reorder resistance).
        await db.schema
          .createTable('message_sequences')
          .addColumn('issuer', 'text', (c) => c.notNull())
          .addColumn('audience', 'text', (c) => c.notNull())
          .addColumn('last_sequence', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('message_sequences_pk', ['issuer', 'audience'])
          .execute();
        // Every message id seen per issuer: a second use is a replay.
        await db.schema
          .createTable('envelope_messages')
          .addColumn('issuer', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('body_sha256', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('envelope_messages_pk', ['issuer', 'message_id'])
          .execute();
      },
    },
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
    '0004_delivery': deliveryMigration(dialect),
  };
}
