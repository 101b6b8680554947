import assert from 'node:assert/strict';
import type { Event } from '../../schemas/openadr/wire.ts';
import { VenClient } from '../../client/openadr/venClient.ts';
import { benchMeritOrderList } from '../bench/p2List.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import { MQTT_TOPIC_ROOT } from './notifications.ts';
import { listObjects } from './objectTable.ts';

forEachBackend((backend) => {
  describe(`the OpenADR VTN inside the whole gateway (mutual TLS, trust layer) on ${backend.name}`, function () {
    this.timeout(60_000);
    let running: TestGateway;
    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
    });
    after(async () => running?.close());

    /** Client credentials as an administrator provisions them, then a plain (unsigned) OpenADR client with its token. */
    async function venClientOf(party: string): Promise<VenClient> {
      const admin = await running.client(DEV_ADMIN);
      const provisioned = await admin.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party }), contentType: 'application/json' });
      assert.equal(provisioned.status, 201, provisioned.text());
      const credentials = provisioned.json<{ clientId: string; clientSecret: string; tokenUrl: string }>();
      assert.equal(credentials.tokenUrl, `${running.gateway.url}/openadr/3.1.0/auth/token`, 'an absolute token URL');
      const ven = new VenClient(await running.client(party), { credentials, sign: false });
      await ven.fetchToken();
      return ven;
    }

    it('turns a stored traded merit order list into events that a business-logic client polls', async function () {
      const anm = await running.client(DEV_ANM);
      const posted = await anm.request('POST', '/anm/v1/merit-order-lists', {
        body: bitraderFixture(this, 'mol-traded-figure7.tsv'),
        contentType: 'text/tab-separated-values',
      });
      assert.equal(posted.status, 201, posted.text());

      const dso = await venClientOf(DEV_DSO);
      const events = await dso.call<Event[]>('searchAllEvents');
      assert.equal(events.body.length, 4, 'the four contracts with a non-zero instruction in figure 7');
      assert.ok(events.body.every((event) => event.payloadDescriptors?.every((descriptor) => descriptor.units === 'KW') ?? true));
      assert.ok(events.signature.issuer.startsWith('urn:flexgate:gateway:'), 'the VTN signs its responses too');
    });

    it('signs OpenADR answers for their own API version (`ver` openadr/3.1.0, 3.0.1, 2.0b), not admin/v1', async function () {
      // FlexgateClient refuses an answer whose `ver` is not the request's API version: each request below would throw.
      const fsp = await running.client(DEV_FSP);
      const server = await fsp.request('GET', '/openadr/3.1.0/auth/server', { signature: null });
      assert.deepEqual([server.status, server.signature.schemaVersion], [200, 'openadr/3.1.0']);
      const refused301 = await fsp.request('GET', '/openadr/3.0.1/programs', { signature: null });
      assert.deepEqual([refused301.status, refused301.signature.schemaVersion], [403, 'openadr/3.0.1']);
      const signed = await fsp.request('GET', '/openadr/3.1.0/programs');
      assert.deepEqual([signed.status, signed.signature.schemaVersion], [401, 'openadr/3.1.0']);
      const legacy = await fsp.request('GET', '/openadr/2.0b/events', { headers: { accept: 'application/xml' } });
      assert.deepEqual([legacy.status, legacy.signature.schemaVersion], [400, 'openadr/2.0b']);
      const admin = await (await running.client(DEV_ADMIN)).request('POST', '/admin/v1/openadr/clients', { body: '{}', contentType: 'application/json' });
      assert.deepEqual([admin.status, admin.signature.schemaVersion], [400, 'admin/v1']);
    });

    it('refuses OpenADR administration to anyone but the admin role, and problems carry an absolute instance', async () => {
      const fsp = await running.client(DEV_FSP);
      const refused = await fsp.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party: DEV_FSP }), contentType: 'application/json' });
      assert.equal(refused.status, 403);
      const problem = refused.json<{ type: string; instance: string }>();
      assert.equal(problem.type, 'urn:flexgate:problem:auth.role-forbidden');
      assert.equal(problem.instance, `${running.gateway.url}/admin/v1/openadr/clients`);
    });

    it('creates and announces the events of a list larger than one batch: each once, in the order they were created', async function () {
      const entries = 2_345;
      const anm = await running.client(DEV_ANM);
      const posted = await anm.request('POST', '/anm/v1/merit-order-lists', {
        body: JSON.stringify(benchMeritOrderList(entries)),
        contentType: 'application/json',
      });
      assert.equal(posted.status, 201, posted.text());
      const { db } = running.gateway.store;
      const events = await listObjects<Event>(db, 'EVENT', { sourcePrefix: `${posted.json<{ id: string }>().id}/` });
      assert.equal(events.length, entries, 'one event per contract');
      const programs = new Set(events.map((event) => event.programId));
      assert.equal(programs.size, 1);
      const created = new Set(events.map((event) => event.id));
      // Per topic: the events' notifications as queued (outbox order is delivery order), this list's only.
      const announced = async (topic: string) =>
        (await db.selectFrom('delivery_outbox').select(['idempotency_key']).where('destination', '=', topic).orderBy('seq').execute())
          .map((row) => row.idempotency_key.split(':')[0]!)
          .filter((id) => created.has(id));
      const inOrder = events.map((event) => event.id);
      assert.deepEqual(await announced(`${MQTT_TOPIC_ROOT}/events/create`), inOrder);
      assert.deepEqual(await announced(`${MQTT_TOPIC_ROOT}/programs/${[...programs][0]}/events/create`), inOrder);
      // Announced once: a second announcement would store every body again, its outbox rows skipped as already queued.
      const unsent = await db
        .selectFrom('delivery_bodies as b')
        .select((eb) => eb.fn.countAll<number | string>().as('bodies'))
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('delivery_outbox as o').select('o.seq').whereRef('o.body_id', '=', 'b.id'))))
        .executeTakeFirstOrThrow();
      assert.equal(Number(unsent.bodies), 0, 'bodies no notification sends');
    });

    it('keeps idempotent replays per sender: two parties posting the same body each get their own document', async function () {
      const body = bitraderFixture(this, 'cla-figure5.tsv');
      const [anm, dso] = [await running.client(DEV_ANM), await running.client(DEV_DSO)];
      const first = await anm.request('POST', '/anm/v1/constraint-look-aheads', { body, contentType: 'text/tab-separated-values' });
      const second = await dso.request('POST', '/anm/v1/constraint-look-aheads', { body, contentType: 'text/tab-separated-values' });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.notEqual(second.headers.location, first.headers.location);
      assert.equal(second.headers['idempotency-replayed'], undefined);
    });
  });
});
