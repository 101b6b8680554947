import assert from 'node:assert/strict';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import type { RegistrySnapshot } from '../../schemas/registry/registry.ts';
import { bitraderRegistry } from '../registry/testing/bitraderRegistry.ts';
import { forEachBackend } from '../store/testStores.ts';
import { DEV_ADMIN, DEV_ANM, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import type { SettlementLine } from './statement.ts';

const problem = (code: string) => `urn:flexgate:problem:${code}`;
const OTHER_FSP = 'urn:flexgate:fsp:fsp-dev-2';
const PERIOD = 'from=2024-10-18T00:00:00Z&to=2024-10-19T00:00:00Z';

/** The BiTraDER registry with the two dev FSP certificates standing for the first two aggregators. */
function registryOfDevFsps(): RegistrySnapshot {
  const registry = bitraderRegistry();
  const urns: Record<string, string> = { 'fsp-agg1': DEV_FSP, 'fsp-agg2': OTHER_FSP };
  return { ...registry, parties: registry.parties.map((p) => ({ ...p, partyUrn: urns[p.partyId] ?? p.partyUrn })) };
}

forEachBackend((backend) => {
  describe(`Settlement statements read by FSPs, over mutual TLS with signed requests (${backend.name})`, function () {
    // A party's first TLS connection can take most of a minute on a loaded machine.
    this.timeout(300_000);
    let running: TestGateway;
    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
      const admin = await running.client(DEV_ADMIN);
      const put = await admin.request('PUT', '/admin/v1/registry', { body: JSON.stringify(registryOfDevFsps()), contentType: 'application/json' });
      assert.equal(put.status, 200, put.text());
      const line: SettlementLine = {
        eventId: 'event-agg1',
        eventRevision: 1,
        tradeIds: ['T1'],
        contractId: 'Agg_Seller_1',
        dsoAssetIds: ['ENWL-G1_Agg1'],
        resourceId: 'G1_Agg1',
        settlementDate: '2024-10-18',
        period: 17,
        start: '2024-10-18T07:00:00Z',
        instructed_kW: -600,
        baseline_kW: 650,
        metered_kWmin: 1500,
        delivered_kWmin: 18_000,
        counted_kWmin: 18_000,
        performanceFactor_bp: 9583,
        multiplier_bp: 10_000,
        availabilityPayment: { amount: 150, currency: 'GBP' },
        utilisationPayment: { amount: 4500, currency: 'GBP' },
      };
      await running.gateway.store.transaction((tx) =>
        tx
          .insertInto('settlement_lines')
          .values({
            event_id: 'event-agg1',
            event_revision: 1,
            start: '2024-10-18T07:00:00Z',
            fsp_party_id: 'fsp-agg1',
            contract_key: 'agg_seller_1',
            trade_ids: ' T1 ',
            dso_asset_ids: ' ENWL-G1_Agg1 ',
            verified_at: '2024-10-18T09:00:00Z',
            body: canonicalJson(line),
          })
          .execute(),
      );
    });
    after(() => running?.close());

    it('an FSP reads its own statement as JSON and as CSV', async () => {
      const fsp = await running.client(DEV_FSP);
      const json = await fsp.request('GET', `/admin/v1/settlement/statements?fsp=fsp-agg1&${PERIOD}`);
      assert.equal(json.status, 200, json.text());
      assert.equal(json.json<{ total: number; lines: unknown[] }>().total, 4650);
      const csv = await fsp.request('GET', `/admin/v1/settlement/statements?fsp=fsp-agg1&${PERIOD}`, { headers: { accept: 'text/csv' } });
      assert.equal(csv.status, 200, csv.text());
      assert.match(csv.text(), /^settlement_date,settlement_period,/);
    });

    it("an FSP never reads another FSP's statement, nor one of a party the registry does not hold: 403 auth.role-forbidden", async () => {
      const fsp = await running.client(DEV_FSP);
      for (const other of ['fsp-agg2', 'fsp-agg3', 'fsp-nobody']) {
        const refused = await fsp.request('GET', `/admin/v1/settlement/statements?fsp=${other}&${PERIOD}`);
        assert.equal(refused.status, 403, other);
        assert.equal(refused.json<{ type: string }>().type, problem('auth.role-forbidden'));
      }
      const second = await running.client(OTHER_FSP);
      const refused = await second.request('GET', `/admin/v1/settlement/statements?fsp=fsp-agg1&${PERIOD}`, { headers: { accept: 'text/csv' } });
      assert.equal(refused.status, 403);
      assert.equal(refused.json<{ type: string }>().type, problem('auth.role-forbidden'));
    });

    it('administrators read any statement; an FSP still may not follow the chain, nor may an ANM read statements', async () => {
      const admin = await running.client(DEV_ADMIN);
      const any = await admin.request('GET', `/admin/v1/settlement/statements?fsp=fsp-agg1&${PERIOD}`);
      assert.equal(any.status, 200, any.text());
      const fsp = await running.client(DEV_FSP);
      const chain = await fsp.request('GET', '/admin/v1/settlement/chain?event=event-agg1');
      assert.equal(chain.status, 403);
      assert.equal(chain.json<{ type: string }>().type, problem('auth.role-forbidden'));
      const anm = await running.client(DEV_ANM);
      const statement = await anm.request('GET', `/admin/v1/settlement/statements?fsp=fsp-agg1&${PERIOD}`);
      assert.equal(statement.status, 403);
    });
  });
});
