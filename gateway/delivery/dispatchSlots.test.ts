import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forEachBackend } from '../store/testStores.ts';
import { DeliveryDispatcher, type DispatcherOptions } from './dispatcher.ts';
import { webhookEnvelopeSigner } from './notificationSigners.ts';
import { enqueueNotifications } from './outbox.ts';
import { freshDeliveryStore, type DeliveryStore } from './testing/deliveryStore.ts';
import { waitForOutbox } from './testing/outboxProbe.ts';
import { HangingReceiver, TestReceiver } from './testing/receivers.ts';
import { testEnvelopeSigner } from './testing/testSigner.ts';
import { WebhookTransport } from './webhookTransport.ts';
import { EgressPolicy, LOOPBACK_EGRESS } from './egress.ts';

/** The receivers here listen on loopback, which the gateway refuses by default. */
const LOOPBACK = new EgressPolicy(LOOPBACK_EGRESS);

/** A receiver that answers nobody until `quorum` requests wait at once: it proves that many attempts were in flight together. */
async function quorumReceiver(quorum: number) {
  const waiting: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      waiting.push(res);
      if (waiting.length >= quorum) for (const held of waiting.splice(0)) held.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

forEachBackend((backend) => {
  describe(`Dispatch slots (${backend.name})`, function () {
    this.timeout(120_000);
    let delivery: DeliveryStore;
    const closers: Array<() => Promise<void>> = [];

    beforeEach(async function () {
      delivery = await freshDeliveryStore(backend, this);
    });
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
      await delivery?.store.close();
    });

    function dispatcher(options: Partial<DispatcherOptions>): DeliveryDispatcher {
      const transport = new WebhookTransport({ egress: LOOPBACK, sign: webhookEnvelopeSigner({ db: delivery.store.db, signer: testEnvelopeSigner().signer }) });
      const started = new DeliveryDispatcher({
        db: delivery.db,
        dialect: delivery.store.dialect,
        transports: { webhook: transport },
        pollIntervalMs: 50,
        ...options,
      });
      started.start();
      // The transport first: it cuts hung attempts short, so stopping does not wait out their timeout.
      closers.push(async () => {
        await transport.close();
        await started.stop();
      });
      return started;
    }

    const enqueue = (urls: string[]) =>
      delivery.store.transaction((tx) =>
        enqueueNotifications(
          tx,
          urls.map((url, n) => ({
            subscriberKey: `ven-${n}`,
            channel: { kind: 'webhook', url },
            contentType: 'application/json',
            body: '{}',
            idempotencyKey: 'event-1',
          })),
        ),
      );

    it('attempts every waiting subscriber at once by default, not a fixed 64', async function () {
      const subscribers = 200;
      const receiver = await quorumReceiver(subscribers);
      closers.push(() => receiver.close());
      await enqueue(Array.from({ length: subscribers }, (_, n) => `${receiver.url}/ven-${n}`));
      dispatcher({ attemptTimeoutMs: 30_000, leaseMs: 60_000 });
      await waitForOutbox(delivery.db, (counts) => counts.delivered === subscribers, 25_000);
    });

    it('moves attempts that hang to a pool of their own, so responsive subscribers are not kept waiting for slots', async function () {
      const hanging = await Promise.all(Array.from({ length: 8 }, () => HangingReceiver.start()));
      const healthy = await TestReceiver.start();
      closers.push(() => healthy.close(), ...hanging.map((receiver) => () => receiver.close()));
      // The hanging subscribers first in the outbox: they are claimed first and would hold every one of the 4 slots for 30 s.
      await enqueue([...hanging.map((receiver) => `${receiver.url}/hook`), ...Array.from({ length: 8 }, (_, n) => `${healthy.url}/ven-${n}`)]);
      dispatcher({ maxConcurrency: 4, slowAfterMs: 200, maxSlow: 16, attemptTimeoutMs: 30_000, leaseMs: 60_000 });
      await healthy.waitFor(8, 15_000);
      assert.ok(
        hanging.every((receiver) => receiver.connections === 1),
        'every hanging subscriber was attempted, and is still held',
      );
    });
  });
});
