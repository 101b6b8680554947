import { sql, type Kysely, type Migration } from 'kysely';

/** The trust layer's tables: who sent each journalled message, sequence windows and the message ids seen. */
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
    '0005_trust_replay_window': {
      async up(db: Kysely<unknown>) {
        // The bitmap of the last REPLAY_WINDOW sequence numbers below the highest (gateway/trust/replayWindow.ts).
        await db.schema
          .alterTable('message_sequences')
          .addColumn('seen_window', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
        // Senders now count in hundredths of a second, not microseconds (protocol/envelope/sequence.ts): the old marks would lock
        // them out. The gateway's own counters stay. A message sent before is still refused: its id is kept 48 h and
        // its issue time is stale after 120 s.
        await sql`delete from message_sequences where issuer not like 'urn:flexgate:gateway:%'`.execute(db);
        // A message id is bound to the whole signed request (method, path with query, body), not to the body alone.
        await db.schema.alterTable('envelope_messages').renameColumn('body_sha256', 'request_sha256').execute();
      },
    },
  };
}
