import { sql } from 'kysely';
import { Problem } from '../../protocol/problem.ts';
import { REPLAY_WINDOW } from '../../schemas/envelope.ts';
import { runSql, type StoreExecutor } from '../store/store.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { decodeSeen, encodeSeen, slideWindow } from './replayWindow.ts';

/** Default tolerance between a signature's `iat` and the receiver's clock, either way. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 120;

/**
 * Admits a verified envelope exactly once, inside the transaction that acts
 * on the message: fresh enough, message id never used by this issuer, and
 * sequence number inside the issuer's replay window for this audience and
 * not seen before. Both commit with the message, so a replay is refused after
 * a restart and, on PostgreSQL, by every instance: a twin's message id insert
 * waits for the first to commit, and the window row is locked by the update
 * that reads it, so concurrent requests of one party take turns on it.
 */
export async function admitEnvelope(tx: StoreExecutor, envelope: VerifiedEnvelope, options: { now?: Date; skewSeconds?: number } = {}): Promise<void> {
  const now = options.now ?? new Date();
  const skew = options.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (envelope.issuedAt < nowSeconds - skew) {
    throw new Problem('envelope.stale', `Signed at ${instant(envelope.issuedAt)}, more than ${skew} s before ${now.toISOString()}`, { pointer: '/iat' });
  }
  if (envelope.issuedAt > nowSeconds + skew) {
    throw new Problem('envelope.from-future', `Signed at ${instant(envelope.issuedAt)}, more than ${skew} s after ${now.toISOString()}`, {
      pointer: '/iat',
    });
  }
  const receivedAt = now.toISOString();
  await admitMessageId(tx, envelope, receivedAt);
  await admitSequence(tx, envelope, receivedAt);
}

// Every request runs these two statements: written as SQL, they skip the query builder (the same text on both backends).
async function admitMessageId(tx: StoreExecutor, envelope: VerifiedEnvelope, receivedAt: string): Promise<void> {
  const recorded = await runSql(
    tx,
    sql`insert into envelope_messages (issuer, message_id, request_sha256, received_at)
    values (${envelope.issuer}, ${envelope.messageId}, ${envelope.requestSha256}, ${receivedAt})
    on conflict (issuer, message_id) do nothing`,
  );
  if ((recorded.numAffectedRows ?? 0n) > 0n) return;
  const earlier = (
    await runSql(
      tx,
      sql<{ request_sha256: string }>`select request_sha256 from envelope_messages
      where issuer = ${envelope.issuer} and message_id = ${envelope.messageId}`,
    )
  ).rows[0];
  if (earlier && earlier.request_sha256 !== envelope.requestSha256) {
    throw new Problem(
      'envelope.message-id-reused',
      `Message id ${envelope.messageId} was already used by ${envelope.issuer} for another request (method, path with query, or body)`,
      { pointer: '/jti' },
    );
  }
  throw new Problem('envelope.replayed', `Message id ${envelope.messageId} from ${envelope.issuer} was already received`, { pointer: '/jti' });
}

async function admitSequence(tx: StoreExecutor, envelope: VerifiedEnvelope, receivedAt: string): Promise<void> {
  const key = { issuer: envelope.issuer, audience: envelope.audience };
  // An upsert that touches the row: it exists afterwards and this transaction holds its lock (PostgreSQL) or the write lock (SQLite).
  const [row] = (
    await runSql(
      tx,
      sql<{ last_sequence: number; seen_window: string }>`insert into message_sequences (issuer, audience, last_sequence, seen_window, updated_at)
      values (${key.issuer}, ${key.audience}, 0, '', ${receivedAt})
      on conflict (issuer, audience) do update set updated_at = excluded.updated_at
      returning last_sequence, seen_window`,
    )
  ).rows;
  if (!row) throw new Error(`No sequence window for ${key.issuer} → ${key.audience} after its upsert`);
  const sequence = BigInt(envelope.sequence);
  const verdict = slideWindow({ highest: BigInt(row.last_sequence), seen: decodeSeen(row.seen_window) }, sequence);
  if ('refused' in verdict) {
    if (verdict.refused === 'seen') {
      throw new Problem('envelope.sequence-replayed', `Sequence ${sequence} from ${envelope.issuer} was already accepted`, { pointer: '/seq' });
    }
    throw new Problem(
      'envelope.sequence-too-old',
      `Sequence ${sequence} from ${envelope.issuer} is below the replay window: the last ${REPLAY_WINDOW} numbers up to ${row.last_sequence} (lowest ${verdict.lowest})`,
      { pointer: '/seq' },
    );
  }
  await runSql(
    tx,
    sql`update message_sequences set last_sequence = ${Number(verdict.accepted.highest)}, seen_window = ${encodeSeen(verdict.accepted.seen)}
    where issuer = ${key.issuer} and audience = ${key.audience}`,
  );
}

/** The last number of a reserved block (a bigint PostgreSQL may return as text). */
interface ReservedBlock {
  last_sequence: number | string;
}

/**
 * Reserves `count` of the gateway's own sequence numbers for an audience and
 * returns the last: one shared counter, so no two instances ever sign with
 * the same number.
 */
export async function reserveOutboundSequences(db: StoreExecutor, issuer: string, audience: string, count: number, now = new Date()): Promise<number> {
  // SQL, not the query builder: every block of answers reserves once.
  const updatedAt = now.toISOString();
  const reserved = sql<ReservedBlock>`insert into message_sequences (issuer, audience, last_sequence, updated_at)
    values (${issuer}, ${audience}, ${count}, ${updatedAt})
    on conflict (issuer, audience) do update set last_sequence = message_sequences.last_sequence + ${count}, updated_at = ${updatedAt}
    returning last_sequence`;
  const [row] = (await runSql(db, reserved)).rows;
  if (!row) throw new Error(`No outbound sequence for ${issuer} → ${audience} after its upsert`);
  return Number(row.last_sequence);
}

/** The next sequence number the gateway signs with for an audience, committed on its own (notifications; responses use blocks). */
export async function nextOutboundSequence(db: StoreExecutor, issuer: string, audience: string, now = new Date()): Promise<string> {
  return String(await reserveOutboundSequences(db, issuer, audience, 1, now));
}

/** Message ids are kept two days: past the clock skew and the 24 h idempotent replay, an old id fails freshness anyway. */
export const SEEN_MESSAGE_RETENTION_MS = 48 * 60 * 60 * 1000;

/** Forgets message ids no replay could use any more; the sequence windows stay. */
export async function purgeSeenMessageIds(db: StoreExecutor, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - SEEN_MESSAGE_RETENTION_MS).toISOString();
  const result = await db.deleteFrom('envelope_messages').where('received_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** ISO 8601 where a Date can name the instant; the raw seconds otherwise (never a RangeError). */
function instant(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} s after the epoch` : date.toISOString();
}
