import { sql, type Kysely, type Migration } from 'kysely';
import { executeAll } from '../store/dialect.ts';

/** The trust layer's tables: who sent each journalled message, sequence windows and the message ids seen. */
export function trustMigrations(): Record<string, Migration> {
  return {
    '0002_trust': {
      async up(db: Kysely<unknown>) {
        await executeAll(db, [
          // Who sent each journalled message and the proof: enough to re-verify it offline.
          ...['sender', 'jws', 'certificate_chain', 'verification'].map((column) => sql`alter table journal add column ${sql.ref(column)} text`),
          // Per issuer and audience, the highest sequence accepted (R5: replay and reorder resistance).
          sql`create table message_sequences (issuer text not null, audience text not null, last_sequence bigint not null,
            updated_at text not null, constraint message_sequences_pk primary key (issuer, audience))`,
          // Every message id seen per issuer: a second use is a replay.
          sql`create table envelope_messages (issuer text not null, message_id text not null, body_sha256 text not null,
            received_at text not null, constraint envelope_messages_pk primary key (issuer, message_id))`,
        ]);
      },
    },
    '0005_trust_replay_window': {
      async up(db: Kysely<unknown>) {
        // The bitmap of the last REPLAY_WINDOW sequence numbers below the highest (gateway/trust/replayWindow.ts).
        await sql`alter table message_sequences add column seen_window text not null default ''`.execute(db);
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
