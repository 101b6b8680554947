import assert from 'node:assert/strict';
import type { Event } from '../../schemas/openadr/wire.ts';
import { postActionReport, statusReport } from '../../client/openadr/reports.ts';
import type { VenClient } from '../../client/openadr/venClient.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { listObjects } from './objectTable.ts';
import { AnmSide, enrolVen, signedInVen, type EnrolledVen } from './testing/scenario.ts';
import { startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

const payloadOf = (event: Event) =>
  (event.intervals ?? []).map((i) => [i.intervalPeriod?.start, i.intervalPeriod?.duration, i.payloads[0]!.type, i.payloads[0]!.values[0]]);
const targetsOf = (event: Event) => event.targets ?? [];

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 VTN: client/'s VEN client, every answer held to the official file, on ${backend.name}`, function () {
    this.timeout(120_000);
    let store: Store;
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: VenClient;
    let anm: AnmSide;
    let fsp1: EnrolledVen;
    let fsp2: EnrolledVen;
    let listId: string;
    let lookAheadId: string;
    let figure7Id: string;

    before(async function () {
      spec = OfficialSpec.load(this);
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      store = vtn.store;
      anm = await AnmSide.of(vtn);
      dso = await signedInVen(spec, vtn, 'dso');
      fsp1 = await enrolVen(spec, vtn, dso, 'fsp1');
      fsp2 = await enrolVen(spec, vtn, dso, 'fsp2');
    });
    after(async () => {
      await vtn?.close();
    });

    it('finds where to get a token (auth/server) and gets one bound to its certificate', async function () {
      const server = await fsp1.ven.authServer();
      assert.equal(server.tokenURL, `${vtn.base}/auth/token`);
      const tokens = await store.db
        .selectFrom('openadr_tokens')
        .select(['client_id', 'certificate_thumbprint', 'scopes'])
        .where('client_id', '=', fsp1.ven.party)
        .execute();
      assert.ok(tokens.length > 0);
      assert.equal(tokens[0]!.scopes, 'read_targets read_ven_objects write_reports write_subscriptions write_vens');
    });

    it('polls no events for figure 6: the original list instructs nobody (every value 0)', async function () {
      ({ lookAheadId, listId } = await anm.figures5And6(this));
      assert.deepEqual(await fsp1.ven.events(), []);
      assert.deepEqual(await fsp2.ven.events(), []);
    });

    it('polls the events figure 7 makes: each VEN only those targeted at its resources, kW per half hour over C1', async function () {
      await anm.tradeToFigure7(listId, lookAheadId);
      const mine = await fsp1.ven.events();
      assert.deepEqual(mine.map((e) => targetsOf(e).join(',')).sort(), ['G1_A1,A1_Buyer', 'G1_Agg1,Agg_Seller_1']);
      const seller = mine.find((e) => targetsOf(e).includes('Agg_Seller_1'))!;
      const buyer = mine.find((e) => targetsOf(e).includes('A1_Buyer'))!;
      // C1 is 18/10/2024 08:00 BST for one settlement period: 07:00Z-07:30Z, one interval.
      assert.deepEqual(payloadOf(seller), [['2024-10-18T07:00:00.000Z', 'PT30M', 'DISPATCH_SETPOINT_RELATIVE', -600]]);
      assert.deepEqual(payloadOf(buyer), [['2024-10-18T07:00:00.000Z', 'PT30M', 'IMPORT_CAPACITY_LIMIT', 600]]);
      assert.deepEqual(seller.payloadDescriptors, [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'DISPATCH_SETPOINT_RELATIVE', units: 'KW' }]);
      assert.equal(seller.eventName, `merit-order-list ${listId} revision 2 contract Agg_Seller_1`);
      const theirs = await fsp2.ven.events();
      assert.deepEqual(theirs.map((e) => payloadOf(e)[0]![3]).sort(), [-500, 500]);
      assert.deepEqual(await fsp1.ven.event(seller.id), seller);
      const program = await fsp1.ven.program(seller.programID);
      assert.equal(program.programName, 'anm-dispatch-dso-dev');
    });

    it('reports on its events: status, then (after the DSO instructs) the post-action report completes the dispatch', async function () {
      const [event] = (await fsp1.ven.events()).filter((e) => targetsOf(e).includes('Agg_Seller_1'));
      const status = await fsp1.ven.createReport(statusReport(event!, { clientName: 'fsp1-ven', resourceName: 'G1_Agg1', value: 'NORMAL' }));
      assert.equal(status.clientID, fsp1.ven.party);
      const { id: _id, createdDateTime: _c, modificationDateTime: _m, objectType: _o, ...request } = event!;
      const instructed = await dso.call<Event>('updateEvent', { params: { eventID: event!.id }, body: { ...request, dispatchStage: 'INSTRUCTED' } });
      assert.equal(instructed.status, 200);
      assert.equal(instructed.body.dispatchStage, 'INSTRUCTED');
      const usage = await fsp1.ven.createReport(postActionReport(event!, { clientName: 'fsp1-ven', resourceName: 'G1_Agg1', values: [-590] }));
      assert.deepEqual(usage.payloadDescriptors, [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' }]);
      assert.deepEqual(usage.resources[0]!.intervals, [
        { id: 0, intervalPeriod: { start: '2024-10-18T07:00:00.000Z', duration: 'PT30M' }, payloads: [{ type: 'USAGE', values: [-590] }] },
      ]);
      assert.equal((await fsp1.ven.event(event!.id)).dispatchStage, 'COMPLETED');
      assert.equal((await fsp1.ven.reports({ eventID: event!.id })).length, 2);
    });

    it('updates or cancels the events of a new revision, never duplicating them (verification cancels T2)', async function () {
      const before = await fsp1.ven.events();
      // On the day Aggregate_2 is no longer behind C1: T2 (Agg_Seller_2 → A2_Buyer) is cancelled, revision 3.
      await anm.verifyOnTheDay(listId, ['G1_A1', 'G1_A2', 'G1_A3', 'G1_A4', 'G1_A5', 'G1_Agg1', 'G1_Agg3', 'G1_Agg4', 'G1_Agg5']);
      assert.deepEqual(await fsp2.ven.events(), [], 'T2 cancelled: fsp2 events deleted');
      const after = await fsp1.ven.events();
      assert.deepEqual(after.map((e) => e.id).sort(), before.map((e) => e.id).sort(), 'same events, same ids');
      const live = after.find((e) => targetsOf(e).includes('A1_Buyer'))!;
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
      figure7Id = await anm.post('merit-order-lists', bitraderFixture(this, 'mol-traded-figure7.tsv'));
      const mine = (await fsp1.ven.events()).filter((e) => e.eventName!.includes(figure7Id));
      assert.deepEqual(mine.map((e) => payloadOf(e)[0]).sort(), [
        ['2024-10-18T07:00:00.000Z', 'PT30M', 'DISPATCH_SETPOINT_RELATIVE', -600],
        ['2024-10-18T07:00:00.000Z', 'PT30M', 'IMPORT_CAPACITY_LIMIT', 600],
      ]);
      assert.ok(mine.every((e) => e.eventName!.includes('revision 1')));
    });

    it('takes the USAGE report a scheduled event asks for from a plain VEN, and completes the dispatch (no instruction stage to know of)', async function () {
      const [event] = (await fsp1.ven.events()).filter((e) => targetsOf(e).includes('A1_Buyer') && e.eventName!.includes(figure7Id));
      assert.equal(event!.dispatchStage, 'SCHEDULED');
      assert.deepEqual(
        event!.reportDescriptors?.map((d) => d.payloadType),
        ['USAGE'],
      );
      const report = await fsp1.ven.createReport(postActionReport(event!, { clientName: 'fsp1-ven', resourceName: 'G1_A1', values: [610] }));
      assert.equal(report.eventID, event!.id);
      assert.equal((await fsp1.ven.event(event!.id)).dispatchStage, 'COMPLETED');
    });

    it('journals every OpenADR write with its sender, like every other message', async function () {
      const rows = await store.db.selectFrom('journal').select(['path', 'sender']).where('path', 'like', '/openadr/3.1.0/%').execute();
      assert.ok(rows.some((r) => r.path === '/openadr/3.1.0/reports' && r.sender === fsp1.ven.party));
      assert.ok(!rows.some((r) => r.path === '/openadr/3.1.0/auth/token'), 'token requests carry a secret and are not journalled');
    });
  });
});
