import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import request from 'supertest';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { OpportunityReport, RevisionHistory, TradeVerificationOutcome, TradingOutcome, type MatchedTrade } from '../../schemas/anm/trade.ts';
import { anmRouter } from '../anm/routes.ts';
import { Intake } from '../intake.ts';
import { problemHandler } from '../http/problemResponse.ts';
import { RevisionConflict } from '../store/anmDocuments.ts';
import { getJournalEntry } from '../store/journal.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { testLogger } from '../testing/silentLogger.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { adapterRouter } from './routes.ts';
import { FIGURE_7_TRADES, figure6, figure7, trade } from './testing/bitraderCase.ts';

const TSV = 'text/tab-separated-values';
const problem = (code: string) => `urn:flexgate:problem:${code}`;
const conforms = {
  trading: compileValidator(TradingOutcome),
  opportunities: compileValidator(OpportunityReport),
  revisions: compileValidator(RevisionHistory),
  verification: compileValidator(TradeVerificationOutcome),
};

function appWith(store: Store): Express {
  const app = express();
  app.use(anmRouter({ intake: new Intake(store), maxBodyBytes: 256 * 1024 }));
  app.use(adapterRouter({ intake: new Intake(store), maxBodyBytes: 256 * 1024 }));
  app.use(problemHandler(testLogger));
  return app;
}

/** The same look-ahead as figure 5, as JSON: the form the day's look-ahead is posted in below. */
const dayLookAhead = (constraints: { constraintId: string; resources: string[] }[]) => ({
  constraints: constraints.map((c) => ({
    constraintId: c.constraintId,
    start: '2024-10-18T08:00:00+01:00',
    end: '2024-10-18T08:30:00+01:00',
    size_kW: 2000,
    resources: c.resources.map((resourceId) => ({ resourceId })),
  })),
});
const FIGURE_5_RESOURCES = ['G1_A1', 'G1_A2', 'G1_A3', 'G1_A4', 'G1_A5', 'G1_Agg1', 'G1_Agg2', 'G1_Agg3', 'G1_Agg4', 'G1_Agg5'];

const withoutReceivedAt = ({ receivedAt: _receivedAt, ...rest }: MeritOrderList) => rest;

forEachBackend((backend) => {
  describe(`ANM adapter API on ${backend.name}`, function () {
    let store: Store;
    let app: Express;

    before(async function () {
      store = await backend.open(this);
      app = appWith(store);
    });
    after(async () => store?.close());

    /** Posts a document under a fresh Idempotency-Key, so every call creates a new one. */
    const create = async (collection: string, body: Buffer | object, contentType = Buffer.isBuffer(body) ? TSV : 'application/json') => {
      const sent = Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const response = await request(app)
        .post(`/anm/v1/${collection}`)
        .set('Content-Type', contentType)
        .set('Idempotency-Key', randomUUID())
        .send(sent)
        .expect(201);
      return response.body.id as string;
    };
    const figures = async (context: Mocha.Context) => ({
      lookAheadId: await create('constraint-look-aheads', bitraderFixture(context, 'cla-figure5.tsv')),
      listId: await create('merit-order-lists', bitraderFixture(context, 'mol-original-figure6.tsv')),
    });
    const postTrades = (listId: string, trades: unknown, query: string) =>
      request(app).post(`/anm/v1/merit-order-lists/${listId}/trades?${query}`).set('Content-Type', 'application/json').send(JSON.stringify(trades));
    const history = async (listId: string) => {
      const response = await request(app).get(`/anm/v1/merit-order-lists/${listId}/revisions`).expect(200);
      return conforms.revisions(response.body);
    };

    describe('figure 6 → figure 7', () => {
      /*
       * Figure 7 follows from two trades, Agg_Seller_1 → A1_Buyer 600 kW and
       * Agg_Seller_2 → A2_Buyer 500 kW. Its split rows need no trade of their
       * own: every traded buyer is split, and the split holds what it has left
       * (100 kW of A1's 700 kW MIC, 0 kW of A2's 500 kW), value 0.
       */
      it('re-orders the list as figure 7, row by row, and serves it from then on as the list', async function () {
        const { lookAheadId, listId } = await figures(this);
        const posted = await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}&scenario=1`).expect(201);
        const outcome = conforms.trading(posted.body);
        assert.equal(posted.headers.location, `/anm/v1/merit-order-lists/${listId}/revisions/2`);
        assert.equal(outcome.revision, 2);
        assert.deepEqual(
          outcome.trades.map((t) => [t.tradeId, t.buyerContractId, t.sellerContractId, t.kW, t.service]),
          [
            ['T1', 'A1_Buyer', 'Agg_Seller_1', 600, 'demand-turn-down'],
            ['T2', 'A2_Buyer', 'Agg_Seller_2', 500, 'demand-turn-down'],
          ],
        );
        assert.deepEqual(withoutReceivedAt(outcome.meritOrderList), withoutReceivedAt(figure7(this)));
        assert.ok(Math.abs(Date.parse(outcome.meritOrderList.receivedAt!) - Date.now()) < 60_000, 'received time is when the trades arrived');

        const current = await request(app).get(`/anm/v1/merit-order-lists/${listId}`).set('Accept', 'application/json').expect(200);
        assert.equal(current.body.revision, 2);
        assert.deepEqual(current.body.entries, figure7(this).entries);

        // The TSV served has figure 7's rows: every cell from Scenario to Registered as printed in the report.
        const tsv = await request(app).get(`/anm/v1/merit-order-lists/${listId}`).set('Accept', TSV).expect(200);
        const cells = (text: string) =>
          text
            .trim()
            .split(/\r?\n/)
            .filter((l) => /^\d{4}-\d{2}-\d{2}.\S*\t\d+\t/.test(l))
            .map((l) => l.split('\t').slice(2));
        const expected = cells(bitraderFixture(this, 'mol-traded-figure7.tsv').toString('utf8'));
        assert.equal(expected.length, 12);
        assert.deepEqual(cells(tsv.text), expected);
      });

      it('keeps the original as revision 1 and lists the revisions with what made them', async function () {
        const { lookAheadId, listId } = await figures(this);
        const posted = await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}`).expect(201);
        const revisions = await history(listId);
        assert.equal(revisions.currentRevision, 2);
        assert.deepEqual(
          revisions.revisions.map((r) => [r.revision, r.cause, r.href, r.tradeIds ?? null]),
          [
            [1, 'original', `/anm/v1/merit-order-lists/${listId}/revisions/1`, null],
            [2, 'trades', `/anm/v1/merit-order-lists/${listId}/revisions/2`, ['T1', 'T2']],
          ],
        );
        const original = await request(app).get(`/anm/v1/merit-order-lists/${listId}/revisions/1`).expect(200);
        assert.deepEqual(original.body.entries, figure6(this).entries);
        const asTsv = await request(app).get(`/anm/v1/merit-order-lists/${listId}/revisions/2`).set('Accept', TSV).expect(200);
        assert.match(asTsv.text, /^Recvd Time\tRecvd Timestamp\tScenario\tOrder/);

        // The trades request is journalled like every message, query (the partner look-ahead) included.
        const entry = await getJournalEntry(store.db, revisions.revisions[1]!.journalId);
        assert.equal(entry?.path, `/anm/v1/merit-order-lists/${listId}/trades?constraintLookAheadId=${lookAheadId}`);
        assert.deepEqual(JSON.parse(entry!.body.toString('utf8')), FIGURE_7_TRADES);
        assert.deepEqual(
          entry?.derived.map((d) => [d.kind, d.revision]),
          [
            ['merit-order-list', 2],
            ['merit-order-trade-book', 1],
          ],
        );
        assert.equal(posted.body.revision, 2);
      });

      it('is idempotent: the same trades again change nothing and get the same answer', async function () {
        const { lookAheadId, listId } = await figures(this);
        const first = await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}`).expect(201);
        const again = await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}`).expect(201);
        assert.equal(again.headers['idempotency-replayed'], 'true');
        assert.deepEqual(again.body, first.body);
        assert.equal((await history(listId)).currentRevision, 2);
      });
    });

    it('adds later trades to those in effect, against the same look-ahead, as the next revision', async function () {
      const { lookAheadId, listId } = await figures(this);
      await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}&scenario=1`).expect(201);
      const later = await postTrades(listId, [trade('A3_Buyer', 'Agg_Seller_5', 200)], '').expect(201);
      const outcome = conforms.trading(later.body);
      assert.equal(outcome.revision, 3);
      assert.deepEqual(
        outcome.trades.map((t) => t.tradeId),
        ['T1', 'T2', 'T3'],
      );
      assert.equal(outcome.meritOrderList.scenario, 1, 'the scenario carries over');
      assert.deepEqual(
        outcome.meritOrderList.entries.map((e) => `${e.contractId} ${e.value_kW}`),
        [
          'Agg_Seller_1 -600',
          'Agg_Seller_2 -500',
          'Agg_Seller_5 -200',
          'A1_Buyer 600',
          'A2_Buyer 500',
          'A3_Buyer 200',
          'A4_Buyer 0',
          'A5_Buyer 0',
          'A1_Buyer-2-2024-10-18 0',
          'A2_Buyer-2-2024-10-18 0',
          'A3_Buyer-2-2024-10-18 0',
          'Agg_seller_3 0',
          'Agg_Seller_4 0',
        ],
      );
      const over = await postTrades(listId, [trade('A1_Buyer', 'Agg_seller_3', 101)], '').expect(422);
      assert.equal(over.body.type, problem('adapter.overlapping-exposure'), 'A1 has 100 kW left of its 700 kW exposure');
    });

    it('handles concurrent trades on one list one after the other: both land', async function () {
      const { lookAheadId, listId } = await figures(this);
      const query = `constraintLookAheadId=${lookAheadId}`;
      const [first, second] = await Promise.all([
        postTrades(listId, [trade('A1_Buyer', 'Agg_Seller_1', 600)], query),
        postTrades(listId, [trade('A2_Buyer', 'Agg_Seller_2', 500)], query),
      ]);
      assert.deepEqual([first.status, second.status], [201, 201]);
      const current = await request(app).get(`/anm/v1/merit-order-lists/${listId}`).set('Accept', 'application/json').expect(200);
      assert.equal(current.body.revision, 3);
      assert.deepEqual(
        current.body.entries.map((e: { contractId: string }) => e.contractId),
        figure7(this).entries.map((e) => e.contractId),
      );
    });

    describe('trading opportunities', () => {
      it('lists each constraint’s specific list and what each contract may trade, less the trades in effect', async function () {
        const { lookAheadId, listId } = await figures(this);
        const url = `/anm/v1/constraint-look-aheads/${lookAheadId}/opportunities?meritOrderListId=${listId}`;
        const before = conforms.opportunities((await request(app).get(url).expect(200)).body);
        assert.equal(before.constraints[0]!.direction, 'import');
        assert.deepEqual(
          before.constraints[0]!.opportunities.map((o) => o.capacity_kW),
          [700, 500, 200, 400, 200, 600, 500, 200, 500, 200],
        );

        await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}`).expect(201);
        const after = conforms.opportunities((await request(app).get(url).expect(200)).body);
        assert.deepEqual(
          after.constraints[0]!.opportunities.map((o) => o.capacity_kW),
          [100, 0, 200, 400, 200, 0, 0, 200, 500, 200],
        );
      });

      it('excludes the flexible-service contracts named in the query', async function () {
        const { lookAheadId, listId } = await figures(this);
        const response = await request(app)
          .get(
            `/anm/v1/constraint-look-aheads/${lookAheadId}/opportunities?meritOrderListId=${listId}&flexibleServiceContractId=Agg_Seller_4&flexibleServiceContractId=A5_Buyer`,
          )
          .expect(200);
        const excluded = response.body.constraints[0].meritOrder
          .filter((e: { tradeable: boolean }) => !e.tradeable)
          .map((e: { contractId: string; exclusion: string }) => [e.contractId, e.exclusion]);
        assert.deepEqual(excluded, [
          ['A5_Buyer', 'flexible-service'],
          ['Agg_Seller_4', 'flexible-service'],
        ]);
      });

      it('needs the merit order list named: 400 request.invalid-query; unknown ids: 404', async function () {
        const { lookAheadId } = await figures(this);
        const missing = await request(app).get(`/anm/v1/constraint-look-aheads/${lookAheadId}/opportunities`).expect(400);
        assert.equal(missing.body.type, problem('request.invalid-query'));
        const unknownList = await request(app).get(`/anm/v1/constraint-look-aheads/${lookAheadId}/opportunities?meritOrderListId=nope`).expect(404);
        assert.equal(unknownList.body.type, problem('request.not-found'));
        const unknownLookAhead = await request(app).get(`/anm/v1/constraint-look-aheads/nope/opportunities?meritOrderListId=nope`).expect(404);
        assert.equal(unknownLookAhead.body.type, problem('request.not-found'));
      });
    });

    describe('trade verification on the day', () => {
      const verify = (dayId: string, listId: string) =>
        request(app)
          .post(`/anm/v1/constraint-look-aheads/${dayId}/verify`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ meritOrderListId: listId }));

      it('cancels a trade whose counterparties are no longer behind one constraint and re-orders the list again', async function () {
        const { lookAheadId, listId } = await figures(this);
        await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}&scenario=1`).expect(201);
        // On the day, Aggregate_2 has been switched onto another part of the network.
        const dayId = await create(
          'constraint-look-aheads',
          dayLookAhead([
            { constraintId: 'C1', resources: FIGURE_5_RESOURCES.filter((r) => r !== 'G1_Agg2') },
            { constraintId: 'C7', resources: ['G1_Agg2'] },
          ]),
        );
        const verified = await verify(dayId, listId).expect(200);
        const outcome = conforms.verification(verified.body);
        assert.equal(outcome.reordered, true);
        assert.equal(outcome.revision, 3);
        assert.deepEqual(outcome.kept, ['T1']);
        assert.deepEqual(
          outcome.cancelled.map((c) => [c.tradeId, c.reason]),
          [['T2', 'counterparties-separated']],
        );

        const current = await request(app).get(`/anm/v1/merit-order-lists/${listId}`).set('Accept', 'application/json').expect(200);
        assert.deepEqual(
          current.body.entries.map((e: { contractId: string; value_kW: number; traded: boolean }) => `${e.contractId} ${e.value_kW} ${e.traded}`),
          [
            'Agg_Seller_1 -600 true',
            'A1_Buyer 600 true',
            'A2_Buyer 0 false',
            'A3_Buyer 0 false',
            'A4_Buyer 0 false',
            'A5_Buyer 0 false',
            'A1_Buyer-2-2024-10-18 0 true',
            'Agg_Seller_2 0 false',
            'Agg_seller_3 0 false',
            'Agg_Seller_4 0 false',
            'Agg_Seller_5 0 false',
          ],
        );
        assert.equal(current.body.scenario, 1);
        const revisions = await history(listId);
        assert.deepEqual(revisions.revisions[2], {
          ...revisions.revisions[2],
          revision: 3,
          cause: 'verification',
          constraintLookAheadId: dayId,
          cancelledTradeIds: ['T2'],
        });

        // The cancelled trade frees A2's exposure and Agg_Seller_2's headroom for trading again.
        const opportunities = await request(app).get(`/anm/v1/constraint-look-aheads/${lookAheadId}/opportunities?meritOrderListId=${listId}`).expect(200);
        const a2 = opportunities.body.constraints[0].opportunities.find((o: { contractId: string }) => o.contractId === 'A2_Buyer');
        assert.equal(a2.capacity_kW, 500);
      });

      it('changes nothing when every trade still stands', async function () {
        const { lookAheadId, listId } = await figures(this);
        await postTrades(listId, FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}`).expect(201);
        const dayId = await create('constraint-look-aheads', dayLookAhead([{ constraintId: 'C1', resources: FIGURE_5_RESOURCES }]));
        const outcome = conforms.verification((await verify(dayId, listId).expect(200)).body);
        assert.deepEqual(
          { ...outcome, kept: outcome.kept.length },
          {
            meritOrderListId: listId,
            constraintLookAheadId: dayId,
            revision: 2,
            reordered: false,
            kept: 2,
            cancelled: [],
          },
        );
        assert.equal((await history(listId)).currentRevision, 2);
      });

      it('refuses an unknown list with 404 at /meritOrderListId and a body that is not the verification input with 400', async function () {
        const { lookAheadId } = await figures(this);
        const unknown = await verify(lookAheadId, 'nope').expect(404);
        assert.equal(unknown.body.errors[0].pointer, '/meritOrderListId');
        const wrong = await request(app)
          .post(`/anm/v1/constraint-look-aheads/${lookAheadId}/verify`)
          .set('Content-Type', 'application/json')
          .send('{"list":"x"}')
          .expect(400);
        assert.equal(wrong.body.type, problem('schema.violation'));
      });
    });

    describe('refused trades: a catalogue type, a status, a pointer, and nothing changes', () => {
      let lookAheadId: string;
      let listId: string;

      /**
       * Figure 5 and 6 with what it takes to break every rule: a second
       * constraint sharing A1 and Both_Seller, a third with buyers of both
       * kinds and no direction, and contracts that are unregistered, on a seller's
       * resource, of the other direction, or behind no constraint at all.
       */
      before(async function () {
        const c1 = dayLookAhead([{ constraintId: 'C1', resources: [...FIGURE_5_RESOURCES, 'G1_A6', 'G1_Both', 'G1_Gen'] }]).constraints[0]!;
        lookAheadId = await create('constraint-look-aheads', {
          constraints: [
            { ...c1, direction: 'import' },
            { ...c1, constraintId: 'C2', size_kW: 500, resources: [{ resourceId: 'G1_A1' }, { resourceId: 'G1_Both' }] },
            { ...c1, constraintId: 'C3', size_kW: 300, resources: [{ resourceId: 'G1_A7' }, { resourceId: 'G1_Gen' }, { resourceId: 'G1_Agg3' }] },
          ],
        });
        const entries = figure6(this).entries;
        const more = [
          { contractId: 'A6_Buyer', resourceId: 'G1_A6', operationType: 'ConstrainedDemand', activity: 'Buyer', mic_kW: 100, mec_kW: 0, registered: false },
          { contractId: 'A3_Seller', resourceId: 'G1_A3', operationType: 'FlexibleOutputChange', activity: 'Seller', mic_kW: 100, mec_kW: 0, registered: true },
          {
            contractId: 'Both_Seller',
            resourceId: 'G1_Both',
            operationType: 'FlexibleOutputChange',
            activity: 'Seller',
            mic_kW: 300,
            mec_kW: 300,
            registered: true,
          },
          {
            contractId: 'Gen_Buyer',
            resourceId: 'G1_Gen',
            operationType: 'ConstrainedGeneration',
            activity: 'Buyer',
            mic_kW: 0,
            mec_kW: 400,
            registered: true,
          },
          { contractId: 'A7_Buyer', resourceId: 'G1_A7', operationType: 'ConstrainedDemand', activity: 'Buyer', mic_kW: 100, mec_kW: 0, registered: true },
          {
            contractId: 'Far_Seller',
            resourceId: 'G1_Far',
            operationType: 'FlexibleOutputChange',
            activity: 'Seller',
            mic_kW: 100,
            mec_kW: 0,
            registered: true,
          },
          { contractId: 'Far_Buyer', resourceId: 'G1_Far2', operationType: 'ConstrainedDemand', activity: 'Buyer', mic_kW: 100, mec_kW: 0, registered: true },
        ].map((e, k) => ({ ...e, order: entries.length + k + 1, value_kW: 0, traded: false }));
        listId = await create('merit-order-lists', { entries: [...entries, ...more] });
      });

      const later = { start: '2024-10-18T08:30:00+01:00', end: '2024-10-18T09:00:00+01:00' };
      const cases: { name: string; trades: MatchedTrade[] | unknown[]; query?: string; status: number; code: string; pointer: string }[] = [
        {
          name: 'an unknown buyer',
          trades: [trade('Nobody', 'Agg_Seller_1', 100)],
          status: 422,
          code: 'adapter.unknown-contract',
          pointer: '/0/buyerContractId',
        },
        {
          name: 'an unknown seller',
          trades: [trade('A1_Buyer', 'Nobody', 100)],
          status: 422,
          code: 'adapter.unknown-contract',
          pointer: '/0/sellerContractId',
        },
        {
          name: 'a seller named as buyer',
          trades: [trade('Agg_Seller_1', 'Agg_Seller_2', 100)],
          status: 422,
          code: 'adapter.wrong-activity',
          pointer: '/0/buyerContractId',
        },
        {
          name: 'a buyer named as seller',
          trades: [trade('A1_Buyer', 'A2_Buyer', 100)],
          status: 422,
          code: 'adapter.wrong-activity',
          pointer: '/0/sellerContractId',
        },
        {
          name: 'buyer and seller the same resource',
          trades: [trade('A3_Buyer', 'A3_Seller', 100)],
          status: 422,
          code: 'adapter.same-resource',
          pointer: '/0/sellerContractId',
        },
        {
          name: 'an unregistered buyer',
          trades: [trade('A6_Buyer', 'Agg_Seller_1', 100)],
          status: 422,
          code: 'adapter.not-tradeable',
          pointer: '/0/buyerContractId',
        },
        {
          name: 'a flexible-service seller',
          trades: [trade('A3_Buyer', 'Agg_Seller_4', 100)],
          query: '&flexibleServiceContractId=agg_seller_4',
          status: 422,
          code: 'adapter.not-tradeable',
          pointer: '/0/sellerContractId',
        },
        {
          name: 'a seller behind no constraint of the buyer (wrong constraint)',
          trades: [trade('A1_Buyer', 'Far_Seller', 100)],
          status: 422,
          code: 'adapter.wrong-constraint',
          pointer: '/0/sellerContractId',
        },
        {
          name: 'a buyer behind no constraint',
          trades: [trade('Far_Buyer', 'Agg_Seller_1', 100)],
          status: 422,
          code: 'adapter.wrong-constraint',
          pointer: '/0/buyerContractId',
        },
        {
          name: 'a period no constraint covers',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100, later)],
          status: 422,
          code: 'adapter.wrong-constraint',
          pointer: '/0/start',
        },
        {
          name: 'a constraintId the look-ahead lacks',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100, { constraintId: 'C9' })],
          status: 422,
          code: 'adapter.wrong-constraint',
          pointer: '/0/constraintId',
        },
        {
          name: 'two constraints fitting the trade',
          trades: [trade('A1_Buyer', 'Both_Seller', 100)],
          status: 422,
          code: 'adapter.constraint-ambiguous',
          pointer: '/0/constraintId',
        },
        {
          name: 'a constraint of no known direction',
          trades: [trade('A7_Buyer', 'Agg_seller_3', 100)],
          status: 422,
          code: 'adapter.direction-unknown',
          pointer: '/0',
        },
        {
          name: 'a service that does not relieve the constraint',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100, { service: 'generation-turn-down' })],
          status: 422,
          code: 'adapter.service-unsuitable',
          pointer: '/0/service',
        },
        {
          name: 'a seller with two suitable services and none named',
          trades: [trade('A2_Buyer', 'Both_Seller', 100)],
          status: 422,
          code: 'adapter.service-ambiguous',
          pointer: '/0/service',
        },
        {
          name: 'more than the buyer’s exposure',
          trades: [trade('A1_Buyer', 'Agg_seller_3', 701, { service: 'generation-turn-up' })],
          status: 422,
          code: 'adapter.over-capacity',
          pointer: '/0/kW',
        },
        {
          name: 'more than the seller’s headroom',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 650)],
          status: 422,
          code: 'adapter.over-capacity',
          pointer: '/0/kW',
        },
        {
          name: 'a buyer this direction does not curtail',
          trades: [trade('Gen_Buyer', 'Agg_Seller_1', 100, { constraintId: 'C1' })],
          status: 422,
          code: 'adapter.over-capacity',
          pointer: '/0/kW',
        },
        {
          name: 'overlapping trades beyond a buyer’s exposure',
          trades: [trade('A3_Buyer', 'Agg_Seller_1', 150), trade('A3_Buyer', 'Agg_Seller_5', 100)],
          status: 422,
          code: 'adapter.overlapping-exposure',
          pointer: '/1/kW',
        },
        {
          name: 'overlapping trades beyond a seller’s headroom',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 400), trade('A2_Buyer', 'Agg_Seller_1', 300)],
          status: 422,
          code: 'adapter.overlapping-exposure',
          pointer: '/1/kW',
        },
        {
          name: 'trades for different periods on one list',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100), trade('A2_Buyer', 'Agg_Seller_2', 100, { end: '2024-10-18T08:15:00+01:00' })],
          status: 422,
          code: 'adapter.period-mismatch',
          pointer: '/1/end',
        },
        {
          name: 'a trade ending before it starts',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100, { start: later.start, end: later.start.replace('08:30', '08:00') })],
          status: 422,
          code: 'anm.period-invalid',
          pointer: '/0/end',
        },
        { name: 'a fractional kW', trades: [{ ...trade('A1_Buyer', 'Agg_Seller_1', 100), kW: 1.5 }], status: 400, code: 'schema.violation', pointer: '/0/kW' },
        {
          name: 'a price in another currency',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100, { availabilityPrice: { amount: 1, currency: 'EUR' as 'GBP' } })],
          status: 400,
          code: 'schema.violation',
          pointer: '/0/availabilityPrice/currency',
        },
        {
          name: 'a local time without offset',
          trades: [trade('A1_Buyer', 'Agg_Seller_1', 100, { start: '18/10/2024 08:00' })],
          status: 400,
          code: 'schema.violation',
          pointer: '/0/start',
        },
      ];
      for (const c of cases) {
        it(`${c.name}: ${c.status} ${c.code} at ${c.pointer}`, async () => {
          const refused = await postTrades(listId, c.trades, `constraintLookAheadId=${lookAheadId}${c.query ?? ''}`).expect(c.status);
          assert.match(refused.headers['content-type']!, /^application\/problem\+json/);
          assert.equal(refused.body.type, problem(c.code));
          assert.equal(refused.body.status, c.status);
          assert.equal(refused.body.errors[0].type, problem(c.code));
          assert.equal(refused.body.errors[0].pointer, c.pointer);
          const revisions = await history(listId);
          assert.equal(revisions.revisions.length, 1, 'the list is unchanged');
        });
      }

      it('a list that arrived already traded (figure 7): 422 adapter.list-already-traded', async function () {
        const tradedId = await create('merit-order-lists', bitraderFixture(this, 'mol-traded-figure7.tsv'));
        const refused = await postTrades(tradedId, [trade('A3_Buyer', 'Agg_Seller_5', 100)], `constraintLookAheadId=${lookAheadId}`).expect(422);
        assert.equal(refused.body.type, problem('adapter.list-already-traded'));
        const opportunities = await request(app).get(`/anm/v1/constraint-look-aheads/${lookAheadId}/opportunities?meritOrderListId=${tradedId}`).expect(422);
        assert.equal(opportunities.body.type, problem('adapter.list-already-traded'));
      });

      it('later trades against another look-ahead: 409 adapter.look-ahead-mismatch', async function () {
        const { lookAheadId: first, listId: traded } = await figures(this);
        await postTrades(traded, FIGURE_7_TRADES.slice(0, 1), `constraintLookAheadId=${first}`).expect(201);
        const refused = await postTrades(traded, FIGURE_7_TRADES.slice(1), `constraintLookAheadId=${lookAheadId}`).expect(409);
        assert.equal(refused.body.type, problem('adapter.look-ahead-mismatch'));
        assert.equal((await history(traded)).currentRevision, 2);
      });

      it('first trades without a look-ahead: 400 request.invalid-query; unknown list or look-ahead: 404; not JSON: 415', async () => {
        assert.equal((await postTrades(listId, FIGURE_7_TRADES, '').expect(400)).body.type, problem('request.invalid-query'));
        assert.equal((await postTrades('nope', FIGURE_7_TRADES, `constraintLookAheadId=${lookAheadId}`).expect(404)).body.type, problem('request.not-found'));
        assert.equal((await postTrades(listId, FIGURE_7_TRADES, 'constraintLookAheadId=nope').expect(404)).body.type, problem('request.not-found'));
        const tsv = await request(app).post(`/anm/v1/merit-order-lists/${listId}/trades`).set('Content-Type', TSV).send('x').expect(415);
        assert.equal(tsv.body.type, problem('request.unsupported-media-type'));
        assert.equal((await history(listId)).revisions.length, 1);
      });

      it('a list revised by others on every attempt: 409 adapter.concurrent-update', async function () {
        const { lookAheadId: claId, listId: molId } = await figures(this);
        const losing = Object.assign(Object.create(store) as Store, {
          transaction: async () => {
            throw new RevisionConflict(molId, 1);
          },
        });
        const refused = await request(appWith(losing))
          .post(`/anm/v1/merit-order-lists/${molId}/trades?constraintLookAheadId=${claId}`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(FIGURE_7_TRADES))
          .expect(409);
        assert.equal(refused.body.type, problem('adapter.concurrent-update'));
      });
    });

    it('serves an unknown revision as 404', async function () {
      const { listId } = await figures(this);
      for (const revision of ['2', '0', 'x']) {
        const missing = await request(app).get(`/anm/v1/merit-order-lists/${listId}/revisions/${revision}`).expect(404);
        assert.equal(missing.body.type, problem('request.not-found'));
      }
      assert.equal((await request(app).get('/anm/v1/merit-order-lists/nope/revisions').expect(404)).body.type, problem('request.not-found'));
    });
  });
});
