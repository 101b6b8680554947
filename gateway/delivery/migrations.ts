import { sql, type Kysely, type Migration } from 'kysely';
import { dialectColumns, executeAll, type Dialect } from '../store/dialect.ts';

/** The outbox and its attempt history. */
export function deliveryMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0004_delivery': deliveryTables(dialect),
    '0013_delivery_shared_bodies': sharedBodies(dialect),
    '0015_delivery_claims_by_lease': claimsByLease(),
  };
}

function deliveryTables(dialect: Dialect): Migration {
  const { bytes, seqKey } = dialectColumns(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await executeAll(db, [
        // What to send where: the message, its destination and the state of its delivery.
        sql`create table delivery_outbox (${seqKey}, id text not null unique,
          subscriber_key text not null, channel_kind text not null, destination text not null, bearer_token text,
          content_type text not null, body ${bytes} not null, idempotency_key text not null,
          state text not null, attempts integer not null, redeliveries integer not null,
          created_at text not null, round_started_at text not null, next_attempt_at text not null,
          claim_token text, claimed_until text, last_attempt_at text, last_error_code text, last_error_detail text,
          delivered_at text, redelivered_at text, redelivered_by text, updated_at text not null,
          constraint delivery_outbox_idempotency unique (subscriber_key, idempotency_key))`,
        // The claim looks only at outstanding rows: due ones, and each subscriber's head of line.
        sql`create index delivery_outbox_outstanding_by_subscriber on delivery_outbox (subscriber_key, seq) where state in ('pending', 'retrying')`,
        sql`create index delivery_outbox_outstanding_by_due on delivery_outbox (next_attempt_at) where state in ('pending', 'retrying')`,
        sql`create index delivery_outbox_by_state on delivery_outbox (state, seq)`,
        sql`create table delivery_attempts (${seqKey}, id text not null unique, delivery_id text not null references delivery_outbox (id),
          attempt integer not null, dispatcher text not null, started_at text not null, finished_at text,
          outcome text, status_code integer, error_code text, error_detail text)`,
        sql`create index delivery_attempts_by_delivery on delivery_attempts (delivery_id, seq)`,
      ]);
    },
  };
}

/**
 * A change's notification body is stored once, however many subscribers and
 * topics it goes to (a 100k-entry merit order list made 200,000 outbox rows,
 * each with its own copy of a ~1 KB body). Bodies are unreferenced only
 * after their rows are purged, which removes them too.
 */
function sharedBodies(dialect: Dialect): Migration {
  const { bytes } = dialectColumns(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await executeAll(db, [
        sql`create table delivery_bodies (id text primary key, body ${bytes} not null)`,
        sql`insert into delivery_bodies (id, body) select id, body from delivery_outbox`,
        sql`alter table delivery_outbox add column body_id text`,
        sql`update delivery_outbox set body_id = id`,
        sql`alter table delivery_outbox drop column body`,
      ]);
    },
  };
}

/**
 * The rows under a claim, by lease end: the few a dispatcher holds. Looking
 * for lapsed claims among the due rows read every queued notification
 * (~50 ms every poll interval behind a 100k-entry list's 200,000).
 */
function claimsByLease(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`create index delivery_outbox_claimed_by_lease on delivery_outbox (claimed_until) where claimed_until is not null`.execute(db);
    },
  };
}
