import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Event } from '../../../schemas/openadr/wire.ts';
import { loadSchema, schemaViolations, type CompiledSchema } from '../../cim/xsdValidation.ts';
import type { Store } from '../../store/store.ts';
import { forEachBackend } from '../../store/testStores.ts';
import { SHARED_DIR } from '../../testing/fixtures.ts';
import { listObjects } from '../objectTable.ts';
import { OfficialSpec } from '../../../client/testing/officialSpec.ts';
import { AnmSide, enrolVen, signedInVen, type EnrolledVen } from '../testing/scenario.ts';
import { startVtn, type RunningVtn, sharedTestPki } from '../testing/vtnServer.ts';
import { eventStatus, NEAR_WINDOW_MS, oadrDistributeEvent } from './distributeEvent.ts';

const OADR_20B_XSD = join(SHARED_DIR, 'anchors', 'openadr2b', 'oadr_20b.xsd');

/** The official 2.0b schema set (imports resolved beside it), or a loud skip when ../shared is absent. */
function officialXsd(test: Mocha.Context): CompiledSchema {
  if (!existsSync(OADR_20B_XSD)) {
    console.warn(`\n  !! SKIPPED: ${OADR_20B_XSD} is absent; the official OpenADR 2.0b XSDs live in ../shared/anchors/openadr2b beside the repository\n`);
    test.skip();
  }
  return loadSchema(OADR_20B_XSD);
}

function assertValid(xml: string, xsd: CompiledSchema): void {
  assert.deepEqual(
    schemaViolations(xml, xsd).map((v) => v.detail),
    [],
  );
}

type Xml = Record<string, unknown>;
const reader = new XMLParser({
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => ['oadrEvent', 'eiEventSignal', 'interval', 'groupID', 'resourceID'].includes(name),
});
const distributed = (xml: string) => ((reader.parse(xml) as Xml).oadrPayload as Xml).oadrSignedObject as { oadrDistributeEvent: Xml };

interface Rendered {
  eventID: string;
  modificationNumber: string;
  marketContext: string;
  status: string;
  start: string;
  duration: string;
  groups: string[];
  resources: string[];
  signals: Array<{ name: string; type: string; values: string[]; durations: string[]; current?: string }>;
}

/** The parts of each oadrEvent a 2.0b VEN acts on. */
function renderedEvents(xml: string): Rendered[] {
  const events = (distributed(xml).oadrDistributeEvent.oadrEvent ?? []) as Xml[];
  return events.map((container) => {
    const e = container.eiEvent as Xml;
    const d = e.eventDescriptor as Xml;
    const props = (e.eiActivePeriod as Xml).properties as Xml;
    const target = (e.eiTarget ?? {}) as Xml;
    const signals = ((e.eiEventSignals as Xml).eiEventSignal as Xml[]).map((s) => {
      const intervals = (s.intervals as Xml).interval as Xml[];
      const current = ((s.currentValue as Xml | undefined)?.payloadFloat as Xml | undefined)?.value as string | undefined;
      return {
        name: s.signalName as string,
        type: s.signalType as string,
        values: intervals.map((i) => ((i.signalPayload as Xml).payloadFloat as Xml).value as string),
        durations: intervals.map((i) => (i.duration as Xml).duration as string),
        ...(current === undefined ? {} : { current }),
      };
    });
    return {
      eventID: d.eventID as string,
      modificationNumber: d.modificationNumber as string,
      marketContext: (d.eiMarketContext as Xml).marketContext as string,
      status: d.eventStatus as string,
      start: (props.dtstart as Xml)['date-time'] as string,
      duration: (props.duration as Xml).duration as string,
      groups: (target.groupID ?? []) as string[],
      resources: (target.resourceID ?? []) as string[],
      signals,
    };
  });
}

const futureEvent = (start: Date): Event => ({
  id: 'ev-1',
  createdDateTime: '2030-01-01T00:00:00.000Z',
  modificationDateTime: '2030-01-01T00:00:00.000Z',
  objectType: 'EVENT',
  programID: 'prog-1',
  priority: 3,
  targets: ['G1_A1', 'A1_Buyer'],
  payloadDescriptors: [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IMPORT_CAPACITY_LIMIT', units: 'KW' }],
  intervalPeriod: { start: start.toISOString(), duration: 'PT30M' },
  intervals: [
    { id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [600] }] },
    { id: 1, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [450] }] },
  ],
});

describe('OpenADR 2.0b oadrDistributeEvent, rendered from a 3.x event', function () {
  let xsd: CompiledSchema;
  before(function () {
    xsd = officialXsd(this);
  });

  const render = (now: Date, cancelled = false) =>
    oadrDistributeEvent({
      requestID: 'req-1',
      vtnID: 'flexgate.example',
      now,
      events: [
        {
          event: futureEvent(new Date('2030-06-01T10:00:00Z')),
          modificationNumber: 2,
          cancelled,
          marketContext: 'https://flexgate.example/openadr/3.1.0/programs/prog-1',
          resourceNames: new Set(['G1_A1']),
        },
      ],
    });

  it('is valid against the official XSD, with intervals following the start in ISO 8601 durations', function () {
    const xml = render(new Date('2030-06-01T10:45:00Z'));
    assertValid(xml, xsd);
    const [event] = renderedEvents(xml);
    assert.deepEqual(event, {
      eventID: 'ev-1',
      modificationNumber: '2',
      marketContext: 'https://flexgate.example/openadr/3.1.0/programs/prog-1',
      status: 'active',
      start: '2030-06-01T10:00:00Z',
      duration: 'PT60M',
      groups: ['A1_Buyer'],
      resources: ['G1_A1'],
      signals: [{ name: 'x-IMPORT_CAPACITY_LIMIT', type: 'setpoint', values: ['600', '450'], durations: ['PT30M', 'PT30M'], current: '450' }],
    });
    assert.equal(distributed(xml).oadrDistributeEvent.requestID, 'req-1');
  });

  it('tells the event status from its times, and cancelled from its dispatch', function () {
    const times = { start: Date.parse('2030-06-01T10:00:00Z'), end: Date.parse('2030-06-01T11:00:00Z') };
    assert.equal(eventStatus(times, false, new Date(times.start - NEAR_WINDOW_MS - 1)), 'far');
    assert.equal(eventStatus(times, false, new Date(times.start - NEAR_WINDOW_MS)), 'near');
    assert.equal(eventStatus(times, false, new Date(times.start)), 'active');
    assert.equal(eventStatus(times, false, new Date(times.end)), 'completed');
    assert.equal(eventStatus(times, true, new Date(times.start)), 'cancelled');
    const cancelled = render(new Date('2030-01-01T00:00:00Z'), true);
    assertValid(cancelled, xsd);
    assert.equal(renderedEvents(cancelled)[0]!.status, 'cancelled');
    assert.equal(renderedEvents(cancelled)[0]!.signals[0]!.current, undefined, 'no current value before the event runs');
  });
});

forEachBackend((backend) => {
  describe(`OpenADR 2.0b route: a legacy VEN gets the figure 6 and 7 events as oadrDistributeEvent, on ${backend.name}`, function () {
    this.timeout(120_000);
    let store: Store;
    let vtn: RunningVtn;
    let xsd: CompiledSchema;
    let anm: AnmSide;
    let fsp1: EnrolledVen;
    let listId: string;
    let lookAheadId: string;

    before(async function () {
      xsd = officialXsd(this);
      const spec = OfficialSpec.load(this);
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      store = vtn.store;
      anm = await AnmSide.of(vtn);
      fsp1 = await enrolVen(spec, vtn, await signedInVen(spec, vtn, 'dso'), 'fsp1');
    });
    after(async () => {
      await vtn?.close();
    });

    const poll = (venID: string, accept = 'application/xml') =>
      vtn.client('fsp1').request('GET', `/openadr/2.0b/events?venID=${venID}&requestID=poll-1`, { headers: { accept } });

    it('answers figure 6 with an oadrDistributeEvent carrying no event, valid against the official XSD', async function () {
      ({ lookAheadId, listId } = await anm.figures5And6(this));
      const answer = await poll(fsp1.venId);
      assert.equal(answer.status, 200, answer.text);
      assert.match(String(answer.headers['content-type']), /^application\/xml/);
      assertValid(answer.text, xsd);
      assert.deepEqual(renderedEvents(answer.text), []);
    });

    it('renders figure 7’s events as the 3.1.0 VEN sees them: signals, values, targets, times, program, modification number', async function () {
      await anm.tradeToFigure7(listId, lookAheadId);
      const answer = await poll(fsp1.venId);
      assert.equal(answer.status, 200, answer.text);
      assertValid(answer.text, xsd);
      const rendered = renderedEvents(answer.text).sort((a, b) => a.groups[0]!.localeCompare(b.groups[0]!));
      const seen = await fsp1.ven.events();
      assert.deepEqual(rendered.map((e) => e.eventID).sort(), seen.map((e) => e.id).sort());
      const rows = await listObjects<Event>(store.db, 'EVENT', { sourcePrefix: `${listId}/` });
      const versionOf = (id: string) => rows.find((r) => r.id === id)!.version;
      const programURL = `${vtn.base}/programs/${seen[0]!.programID}`;
      assert.deepEqual(
        // modificationNumber is the stored version − 1: shown as its difference from that.
        rendered.map(({ eventID, ...rest }) => ({ ...rest, modificationNumber: Number(rest.modificationNumber) - (versionOf(eventID) - 1) })),
        [
          {
            modificationNumber: 0,
            marketContext: programURL,
            status: 'completed',
            start: '2024-10-18T07:00:00Z',
            duration: 'PT30M',
            groups: ['A1_Buyer'],
            resources: ['G1_A1'],
            signals: [{ name: 'x-IMPORT_CAPACITY_LIMIT', type: 'setpoint', values: ['600'], durations: ['PT30M'] }],
          },
          {
            modificationNumber: 0,
            marketContext: programURL,
            status: 'completed',
            start: '2024-10-18T07:00:00Z',
            duration: 'PT30M',
            groups: ['Agg_Seller_1'],
            resources: ['G1_Agg1'],
            signals: [{ name: 'LOAD_DISPATCH', type: 'delta', values: ['-600'], durations: ['PT30M'] }],
          },
        ],
      );
    });

    it('serves only XML, and only the caller’s own VEN', async function () {
      assert.equal((await poll(fsp1.venId, 'application/json')).status, 406);
      const other = await vtn.client('fsp2').request('GET', `/openadr/2.0b/events?venID=${fsp1.venId}`, { headers: { accept: 'application/xml' } });
      assert.equal(other.status, 404);
      assert.equal((await poll('')).status, 400);
    });
  });
});
