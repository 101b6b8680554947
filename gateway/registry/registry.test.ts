import assert from 'node:assert/strict';
import type { Express } from 'express';
import { sql } from 'kysely';
import request from 'supertest';
import type { RegistrySnapshot } from '../../schemas/registry/registry.ts';
import { anmRouter } from '../anm/routes.ts';
import { Intake } from '../intake.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { FIGURE6_SECOND_ENTRY } from '../testing/meritOrderLists.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { routerTestApp } from '../testing/routerApp.ts';
import { adminRegistryRouter } from './adminRoutes.ts';
import { registryConsistencyReaction } from './intakeConsistency.ts';
import { replaceRegistry } from './registryRecords.ts';
import { RegistryIndexCache } from './registryIndexCache.ts';
import { bitraderRegistry } from './testing/bitraderRegistry.ts';

const TSV = 'text/tab-separated-values';
const problem = (code: string) => `urn:flexgate:problem:${code}`;

const TEMPLATE_CSV = [
  'FSP ID,DSO Asset ID,Resource ID,Asset Group ID,Asset Name,Technology Type,Import Capacity (kW),Export Capacity (kW),Connection Point,Site Postcode',
  'fsp-agg1,ENWL-G1_Agg1,G1_Agg1,GRP-G1_Agg1,"Aggregate 1, homes",Demand Side Response,"1,200",0,C1-PRIMARY,M1 1AA',
  'fsp-agg2,ENWL-G1_Agg6,G1_Agg6,GRP-G1_Agg2,Aggregate 6,Battery Storage,300,300,C1-PRIMARY,M1 1AB',
].join('\r\n');

/** A one-entry merit order list, JSON as an ANM client posts it. */
const oneEntryList = (entries: Array<{ contractId: string; resourceId: string }>) => ({
  issuedAt: '2024-10-17T14:00:00+01:00',
  periodStart: '2024-10-18T08:00:00+01:00',
  entries: entries.map((e, i) => ({ ...FIGURE6_SECOND_ENTRY, order: i + 1, ...e })),
});

forEachBackend((backend) => {
  describe(`Registry of parties, assets and contracts (${backend.name})`, function () {
    this.timeout(120_000);
    let store: Store;
    const app = (mode: 'enforced' | 'permissive' = 'enforced'): Express =>
      routerTestApp(adminRegistryRouter({ store }), anmRouter({ intake: new Intake(store, [registryConsistencyReaction(mode)]), maxBodyBytes: 1_000_000 }));
    const putRegistry = (snapshot: RegistrySnapshot) => request(app()).put('/admin/v1/registry').type('application/json').send(JSON.stringify(snapshot));
    const postList = (body: unknown, mode?: 'enforced' | 'permissive') =>
      request(app(mode)).post('/anm/v1/merit-order-lists').type('application/json').send(JSON.stringify(body));

    beforeEach(async function () {
      store = await backend.open(this);
    });
    afterEach(async () => store?.close());

    it('stores a whole registry and serves it back, by collection and by id (contracts without regard to case)', async () => {
      const registry = bitraderRegistry();
      const put = await putRegistry(registry).expect(200);
      assert.equal(put.body.contracts.length, 10);
      const read = await request(app()).get('/admin/v1/registry').expect(200);
      assert.deepEqual(read.body, put.body);
      const contract = await request(app()).get('/admin/v1/registry/contracts/agg_seller_1').expect(200);
      assert.equal(contract.body.contractId, 'Agg_Seller_1');
      assert.deepEqual(contract.body.availabilityPrice, { amount: 500, currency: 'GBP' });
      const missing = await request(app()).get('/admin/v1/registry/assets/NOPE').expect(404);
      assert.equal(missing.body.type, problem('registry.not-found'));
    });

    it('keeps its index while the registry is unchanged, and reads it again after a write, by anyone, but never after a write that rolled back', async () => {
      const cache = new RegistryIndexCache();
      await putRegistry(bitraderRegistry()).expect(200);
      const first = await cache.indexOf(store.db);
      assert.equal(await cache.indexOf(store.db), first, 'an unchanged registry is read again');
      assert.equal(first.assets.size, bitraderRegistry().assets.length);

      // A write that rolls back, after its own transaction cached what it wrote, leaves no trace in the cache.
      await assert.rejects(
        store.transaction(async (tx) => {
          await replaceRegistry(tx, { parties: [], assets: [], contracts: [] });
          assert.equal((await cache.indexOf(tx)).assets.size, 0);
          throw new Error('refused');
        }),
        /refused/,
      );
      assert.equal((await cache.indexOf(store.db)).assets.size, bitraderRegistry().assets.length);

      await putRegistry({ ...bitraderRegistry(), contracts: bitraderRegistry().contracts.slice(1) }).expect(200);
      assert.equal((await cache.indexOf(store.db)).contracts.size, bitraderRegistry().contracts.length - 1);
      // Another instance's or process's write replaces the version token the same way.
      const before = await cache.indexOf(store.db);
      await sql`update registry_version set version = ${'written elsewhere'}`.execute(store.db);
      assert.notEqual(await cache.indexOf(store.db), before);
    });

    it('imports assets from the ENA pre-qualification template as CSV, merging by DSO asset id', async () => {
      await putRegistry(bitraderRegistry()).expect(200);
      const merged = await request(app()).post('/admin/v1/registry/import').type('text/csv').send(TEMPLATE_CSV).expect(200);
      const agg1 = merged.body.assets.find((a: { dsoAssetId: string }) => a.dsoAssetId === 'ENWL-G1_Agg1');
      assert.deepEqual(agg1, {
        dsoAssetId: 'ENWL-G1_Agg1',
        resourceId: 'G1_Agg1',
        assetGroupId: 'GRP-G1_Agg1',
        name: 'Aggregate 1, homes',
        energySource: 'demand-side-response',
        mic_kW: 1200,
        mec_kW: 0,
        connectionPoint: 'C1-PRIMARY',
        fspPartyId: 'fsp-agg1',
      });
      assert.equal(merged.body.assets.length, 11);
      assert.equal(merged.body.assets.find((a: { dsoAssetId: string }) => a.dsoAssetId === 'ENWL-G1_Agg6').energySource, 'battery');
    });

    it('refuses a template row it cannot read, with row and column (registry.csv-invalid)', async () => {
      const csv = TEMPLATE_CSV.replace('Battery Storage', 'Perpetual motion').replace('300,300', 'lots,300');
      const res = await request(app()).post('/admin/v1/registry/import').type('text/csv').send(csv).expect(400);
      assert.equal(res.body.type, problem('registry.csv-invalid'));
      assert.deepEqual(
        res.body.errors.map((e: { row: number; columnName: string }) => [e.row, e.columnName]),
        [
          [3, 'Technology Type'],
          [3, 'Import Capacity (kW)'],
        ],
      );
    });

    it('refuses a contract naming a party or asset it does not hold (registry.reference-unknown)', async () => {
      const registry = bitraderRegistry();
      registry.contracts[0] = { ...registry.contracts[0]!, dsoAssetIds: ['ENWL-NOWHERE'] };
      const res = await putRegistry(registry).expect(422);
      assert.equal(res.body.type, problem('registry.reference-unknown'));
      assert.equal(res.body.errors[0].pointer, '/contracts/0/dsoAssetIds/0');
    });

    it('refuses an id given twice (registry.duplicate)', async () => {
      const registry = bitraderRegistry();
      const res = await putRegistry({ ...registry, contracts: [...registry.contracts, { ...registry.contracts[0]!, contractId: 'a1_buyer' }] }).expect(422);
      assert.equal(res.body.type, problem('registry.duplicate'));
      assert.equal(res.body.errors[0].pointer, '/contracts/10');
    });

    describe('consistency at intake', () => {
      it('checks nothing while the registry is empty: lists are accepted as before', async () => {
        await postList(oneEntryList([{ contractId: 'Unknown_1', resourceId: 'G1_X' }])).expect(201);
      });

      it('accepts the figure 7 list when every contract and resource is registered', async function () {
        await putRegistry(bitraderRegistry()).expect(200);
        await request(app()).post('/anm/v1/merit-order-lists').type(TSV).send(bitraderFixture(this, 'mol-traded-figure7.tsv')).expect(201);
      });

      it('refuses a list naming an unregistered contract (registry.contract-unregistered)', async () => {
        await putRegistry(bitraderRegistry()).expect(200);
        const res = await postList(oneEntryList([{ contractId: 'Agg_Seller_9', resourceId: 'G1_Agg1' }])).expect(422);
        assert.equal(res.body.type, problem('registry.contract-unregistered'));
        assert.equal(res.body.errors[0].pointer, '/entries/0/contractId');
        assert.equal((await request(app()).get('/anm/v1/merit-order-lists').expect(200)).body.items.length, 0, 'nothing stored');
      });

      it('refuses a contract outside its validity window (registry.contract-unregistered)', async () => {
        const registry = bitraderRegistry();
        registry.contracts[5] = { ...registry.contracts[5]!, validTo: '2024-10-18T07:00:00Z' };
        await putRegistry(registry).expect(200);
        const res = await postList(oneEntryList([{ contractId: 'Agg_Seller_1', resourceId: 'G1_Agg1' }])).expect(422);
        assert.equal(res.body.type, problem('registry.contract-unregistered'));
      });

      it('refuses a contract paired with a resource it does not cover (registry.asset-not-covered)', async () => {
        await putRegistry(bitraderRegistry()).expect(200);
        const res = await postList(oneEntryList([{ contractId: 'Agg_Seller_1', resourceId: 'G1_Agg2' }])).expect(422);
        assert.equal(res.body.type, problem('registry.asset-not-covered'));
        assert.equal(res.body.errors[0].pointer, '/entries/0/resourceId');
      });

      it('refuses an asset offered by two FSPs for the same window (registry.asset-double-offered)', async () => {
        const registry = bitraderRegistry();
        // fsp-agg2 also holds a contract for Aggregate 1's asset: the registry keeps both (an asset changing aggregator) ...
        const rival = { ...registry.contracts[5]!, contractId: 'Agg1_Via_Agg2', fspPartyId: 'fsp-agg2' };
        await putRegistry({ ...registry, contracts: [...registry.contracts, rival] }).expect(200);
        // ... but offering it while both are valid is paying one asset twice.
        const res = await postList(oneEntryList([{ contractId: 'Agg_Seller_1', resourceId: 'G1_Agg1' }])).expect(422);
        assert.equal(res.body.type, problem('registry.asset-double-offered'));
        assert.match(res.body.detail, /fsp-agg1.*Agg_Seller_1.*fsp-agg2.*Agg1_Via_Agg2/);

        // Once the rival contract has ended before the window, the offer is the first FSP's alone.
        await putRegistry({ ...registry, contracts: [...registry.contracts, { ...rival, validTo: '2024-10-18T07:00:00Z' }] }).expect(200);
        await postList(oneEntryList([{ contractId: 'Agg_Seller_1', resourceId: 'G1_Agg1' }])).expect(201);
      });

      it('in permissive mode accepts the list and records each contradiction as a warning', async () => {
        await putRegistry(bitraderRegistry()).expect(200);
        const created = await postList(oneEntryList([{ contractId: 'Agg_Seller_9', resourceId: 'G1_Agg1' }]), 'permissive').expect(201);
        const { warnings } = (await request(app()).get('/admin/v1/registry/warnings').expect(200)).body;
        assert.equal(warnings.length, 1);
        assert.equal(warnings[0].code, 'registry.contract-unregistered');
        assert.equal(warnings[0].source, `merit-order-list/${created.body.id}/1`);
      });
    });
  });
});
