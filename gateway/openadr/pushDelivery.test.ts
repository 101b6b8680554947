import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { loadTlsCredentials } from '../../certs/index.ts';
import { TestReceiver } from '../delivery/testing/receivers.ts';
import type { StoreOptions } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { VenClient } from '../../client/openadr/venClient.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { startGatewayProcess, type GatewayProcess } from '../testing/gatewayProcess.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, temporaryDevPki } from '../testing/testGateway.ts';

const MQTT_URL = process.env.FLEXGATE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

interface Notification {
  objectType: string;
  operation: string;
  object: { id: string };
}

const storeArgs = (options: StoreOptions) =>
  options.databaseUrl ? ['--database-url', options.databaseUrl, '--database-schema', options.schema!] : ['--data-dir', options.dataDir!];

/** A subscriber on the real broker; skips the test loudly when there is none. */
async function brokerSubscriber(test: Mocha.Context, topic: string): Promise<{ messages: Notification[]; close(): Promise<void> }> {
  const client = mqtt.connect(MQTT_URL, { connectTimeout: 3000, reconnectPeriod: 0 });
  const ready = await new Promise<boolean>((resolve) => {
    client.once('connect', () => resolve(true));
    client.once('error', () => resolve(false));
    setTimeout(() => resolve(false), 3500);
  });
  if (!ready) {
    client.end(true);
    console.warn(`\n  !! SKIPPED: no MQTT broker at ${MQTT_URL}; start it with: mosquitto -d -c /etc/mosquitto/mosquitto.conf\n`);
    test.skip();
  }
  const messages: Notification[] = [];
  client.on('message', (_topic, payload) => messages.push(JSON.parse(payload.toString('utf8')) as Notification));
  await client.subscribeAsync(topic, { qos: 1 });
  return { messages, close: async () => void (await client.endAsync()) };
}

forEachBackend((backend) => {
  describe(`OpenADR push delivery from a real gateway process on ${backend.name}`, function () {
    this.timeout(120_000);
    const processes: GatewayProcess[] = [];
    const clients: FlexgateClient[] = [];
    let receiver: TestReceiver | undefined;
    let subscriber: Awaited<ReturnType<typeof brokerSubscriber>> | undefined;
    after(async () => {
      for (const running of processes) running.child.kill('SIGKILL');
      for (const client of clients) client.close();
      await receiver?.close();
      await subscriber?.close();
    });

    it('delivers every event notification of the figure 6 and 7 lists by webhook and MQTT, and loses none when killed mid-delivery', async function () {
      const pkiDir = await temporaryDevPki();
      const options = await backend.storeOptions(this);
      const mqttSubscriber = (subscriber = await brokerSubscriber(this, 'openadr/3.1.0/events/create'));
      // Slow enough that the gateway is killed with deliveries still queued.
      const webhook = (receiver = await TestReceiver.start(() => ({ status: 204, delayMs: 400 })));

      const start = async () => {
        const running = await startGatewayProcess([...storeArgs(options), '--pki-dir', pkiDir, '--mqtt-url', MQTT_URL]);
        processes.push(running);
        return running;
      };
      const clientFor = async (running: GatewayProcess, urn: string) => {
        const client = new FlexgateClient(running.url, await loadTlsCredentials(pkiDir, urn));
        clients.push(client);
        return client;
      };

      const first = await start();
      const admin = await clientFor(first, DEV_ADMIN);
      const credentials = (
        await admin.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party: DEV_DSO }), contentType: 'application/json' })
      ).json<{
        clientId: string;
        clientSecret: string;
      }>();
      const dso = new VenClient(await clientFor(first, DEV_DSO), { credentials, sign: false });
      const subscription = await dso.createSubscription({
        clientName: 'dso-dispatch-monitor',
        objectOperations: [
          { objects: ['EVENT'], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl: `${webhook.url}/notify`, bearerToken: 'webhook-secret' },
        ],
      });
      assert.equal(subscription.clientID, DEV_DSO);

      const anm = await clientFor(first, DEV_ANM);
      for (const fixture of ['mol-original-figure6.tsv', 'mol-traded-figure7.tsv'] as const) {
        const posted = await anm.request('POST', '/anm/v1/merit-order-lists', {
          body: bitraderFixture(this, fixture),
          contentType: 'text/tab-separated-values',
        });
        assert.equal(posted.status, 201, posted.text());
      }
      const events = await dso.events();
      assert.equal(events.length, 4, 'figure 6 instructs nobody; figure 7 four contracts');

      await webhook.waitFor(1);
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      const deliveredBeforeKill = new Set(webhook.keys).size;
      assert.ok(deliveredBeforeKill < events.length, 'killed with deliveries outstanding');

      await start();
      const deadline = Date.now() + 60_000;
      // A delivery the killed process had claimed waits for its lease to lapse (25 s), then the new process sends it.
      while (new Set(webhook.keys).size < events.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

      const delivered = new Map<string, Notification>();
      for (const request of webhook.received) {
        assert.equal(request.headers.authorization, 'Bearer webhook-secret');
        assert.match(String(request.headers['x-jws-signature']), /^[\w-]+\.\.[\w-]+$/, 'signed with the gateway envelope');
        const key = String(request.headers['idempotency-key']);
        const notification = JSON.parse(request.body) as Notification;
        const earlier = delivered.get(key);
        if (earlier) assert.deepEqual(notification, earlier, 'a repeat (after the kill) is the same notification under the same key');
        delivered.set(key, notification);
      }
      assert.deepEqual(
        [...delivered.values()].map((n) => `${n.objectType} ${n.operation} ${n.object.id}`).sort(),
        events.map((event) => `EVENT CREATE ${event.id}`).sort(),
      );
      console.log(`      ${webhook.received.length} webhook requests for ${events.length} notifications (${deliveredBeforeKill} before SIGKILL)`);

      // The broker is shared (other gateways' tests publish there too): only this gateway's events are looked for.
      const expected = events.map((event) => event.id).sort();
      const arrived = () => expected.filter((id) => mqttSubscriber.messages.some((n) => n.object.id === id));
      const mqttDeadline = Date.now() + 20_000;
      while (arrived().length < expected.length && Date.now() < mqttDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(arrived(), expected, 'the same notifications on the broker');
    });
  });
});
