import { sql } from 'kysely';
import { runSql, type StoreExecutor } from './store.ts';

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
  // Every unsigned write asks this first, and every refused repeat of a signed one: SQL, not the query builder.
  const [row] = (
    await runSql(
      db,
      sql<{ request_sha256: string; status: number; headers: string; body: string }>`select request_sha256, status, headers, body
      from idempotency_records where scope = ${scope} and idem_key = ${key} and created_at >= ${cutoff(now)}`,
    )
  ).rows;
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
  // Replacing, every record of the key is overwritten; otherwise only one past the window, and a live one means a twin
  // committed first (0 rows written). One statement, values only, so runSql compiles it once (issue 16, P1).
  const overwritesBefore = options.replace ? END_OF_TIME : cutoff(now);
  const written = await runSql(
    db,
    sql`insert into idempotency_records (scope, idem_key, request_sha256, created_at, status, headers, body)
    values (${scope}, ${key}, ${requestSha256}, ${new Date(now).toISOString()}, ${response.status}, ${JSON.stringify(response.headers)}, ${response.body})
    on conflict (scope, idem_key) do update set request_sha256 = excluded.request_sha256,
    created_at = excluded.created_at, status = excluded.status, headers = excluded.headers, body = excluded.body
    where idempotency_records.created_at < ${overwritesBefore}`,
  );
  if (!options.replace && Number(written.numAffectedRows ?? 0) !== 1) throw new IdempotencyRace();
}

/** Later than every ISO 8601 timestamp a record is created with. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/** Drops records past the window; run periodically. */
export async function purgeIdempotency(db: StoreExecutor, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom('idempotency_records').where('created_at', '<', cutoff(now)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
