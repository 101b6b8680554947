import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forEachBackend } from '../store/testStores.ts';
import { DeliveryDispatcher } from './dispatcher.ts';
import { enqueueNotification } from './outbox.ts';
import { freshDeliveryStore, type DeliveryStore } from './testing/deliveryStore.ts';
import { waitForOutbox } from './testing/outboxProbe.ts';
import { TestReceiver } from './testing/receivers.ts';
import { testEnvelopeSigner } from './testing/testSigner.ts';
import { webhookEnvelopeSigner } from './notificationSigners.ts';
import { WebhookTransport } from './webhookTransport.ts';
import { EgressPolicy, LOOPBACK_EGRESS } from './egress.ts';

/** The receivers here listen on loopback, which the gateway refuses by default. */
const LOOPBACK = new EgressPolicy(LOOPBACK_EGRESS);

const CHILD = fileURLToPath(new URL('./testing/dispatcherProcess.ts', import.meta.url));
const SUBSCRIBERS = ['ven-1', 'ven-2', 'ven-3'];
const PER_SUBSCRIBER = 8;
const LEASE_MS = 1500;
const ATTEMPT_TIMEOUT_MS = 700;

forEachBackend((backend) => {
  describe(`Delivery across a SIGKILL (${backend.name})`, function () {
    let delivery: DeliveryStore | undefined;
    let child: ChildProcess | undefined;
    let receiver: TestReceiver | undefined;

    afterEach(async () => {
      child?.kill('SIGKILL');
      await receiver?.close();
      await delivery?.store.close();
    });

    it('loses nothing when the dispatching process is killed mid-delivery; repeats carry the same key', async function () {
      const opened = await freshDeliveryStore(backend, this);
      delivery = opened;
      // Slow enough that the kill lands while attempts are in flight.
      const slow = await TestReceiver.start(() => ({ status: 204, delayMs: 250 }));
      receiver = slow;
      const expected = new Map<string, string>();
      await opened.db.transaction().execute(async (tx) => {
        for (let n = 1; n <= PER_SUBSCRIBER; n++) {
          for (const subscriberKey of SUBSCRIBERS) {
            const key = `${subscriberKey}/${n}`;
            const body = JSON.stringify({ objectType: 'EVENT', operation: 'UPDATE', object: { id: key } });
            expected.set(key, body);
            await enqueueNotification(tx, {
              subscriberKey,
              channel: { kind: 'webhook', url: `${slow.url}/${subscriberKey}` },
              contentType: 'application/json',
              body,
              idempotencyKey: key,
            });
          }
        }
      });

      child = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, JSON.stringify({ storeOptions: opened.options, leaseMs: LEASE_MS, attemptTimeoutMs: ATTEMPT_TIMEOUT_MS })],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      await Promise.race([slow.waitFor(2 * SUBSCRIBERS.length, 30_000), exited.then(() => assert.fail('the dispatching process ended by itself'))]);
      child.kill('SIGKILL');
      await exited;
      const beforeKill = slow.received.length;

      const transport = new WebhookTransport({ egress: LOOPBACK, sign: webhookEnvelopeSigner({ db: opened.store.db, signer: testEnvelopeSigner().signer }) });
      const successor = new DeliveryDispatcher({
        db: opened.db,
        dialect: opened.store.dialect,
        transports: { webhook: transport },
        leaseMs: LEASE_MS,
        attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
        pollIntervalMs: 50,
      });
      successor.start();
      try {
        await waitForOutbox(opened.db, (c) => c.delivered === expected.size, 30_000);
      } finally {
        await successor.stop();
        await transport.close();
      }

      assert.ok(beforeKill < expected.size, 'the kill came mid-delivery');
      const seen = new Map<string, number>();
      for (const { headers, body } of slow.received) {
        const key = String(headers['idempotency-key']);
        assert.equal(body, expected.get(key), `a repeat of ${key} is the same notification`);
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      assert.deepEqual([...seen.keys()].sort(), [...expected.keys()].sort(), 'every notification arrived');
      const repeats = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
      assert.ok(repeats <= SUBSCRIBERS.length, `only the attempts in flight at the kill are repeated (${repeats})`);
      for (const subscriberKey of SUBSCRIBERS) {
        const firsts = [...new Set(slow.received.filter((r) => r.path === `/${subscriberKey}`).map((r) => String(r.headers['idempotency-key'])))];
        assert.deepEqual(
          firsts,
          Array.from({ length: PER_SUBSCRIBER }, (_, i) => `${subscriberKey}/${i + 1}`),
          `${subscriberKey} in order`,
        );
      }
      const cutOff = await opened.db.selectFrom('delivery_attempts').select('dispatcher').where('outcome', 'is', null).execute();
      assert.ok(cutOff.length >= 1 && cutOff.every((a) => a.dispatcher.startsWith('child/')), 'the killed attempts stay in the history, unfinished');
    });
  });
});
