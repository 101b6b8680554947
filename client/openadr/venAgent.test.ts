import assert from 'node:assert/strict';
import type { Event, Report, ReportRequest } from '../../schemas/openadr/wire.ts';
import { convertPower, VenAgent, type AgentVtn, type Site } from './venAgent.ts';

const SITE: Site = { venName: 'ven-1', resourceName: 'r1', available_kW: 120, energySourceType: 'battery', assetGroupId: 'g1' };
const NOW = Date.parse('2026-11-30T12:00:00Z');

/** A VTN that keeps the reports posted to it. */
class RecordingVtn implements AgentVtn {
  readonly posted: ReportRequest[] = [];
  async event(): Promise<Event> {
    throw new Error('not asked in these cases');
  }
  async createReport(request: ReportRequest): Promise<Report> {
    this.posted.push(request);
    return { ...request, id: `report-${this.posted.length}`, objectType: 'REPORT', clientID: 'c', createdDateTime: '', modificationDateTime: '' } as Report;
  }
}

const event = (change: Partial<Event>): Event =>
  ({
    id: 'e1',
    programID: 'p1',
    createdDateTime: '2026-11-30T11:00:00Z',
    modificationDateTime: '2026-11-30T11:00:00Z',
    reportDescriptors: [
      { payloadType: 'LOAD_SHED_DELTA_AVAILABLE', readingType: 'DIRECT_READ', units: 'KW' },
      { payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' },
    ],
    payloadDescriptors: [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IMPORT_CAPACITY_LIMIT', units: 'MW' }],
    ...change,
  }) as Event;

/** Instructed 0.4 MW over the half hour that ended at NOW. */
const instructed = (dispatchStage: Event['dispatchStage']) =>
  event({
    dispatchStage,
    intervalPeriod: { start: '2026-11-30T11:30:00Z', duration: 'PT30M' },
    intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [0.4] }] }],
  });

const typesOf = (request: ReportRequest) => request.resources.flatMap((r) => r.intervals.flatMap((i) => i.payloads.map((p) => p.type)));

describe('VenAgent: the reference VEN through the ENA dispatch lifecycle', () => {
  let vtn: RecordingVtn;
  let agent: VenAgent;
  beforeEach(() => {
    vtn = new RecordingVtn();
    agent = new VenAgent(
      vtn,
      SITE,
      () => undefined,
      () => NOW,
    );
  });
  afterEach(() => agent.close());

  it('declares its availability once when a request for services asks for it', async () => {
    await agent.onEvent(event({ dispatchStage: 'REQUESTED' }));
    await agent.onEvent(event({ dispatchStage: 'REQUESTED', modificationDateTime: '2026-11-30T11:05:00Z' }));
    assert.equal(vtn.posted.length, 1);
    assert.deepEqual(typesOf(vtn.posted[0]!), ['LOAD_SHED_DELTA_AVAILABLE', 'ENERGY_SOURCE_TYPE', 'ASSET_GROUP_ID']);
    assert.equal(vtn.posted[0]!.resources[0]!.intervals[0]!.payloads[0]!.values[0], 120);
  });

  it('reports nothing while the dispatch is only accepted', async () => {
    await agent.onEvent(event({ dispatchStage: 'ACCEPTED' }));
    assert.deepEqual(vtn.posted, []);
  });

  it('reports USAGE once the dispatch ceased, per interval, in the units the descriptor asks for', async () => {
    await agent.onEvent(instructed('CEASED'));
    await agent.onEvent(instructed('CEASED'));
    assert.equal(vtn.posted.length, 1);
    const [report] = vtn.posted;
    assert.deepEqual(report!.payloadDescriptors, [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' }]);
    assert.deepEqual(
      report!.resources[0]!.intervals.map((i) => [i.id, i.payloads[0]!.type, i.payloads[0]!.values[0]]),
      [[0, 'USAGE', 400]],
    );
  });

  it('reports an instructed dispatch whose intervals have ended, and never one cancelled before', async () => {
    await agent.onEvent(instructed('INSTRUCTED'));
    assert.equal(vtn.posted.length, 1);
    const other = new VenAgent(
      vtn,
      SITE,
      () => undefined,
      () => NOW,
    );
    other.onCancelled('e1');
    await other.onEvent(instructed('INSTRUCTED'));
    assert.equal(vtn.posted.length, 1);
  });

  it('converts between W, kW and MW, and leaves other units alone', () => {
    assert.equal(convertPower(0.4, 'MW', 'KW'), 400);
    assert.equal(convertPower(400, 'kW', 'W'), 400_000);
    assert.equal(convertPower(7, 'KWH', 'KW'), 7);
  });
});
