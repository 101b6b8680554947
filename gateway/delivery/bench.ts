// How long one event takes to reach 90 healthy webhook subscribers, alone and
// with 10 more that accept the connection and never answer. Loopback only.
// Run: node --import tsx gateway/delivery/bench.ts [--postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { quoteIdentifier, type StoreOptions } from '../store/store.ts';
import { POSTGRES_TEST_URL } from '../store/testStores.ts';
import { DeliveryDispatcher } from './dispatcher.ts';
import { webhookEnvelopeSigner } from './notificationSigners.ts';
import { enqueueNotification } from './outbox.ts';
import { openDeliveryStore } from './testing/deliveryStore.ts';
import { HangingReceiver, TestReceiver } from './testing/receivers.ts';
import { testEnvelopeSigner } from './testing/testSigner.ts';
import { WebhookTransport } from './webhookTransport.ts';

const HEALTHY = 90;
const HANGING = 10;
const RUNS = 7;
const usePostgres = process.argv.includes('--postgres');
const { signer } = testEnvelopeSigner();
const body = JSON.stringify({
  objectType: 'EVENT',
  operation: 'CREATE',
  object: { id: 'bench-event', intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [600] }] }] },
});

const healthy = await Promise.all(Array.from({ length: HEALTHY }, () => TestReceiver.start()));
const hanging = await Promise.all(Array.from({ length: HANGING }, () => HangingReceiver.start()));
const cleanups: Array<() => Promise<void>> = [];

/** A fresh store per run, so every run starts with empty queues and no hung attempts. */
async function freshStoreOptions(run: string): Promise<StoreOptions> {
  if (!usePostgres) {
    const dataDir = mkdtempSync(join(tmpdir(), 'flexgate-bench-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    return { dataDir };
  }
  const schema = `fg_bench_${process.pid}_${run}`;
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await client.end();
  });
  return { databaseUrl: POSTGRES_TEST_URL, schema };
}

/** Milliseconds from the enqueueing commit until every healthy subscriber has the event. */
async function oneEvent(run: string, withHanging: boolean): Promise<number> {
  const { store, db } = await openDeliveryStore(await freshStoreOptions(run));
  const transport = new WebhookTransport({ sign: webhookEnvelopeSigner({ db: store.db, signer }) });
  const dispatcher = new DeliveryDispatcher({ db, dialect: store.dialect, transports: { webhook: transport } });
  dispatcher.start();
  const before = healthy.map((receiver) => receiver.received.length);
  // The hanging subscribers first in the outbox: the worst case, they are claimed first.
  const urls = [...(withHanging ? hanging.map((receiver) => receiver.url) : []), ...healthy.map((receiver) => receiver.url)];
  await db.transaction().execute(async (tx) => {
    for (const [n, url] of urls.entries()) {
      await enqueueNotification(tx, {
        subscriberKey: `ven-${n}`,
        channel: { kind: 'webhook', url: `${url}/notifications` },
        contentType: 'application/json',
        body,
        idempotencyKey: `bench-event/${run}`,
      });
    }
  });
  const committed = performance.now();
  dispatcher.wake();
  await Promise.all(healthy.map((receiver, i) => receiver.waitFor(before[i]! + 1, 30_000)));
  const elapsed = performance.now() - committed;
  // Closing the transport first cuts the hung attempts short, so stopping does not wait out their timeout.
  await transport.close();
  await dispatcher.stop();
  await store.close();
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const alone: number[] = [];
const withHung: number[] = [];
try {
  await oneEvent('warmup', true);
  for (let run = 0; run < RUNS; run++) {
    alone.push(await oneEvent(`a${run}`, false));
    withHung.push(await oneEvent(`b${run}`, true));
  }
} finally {
  await Promise.all([...healthy, ...hanging].map((receiver) => receiver.close()));
  for (const cleanup of cleanups) await cleanup();
}
const format = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
console.log(`store: ${usePostgres ? 'PostgreSQL' : 'SQLite'}; ${RUNS} runs each, one event to each subscriber, default dispatcher settings`);
console.log(`${HEALTHY} healthy alone:             median ${median(alone).toFixed(1)} ms  [${format(alone)}]`);
console.log(`${HEALTHY} healthy + ${HANGING} hanging:       median ${median(withHung).toFixed(1)} ms  [${format(withHung)}]`);
console.log(`ratio (with hanging / alone): ${(median(withHung) / median(alone)).toFixed(2)}`);
