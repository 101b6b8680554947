import type { Kysely, Migration } from 'kysely';

/** The trust layer's tables: who sent each journalled message, sequence high-water marks and the message ids seen. */
export function trustMigrations(): Record<string, Migration> {
  return {
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
  };
}
