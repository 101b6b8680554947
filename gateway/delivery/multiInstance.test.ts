import assert from 'node:assert/strict';
import { forEachBackend } from '../store/testStores.ts';
import { DeliveryDispatcher } from './dispatcher.ts';
import { enqueueNotification } from './outbox.ts';
import { freshDeliveryStore, openDeliveryStore, type DeliveryStore } from './testing/deliveryStore.ts';
import { waitForOutbox } from './testing/outboxProbe.ts';
import { TestReceiver } from './testing/receivers.ts';
import { testEnvelopeSigner } from './testing/testSigner.ts';
import { webhookEnvelopeSigner } from './notificationSigners.ts';
import { WebhookTransport } from './webhookTransport.ts';
import { EgressPolicy, LOOPBACK_EGRESS } from './egress.ts';

/** The receivers here listen on loopback, which the gateway refuses by default. */
const LOOPBACK = new EgressPolicy(LOOPBACK_EGRESS);

const SUBSCRIBERS = 30;
const PER_SUBSCRIBER = 6;

forEachBackend((backend) => {
  // SQLite serves a single gateway process; sharing the outbox is what PostgreSQL is for.
  if (backend.name !== 'PostgreSQL') return;

  describe('Two gateway instances sharing the outbox (PostgreSQL)', function () {
    const stores: DeliveryStore[] = [];
    let receiver: TestReceiver | undefined;

    afterEach(async () => {
      await receiver?.close();
      for (const store of stores.splice(0)) await store.store.close();
    });

    it('delivers every notification exactly once between them, each subscriber in order', async function () {
      const first = await freshDeliveryStore(backend, this);
      stores.push(first, await openDeliveryStore(first.options));
      const counting = await TestReceiver.start(() => ({ status: 200, delayMs: 5 }));
      receiver = counting;

      const dispatchers = stores.map((instance, n) => {
        const transport = new WebhookTransport({
          egress: LOOPBACK,
          sign: webhookEnvelopeSigner({ db: instance.store.db, signer: testEnvelopeSigner().signer }),
        });
        const dispatcher = new DeliveryDispatcher({
          db: instance.db,
          dialect: instance.store.dialect,
          transports: { webhook: transport },
          maxConcurrency: 8,
          pollIntervalMs: 20,
          name: `instance-${n + 1}`,
        });
        return { dispatcher, transport };
      });
      for (const { dispatcher } of dispatchers) dispatcher.start();

      // Written while both dispatch, as the VTN's transactions would be.
      for (let n = 1; n <= PER_SUBSCRIBER; n++) {
        await first.db.transaction().execute(async (tx) => {
          for (let s = 1; s <= SUBSCRIBERS; s++) {
            const key = `ven-${s}/${n}`;
            await enqueueNotification(tx, {
              subscriberKey: `ven-${s}`,
              channel: { kind: 'webhook', url: `${counting.url}/ven-${s}` },
              contentType: 'application/json',
              body: `{"k":"${key}"}`,
              idempotencyKey: key,
            });
          }
        });
      }
      try {
        await waitForOutbox(first.db, (c) => c.delivered === SUBSCRIBERS * PER_SUBSCRIBER, 30_000);
      } finally {
        for (const { dispatcher, transport } of dispatchers) {
          await dispatcher.stop();
          await transport.close();
        }
      }

      const keys = counting.keys;
      assert.equal(keys.length, SUBSCRIBERS * PER_SUBSCRIBER, 'nothing sent twice');
      assert.equal(new Set(keys).size, keys.length);
      for (let s = 1; s <= SUBSCRIBERS; s++) {
        const own = keys.filter((key) => key.startsWith(`ven-${s}/`));
        assert.deepEqual(
          own,
          Array.from({ length: PER_SUBSCRIBER }, (_, i) => `ven-${s}/${i + 1}`),
          `ven-${s} in order`,
        );
      }
      const byInstance = await first.db
        .selectFrom('delivery_attempts')
        .select(['dispatcher', (eb) => eb.fn.countAll<number>().as('attempts')])
        .groupBy('dispatcher')
        .orderBy('dispatcher')
        .execute();
      assert.deepEqual(
        byInstance.map((row) => row.dispatcher),
        ['instance-1', 'instance-2'],
        'both instances delivered',
      );
      assert.equal(
        byInstance.reduce((sum, row) => sum + Number(row.attempts), 0),
        SUBSCRIBERS * PER_SUBSCRIBER,
        'one attempt each',
      );
    });
  });
});
