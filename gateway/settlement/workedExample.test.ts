import assert from 'node:assert/strict';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { Event, ReportRequest } from '../../schemas/openadr/wire.ts';
import { decodeAnmDocument } from '../anm/decode.ts';
import { meritOrderEvents } from '../openadr/meritOrderEvents.ts';
import { bitraderRegistry } from '../registry/testing/bitraderRegistry.ts';
import { RegistryIndex } from '../registry/registryIndex.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { nominatedBaselineFromCsv, type Baseline } from './baselines.ts';
import { dispatchOfEvent, readingsOfUsageReport } from './openadrInputs.ts';
import { measurementDocument, measurementModel, settlementStatement, statementCsv } from './statement.ts';
import { verifyDispatch, type DispatchVerification } from './verification.ts';

/** A VEN's USAGE report: 15-minute intervals of average kW, as OpenADR 3 carries them. */
const usageReport = (eventID: string, resourceName: string, kW: number[]): ReportRequest => ({
  eventID,
  clientName: 'ven-aggregators',
  reportName: `usage ${resourceName}`,
  resources: [
    {
      resourceName,
      intervals: kW.map((value, id) => ({
        id,
        intervalPeriod: { start: new Date(Date.parse('2024-10-18T07:00:00Z') + id * 15 * 60_000).toISOString(), duration: 'PT15M' },
        payloads: [{ type: 'USAGE', values: [value] }],
      })),
    },
  ],
});

/**
 * The worked example of gateway/settlement/README.md: figure 7's trades
 * dispatched for 08:00-09:00 BST on 18 October 2024, the aggregators' VENs
 * report USAGE, one with a nominated baseline (CSV, UK local time) and one
 * with the asset-capacity baseline.
 */
describe('Settlement worked example: figure 7 trades, USAGE reports and baselines', () => {
  let verifications: DispatchVerification[];

  before(function () {
    const list = decodeAnmDocument('merit-order-list', bitraderFixture(this, 'mol-traded-figure7.tsv'), 'text/tab-separated-values') as MeritOrderList;
    const events = meritOrderEvents(
      list,
      { id: 'mol-fig7', revision: 2 },
      { start: '2024-10-18T07:00:00Z', end: '2024-10-18T08:00:00Z', constraintId: 'C1' },
      { programID: 'program-1', intervalMinutes: 30, sellerServices: new Map() },
    );
    const event = (contractId: string, id: string): Event =>
      ({
        ...events.get(`mol-fig7/${contractId}`)!,
        id,
        objectType: 'EVENT',
        createdDateTime: '2024-10-17T20:08:45Z',
        modificationDateTime: '2024-10-17T20:08:45Z',
      }) as Event;
    const registry = new RegistryIndex(bitraderRegistry());
    const settle = (contractId: string, eventId: string, tradeId: string, baseline: Baseline, usage: number[]) => {
      const dispatch = dispatchOfEvent(event(contractId, eventId), 2, [tradeId]);
      const contract = registry.contract(dispatch.contractId)!;
      return verifyDispatch({
        dispatch,
        contract,
        asset: registry.coveredAsset(contract, dispatch.resourceId)!,
        baseline,
        readings: readingsOfUsageReport(usageReport(eventId, dispatch.resourceId, usage), dispatch.resourceId),
      });
    };
    const nominated = nominatedBaselineFromCsv('settlement_date,settlement_period,kW\n18/10/2024,17,650\n18/10/2024,18,650\n');
    verifications = [
      settle('Agg_Seller_1', 'event-agg1', 'T1', nominated, [60, 40, 80, 120]),
      settle('Agg_Seller_2', 'event-agg2', 'T2', { kind: 'asset-capacity' }, [100, 100, 150, 150]),
    ];
  });

  it('Aggregate 1 (instructed −600 kW, nominated baseline 650 kW): 600 and 550 kW delivered, 95.83 % ≥ grace, paid in full', () => {
    const [agg1] = verifications;
    assert.deepEqual(
      agg1!.periods.map((p) => [p.settlementDate, p.period, p.instructed_kW, p.baseline_kW, p.metered_kWmin / 30, p.delivered_kWmin / 30]),
      [
        ['2024-10-18', 17, 600, 650, 50, 600],
        ['2024-10-18', 18, 600, 650, 100, 550],
      ],
    );
    assert.equal(agg1!.performanceFactor_bp, 9583);
    assert.equal(agg1!.multiplier_bp, 10_000);
    assert.deepEqual(agg1!.availabilityPayment, { amount: 300, currency: 'GBP' });
    assert.deepEqual(agg1!.utilisationPayment, { amount: 8625, currency: 'GBP' });
  });

  it('Aggregate 2 (instructed −500 kW, asset-capacity baseline 500 kW): 400 and 350 kW, 75 % on the sliding scale', () => {
    const [, agg2] = verifications;
    assert.deepEqual(
      agg2!.periods.map((p) => [p.baseline_kW, p.delivered_kWmin / 30, p.availabilityPayment.amount, p.utilisationPayment.amount]),
      [
        [500, 400, 94, 2250],
        [500, 350, 94, 1969],
      ],
    );
    assert.equal(agg2!.performanceFactor_bp, 7500);
    assert.equal(agg2!.multiplier_bp, 7500);
  });

  it('gives each FSP a statement (JSON and CSV) whose lines lead back to event, trade, contract and asset', () => {
    const agg1 = settlementStatement('fsp-agg1', '2024-10-18T00:00:00Z', '2024-10-19T00:00:00Z', verifications);
    assert.equal(agg1.total, 8925);
    assert.equal(settlementStatement('fsp-agg2', '2024-10-18T00:00:00Z', '2024-10-19T00:00:00Z', verifications).total, 4407);
    assert.deepEqual(
      agg1.lines.map((l) => [l.eventId, l.eventRevision, l.tradeIds, l.contractId, l.dsoAssetIds]),
      [
        ['event-agg1', 2, ['T1'], 'Agg_Seller_1', ['ENWL-G1_Agg1']],
        ['event-agg1', 2, ['T1'], 'Agg_Seller_1', ['ENWL-G1_Agg1']],
      ],
    );
    const csv = statementCsv(agg1).split('\r\n');
    assert.equal(
      csv[1],
      '2024-10-18,17,2024-10-18T07:00:00Z,event-agg1,2,T1,Agg_Seller_1,ENWL-G1_Agg1,600,650,25.000,300.000,300.000,95.83,100.00,150,4500,GBP,,',
    );
    assert.equal(
      csv[2],
      '2024-10-18,18,2024-10-18T07:30:00Z,event-agg1,2,T1,Agg_Seller_1,ENWL-G1_Agg1,600,650,50.000,275.000,275.000,95.83,100.00,150,4125,GBP,,',
    );
  });

  it('goes out as a MeasurementData_MarketDocument: metered and baseline kW per settlement period and contract, with the registered asset', () => {
    const registry = new RegistryIndex(bitraderRegistry());
    const assetOf = (resourceId: string) => registry.assetOfResource(resourceId);
    assert.deepEqual(measurementModel(verifications, assetOf), {
      start: '2024-10-18T07:00:00Z',
      end: '2024-10-18T08:00:00Z',
      resources: [
        {
          contractId: 'Agg_Seller_1',
          resourceId: 'G1_Agg1',
          metered_kW: [50, 100],
          baseline_kW: [650, 650],
          registeredAsset: { dsoAssetId: 'ENWL-G1_Agg1', assetGroupId: 'GRP-G1_Agg1', energySource: 'demand-side-response' },
        },
        {
          contractId: 'Agg_Seller_2',
          resourceId: 'G1_Agg2',
          metered_kW: [100, 150],
          baseline_kW: [500, 500],
          registeredAsset: { dsoAssetId: 'ENWL-G1_Agg2', assetGroupId: 'GRP-G1_Agg2', energySource: 'electric-vehicle' },
        },
      ],
    });
    const xml = measurementDocument(verifications, assetOf, {
      mRID: 'verification-2024-10-18-C1',
      revisionNumber: 1,
      createdDateTime: '2024-10-19T00:00:00Z',
      sender: { mRID: 'ENWL', codingScheme: 'NGB', role: 'A50' },
      receiver: { mRID: 'FSP-AGG', codingScheme: 'NGB', role: 'A56' },
    });
    assert.match(xml, /<marketAgreement\.mRID>Agg_Seller_1<\/marketAgreement\.mRID>/);
    assert.match(xml, /<delta_Quantity\.quantity>600<\/delta_Quantity\.quantity>/);
    assert.match(xml, /<text>dsoAssetId=ENWL-G1_Agg1<\/text>/);
    assert.match(xml, /<text>assetGroupId=GRP-G1_Agg2<\/text>/);
    assert.match(xml, /<text>energySource=electric-vehicle psrType=B26<\/text>/);
  });
});
