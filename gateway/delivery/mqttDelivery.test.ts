import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { forEachBackend } from '../store/testStores.ts';
import { getDelivery } from './deliveryRecords.ts';
import { DeliveryDispatcher } from './dispatcher.ts';
import { MqttTransport } from './mqttTransport.ts';
import { BROADCAST_AUDIENCE, mqttEnvelopeSigner } from './notificationSigners.ts';
import { enqueueNotification } from './outbox.ts';
import { freshDeliveryStore, type DeliveryStore } from './testing/deliveryStore.ts';
import { waitForOutbox } from './testing/outboxProbe.ts';
import { testEnvelopeSigner } from './testing/testSigner.ts';

const BROKER_URL = process.env.FLEXGATE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

interface Heard {
  topic: string;
  body: string;
  qos: number;
  userProperties: Record<string, string | string[]>;
}

/** A VEN-side subscriber on the real broker, or undefined (and a loud skip) when there is no broker. */
async function subscriber(test: Mocha.Context, filter: string): Promise<{ client: MqttClient; heard: Heard[] }> {
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(BROKER_URL, { protocolVersion: 5, connectTimeout: 3000, reconnectPeriod: 0 });
  } catch (error) {
    console.warn(
      `\n  !! SKIPPED: no MQTT broker at ${BROKER_URL} (${(error as Error).message}). Start it with: mosquitto -d -c /etc/mosquitto/mosquitto.conf\n`,
    );
    test.skip();
  }
  const heard: Heard[] = [];
  client.on('message', (topic, payload, packet) => {
    heard.push({ topic, body: payload.toString('utf8'), qos: packet.qos, userProperties: packet.properties?.userProperties ?? {} });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, heard };
}

forEachBackend((backend) => {
  describe(`MQTT delivery (${backend.name})`, function () {
    let delivery: DeliveryStore | undefined;
    const closers: Array<() => Promise<unknown>> = [];
    const signing = testEnvelopeSigner();

    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
      await delivery?.store.close();
    });

    function dispatch(opened: DeliveryStore, url: string): { transport: MqttTransport; dispatcher: DeliveryDispatcher } {
      const transport = new MqttTransport({ url, sign: mqttEnvelopeSigner({ db: opened.store.db, signer: signing.signer }) });
      const dispatcher = new DeliveryDispatcher({
        db: opened.db,
        dialect: opened.store.dialect,
        transports: { mqtt: transport },
        retry: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 50, minRetryWindowMs: 0 },
        attemptTimeoutMs: 2000,
        leaseMs: 4000,
        pollIntervalMs: 50,
      });
      dispatcher.start();
      closers.push(
        () => transport.close(),
        () => dispatcher.stop(),
      );
      return { transport, dispatcher };
    }

    it('publishes every notification with QoS 1 to a real subscriber on the broker, signed, with its idempotency key', async function () {
      const root = `flexgate-test/${randomUUID()}`;
      const { client, heard } = await subscriber(this, `${root}/#`);
      closers.push(() => client.endAsync());
      const opened = await freshDeliveryStore(backend, this);
      delivery = opened;
      const topics = [`${root}/events/vens/ven-1/create`, `${root}/events/vens/ven-2/create`, `${root}/events/programs/p-1/update`];
      await opened.db.transaction().execute(async (tx) => {
        for (const [n, topic] of topics.entries()) {
          for (const m of [1, 2, 3]) {
            const body = JSON.stringify({ objectType: 'EVENT', operation: 'CREATE', object: { id: `e-${n}-${m}` } });
            await enqueueNotification(tx, {
              subscriberKey: `mqtt:${topic}`,
              channel: { kind: 'mqtt', topic },
              contentType: 'application/json',
              body,
              idempotencyKey: `e-${n}-${m}`,
            });
          }
        }
      });
      dispatch(opened, BROKER_URL);
      await waitForOutbox(opened.db, (c) => c.delivered === 9);
      const deadline = Date.now() + 5000;
      while (heard.length < 9 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

      assert.equal(heard.length, 9);
      for (const [n, topic] of topics.entries()) {
        const onTopic = heard.filter((h) => h.topic === topic);
        assert.deepEqual(
          onTopic.map((h) => h.userProperties['idempotency-key']),
          [1, 2, 3].map((m) => `e-${n}-${m}`),
          `${topic} in order`,
        );
      }
      for (const message of heard) {
        assert.equal(message.qos, 1);
        assert.equal(JSON.parse(message.body).object.id, message.userProperties['idempotency-key']);
        const header = await signing.verify(String(message.userProperties['x-jws-signature']), message.body);
        assert.deepEqual([header.htm, header.htu, header.aud], ['PUBLISH', message.topic, BROADCAST_AUDIENCE]);
      }
    });

    it('retries while the broker cannot be reached, keeping the notification', async function () {
      const opened = await freshDeliveryStore(backend, this);
      delivery = opened;
      const { id } = await enqueueNotification(opened.db, {
        subscriberKey: 'mqtt:x',
        channel: { kind: 'mqtt', topic: 'flexgate-test/x' },
        contentType: 'application/json',
        body: '{}',
        idempotencyKey: 'k',
      });
      dispatch(opened, 'mqtt://127.0.0.1:1');
      await waitForOutbox(opened.db, (c) => c.retrying === 1);
      const detail = await getDelivery(opened.db, id, new Date());
      assert.equal(detail?.lastError?.code, 'delivery.unreachable');
    });
  });
});
