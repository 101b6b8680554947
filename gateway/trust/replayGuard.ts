import { sql } from 'kysely';
import { Problem } from '../../protocol/problem.ts';
import type { StoreExecutor } from '../store/store.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';

/** Default tolerance between a signature's `iat` and the receiver's clock, either way. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 120;

/**
 * Admits a verified envelope exactly once, inside the transaction that acts
 * on the message: fresh enough, message id never seen from this issuer, and
 * sequence above the issuer's high-water mark for this audience. The marks
 * commit with the message, so a replay is refused after a restart and, on
 * PostgreSQL, by every instance (the row lock orders concurrent twins).
 */
export async function admitEnvelope(tx: StoreExecutor, envelope: VerifiedEnvelope, options: { now?: Date; skewSeconds?: number } = {}): Promise<void> {
  const now = options.now ?? new Date();
  const skew = options.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (envelope.issuedAt < nowSeconds - skew) {
    throw new Problem('envelope.stale', `Signed at ${isoSeconds(envelope.issuedAt)}, more than ${skew} s before ${now.toISOString()}`, { pointer: '/iat' });
  }
  if (envelope.issuedAt > nowSeconds + skew) {
    throw new Problem('envelope.from-future', `Signed at ${isoSeconds(envelope.issuedAt)}, more than ${skew} s after ${now.toISOString()}`, {
      pointer: '/iat',
    });
  }

  const sequence = Number(envelope.sequence);
  const receivedAt = now.toISOString();
  // The sequence row first: on PostgreSQL its lock makes a concurrent twin wait here and then fail.
  const raised = await tx
    .updateTable('message_sequences')
    .set({ last_sequence: sequence, updated_at: receivedAt })
    .where('issuer', '=', envelope.issuer)
    .where('audience', '=', envelope.audience)
    .where('last_sequence', '<', sequence)
    .executeTakeFirst();
  if (raised.numUpdatedRows === 0n) {
    const created = await tx
      .insertInto('message_sequences')
      .values({ issuer: envelope.issuer, audience: envelope.audience, last_sequence: sequence, updated_at: receivedAt })
      .onConflict((conflict) => conflict.columns(['issuer', 'audience']).doNothing())
      .executeTakeFirst();
    if ((created.numInsertedOrUpdatedRows ?? 0n) === 0n) {
      const mark = await highWaterMark(tx, envelope.issuer, envelope.audience);
      throw new Problem(
        'envelope.sequence-not-increasing',
        `Sequence ${envelope.sequence} is not above ${mark ?? 'the last accepted'} from ${envelope.issuer}`,
        {
          pointer: '/seq',
        },
      );
    }
  }

  const recorded = await tx
    .insertInto('envelope_messages')
    .values({ issuer: envelope.issuer, message_id: envelope.messageId, body_sha256: envelope.bodySha256, received_at: receivedAt })
    .onConflict((conflict) => conflict.columns(['issuer', 'message_id']).doNothing())
    .executeTakeFirst();
  if ((recorded.numInsertedOrUpdatedRows ?? 0n) === 0n) {
    const earlier = await tx
      .selectFrom('envelope_messages')
      .select('body_sha256')
      .where('issuer', '=', envelope.issuer)
      .where('message_id', '=', envelope.messageId)
      .executeTakeFirst();
    if (earlier && earlier.body_sha256 !== envelope.bodySha256) {
      throw new Problem('envelope.message-id-reused', `Message id ${envelope.messageId} was already used by ${envelope.issuer} for different content`, {
        pointer: '/jti',
      });
    }
    throw new Problem('envelope.replayed', `Message id ${envelope.messageId} from ${envelope.issuer} was already received`, { pointer: '/jti' });
  }
}

async function highWaterMark(tx: StoreExecutor, issuer: string, audience: string): Promise<number | undefined> {
  const row = await tx.selectFrom('message_sequences').select('last_sequence').where('issuer', '=', issuer).where('audience', '=', audience).executeTakeFirst();
  return row?.last_sequence;
}

/** The next sequence number the gateway signs with for an audience: one shared counter, so strictly increasing across instances too. */
export async function nextOutboundSequence(db: StoreExecutor, issuer: string, audience: string, now = new Date()): Promise<string> {
  const row = await db
    .insertInto('message_sequences')
    .values({ issuer, audience, last_sequence: 1, updated_at: now.toISOString() })
    .onConflict((conflict) =>
      conflict.columns(['issuer', 'audience']).doUpdateSet({ last_sequence: sql<number>`message_sequences.last_sequence + 1`, updated_at: now.toISOString() }),
    )
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return String(row.last_sequence);
}

/** Message ids are kept two days: past the clock skew and the 24 h idempotent replay, an old id fails freshness anyway. */
export const SEEN_MESSAGE_RETENTION_MS = 48 * 60 * 60 * 1000;

/** Forgets message ids no replay could use any more; the sequence high-water marks stay. */
export async function purgeSeenMessageIds(db: StoreExecutor, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - SEEN_MESSAGE_RETENTION_MS).toISOString();
  const result = await db.deleteFrom('envelope_messages').where('received_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

const isoSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();
