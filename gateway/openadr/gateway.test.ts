import assert from 'node:assert/strict';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import type { FlexgateClient } from '../../client/flexgateClient.ts';

const VTN = '/openadr/3.1.0';

interface EventObject {
  id: string;
  programID: string;
  payloadDescriptors?: { payloadType: string; units?: string }[];
  intervals: { payloads: { type: string; values: number[] }[] }[];
}

forEachBackend((backend) => {
  describe(`the OpenADR VTN inside the whole gateway (mutual TLS, trust layer) on ${backend.name}`, function () {
    this.timeout(60_000);
    let running: TestGateway;
    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
    });
    after(async () => running?.close());

    /** Client credentials as an administrator provisions them, then a token as a plain (unsigned) OpenADR client gets it. */
    async function tokenFor(client: FlexgateClient, party: string): Promise<string> {
      const admin = await running.client(DEV_ADMIN);
      const provisioned = await admin.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party }), contentType: 'application/json' });
      assert.equal(provisioned.status, 201, provisioned.text());
      const { clientId, clientSecret } = provisioned.json<{ clientId: string; clientSecret: string }>();
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
      const token = await client.request('POST', `${VTN}/auth/token`, { body: form, contentType: 'application/x-www-form-urlencoded', signature: null });
      assert.equal(token.status, 200, token.text());
      return token.json<{ access_token: string }>().access_token;
    }

    it('turns a stored traded merit order list into events that a business-logic client polls', async function () {
      const anm = await running.client(DEV_ANM);
      const posted = await anm.request('POST', '/anm/v1/merit-order-lists', {
        body: bitraderFixture(this, 'mol-traded-figure7.tsv'),
        contentType: 'text/tab-separated-values',
      });
      assert.equal(posted.status, 201, posted.text());

      const dso = await running.client(DEV_DSO);
      const token = await tokenFor(dso, DEV_DSO);
      const events = await dso.request('GET', `${VTN}/events`, { headers: { authorization: `Bearer ${token}` }, signature: null });
      assert.equal(events.status, 200, events.text());
      const list = events.json<EventObject[]>();
      assert.equal(list.length, 4, 'the four contracts with a non-zero instruction in figure 7');
      assert.ok(list.every((event) => event.payloadDescriptors?.every((descriptor) => descriptor.units === 'KW') ?? true));
      assert.ok(events.signature.issuer.startsWith('urn:flexgate:gateway:'), 'the VTN signs its responses too');
    });

    it('refuses OpenADR administration to anyone but the admin role, and problems carry an absolute instance', async () => {
      const fsp = await running.client(DEV_FSP);
      const refused = await fsp.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party: DEV_FSP }), contentType: 'application/json' });
      assert.equal(refused.status, 403);
      const problem = refused.json<{ type: string; instance: string }>();
      assert.equal(problem.type, 'urn:flexgate:problem:auth.role-forbidden');
      assert.equal(problem.instance, `${running.gateway.url}/admin/v1/openadr/clients`);
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
