import assert from 'node:assert/strict';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import { VenClient } from '../../client/openadr/venClient.ts';
import type { Event } from '../../schemas/openadr/wire.ts';
import { bitraderRegistry } from './testing/bitraderRegistry.ts';

const problem = (code: string) => `urn:flexgate:problem:${code}`;

forEachBackend((backend) => {
  describe(`Registry in the assembled gateway on ${backend.name}`, function () {
    this.timeout(120_000);
    let running: TestGateway;
    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
    });
    after(() => running?.close());

    it('is administered by administrators only, and enforced at intake once it holds anything', async function () {
      const figure7 = bitraderFixture(this, 'mol-traded-figure7.tsv');
      const admin = await running.client(DEV_ADMIN);
      const fsp = await running.client(DEV_FSP);
      const anm = await running.client(DEV_ANM);
      const json = 'application/json';

      const forbidden = await fsp.request('GET', '/admin/v1/registry');
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.json<{ type: string }>().type, problem('auth.role-forbidden'));

      const put = await admin.request('PUT', '/admin/v1/registry', { body: JSON.stringify(bitraderRegistry()), contentType: json });
      assert.equal(put.status, 200, put.text());

      const accepted = await anm.request('POST', '/anm/v1/merit-order-lists', { body: figure7, contentType: 'text/tab-separated-values' });
      assert.equal(accepted.status, 201, accepted.text());
      // ENA D2: each event names its registered asset's DSO asset id, asset group and energy source after resource and contract.
      const provisioned = await admin.request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party: DEV_DSO }), contentType: json });
      assert.equal(provisioned.status, 201, provisioned.text());
      const dso = new VenClient(await running.client(DEV_DSO), { credentials: provisioned.json(), sign: false });
      await dso.fetchToken();
      const dispatched = (await dso.call<Event[]>('searchAllEvents')).body;
      assert.equal(dispatched.length, 4, 'the four contracts with a non-zero instruction in figure 7');
      const assets = new Map(bitraderRegistry().assets.map((a) => [a.resourceId, a]));
      for (const event of dispatched) {
        const asset = assets.get(event.targets![0]!)!;
        assert.deepEqual(event.targets!.slice(2), [
          `DSO_ASSET_ID:${asset.dsoAssetId}`,
          `ASSET_GROUP:${asset.assetGroupId}`,
          `ENERGY_SOURCE:${asset.energySource}`,
        ]);
      }
      const refused = await anm.request('POST', '/anm/v1/merit-order-lists', {
        body: figure7.toString('utf8').replace(/Agg_Seller_2/g, 'Agg_Seller_9'),
        contentType: 'text/tab-separated-values',
      });
      assert.equal(refused.status, 422);
      assert.equal(refused.json<{ type: string }>().type, problem('registry.contract-unregistered'));

      const statement = await admin.request('GET', '/admin/v1/settlement/statements?fsp=fsp-agg1&from=2024-10-18T00:00:00Z&to=2024-10-19T00:00:00Z');
      assert.equal(statement.status, 200, statement.text());
      assert.equal(statement.json<{ total: number }>().total, 0);
    });
  });
});
