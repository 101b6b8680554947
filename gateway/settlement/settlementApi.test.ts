import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { buildDocument } from '../../profiles/machinery/builder.ts';
import { deliveryVerificationProfile } from '../../profiles/deliveryVerification.ts';
import { decodeAnmDocument } from '../anm/decode.ts';
import { meritOrderEvents } from '../openadr/meritOrderEvents.ts';
import type { NewObject } from '../openadr/objectTable.ts';
import { insertObject } from '../openadr/objectWrites.ts';
import { createEventObject } from '../openadr/operations/events.ts';
import { createProgramObject } from '../openadr/operations/programs.ts';
import { importIntoRegistry } from '../registry/registryRecords.ts';
import { bitraderRegistry } from '../registry/testing/bitraderRegistry.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { routerTestApp } from '../testing/routerApp.ts';
import { adminSettlementRouter } from './adminRoutes.ts';

const problem = (code: string) => `urn:flexgate:problem:${code}`;
const NOW = '2024-10-17T20:08:45.000Z';

/** A report the aggregator's VEN stored on the event: `fields` beside its event and client name. */
const aggregatorReport = (id: string, eventId: string, fields: Record<string, unknown>): NewObject<unknown> => ({
  id,
  objectType: 'REPORT',
  clientId: 'urn:flexgate:fsp:fsp-agg1',
  venId: 'ven-1',
  programId: null,
  eventId,
  name: null,
  targets: [],
  sourceKey: null,
  lifecycle: null,
  createdAt: NOW,
  body: { eventID: eventId, clientName: 'ven-agg1', ...fields },
});
const NOMINATED_CSV = 'settlement_date,settlement_period,kW\n2024-10-18,17,650\n2024-10-18,18,650\n';

forEachBackend((backend) => {
  describe(`Settlement admin API (${backend.name})`, function () {
    this.timeout(120_000);
    let store: Store;
    let app: Express;
    let eventId: string;

    beforeEach(async function () {
      const list = decodeAnmDocument('merit-order-list', bitraderFixture(this, 'mol-traded-figure7.tsv'), 'text/tab-separated-values') as MeritOrderList;
      store = await backend.open(this);
      app = routerTestApp(adminSettlementRouter({ store }));
      await importIntoRegistry(store, bitraderRegistry(), true);
      await store.transaction(async (tx) => {
        const program = await createProgramObject(tx, { programName: 'bitrader-c1' }, NOW);
        const events = meritOrderEvents(
          list,
          { id: 'mol-fig7', revision: 2 },
          { start: '2024-10-18T07:00:00Z', end: '2024-10-18T08:00:00Z' },
          { programID: program.id, intervalMinutes: 30, sellerServices: new Map() },
        );
        eventId = (await createEventObject(tx, events.get('mol-fig7/Agg_Seller_1')!, NOW, 'mol-fig7/Agg_Seller_1')).id;
        // The aggregator's VEN reports USAGE on the event, in 15-minute intervals.
        await insertObject(tx, {
          ...aggregatorReport('report-1', eventId, {
            resources: [
              {
                resourceName: 'G1_Agg1',
                intervals: [60, 40, 80, 120].map((kW, id) => ({
                  id,
                  intervalPeriod: { start: new Date(Date.parse('2024-10-18T07:00:00Z') + id * 900_000).toISOString(), duration: 'PT15M' },
                  payloads: [{ type: 'USAGE', values: [kW] }],
                })),
              },
            ],
          }),
          programId: program.id,
        });
      });
    });
    afterEach(async () => store?.close());

    const verify = (body: unknown, id = eventId) =>
      request(app).post(`/admin/v1/settlement/dispatches/${id}/verification`).type('application/json').send(JSON.stringify(body));

    it('verifies a dispatch from the USAGE reports on its event, and serves the statement as JSON and CSV', async () => {
      const verified = await verify({ baseline: { kind: 'nominated-csv', csv: NOMINATED_CSV } }).expect(201);
      assert.equal(verified.body.performanceFactor_bp, 9583);
      assert.deepEqual(verified.body.utilisationPayment, { amount: 8625, currency: 'GBP' });
      // Verifying again replaces the lines rather than paying twice.
      await verify({ baseline: { kind: 'nominated-csv', csv: NOMINATED_CSV } }).expect(201);

      const statement = await request(app).get('/admin/v1/settlement/statements?fsp=fsp-agg1&from=2024-10-18T00:00:00Z&to=2024-10-19T00:00:00Z').expect(200);
      assert.equal(statement.body.lines.length, 2);
      assert.equal(statement.body.total, 8925);
      const csv = await request(app)
        .get('/admin/v1/settlement/statements?fsp=fsp-agg1&from=2024-10-18T00:00:00Z&to=2024-10-19T00:00:00Z')
        .set('accept', 'text/csv')
        .expect(200);
      assert.match(csv.text, /^settlement_date,settlement_period,/);
      assert.equal(csv.text.trim().split('\r\n').length, 3);
    });

    it('takes the meter readings from a CIM MeasurementData document as well, with the same result', async () => {
      const measurement = (contractId: string) =>
        buildDocument(
          deliveryVerificationProfile,
          {
            start: '2024-10-18T07:00:00Z',
            end: '2024-10-18T08:00:00Z',
            resources: [{ contractId, resourceId: 'G1_Agg1', metered_kW: [50, 100], baseline_kW: [650, 650] }],
          },
          {
            mRID: 'meter-agg1-2024-10-18',
            revisionNumber: 1,
            createdDateTime: '2024-10-18T09:00:00Z',
            sender: { mRID: 'FSP-AGG1', codingScheme: 'NGB', role: 'A56' },
            receiver: { mRID: 'ENWL', codingScheme: 'NGB', role: 'A50' },
          },
        );
      const verified = await verify({ baseline: { kind: 'nominated-csv', csv: NOMINATED_CSV }, measurementData: measurement('Agg_Seller_1') }).expect(201);
      assert.equal(verified.body.performanceFactor_bp, 9583);
      assert.deepEqual(verified.body.utilisationPayment, { amount: 8625, currency: 'GBP' });
      const other = await verify({ baseline: { kind: 'zero' }, measurementData: measurement('Agg_Seller_2') }).expect(422);
      assert.equal(other.body.type, problem('settlement.readings-missing'));
    });

    it("shows the FSP's declarations of availability and their confidence (0–100 %) beside each period, the later one winning", async () => {
      const declare = (id: string, start: string, minutes: number, kW: number, confidence?: number) =>
        store.transaction((tx) =>
          insertObject(
            tx,
            aggregatorReport(id, eventId, {
              payloadDescriptors: [
                {
                  objectType: 'REPORT_PAYLOAD_DESCRIPTOR',
                  payloadType: 'LOAD_SHED_DELTA_AVAILABLE',
                  units: 'KW',
                  ...(confidence === undefined ? {} : { confidence }),
                },
              ],
              resources: [
                {
                  resourceName: 'G1_Agg1',
                  intervals: [
                    {
                      id: 0,
                      intervalPeriod: { start, duration: `PT${minutes}M` },
                      payloads: [
                        { type: 'LOAD_SHED_DELTA_AVAILABLE', values: [kW] },
                        { type: 'ENERGY_SOURCE_TYPE', values: ['DEMAND_RESPONSE'] },
                        { type: 'ASSET_GROUP_ID', values: ['GRP-G1_Agg1'] },
                      ],
                    },
                  ],
                },
              ],
            }),
          ),
        );
      await declare('declaration-1', '2024-10-18T07:00:00Z', 60, -600, 80);
      await declare('declaration-2', '2024-10-18T07:30:00Z', 30, -500);
      const verified = await verify({ baseline: { kind: 'nominated-csv', csv: NOMINATED_CSV } }).expect(201);
      assert.deepEqual(
        verified.body.periods.map((p: { declaredAvailable_kW?: number; confidence_pct?: number }) => [p.declaredAvailable_kW, p.confidence_pct]),
        [
          [-600, 80],
          [-500, undefined],
        ],
      );
      assert.equal(verified.body.performanceFactor_bp, 9583, 'a declaration changes no payment');
      const csv = await request(app)
        .get('/admin/v1/settlement/statements?fsp=fsp-agg1&from=2024-10-18T00:00:00Z&to=2024-10-19T00:00:00Z')
        .set('accept', 'text/csv')
        .expect(200);
      const [columns, first, second] = csv.text.trim().split('\r\n');
      assert.match(columns!, /,currency,declared_available_kW,confidence_percent$/);
      assert.match(first!, /,GBP,-600,80$/);
      assert.match(second!, /,GBP,-500,$/);
    });

    it('gives the whole chain from any link: event, contract or asset', async () => {
      await verify({ baseline: { kind: 'nominated-csv', csv: NOMINATED_CSV } }).expect(201);
      for (const q of [`event=${eventId}`, 'contract=agg_seller_1', 'asset=ENWL-G1_Agg1']) {
        const chain = await request(app).get(`/admin/v1/settlement/chain?${q}`).expect(200);
        assert.deepEqual(chain.body.dispatches, [{ eventId, eventRevision: 1 }]);
        assert.deepEqual(chain.body.contractIds, ['Agg_Seller_1']);
        assert.deepEqual(chain.body.dsoAssetIds, ['ENWL-G1_Agg1']);
        assert.equal(chain.body.lines.length, 2);
      }
      const none = await request(app).get('/admin/v1/settlement/chain?asset=ENWL-G1XAgg1').expect(404);
      assert.equal(none.body.type, problem('settlement.not-found'));
    });

    it('refuses an unknown event (settlement.not-found)', async () => {
      const res = await verify({ baseline: { kind: 'zero' } }, 'no-such-event').expect(404);
      assert.equal(res.body.type, problem('settlement.not-found'));
    });

    it('refuses a dispatch whose contract the registry does not hold (settlement.contract-unknown)', async () => {
      await importIntoRegistry(store, { ...bitraderRegistry(), contracts: bitraderRegistry().contracts.filter((c) => c.contractId !== 'Agg_Seller_1') }, true);
      const res = await verify({ baseline: { kind: 'zero' } }).expect(422);
      assert.equal(res.body.type, problem('settlement.contract-unknown'));
    });

    it('refuses a baseline that does not cover the dispatch (settlement.baseline-missing)', async () => {
      const res = await verify({ baseline: { kind: 'nominated', periods: [{ start: '2024-10-18T07:00:00Z', kW: 650 }] } }).expect(422);
      assert.equal(res.body.type, problem('settlement.baseline-missing'));
    });

    it('refuses a baseline CSV naming a period the day does not have (settlement.baseline-invalid)', async () => {
      const res = await verify({ baseline: { kind: 'nominated-csv', csv: 'settlement_date,settlement_period,kW\n2024-10-18,49,650\n' } }).expect(422);
      assert.equal(res.body.type, problem('settlement.baseline-invalid'));
      const ok = await verify({ baseline: { kind: 'nominated-csv', csv: 'settlement_date,settlement_period,kW\n2024-10-27,50,650\n' } }).expect(422);
      assert.equal(ok.body.type, problem('settlement.baseline-missing'), 'period 50 exists on the autumn clock change');
    });

    it('refuses readings that do not cover the dispatch (settlement.readings-missing)', async () => {
      const res = await verify({ baseline: { kind: 'zero' }, readings: [{ end: '2024-10-18T07:30:00Z', minutes: 30, kW: 10 }] }).expect(422);
      assert.equal(res.body.type, problem('settlement.readings-missing'));
    });

    it('refuses readings off the minute grid or overlapping (settlement.readings-invalid)', async () => {
      const offGrid = await verify({ baseline: { kind: 'zero' }, readings: [{ end: '2024-10-18T07:30:30Z', minutes: 30, kW: 10 }] }).expect(422);
      assert.equal(offGrid.body.type, problem('settlement.readings-invalid'));
      const overlapping = await verify({
        baseline: { kind: 'zero' },
        readings: [
          { end: '2024-10-18T07:30:00Z', minutes: 30, kW: 10 },
          { end: '2024-10-18T07:40:00Z', minutes: 30, kW: 10 },
        ],
      }).expect(422);
      assert.equal(overlapping.body.type, problem('settlement.readings-invalid'));
    });
  });
});
