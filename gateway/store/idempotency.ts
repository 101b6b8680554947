import type { StoreExecutor } from './store.ts';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord extends RecordedResponse {
  requestSha256: string;
}

/** Raised when a concurrent request claimed the same key first; the caller replays its response. */
export class IdempotencyRace extends Error {
  constructor() {
    super('Another request with the same idempotency key committed first');
  }
}

const cutoff = (now: number) => new Date(now - IDEMPOTENCY_WINDOW_MS).toISOString();

/** The response recorded under a key within the window, if any. */
export async function findIdempotent(db: StoreExecutor, scope: string, key: string, now = Date.now()): Promise<IdempotencyRecord | undefined> {
  const row = await db
    .selectFrom('idempotency_records')
    .selectAll()
    .where('scope', '=', scope)
    .where('idem_key', '=', key)
    .where('created_at', '>=', cutoff(now))
    .executeTakeFirst();
  return row && { requestSha256: row.request_sha256, status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body: row.body };
}

/**
 * Records a response under a key, inside the transaction that produced it.
 * With `replace` false a clash means a concurrent twin committed first
 * (PostgreSQL makes this insert wait for it): the caller rolls back and
 * replays. With `replace` true the newest response wins (body-hash aliases).
 */
export async function recordIdempotent(
  db: StoreExecutor,
  scope: string,
  key: string,
  requestSha256: string,
  response: RecordedResponse,
  options: { replace: boolean; now?: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  const values = {
    scope,
    idem_key: key,
    request_sha256: requestSha256,
    created_at: new Date(now).toISOString(),
    status: response.status,
    headers: JSON.stringify(response.headers),
    body: response.body,
  };
  if (options.replace) {
    const { scope: _s, idem_key: _k, ...update } = values;
    await db
      .insertInto('idempotency_records')
      .values(values)
      .onConflict((oc) => oc.columns(['scope', 'idem_key']).doUpdateSet(update))
      .execute();
    return;
  }
  await db.deleteFrom('idempotency_records').where('scope', '=', scope).where('idem_key', '=', key).where('created_at', '<', cutoff(now)).execute();
  try {
    await db.insertInto('idempotency_records').values(values).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new IdempotencyRace();
    throw error;
  }
}

/** Drops records past the window; run periodically. */
export async function purgeIdempotency(db: StoreExecutor, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom('idempotency_records').where('created_at', '<', cutoff(now)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
