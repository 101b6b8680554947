import { sql, type Kysely, type Migration } from 'kysely';
import { dialectColumns, type Dialect } from '../store/dialect.ts';

/** The outbox and its attempt history. */
export function deliveryMigrations(dialect: Dialect): Record<string, Migration> {
  return { '0004_delivery': deliveryTables(dialect) };
}

function deliveryTables(dialect: Dialect): Migration {
  const { bytes, autoSeq } = dialectColumns(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await autoSeq(db.schema.createTable('delivery_outbox'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('subscriber_key', 'text', (c) => c.notNull())
        .addColumn('channel_kind', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('bearer_token', 'text')
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('body', bytes, (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('redeliveries', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('round_started_at', 'text', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('claim_token', 'text')
        .addColumn('claimed_until', 'text')
        .addColumn('last_attempt_at', 'text')
        .addColumn('last_error_code', 'text')
        .addColumn('last_error_detail', 'text')
        .addColumn('delivered_at', 'text')
        .addColumn('redelivered_at', 'text')
        .addColumn('redelivered_by', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('delivery_outbox_idempotency', ['subscriber_key', 'idempotency_key'])
        .execute();
      // The claim looks only at outstanding rows: due ones, and each subscriber's head of line.
      await db.schema
        .createIndex('delivery_outbox_outstanding_by_subscriber')
        .on('delivery_outbox')
        .columns(['subscriber_key', 'seq'])
        .where(sql.ref('state'), 'in', sql`('pending', 'retrying')`)
        .execute();
      await db.schema
        .createIndex('delivery_outbox_outstanding_by_due')
        .on('delivery_outbox')
        .columns(['next_attempt_at'])
        .where(sql.ref('state'), 'in', sql`('pending', 'retrying')`)
        .execute();
      await db.schema.createIndex('delivery_outbox_by_state').on('delivery_outbox').columns(['state', 'seq']).execute();

      await autoSeq(db.schema.createTable('delivery_attempts'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('delivery_outbox.id'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('dispatcher', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('outcome', 'text')
        .addColumn('status_code', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('error_detail', 'text')
        .execute();
      await db.schema.createIndex('delivery_attempts_by_delivery').on('delivery_attempts').columns(['delivery_id', 'seq']).execute();
    },
  };
}
