import assert from 'node:assert/strict';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { listObjects } from './objectTable.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import type { OfficialVen } from '../../client/testing/officialVen.ts';
import { AnmSide, eventsOf, registerVen, signedIn, type RegisteredVen } from './testing/scenario.ts';
import { startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

type Json = Record<string, unknown>;
const payloadOf = (event: Json) => {
  const intervals = event.intervals as Array<{ intervalPeriod: { start: string; duration: string }; payloads: Array<{ type: string; values: number[] }> }>;
  return intervals.map((i) => [i.intervalPeriod.start, i.intervalPeriod.duration, i.payloads[0]!.type, i.payloads[0]!.values[0]]);
};

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 VTN: a VEN built from the official file, on ${backend.name}`, function () {
    let store: Store;
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: OfficialVen;
    let anm: AnmSide;
    let fsp1: RegisteredVen;
    let fsp2: RegisteredVen;
    let listId: string;
    let lookAheadId: string;

    before(async function () {
      spec = OfficialSpec.load(this);
      store = await backend.open(this);
      vtn = await startVtn(await sharedTestPki(), store);
      anm = new AnmSide(vtn);
      dso = await signedIn(spec, vtn, 'dso');
      fsp1 = await registerVen(spec, vtn, dso, 'fsp1');
      fsp2 = await registerVen(spec, vtn, dso, 'fsp2');
    });
    after(async () => {
      await vtn?.close();
      await store?.close();
    });

    it('finds where to get a token (auth/server) and gets one bound to its certificate', async function () {
      const server = await fsp1.ven.call('getAuthServerInfo');
      assert.equal(server.status, 200);
      assert.match((server.json as Json).tokenURL as string, /^https:\/\/.+\/openadr\/3\.1\.0\/auth\/token$/);
      const tokens = await store.db
        .selectFrom('openadr_tokens')
        .select(['client_id', 'certificate_thumbprint', 'scopes'])
        .where('client_id', '=', fsp1.ven.client.urn)
        .execute();
      assert.ok(tokens.length > 0);
      assert.equal(tokens[0]!.scopes, 'read_targets read_ven_objects write_reports write_subscriptions write_vens');
    });

    it('polls no events for figure 6: the original list instructs nobody (every value 0)', async function () {
      ({ lookAheadId, listId } = await anm.figures5And6(this));
      assert.deepEqual(await eventsOf(fsp1.ven), []);
      assert.deepEqual(await eventsOf(fsp2.ven), []);
    });

    it('polls the events figure 7 makes: each VEN only those targeted at its resources, kW per half hour over C1', async function () {
      await anm.tradeToFigure7(listId, lookAheadId);
      const mine = await eventsOf(fsp1.ven);
      assert.deepEqual(mine.map((e) => (e.targets as string[]).join(',')).sort(), ['G1_A1,A1_Buyer', 'G1_Agg1,Agg_Seller_1']);
      const seller = mine.find((e) => (e.targets as string[]).includes('Agg_Seller_1'))!;
      const buyer = mine.find((e) => (e.targets as string[]).includes('A1_Buyer'))!;
      // C1 is 18/10/2024 08:00 BST for one settlement period: 07:00Z-07:30Z, one interval.
      assert.deepEqual(payloadOf(seller), [['2024-10-18T07:00:00.000Z', 'PT30M', 'DISPATCH_SETPOINT_RELATIVE', -600]]);
      assert.deepEqual(payloadOf(buyer), [['2024-10-18T07:00:00.000Z', 'PT30M', 'IMPORT_CAPACITY_LIMIT', 600]]);
      assert.deepEqual(seller.payloadDescriptors, [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'DISPATCH_SETPOINT_RELATIVE', units: 'KW' }]);
      assert.equal(seller.eventName, `merit-order-list ${listId} revision 2 contract Agg_Seller_1`);
      const theirs = await eventsOf(fsp2.ven);
      assert.deepEqual(theirs.map((e) => payloadOf(e)[0]![3]).sort(), [-500, 500]);
      const read = await fsp1.ven.call('searchEventsByID', { params: { eventID: seller.id as string } });
      assert.equal(read.status, 200);
      assert.deepEqual(read.json, seller);
      const program = await fsp1.ven.call('searchProgramByProgramId', { params: { programID: seller.programID as string } });
      assert.equal((program.json as Json).programName, 'anm-dispatch-dso-dev');
    });

    it('reports on its events: status, then (after the DSO instructs) the post-action report completes the dispatch', async function () {
      const [event] = (await eventsOf(fsp1.ven)).filter((e) => (e.targets as string[]).includes('Agg_Seller_1'));
      const report = (type: string, value: number | string) => ({
        eventID: event!.id,
        clientName: 'fsp1-ven',
        reportName: `${type} for ${event!.eventName}`,
        payloadDescriptors: [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: type, readingType: 'DIRECT_READ', units: 'KW' }],
        resources: [
          {
            resourceName: 'G1_Agg1',
            intervals: [{ id: 0, intervalPeriod: { start: '2024-10-18T07:00:00Z', duration: 'PT30M' }, payloads: [{ type, values: [value] }] }],
          },
        ],
      });
      const status = await fsp1.ven.call('createReport', { body: report('OPERATING_STATE', 'NORMAL') });
      assert.equal(status.status, 201, status.text);
      assert.equal((status.json as Json).clientID, fsp1.ven.client.urn);
      const { id: _id, createdDateTime: _c, modificationDateTime: _m, objectType: _o, ...request } = event!;
      const instructed = await dso.call('updateEvent', { params: { eventID: event!.id as string }, body: { ...request, dispatchStage: 'INSTRUCTED' } });
      assert.equal(instructed.status, 200, instructed.text);
      const usage = await fsp1.ven.call('createReport', { body: report('USAGE', -590) });
      assert.equal(usage.status, 201, usage.text);
      const after = await fsp1.ven.call('searchEventsByID', { params: { eventID: event!.id as string } });
      assert.equal((after.json as Json).dispatchStage, 'COMPLETED');
      const reports = await fsp1.ven.call('searchAllReports', { query: { eventID: event!.id as string } });
      assert.equal((reports.json as Json[]).length, 2);
    });

    it('updates or cancels the events of a new revision, never duplicating them (verification cancels T2)', async function () {
      const before = await eventsOf(fsp1.ven);
      // On the day Aggregate_2 is no longer behind C1: T2 (Agg_Seller_2 → A2_Buyer) is cancelled, revision 3.
      await anm.verifyOnTheDay(listId, ['G1_A1', 'G1_A2', 'G1_A3', 'G1_A4', 'G1_A5', 'G1_Agg1', 'G1_Agg3', 'G1_Agg4', 'G1_Agg5']);
      assert.deepEqual(await eventsOf(fsp2.ven), [], 'T2 cancelled: fsp2 events deleted');
      const after = await eventsOf(fsp1.ven);
      assert.deepEqual(after.map((e) => e.id).sort(), before.map((e) => e.id).sort(), 'same events, same ids');
      const live = after.find((e) => (e.targets as string[]).includes('A1_Buyer'))!;
      assert.equal(live.eventName, `merit-order-list ${listId} revision 3 contract A1_Buyer`);
      const rows = await listObjects(store.db, 'EVENT', { sourcePrefix: `${listId}/` });
      assert.deepEqual(rows.map((r) => `${r.sourceKey!.split('/')[1]}:${r.lifecycle}`).sort(), [
        'A1_Buyer:SCHEDULED',
        'A2_Buyer:CANCELLED',
        'Agg_Seller_1:COMPLETED',
        'Agg_Seller_2:CANCELLED',
      ]);
    });

    it('makes events from a figure 7 list posted as it stands (the traded list as the ANM exports it)', async function () {
      const figure7Id = await anm.post('merit-order-lists', bitraderFixture(this, 'mol-traded-figure7.tsv'), 'text/tab-separated-values');
      const mine = (await eventsOf(fsp1.ven)).filter((e) => (e.eventName as string).includes(figure7Id));
      assert.deepEqual(mine.map((e) => payloadOf(e)[0]).sort(), [
        ['2024-10-18T07:00:00.000Z', 'PT30M', 'DISPATCH_SETPOINT_RELATIVE', -600],
        ['2024-10-18T07:00:00.000Z', 'PT30M', 'IMPORT_CAPACITY_LIMIT', 600],
      ]);
      assert.ok(mine.every((e) => (e.eventName as string).includes('revision 1')));
    });

    it('journals every OpenADR write with its sender, like every other message', async function () {
      const rows = await store.db.selectFrom('journal').select(['path', 'sender']).where('path', 'like', '/openadr/3.1.0/%').execute();
      assert.ok(rows.some((r) => r.path === '/openadr/3.1.0/reports' && r.sender === fsp1.ven.client.urn));
      assert.ok(!rows.some((r) => r.path === '/openadr/3.1.0/auth/token'), 'token requests carry a secret and are not journalled');
    });
  });
});
