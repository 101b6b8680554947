import { sql, type Kysely, type Migration } from 'kysely';
import { dialectColumns, executeAll, type Dialect } from './dialect.ts';

/**
 * The store's own tables: the journal, ANM documents and their revisions,
 * idempotent responses. Every feature owns its tables' migrations the same
 * way; gateway/storage.ts registers them all, in name order.
 */
export function coreMigrations(dialect: Dialect): Record<string, Migration> {
  const { bytes, seqKey } = dialectColumns(dialect);
  return {
    '0001_journal_documents_idempotency': {
      async up(db: Kysely<unknown>) {
        await executeAll(db, [
          sql`create table journal (${seqKey}, id text not null unique, received_at text not null,
            method text not null, path text not null, content_type text not null, body ${bytes} not null, sha256 text not null,
            user_agent text, derived text not null)`,
          sql`create table anm_documents (${seqKey}, id text not null unique, kind text not null, accepted_at text not null,
            current_revision integer not null)`,
          sql`create index anm_documents_by_kind on anm_documents (kind, seq)`,
          sql`create table anm_document_revisions (document_id text not null references anm_documents (id), revision integer not null,
            created_at text not null, journal_id text not null references journal (id), body text not null,
            constraint anm_document_revisions_pk primary key (document_id, revision))`,
          // A response kept per (scope, key) so that a retried request gets the same answer.
          sql`create table idempotency_records (scope text not null, idem_key text not null, request_sha256 text not null,
            created_at text not null, status integer not null, headers text not null, body text not null,
            constraint idempotency_records_pk primary key (scope, idem_key))`,
          sql`create index idempotency_records_by_age on idempotency_records (created_at)`,
        ]);
      },
    },
  };
}
