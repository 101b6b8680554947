import assert from 'node:assert/strict';
import { forEachBackend } from '../store/testStores.ts';
import { DeliveryDispatcher, type DispatcherOptions } from './dispatcher.ts';
import { enqueueNotification } from './outbox.ts';
import { getDelivery } from './deliveryRecords.ts';
import { freshDeliveryStore, type DeliveryStore } from './testing/deliveryStore.ts';
import { waitForOutbox } from './testing/outboxProbe.ts';
import { HangingReceiver, TestReceiver, type Answer } from './testing/receivers.ts';
import { testEnvelopeSigner } from './testing/testSigner.ts';
import { BROADCAST_AUDIENCE, webhookEnvelopeSigner } from './notificationSigners.ts';
import { WebhookTransport } from './webhookTransport.ts';
import { EgressPolicy, LOOPBACK_EGRESS } from './egress.ts';

/** The receivers here listen on loopback, which the gateway refuses by default. */
const LOOPBACK = new EgressPolicy(LOOPBACK_EGRESS);

const FAST_RETRY = { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 4, minRetryWindowMs: 0 };
const JSON_TYPE = 'application/json';

forEachBackend((backend) => {
  describe(`Webhook delivery (${backend.name})`, function () {
    let delivery: DeliveryStore;
    const closers: Array<() => Promise<void>> = [];
    const { signer, verify } = testEnvelopeSigner();

    beforeEach(async function () {
      delivery = await freshDeliveryStore(backend, this);
    });
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
      await delivery?.store.close();
    });

    async function receiver(answer?: Answer): Promise<TestReceiver> {
      const started = await TestReceiver.start(answer);
      closers.push(() => started.close());
      return started;
    }

    function dispatcher(options: Partial<DispatcherOptions> = {}): DeliveryDispatcher {
      const transport = new WebhookTransport({ egress: LOOPBACK, sign: webhookEnvelopeSigner({ db: delivery.store.db, signer }) });
      const started = new DeliveryDispatcher({
        db: delivery.db,
        dialect: delivery.store.dialect,
        transports: { webhook: transport },
        retry: FAST_RETRY,
        attemptTimeoutMs: 1000,
        leaseMs: 2000,
        pollIntervalMs: 50,
        ...options,
      });
      started.start();
      closers.push(async () => {
        await started.stop();
        await transport.close();
      });
      return started;
    }

    async function enqueue(subscriberKey: string, url: string, count: number, extra: { bearerToken?: string } = {}): Promise<string[]> {
      return delivery.db.transaction().execute(async (tx) => {
        const ids: string[] = [];
        for (let n = 1; n <= count; n++) {
          const body = JSON.stringify({ objectType: 'EVENT', operation: 'CREATE', object: { id: `${subscriberKey}-${n}` } });
          const { id } = await enqueueNotification(tx, {
            subscriberKey,
            channel: { kind: 'webhook', url, ...extra },
            contentType: JSON_TYPE,
            body,
            idempotencyKey: `${subscriberKey}-${n}`,
          });
          ids.push(id);
        }
        return ids;
      });
    }

    it('POSTs every notification once, in order, with bearer token, idempotency key and a signature over the body', async () => {
      const counting = await receiver();
      await enqueue('ven-a', `${counting.url}/callbacks/events?ven=a`, 12, { bearerToken: 'secret-token' });
      dispatcher();
      await counting.waitFor(12);
      await waitForOutbox(delivery.db, (c) => c.delivered === 12);
      assert.deepEqual(
        counting.keys,
        Array.from({ length: 12 }, (_, i) => `ven-a-${i + 1}`),
      );
      const sequences: number[] = [];
      for (const request of counting.received) {
        assert.equal(request.path, '/callbacks/events?ven=a');
        assert.equal(request.headers.authorization, 'Bearer secret-token');
        assert.equal(request.headers['content-type'], JSON_TYPE);
        assert.equal(JSON.parse(request.body).object.id, request.headers['idempotency-key']);
        const header = await verify(String(request.headers['x-jws-signature']), request.body);
        // 'ven-a' names no party: the audience is every subscriber (a party-headed key names its party, see notificationSigners).
        assert.deepEqual(
          [header.iss, header.aud, header.htm, header.htu, header.ver],
          [signer.issuer, BROADCAST_AUDIENCE, 'POST', '/callbacks/events?ven=a', 'openadr/3.1.0'],
        );
        sequences.push(Number(header.seq));
      }
      assert.deepEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
        'sequence numbers increase',
      );
      assert.equal(new Set(sequences).size, sequences.length);
    });

    it('sends no Authorization header when the subscription gave no token', async () => {
      const counting = await receiver();
      await enqueue('ven-b', counting.url, 1);
      dispatcher();
      await counting.waitFor(1);
      assert.equal(counting.received[0]!.headers.authorization, undefined);
    });

    it('enqueues nothing when the transaction rolls back, and once per idempotency key', async () => {
      const counting = await receiver();
      await assert.rejects(
        delivery.db.transaction().execute(async (tx) => {
          await enqueueNotification(tx, {
            subscriberKey: 's',
            channel: { kind: 'webhook', url: counting.url },
            contentType: JSON_TYPE,
            body: '{}',
            idempotencyKey: 'k0',
          });
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      const first = await enqueueNotification(delivery.db, {
        subscriberKey: 's',
        channel: { kind: 'webhook', url: counting.url },
        contentType: JSON_TYPE,
        body: '{}',
        idempotencyKey: 'k1',
      });
      const again = await enqueueNotification(delivery.db, {
        subscriberKey: 's',
        channel: { kind: 'webhook', url: counting.url },
        contentType: JSON_TYPE,
        body: '{"other":1}',
        idempotencyKey: 'k1',
      });
      assert.deepEqual([first.created, again.created, again.id], [true, false, first.id]);
      dispatcher();
      await waitForOutbox(delivery.db, (c) => c.delivered === 1);
      assert.deepEqual(counting.keys, ['k1']);
    });

    it('retries 5xx, 408 and 429 until the receiver accepts, keeping the subscriber in order', async () => {
      const statuses = [503, 408, 429];
      const flaky = await receiver((n) => ({ status: statuses[n - 1] ?? 200 }));
      const [first] = await enqueue('ven-c', flaky.url, 2);
      dispatcher();
      await waitForOutbox(delivery.db, (c) => c.delivered === 2);
      assert.deepEqual(flaky.keys, ['ven-c-1', 'ven-c-1', 'ven-c-1', 'ven-c-1', 'ven-c-2'], 'the second waits for the first');
      const detail = await getDelivery(delivery.db, first!, new Date());
      assert.deepEqual(
        detail?.attemptHistory.map((a) => [a.outcome, a.statusCode, a.error?.code ?? null]),
        [
          ['retry', 503, 'delivery.unavailable'],
          ['retry', 408, 'delivery.unavailable'],
          ['retry', 429, 'delivery.unavailable'],
          ['delivered', 200, null],
        ],
      );
    });

    it('honours Retry-After', async () => {
      const limited = await receiver((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
      await enqueue('ven-d', limited.url, 1);
      dispatcher();
      await limited.waitFor(2);
      const gap = limited.received[1]!.at - limited.received[0]!.at;
      assert.ok(gap >= 950, `second attempt came ${gap} ms after the first`);
    });

    it('treats other 4xx and redirects as final: one attempt, dead-lettered', async () => {
      const refusing = await receiver(() => ({ status: 400 }));
      const redirecting = await receiver(() => ({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
      const [refused] = await enqueue('ven-e', refusing.url, 1);
      const [redirected] = await enqueue('ven-f', redirecting.url, 1);
      dispatcher();
      await waitForOutbox(delivery.db, (c) => c.dead === 2);
      assert.equal(refusing.received.length, 1);
      assert.equal(redirecting.received.length, 1);
      assert.equal((await getDelivery(delivery.db, refused!, new Date()))?.lastError?.code, 'delivery.rejected');
      assert.match((await getDelivery(delivery.db, redirected!, new Date()))?.lastError?.detail ?? '', /307 redirect .* not followed/);
    });

    it('dead-letters after the last allowed attempt, having retried timeouts and refused connections', async () => {
      const hanging = await HangingReceiver.start();
      closers.push(() => hanging.close());
      const [timedOut] = await enqueue('ven-g', hanging.url, 1);
      const [refused] = await enqueue('ven-h', 'http://127.0.0.1:1/closed', 1);
      const [badUrl] = await enqueue('ven-i', 'ftp://127.0.0.1/x', 1);
      dispatcher({ attemptTimeoutMs: 300, leaseMs: 600, retry: { ...FAST_RETRY, maxAttempts: 2 } });
      await waitForOutbox(delivery.db, (c) => c.dead === 3);
      const history = async (id: string) => (await getDelivery(delivery.db, id, new Date()))!.attemptHistory.map((a) => a.error?.code);
      assert.deepEqual(await history(timedOut!), ['delivery.timeout', 'delivery.timeout']);
      assert.deepEqual(await history(refused!), ['delivery.unreachable', 'delivery.unreachable']);
      assert.deepEqual(await history(badUrl!), ['delivery.callback-url-invalid']);
    });

    it('keeps a hanging subscriber from delaying the others', async () => {
      dispatcher({ attemptTimeoutMs: 5000, leaseMs: 10_000 });
      // Closed before the dispatcher stops, so the stop need not wait out the attempt timeout.
      const hanging = await HangingReceiver.start();
      closers.push(() => hanging.close());
      const healthy = await receiver();
      const started = Date.now();
      await enqueue('ven-hangs', hanging.url, 3);
      await enqueue('ven-healthy', healthy.url, 20);
      await healthy.waitFor(20, 4000);
      assert.ok(Date.now() - started < 4000);
      assert.equal(hanging.connections, 1, 'the hanging subscriber holds one connection: its queue waits, in order');
    });
  });
});
