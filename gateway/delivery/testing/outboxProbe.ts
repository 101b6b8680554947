import type { Database } from '../../store/schema.ts';
import type { Kysely } from 'kysely';
import type { DeliveryState } from '../tables.ts';

/** How many deliveries are in each state. */
export async function stateCounts(db: Kysely<Database>): Promise<Record<DeliveryState, number>> {
  const rows = await db
    .selectFrom('delivery_outbox')
    .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('state')
    .execute();
  const counts: Record<DeliveryState, number> = { pending: 0, retrying: 0, delivered: 0, dead: 0 };
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}

/** Polls the outbox until `done` holds for the state counts; fails after `timeoutMs`. */
export async function waitForOutbox(
  db: Kysely<Database>,
  done: (counts: Record<DeliveryState, number>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<DeliveryState, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await stateCounts(db);
    if (done(counts)) return counts;
    if (Date.now() > deadline) throw new Error(`outbox never settled: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
