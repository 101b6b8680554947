import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MatchedTrade } from '../../schemas/anm/trade.ts';
import { bitraderFixture, requireBitraderFixtures } from '../../gateway/testing/fixtures.ts';
import { DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../../gateway/testing/testGateway.ts';
import { GatewayRefusal } from '../refusal.ts';
import { AnmClient } from './anmClient.ts';
import { CimClient, CimDocumentRejected } from './cimClient.ts';

const trade = (buyerContractId: string, sellerContractId: string, kW: number): MatchedTrade => ({
  buyerContractId,
  sellerContractId,
  kW,
  start: '2024-10-18T08:00:00+01:00',
  end: '2024-10-18T08:30:00+01:00',
  availabilityPrice: { amount: 1500, currency: 'GBP' },
  utilisationPrice: { amount: 9000, currency: 'GBP' },
});

async function refusalOf(call: Promise<unknown>): Promise<GatewayRefusal> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GatewayRefusal) return error;
    throw error;
  }
  return assert.fail('a refusal was expected');
}

describe('client/anm: the typed ANM and CIM clients against a real gateway', function () {
  this.timeout(60_000);
  let running: TestGateway;
  let anm: AnmClient;
  let lookAheadId: string;
  let listId: string;

  before(async function () {
    running = await startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-anm-client-')) });
    anm = new AnmClient(await running.client(DEV_ANM));
  });
  after(async () => running?.close());

  it('posts figures 5 and 6 as the ANM exports them and gets the stored documents, checked against their schemas', async function () {
    const lookAhead = await anm.postLookAhead({ table: bitraderFixture(this, 'cla-figure5.tsv') });
    assert.equal(lookAhead.response.status, 201);
    assert.equal(lookAhead.location, `/anm/v1/constraint-look-aheads/${lookAhead.document.id}`);
    assert.equal(lookAhead.document.constraints[0]!.constraintId, 'C1');
    lookAheadId = lookAhead.document.id;
    const list = await anm.postMeritOrderList({ table: bitraderFixture(this, 'mol-original-figure6.tsv') });
    assert.equal(list.document.entries.length, 10);
    assert.equal(list.document.revision, 1);
    listId = list.document.id;
    assert.deepEqual(await anm.meritOrderList(listId), list.document);
    assert.match(await anm.meritOrderListTable(listId), /^10\tAgg_Seller_5\tG1_Agg5\t/m);
    const page = await anm.meritOrderLists({ limit: 1 });
    assert.equal(page.items[0]!.id, listId);
  });

  it('reads trading opportunities, trades to figure 7, verifies on the day and shows the revisions', async function () {
    requireBitraderFixtures(this);
    const opportunities = await anm.opportunities(lookAheadId, listId);
    assert.equal(opportunities.constraints[0]!.constraintId, 'C1');
    const traded = await anm.trade(listId, [trade('A1_Buyer', 'Agg_Seller_1', 600), trade('A2_Buyer', 'Agg_Seller_2', 500)], {
      constraintLookAheadId: lookAheadId,
    });
    assert.equal(traded.document.revision, 2);
    assert.equal(traded.location, `/anm/v1/merit-order-lists/${listId}/revisions/2`);
    const day = await anm.postLookAhead({
      constraints: [
        {
          constraintId: 'C1',
          start: '2024-10-18T08:00:00+01:00',
          end: '2024-10-18T08:30:00+01:00',
          size_kW: 2000,
          resources: ['G1_A1', 'G1_A2', 'G1_Agg1'].map((resourceId) => ({ resourceId })),
        },
      ],
    });
    const verified = await anm.verify(day.document.id, listId);
    assert.deepEqual(
      verified.cancelled.map((c) => c.reason),
      ['counterparties-separated'],
    );
    const history = await anm.revisions(listId);
    assert.deepEqual(
      history.revisions.map((r) => r.cause),
      ['original', 'trades', 'verification'],
    );
    assert.equal((await anm.revision(listId, 2)).revision, 2);
  });

  it('throws a refusal as GatewayRefusal carrying the problem document, every violation with its place', async function () {
    const refused = await refusalOf(anm.postMeritOrderList({ issuedAt: 'not a time', entries: [] } as never));
    assert.equal(refused.status, 400);
    assert.ok(refused.code.length > 0 && !refused.code.startsWith('urn:'));
    assert.ok(refused.problem.errors && refused.problem.errors.length >= 1);
    const forbidden = await refusalOf(new AnmClient(await running.client(DEV_FSP)).postLookAhead({ table: bitraderFixture(this, 'cla-figure5.tsv') }));
    assert.deepEqual([forbidden.status, forbidden.code], [403, 'auth.role-forbidden']);
    const missing = await refusalOf(anm.meritOrderList('no-such-list'));
    assert.deepEqual([missing.status, missing.code], [404, 'request.not-found']);
  });

  it('posts a CIM document and reads the acknowledgement: accepted (A01) returned, rejected (A02) thrown with its reasons', async function () {
    requireBitraderFixtures(this);
    const cim = new CimClient(await running.client(DEV_DSO));
    const xml = await cim.document(listId);
    assert.match(xml, /<MeritOrderList_MarketDocument/);
    const conflicting = await refusalOf(cim.post(xml));
    assert.ok(conflicting instanceof CimDocumentRejected);
    assert.equal(conflicting.code, 'cim.revision-conflict');
    assert.equal(conflicting.acknowledgement.reasons[0]!.code, 'A02');
    assert.equal(conflicting.problem.errors?.[0]?.type, 'urn:flexgate:problem:cim.revision-conflict');
    // A new document: another mRID, and its first revision.
    const fresh = xml
      .replace(/<mRID>[^<]+<\/mRID>/, '<mRID>client-test-list-1</mRID>')
      .replace(/<revisionNumber>\d+<\/revisionNumber>/, '<revisionNumber>1</revisionNumber>');
    const accepted = await cim.post(fresh);
    assert.equal(accepted.acknowledgement.accepted, true);
    assert.deepEqual(accepted.acknowledgement.received, { mRID: 'client-test-list-1', revisionNumber: 1 });
    assert.match(accepted.location, /^\/cim\/v1\/documents\//);
    const listed = await cim.documents({ limit: 5 });
    assert.ok(listed.items.some((item) => item.mRID === 'client-test-list-1'));
  });
});
