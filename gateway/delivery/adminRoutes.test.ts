import assert from 'node:assert/strict';
import request from 'supertest';
import { forEachBackend } from '../store/testStores.ts';
import { routerTestApp } from '../testing/routerApp.ts';
import { adminDeliveryRouter } from './adminRoutes.ts';
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

const problem = (code: string) => `urn:flexgate:problem:${code}`;

forEachBackend((backend) => {
  describe(`Admin deliveries API (${backend.name})`, function () {
    let delivery: DeliveryStore;
    let receiver: TestReceiver;
    let dispatcher: DeliveryDispatcher;
    let transport: WebhookTransport;
    /** The receiver refuses with 503 until told to recover. */
    let recovered = false;

    beforeEach(async function () {
      delivery = await freshDeliveryStore(backend, this);
      recovered = false;
      receiver = await TestReceiver.start(() => ({ status: recovered ? 200 : 503 }));
      transport = new WebhookTransport({ egress: LOOPBACK, sign: webhookEnvelopeSigner({ db: delivery.store.db, signer: testEnvelopeSigner().signer }) });
      dispatcher = new DeliveryDispatcher({
        db: delivery.db,
        dialect: delivery.store.dialect,
        transports: { webhook: transport },
        retry: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 3, minRetryWindowMs: 0 },
        attemptTimeoutMs: 1000,
        leaseMs: 2000,
        pollIntervalMs: 50,
      });
    });
    afterEach(async () => {
      await dispatcher?.stop();
      await transport?.close();
      await receiver?.close();
      await delivery?.store.close();
    });

    const app = () => routerTestApp(adminDeliveryRouter({ store: { db: delivery.db }, onRedelivery: () => dispatcher.wake() }));
    const enqueue = (subscriberKey: string, key: string) =>
      enqueueNotification(delivery.db, {
        subscriberKey,
        channel: { kind: 'webhook', url: `${receiver.url}/cb`, bearerToken: 'never-shown' },
        contentType: 'application/json',
        body: `{"n":"${key}"}`,
        idempotencyKey: key,
      });

    it('dead-letters after the maximum attempts and redelivers on demand, with the whole history', async () => {
      const { id } = await enqueue('ven-1', 'k-1');
      dispatcher.start();
      await waitForOutbox(delivery.db, (c) => c.dead === 1);
      assert.equal(receiver.received.length, 3);

      const dead = await request(app()).get(`/admin/v1/deliveries?state=dead`).expect(200);
      assert.deepEqual(
        dead.body.deliveries.map((d: { id: string }) => d.id),
        [id],
      );
      assert.equal(dead.body.deliveries[0].attempts, 3);
      assert.deepEqual(dead.body.deliveries[0].channel, { kind: 'webhook', url: `${receiver.url}/cb`, hasBearerToken: true });
      assert.ok(!JSON.stringify(dead.body).includes('never-shown'), 'the bearer token is never shown');

      recovered = true;
      const redelivered = await request(app()).post(`/admin/v1/deliveries/${id}/redeliver`).expect(202);
      assert.equal(redelivered.headers.location, `/admin/v1/deliveries/${id}`);
      assert.equal(redelivered.body.state, 'pending');
      assert.equal(redelivered.body.redeliveries, 1);
      await waitForOutbox(delivery.db, (c) => c.delivered === 1);
      assert.deepEqual(receiver.keys, ['k-1', 'k-1', 'k-1', 'k-1'], 'same idempotency key every time');

      const detail = await request(app()).get(`/admin/v1/deliveries/${id}`).expect(200);
      assert.equal(detail.body.state, 'delivered');
      assert.deepEqual(detail.body.body, { encoding: 'utf-8', data: '{"n":"k-1"}' });
      assert.deepEqual(
        detail.body.attemptHistory.map((a: { attempt: number; outcome: string; statusCode: number }) => [a.attempt, a.outcome, a.statusCode]),
        [
          [1, 'retry', 503],
          [2, 'retry', 503],
          [3, 'failed', 503],
          [1, 'delivered', 200],
        ],
      );
      assert.equal(detail.body.attemptHistory[2].error.code, 'delivery.unavailable');
    });

    it('lists by state and subscriber, newest first, in pages', async () => {
      for (const n of [1, 2, 3]) await enqueue('ven-a', `a-${n}`);
      await enqueue('ven-b', 'b-1');
      const page1 = await request(app()).get('/admin/v1/deliveries?subscriber=ven-a&state=pending&limit=2').expect(200);
      assert.deepEqual(
        page1.body.deliveries.map((d: { idempotencyKey: string }) => d.idempotencyKey),
        ['a-3', 'a-2'],
      );
      const page2 = await request(app()).get(page1.body.next).expect(200);
      assert.deepEqual(
        page2.body.deliveries.map((d: { idempotencyKey: string }) => d.idempotencyKey),
        ['a-1'],
      );
      assert.equal(page2.body.next, undefined);
      const all = await request(app()).get('/admin/v1/deliveries').expect(200);
      assert.equal(all.body.deliveries.length, 4);
      assert.equal(all.body.deliveries[0].href, `/admin/v1/deliveries/${all.body.deliveries[0].id}`);
    });

    it('summarises each subscriber queue', async () => {
      recovered = true;
      await enqueue('ven-a', 'a-1');
      dispatcher.start();
      await waitForOutbox(delivery.db, (c) => c.delivered === 1);
      await dispatcher.stop();
      await enqueue('ven-a', 'a-2');
      await enqueue('ven-b', 'b-1');
      const { body } = await request(app()).get('/admin/v1/deliveries/queues').expect(200);
      assert.deepEqual(
        body.queues.map((q: Record<string, unknown>) => [q.subscriberKey, q.pending, q.retrying, q.delivered, q.dead, q.inFlight]),
        [
          ['ven-a', 1, 0, 1, 0, 0],
          ['ven-b', 1, 0, 0, 0, 0],
        ],
      );
      assert.equal(typeof body.queues[0].oldestOutstandingAt, 'string');
      const one = await request(app()).get('/admin/v1/deliveries/queues?subscriber=ven-b').expect(200);
      assert.deepEqual(
        one.body.queues.map((q: { subscriberKey: string }) => q.subscriberKey),
        ['ven-b'],
      );
    });

    it('refuses to redeliver what is being attempted, and answers unknown ids and bad queries with problems', async () => {
      const { id } = await enqueue('ven-1', 'k-1');
      await delivery.db
        .updateTable('delivery_outbox')
        .set({ claim_token: 'someone', claimed_until: new Date(Date.now() + 60_000).toISOString() })
        .where('id', '=', id)
        .execute();
      const busy = await request(app()).post(`/admin/v1/deliveries/${id}/redeliver`).expect(409);
      assert.equal(busy.body.type, problem('delivery.in-flight'));
      assert.equal((await request(app()).get('/admin/v1/deliveries/nope').expect(404)).body.type, problem('delivery.not-found'));
      assert.equal((await request(app()).post('/admin/v1/deliveries/nope/redeliver').expect(404)).body.type, problem('delivery.not-found'));
      assert.equal((await request(app()).get('/admin/v1/deliveries?state=lost').expect(400)).body.type, problem('request.invalid-query'));
      assert.equal((await request(app()).get('/admin/v1/deliveries?limit=0').expect(400)).body.type, problem('request.invalid-query'));
    });
  });
});
