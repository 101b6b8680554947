import type { Kysely, Migration } from 'kysely';
import { dialectColumns, type Dialect } from './dialect.ts';

/**
 * The store's own tables: the journal, ANM documents and their revisions,
 * idempotent responses. Every feature owns its tables' migrations the same
 * way; gateway/storage.ts registers them all, in name order.
 */
export function coreMigrations(dialect: Dialect): Record<string, Migration> {
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
  };
}
