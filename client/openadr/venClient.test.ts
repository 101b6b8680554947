import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { requireMqttBroker, TEST_MQTT_URL } from '../testing/mqttBroker.ts';
import type { Event, EventRequest } from '../../schemas/openadr/wire.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { clockSequence, signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';
import { loadTlsCredentials } from '../../certs/index.ts';
import { DEV_ADMIN, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../../gateway/testing/testGateway.ts';
import { GatewayRefusal } from '../refusal.ts';
import { pollEvents, type EventChange } from './eventWatch.ts';
import { MqttNotifications } from './mqttNotifications.ts';
import { NotificationVerifier } from './notificationVerifier.ts';
import { declarationReport, postActionReport, ReadingsMismatch, ReportNotRequested, statusReport } from './reports.ts';
import { VenClient } from './venClient.ts';
import { WebhookReceiver } from './webhookReceiver.ts';

const FSP_2 = 'urn:flexgate:fsp:fsp-dev-2';

/** POSTs a notification to a receiver as anyone could: the bytes, headers and signature given. */
function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('client/openadr: the VEN client against a real gateway', function () {
  this.timeout(60_000);
  let running: TestGateway;
  let dso: VenClient;
  let fsp: VenClient;
  let fspCredentials: { clientId: string; clientSecret: string };
  let venId: string;
  let programID: string;
  let names = 0;

  before(async function () {
    running = await startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-ven-client-')) });
    const admin = await running.client(DEV_ADMIN);
    const provision = async (party: string) =>
      (await admin.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party }), contentType: 'application/json' })).json<{
        clientId: string;
        clientSecret: string;
      }>();
    dso = new VenClient(await running.client(DEV_DSO), { credentials: await provision(DEV_DSO) });
    fspCredentials = await provision(DEV_FSP);
    fsp = new VenClient(await running.client(DEV_FSP), { credentials: fspCredentials });
    const ven = await fsp.registerVen('fsp1-ven');
    venId = ven.id;
    const resource = await fsp.registerResource(venId, 'G1_Agg1');
    await dso.updateResource(resource.id, {
      objectType: 'BL_RESOURCE_REQUEST',
      clientID: DEV_FSP,
      venID: venId,
      resourceName: 'G1_Agg1',
      targets: ['G1_Agg1'],
    });
    programID = (await dso.call<{ id: string }>('createProgram', { body: { programName: 'client-tests' } })).body.id;
  });
  after(async () => running?.close());

  const eventRequest = (values = [-100]): EventRequest => ({
    programID,
    eventName: `client test ${++names}`,
    targets: ['G1_Agg1'],
    reportDescriptors: [{ payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' }],
    payloadDescriptors: [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'DISPATCH_SETPOINT_RELATIVE', units: 'KW' }],
    intervals: values.map((value, id) => ({
      id,
      intervalPeriod: { start: new Date(Date.UTC(2030, 0, 1, 17, 30 * id)).toISOString(), duration: 'PT30M' },
      payloads: [{ type: 'DISPATCH_SETPOINT_RELATIVE', values: [value] }],
    })),
  });
  const createEvent = async (values?: number[]) => (await dso.call<Event>('createEvent', { body: eventRequest(values) })).body;

  describe('tokens', function () {
    it('registers itself once: a second registerVen finds the first registration', async function () {
      assert.equal((await fsp.registerVen('fsp1-ven')).id, venId);
      assert.equal((await fsp.vens()).length, 1);
    });

    it('renews the token before it expires, and not before', async function () {
      let now = Date.now();
      const ven = new VenClient(fsp.client, { credentials: fspCredentials, now: () => now });
      const first = await ven.accessToken();
      now += 3000 * 1000; // 50 minutes of a one-hour token: more than a tenth left
      assert.equal(await ven.accessToken(), first);
      now += 300 * 1000; // 55 minutes: less than a tenth left
      const renewed = await ven.accessToken();
      assert.notEqual(renewed, first);
      assert.ok((await ven.events()).length >= 0, 'the renewed token works');
    });

    it('fetches a token again, once, when the VTN no longer knows the one it holds', async function () {
      const ven = new VenClient(fsp.client, {
        credentials: fspCredentials,
        tokenCache: { load: () => ({ accessToken: 'revoked-or-unknown', expiresAt: Date.now() + 3_600_000 }), save: () => undefined },
      });
      assert.ok(Array.isArray(await ven.programs()));
      assert.notEqual(await ven.accessToken(), 'revoked-or-unknown');
    });

    it('throws refusals as GatewayRefusal with the problem document', async function () {
      const refused = await ven404();
      assert.equal(refused.code, 'openadr.not-found');
      assert.equal(refused.status, 404);
      assert.match(refused.problem.instance ?? '', /^https:\/\/127\.0\.0\.1:\d+\/openadr\/3\.1\.0\/events\/no-such-event$/);
    });
    const ven404 = async () => {
      try {
        await fsp.event('no-such-event');
      } catch (error) {
        if (error instanceof GatewayRefusal) return error;
        throw error;
      }
      return assert.fail('refusal expected');
    };
  });

  describe('events by polling', function () {
    it('yields each change once: a created, a varied and a cancelled event', async function () {
      const controller = new AbortController();
      const changes: EventChange[] = [];
      const watching = (async () => {
        for await (const change of pollEvents(fsp, { intervalMs: 50, signal: controller.signal, initial: 'skip', query: { programID } })) {
          changes.push(change);
          if (changes.length === 3) controller.abort();
        }
      })();
      const until = async (n: number) => {
        const deadline = Date.now() + 10_000;
        while (changes.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await new Promise((resolve) => setTimeout(resolve, 120));
      const event = await createEvent();
      await until(1);
      const { id: _i, createdDateTime: _c, modificationDateTime: _m, objectType: _o, ...request } = event;
      await dso.call('updateEvent', { params: { eventID: event.id }, body: { ...request, priority: 1 } });
      await until(2);
      await dso.call('deleteEvent', { params: { eventID: event.id } });
      await watching;
      assert.deepEqual(
        changes.map((c) => `${c.operation} ${c.event.id}`),
        [`CREATE ${event.id}`, `UPDATE ${event.id}`, `DELETE ${event.id}`],
      );
    });
  });

  describe('reports built from what the event asks for', function () {
    it('builds the USAGE report of the event’s reportDescriptors, one interval per event interval, and the VTN takes it', async function () {
      const event = await createEvent([-100, -50]);
      const report = postActionReport(event, { clientName: 'fsp1-ven', resourceName: 'G1_Agg1', values: [-98, -51] });
      assert.deepEqual(report.payloadDescriptors, [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' }]);
      assert.deepEqual(
        report.resources[0]!.intervals.map((i) => [i.id, i.intervalPeriod?.start, i.payloads[0]!.values[0]]),
        [
          [0, '2030-01-01T17:00:00.000Z', -98],
          [1, '2030-01-01T17:30:00.000Z', -51],
        ],
      );
      const posted = await fsp.createReport(report);
      assert.equal(posted.eventID, event.id);
      assert.equal((await fsp.event(event.id)).dispatchStage, 'COMPLETED');
    });

    it('refuses to build a report the event does not ask for, or readings that do not fit its intervals', async function () {
      const event = await createEvent();
      assert.throws(() => postActionReport(event, { clientName: 'v', resourceName: 'G1_Agg1', values: [1] }, 'BASELINE'), ReportNotRequested);
      assert.throws(() => postActionReport(event, { clientName: 'v', resourceName: 'G1_Agg1', values: [1, 2] }), ReadingsMismatch);
      const declaration = declarationReport(event, {
        clientName: 'v',
        resourceName: 'G1_Agg1',
        available_kW: -10,
        energySourceType: 'BATTERY',
        assetGroupId: 'g1',
      });
      assert.deepEqual(
        declaration.resources[0]!.intervals[0]!.payloads.map((p) => p.type),
        ['LOAD_SHED_DELTA_AVAILABLE', 'ENERGY_SOURCE_TYPE', 'ASSET_GROUP_ID'],
      );
      assert.equal(
        statusReport(event, { clientName: 'v', resourceName: 'G1_Agg1', value: 'NORMAL' }).resources[0]!.intervals[0]!.payloads[0]!.type,
        'OPERATING_STATE',
      );
    });
  });

  describe('webhook receiver', function () {
    let receiver: WebhookReceiver;
    let subscriptionID: string;
    const bearerToken = 'ven-webhook-secret';

    before(async function () {
      receiver = await WebhookReceiver.start({
        verifier: new NotificationVerifier({ gateway: await fsp.gatewayIdentity(), audience: fsp.party }),
        bearerToken,
      });
      subscriptionID = (
        await fsp.createSubscription({
          clientName: 'fsp1-ven',
          programID,
          objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: receiver.callbackUrl, bearerToken }],
        })
      ).id;
    });
    after(async () => {
      await fsp.deleteSubscription(subscriptionID).catch(() => undefined);
      await receiver?.close();
    });

    it('takes the gateway’s signed notification, addressed to this VEN, with the bearer token it gave', async function () {
      const event = await createEvent();
      const received = await receiver.next(20_000);
      assert.equal(received.notification.operation, 'CREATE');
      assert.equal(received.notification.object.id, event.id);
      assert.equal(received.envelope.issuer, running.gateway.identity);
      assert.equal(received.envelope.audience, DEV_FSP);
      assert.equal(received.repeat, false);
    });

    it('refuses what is unsigned, forged, tampered with, replayed or without its bearer token', async function () {
      const genuine = receiver.received.at(-1)!;
      const body = canonicalJson(genuine.notification);
      const auth = { authorization: `Bearer ${bearerToken}` };
      const path = new URL(receiver.callbackUrl).pathname;
      const forger = signerFromCredentials(await loadTlsCredentials(running.pkiDir, FSP_2));
      const forged = await signEnvelope(
        forger,
        { audience: DEV_FSP, sequence: clockSequence()(), method: 'POST', path, apiVersion: 'openadr/3.1.0' },
        Buffer.from(body),
      );
      // Signed with the gateway's own key (from the PKI folder): a signature that holds over a body that is no notification.
      const gatewaySigner = signerFromCredentials(await loadTlsCredentials(running.pkiDir, running.gateway.identity));
      const notANotification = await signEnvelope(
        gatewaySigner,
        { audience: DEV_FSP, sequence: clockSequence()(), method: 'POST', path, apiVersion: 'openadr/3.1.0' },
        Buffer.from('{}'),
      );
      const cases: Array<[string, Record<string, string>, string, number, string]> = [
        ['unsigned', auth, body, 401, 'notification.unsigned'],
        ['signed by another party', { ...auth, 'x-jws-signature': forged }, body, 401, 'notification.signature-invalid'],
        ['tampered body', { ...auth, 'x-jws-signature': genuine.envelope.jws }, body.replace('"CREATE"', '"DELETE"'), 401, 'notification.signature-invalid'],
        ['replayed as received', { ...auth, 'x-jws-signature': genuine.envelope.jws }, body, 401, 'notification.replayed'],
        ['without the bearer token', { 'x-jws-signature': genuine.envelope.jws }, body, 401, 'notification.unauthorized'],
        ['not a notification', { ...auth, 'x-jws-signature': notANotification }, '{}', 400, 'notification.invalid'],
      ];
      for (const [name, headers, sent, status, code] of cases) {
        const before = receiver.refused.length;
        assert.equal(await post(receiver.callbackUrl, sent, headers), status, name);
        assert.equal(receiver.refused[before]?.code, code, name);
      }
      assert.equal(receiver.received.length, 1, 'nothing refused was handed on');
    });
  });

  describe('webhook receiver over HTTPS', function () {
    it('serves the callback over TLS with a server certificate and takes a notification signed by the gateway', async function () {
      // Party certificates are for client authentication only; any certificate issued for server use serves (here the dev PKI's gateway one).
      const credentials = await loadTlsCredentials(running.pkiDir, running.gateway.identity);
      const receiver = await WebhookReceiver.start({
        verifier: new NotificationVerifier({ gateway: await fsp.gatewayIdentity(), audience: fsp.party }),
        bearerToken: 'tls-secret',
        tls: { cert: credentials.cert, key: credentials.key },
      });
      try {
        assert.match(receiver.callbackUrl, /^https:\/\/127\.0\.0\.1:\d+\/openadr\/notifications$/);
        const event = await createEvent();
        const body = canonicalJson({ objectType: 'EVENT', operation: 'UPDATE', object: event, targets: event.targets });
        const gatewaySigner = signerFromCredentials(await loadTlsCredentials(running.pkiDir, running.gateway.identity));
        const signature = await signEnvelope(
          gatewaySigner,
          { audience: DEV_FSP, sequence: clockSequence()(), method: 'POST', path: new URL(receiver.callbackUrl).pathname, apiVersion: 'openadr/3.1.0' },
          Buffer.from(body),
        );
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpsRequest(
            receiver.callbackUrl,
            {
              method: 'POST',
              ca: credentials.ca,
              checkServerIdentity: () => undefined,
              headers: { 'content-type': 'application/json', authorization: 'Bearer tls-secret', 'x-jws-signature': signature },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        assert.equal(status, 204);
        assert.equal((await receiver.next(5000)).notification.object.id, event.id);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('MQTT notifications', function () {
    let channel: MqttNotifications;

    before(async function () {
      await requireMqttBroker(this);
      const notifiers = await fsp.notifiers();
      assert.deepEqual(notifiers.MQTT?.URIS, [TEST_MQTT_URL]);
      const topics = await fsp.venTopics(venId, 'events');
      channel = await MqttNotifications.subscribe({
        brokerUrl: notifiers.MQTT!.URIS[0]!,
        topics: [topics.ALL!],
        verifier: new NotificationVerifier({ gateway: await fsp.gatewayIdentity(), audience: fsp.party }),
      });
    });
    after(async () => channel?.close());

    it('takes the gateway’s envelope from the MQTT 5 user properties of each message on the VEN’s own topic', async function () {
      const event = await createEvent();
      let received = await channel.next(20_000);
      while (received.notification.object.id !== event.id) received = await channel.next(20_000);
      assert.equal(received.channel, 'mqtt');
      assert.equal(received.destination, `openadr/3.1.0/vens/${venId}/events/create`);
      assert.equal(received.envelope.audience, DEV_FSP);
    });

    it('refuses a message published on that topic without the gateway’s signature', async function () {
      const before = channel.refused.length;
      const intruder = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
      await intruder.publishAsync(`openadr/3.1.0/vens/${venId}/events/create`, JSON.stringify({ objectType: 'EVENT', operation: 'CREATE', object: {} }), {
        qos: 1,
      });
      await intruder.endAsync();
      assert.equal((await channel.nextRefusal(10_000, before)).code, 'notification.unsigned');
    });
  });
});
