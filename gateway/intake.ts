import { createHash } from 'node:crypto';
import { timeOrderedUuid } from '../protocol/identity/timeOrderedUuid.ts';
import { Problem } from '../protocol/problem.ts';
import type { ProblemCode } from '../schemas/problems.ts';
import { appendJournal, recordDerived, type DerivedReference, type JournalVerification } from './store/journal.ts';
import { findIdempotent, IdempotencyRace, recordIdempotent, type RecordedResponse } from './store/idempotency.ts';
import type { Store, StoreExecutor } from './store/store.ts';
import type { Caller } from './trust/caller.ts';
import type { VerifiedEnvelope } from '../protocol/envelope/index.ts';
import { admitEnvelope } from './trust/replayGuard.ts';

export interface IncomingMessage {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
  userAgent: string | null;
  idempotencyKey: string | undefined;
  /** The authenticated sender (trust layer); absent only where a router is used without it. */
  caller?: Caller;
  /** The verified signature, admitted (fresh, new id, sequence number new in its window) in the message's own transaction. */
  envelope?: VerifiedEnvelope;
}

export interface Produced {
  derived: DerivedReference[];
  response: RecordedResponse;
}

export interface AcceptContext {
  tx: StoreExecutor;
  journalId: string;
  receivedAt: string;
}

export interface Accepted {
  response: RecordedResponse;
  replayed: boolean;
}

/**
 * Work that follows from what a message produced and must commit with it
 * (e.g. OpenADR events for a stored merit order list); returns what it
 * derived in turn, which the journal entry also records.
 */
export type Reaction = (context: AcceptContext, derived: readonly DerivedReference[]) => Promise<DerivedReference[]>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Admission refusals a repeat of an answered message meets: its response is looked up and sent again instead. */
const ANSWERED_BEFORE: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'envelope.replayed',
  'envelope.sequence-replayed',
  'envelope.stale',
  'envelope.from-future',
]);

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Where every state-changing message enters: the store, and the reactions
 * that run in the same transaction as each accepted message.
 */
export class Intake {
  constructor(
    readonly store: Store,
    private readonly reactions: readonly Reaction[] = [],
    /** Tolerance for a signed message's issue time; default DEFAULT_CLOCK_SKEW_SECONDS. */
    private readonly skewSeconds?: number,
  ) {}

  accept(message: IncomingMessage, produce: (context: AcceptContext) => Promise<Produced>): Promise<Accepted> {
    return acceptMessage(this.store, this.reactions, this.skewSeconds, message, produce);
  }
}

/**
 * Accepts a message durably: the journal entry, what it produced (and what
 * the reactions derived from that) and its idempotency record commit in one
 * transaction, and only then is the response released. A repeat (same
 * message id when signed; else same Idempotency-Key, or same body within the
 * window) gets the original response and changes nothing.
 */
async function acceptMessage(
  store: Store,
  reactions: readonly Reaction[],
  skewSeconds: number | undefined,
  message: IncomingMessage,
  produce: (context: AcceptContext) => Promise<Produced>,
): Promise<Accepted> {
  // The envelope's verification hashed these bytes already: the same SHA-256, in hex.
  const requestSha256 = message.envelope ? Buffer.from(message.envelope.bodySha256, 'base64url').toString('hex') : sha256Hex(message.body);
  // Per sender: two parties sending the same body must never get each other's response.
  const scope = `${message.caller?.party.urn ?? 'anonymous'} ${message.method} ${message.path}`;
  if (message.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(message.idempotencyKey)) {
    throw new Problem('idempotency.key-invalid', 'Idempotency-Key must be 1-255 printable ASCII characters');
  }
  const bodyKey = `sha256:${requestSha256}`;
  const { envelope } = message;
  // A signed message is identified by its issuer and message id (UFTP's rule); otherwise by Idempotency-Key or body.
  const [keyScope, key] = envelope
    ? ['envelope', `envelope:${envelope.issuer}:${envelope.messageId}`]
    : [scope, message.idempotencyKey === undefined ? bodyKey : `key:${message.idempotencyKey}`];

  // A message id is bound to the whole signed request (method, path with query, body): only the identical request replays.
  const keyedSha256 = envelope ? envelope.requestSha256 : requestSha256;

  const replay = async () => {
    const earlier = await findIdempotent(store.db, keyScope, key);
    if (!earlier) return undefined;
    if (earlier.requestSha256 !== keyedSha256) {
      if (envelope)
        throw new Problem(
          'envelope.message-id-reused',
          `Message id ${envelope.messageId} was already used by ${envelope.issuer} for another request (method, path with query, or body)`,
          {
            pointer: '/jti',
          },
        );
      throw new Problem('idempotency.key-reused', `Idempotency-Key "${message.idempotencyKey}" was used within 24 h for a different body`);
    }
    return { response: earlier, replayed: true };
  };

  // A signed message's repeat is found by its admission inside the transaction (its message id is taken): no look-up, no
  // wait for a commit of its own, before every signed message. An unsigned one has only its idempotency record.
  const earlier = envelope ? undefined : await replay();
  if (earlier) return earlier;

  try {
    const response = await store.transaction(async (tx) => {
      const journalId = timeOrderedUuid();
      const received = new Date();
      const receivedAt = received.toISOString();
      if (envelope && !envelope.admittedOnArrival) await admitEnvelope(tx, envelope, { now: received, ...(skewSeconds === undefined ? {} : { skewSeconds }) });
      await appendJournal(tx, {
        id: journalId,
        receivedAt,
        method: message.method,
        path: message.path,
        contentType: message.contentType,
        body: message.body,
        sha256: requestSha256,
        userAgent: message.caller?.userAgent ?? message.userAgent,
        derived: [],
        sender: message.caller?.party.urn ?? null,
        jws: envelope?.jws ?? null,
        certificateChain: envelope?.certificateChain ?? message.caller?.certificateChain ?? [],
        verification: envelope ? verificationRecord(envelope, receivedAt) : null,
      });
      const context = { tx, journalId, receivedAt };
      const produced = await produce(context);
      const derived = [...produced.derived];
      for (const react of reactions) derived.push(...(await react(context, produced.derived)));
      await recordDerived(tx, journalId, derived);
      await recordIdempotent(tx, keyScope, key, keyedSha256, produced.response, { replace: false });
      // An unsigned repeat without its key is found by its body; a signed message only by its message id, so its response
      // (a 100k-entry list's is 20 MB) is kept once.
      if (!envelope && key !== bodyKey) await recordIdempotent(tx, scope, bodyKey, requestSha256, produced.response, { replace: true });
      return produced.response;
    });
    return { response, replayed: false };
  } catch (error) {
    // A twin that committed first (another instance, or a retry racing the original) answers for both; so does the
    // original for a repeat that admission refuses as no longer fresh, as long as its response is kept (24 h).
    const answeredBefore = error instanceof IdempotencyRace || (error instanceof Problem && ANSWERED_BEFORE.has(error.code));
    if (!answeredBefore) throw error;
    const twin = await replay();
    if (!twin) throw error;
    return twin;
  }
}

function verificationRecord(envelope: VerifiedEnvelope, verifiedAt: string): JournalVerification {
  const { alg, issuer, audience, messageId, sequence, issuedAt, schemaVersion } = envelope;
  return { result: 'verified', alg, issuer, audience, messageId, sequence, issuedAt, schemaVersion, verifiedAt };
}
