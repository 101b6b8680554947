import assert from 'node:assert/strict';
import type { Event, EventRequest, ReportRequest } from '../../schemas/openadr/wire.ts';
import { declarationReport } from '../../client/openadr/reports.ts';
import type { OperationCall, VenClient } from '../../client/openadr/venClient.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import { forEachBackend } from '../store/testStores.ts';
import { AnmSide, enrolVen, refusal, signedInVen, type EnrolledVen } from './testing/scenario.ts';
import { PARTIES, startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

type Json = Record<string, unknown>;
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 VTN: tokens, scopes, privacy and the dispatch lifecycle, on ${backend.name}`, function () {
    this.timeout(120_000);
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: VenClient;
    let fsp1: EnrolledVen;
    let fsp2: EnrolledVen;
    let fsp1Event: Event;
    let fsp1Report: Json;
    let fsp1Subscription: Json;

    before(async function () {
      spec = OfficialSpec.load(this);
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      dso = await signedInVen(spec, vtn, 'dso');
      fsp1 = await enrolVen(spec, vtn, dso, 'fsp1');
      fsp2 = await enrolVen(spec, vtn, dso, 'fsp2');
      const anm = await AnmSide.of(vtn);
      const { lookAheadId, listId } = await anm.figures5And6(this);
      await anm.tradeToFigure7(listId, lookAheadId);
      fsp1Event = (await fsp1.ven.events())[0]!;
      fsp1Report = (await fsp1.ven.createReport(statusReport(fsp1Event.id))) as unknown as Json;
      fsp1Subscription = (await fsp1.ven.createSubscription({
        clientName: 'fsp1-ven',
        objectOperations: [{ objects: ['EVENT'], operations: ['CREATE', 'UPDATE'], callbackUrl: 'https://fsp1.example/callback' }],
      })) as unknown as Json;
    });
    after(async () => {
      await vtn?.close();
    });

    const statusReport = (eventID: string): ReportRequest => ({
      eventID,
      clientName: 'ven',
      resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
    });

    describe('tokens (OAuth2 client credentials over mutual TLS, RFC 8705)', function () {
      it('refuses a token replayed on another client’s TLS connection', async function () {
        const stolen = await fsp1.ven.accessToken();
        const replayed = await refusal(fsp2.ven.call('searchAllEvents', { token: stolen }));
        assert.deepEqual([replayed.status, replayed.code], [401, 'openadr.token-certificate-mismatch']);
        assert.match(String(replayed.headers['www-authenticate']), /error="invalid_token"/);
        assert.ok((await fsp1.ven.events()).length > 0, 'on its own connection the token works');
      });

      it('refuses a missing or unknown token', async function () {
        assert.equal((await refusal(fsp1.ven.call('searchAllPrograms', { token: null }))).code, 'openadr.token-missing');
        assert.equal((await refusal(fsp1.ven.call('searchAllPrograms', { token: 'not-a-token' }))).code, 'openadr.token-invalid');
      });

      it('refuses wrong credentials, another party’s client id, other grants and scopes beyond the role', async function () {
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
        const token = (fields: Record<string, string>) => fsp1.ven.call<Json>('fetchToken', { body: form(fields), token: null });
        const wrongSecret = await refusal(token({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }));
        assert.deepEqual([wrongSecret.status, wrongSecret.code, wrongSecret.problem.error], [401, 'openadr.token-invalid-client', 'invalid_client']);
        const fsp2Creds = await vtn.credentialsOf('fsp2');
        const otherParty = await refusal(token({ grant_type: 'client_credentials', client_id: fsp2Creds.clientId, client_secret: fsp2Creds.clientSecret }));
        assert.deepEqual([otherParty.status, otherParty.code], [401, 'openadr.token-invalid-client'], 'fsp2’s credentials are useless on fsp1’s connection');
        const grant = await refusal(token({ grant_type: 'password', client_id: clientId, client_secret: clientSecret }));
        assert.deepEqual([grant.status, grant.problem.error], [400, 'unsupported_grant_type']);
        const scope = await refusal(token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'write_events' }));
        assert.deepEqual([scope.status, scope.problem.error], [400, 'invalid_scope']);
        const narrow = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'read_targets' });
        assert.equal(narrow.body.scope, 'read_targets');
        const reports = await refusal(fsp1.ven.call('searchAllReports', { token: narrow.body.access_token as string }));
        assert.equal(reports.code, 'openadr.scope-missing');
      });
    });

    describe('scopes', function () {
      it('lets a VEN neither write programs nor events, and the business logic not write reports', async function () {
        assert.equal((await refusal(fsp1.ven.call('createProgram', { body: { programName: 'mine' } }))).code, 'openadr.scope-missing');
        assert.equal((await refusal(fsp1.ven.call('createEvent', { body: { programID: fsp1Event.programID } }))).code, 'openadr.scope-missing');
        assert.equal((await refusal(fsp1.ven.call('deleteEvent', { params: { eventID: fsp1Event.id } }))).code, 'openadr.scope-missing');
        assert.equal((await refusal(dso.createReport(statusReport(fsp1Event.id)))).code, 'openadr.scope-missing');
      });
    });

    describe('object privacy: every cross-VEN read and write is refused', function () {
      const ids = () => ({
        venID: fsp1.venId,
        resourceID: fsp1.resourceIds[0]!,
        reportID: fsp1Report.id as string,
        subscriptionID: fsp1Subscription.id as string,
        eventID: fsp1Event.id,
      });
      const reads: Array<[string, keyof ReturnType<typeof ids>]> = [
        ['searchVenByID', 'venID'],
        ['searchVenResourceByID', 'resourceID'],
        ['searchReportsByReportID', 'reportID'],
        ['searchSubscriptionByID', 'subscriptionID'],
        ['searchEventsByID', 'eventID'],
        ['listAllMqttNotifierTopicsVen', 'venID'],
        ['listAllMqttNotifierTopicsVenEvents', 'venID'],
        ['listAllMqttNotifierTopicsVenPrograms', 'venID'],
        ['listAllMqttNotifierTopicsVenResources', 'venID'],
      ];
      for (const [operationId, param] of reads) {
        it(`${operationId}: fsp2 cannot read fsp1’s object (404, existence not disclosed)`, async function () {
          const answer = await refusal(fsp2.ven.call(operationId, { params: { [param]: ids()[param] } }));
          assert.deepEqual([answer.status, answer.code], [404, 'openadr.not-found']);
          assert.equal((await fsp1.ven.call(operationId, { params: { [param]: ids()[param] } })).status, 200, 'its owner can');
        });
      }

      const writes: Array<[string, keyof ReturnType<typeof ids>, () => Json | ReportRequest | undefined]> = [
        ['updateVen', 'venID', () => ({ objectType: 'VEN_VEN_REQUEST', venName: 'taken-over' })],
        ['deleteVen', 'venID', () => undefined],
        ['updateVenResource', 'resourceID', () => ({ objectType: 'VEN_RESOURCE_REQUEST', resourceName: 'G1_Agg1', venID: fsp1.venId })],
        ['deleteVenResource', 'resourceID', () => undefined],
        ['updateReport', 'reportID', () => statusReport(fsp1Event.id)],
        ['deleteReport', 'reportID', () => undefined],
        [
          'updateSubscription',
          'subscriptionID',
          () => ({ clientName: 'x', objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: 'https://evil.example/' }] }),
        ],
        ['deleteSubscription', 'subscriptionID', () => undefined],
      ];
      for (const [operationId, param, body] of writes) {
        it(`${operationId}: fsp2 cannot change fsp1’s object`, async function () {
          const sent = body();
          const call: OperationCall = { params: { [param]: ids()[param] }, ...(sent ? { body: sent } : {}) };
          const answer = await refusal(fsp2.ven.call(operationId, call));
          assert.deepEqual([answer.status, answer.code], [404, 'openadr.not-found']);
        });
      }

      it('lists only its own VENs, resources, reports and subscriptions, and only events targeted at it', async function () {
        assert.deepEqual(
          (await fsp2.ven.vens()).map((o) => o.id),
          [fsp2.venId],
        );
        assert.deepEqual((await fsp2.ven.resources()).map((o) => o.id).sort(), [...fsp2.resourceIds].sort());
        assert.deepEqual(await fsp2.ven.reports(), []);
        assert.deepEqual(await fsp2.ven.subscriptions(), []);
        assert.ok(!(await fsp2.ven.events()).some((e) => e.id === fsp1Event.id));
        assert.deepEqual(await fsp2.ven.events({ targets: ['Agg_Seller_1'] }), [], 'asking for another VEN’s target shows nothing');
      });

      it('refuses a report on an event sent to another VEN as it refuses one on an unknown event', async function () {
        const theirs = await refusal(fsp2.ven.createReport(statusReport(fsp1Event.id)));
        assert.deepEqual([theirs.status, theirs.code], [409, 'openadr.lifecycle-unknown-event']);
        const unknown = await refusal(fsp2.ven.createReport(statusReport('no-such-event')));
        assert.deepEqual([unknown.status, unknown.code], [409, 'openadr.lifecycle-unknown-event']);
        assert.equal(unknown.problem.detail, theirs.problem.detail!.replace(fsp1Event.id, 'no-such-event'), 'the same words: nothing disclosed');
      });

      it('refuses a resource under another VEN’s registration, and business-logic requests from a VEN', async function () {
        const foreign = await refusal(fsp2.ven.createResource({ objectType: 'VEN_RESOURCE_REQUEST', resourceName: 'sneaky', venID: fsp1.venId }));
        assert.deepEqual([foreign.status, foreign.code], [404, 'openadr.not-found']);
        const granting = await refusal(
          fsp2.ven.updateVen(fsp2.venId, { objectType: 'BL_VEN_REQUEST', clientID: PARTIES.fsp2, venName: 'fsp2-ven', targets: ['Agg_Seller_1'] }),
        );
        assert.deepEqual([granting.status, granting.code], [403, 'openadr.business-logic-only'], 'a VEN cannot grant itself targets');
      });
    });

    describe('ENA dispatch lifecycle over the API', function () {
      let programID: string;
      let requests = 0;
      // Each event its own name: an identical POST from the same client would be an idempotent repeat.
      const request = (stage?: EventRequest['dispatchStage'], intervals = true): EventRequest => ({
        programID,
        eventName: `request for services ${++requests}`,
        targets: ['Agg_Seller_1'],
        reportDescriptors: [{ payloadType: 'LOAD_SHED_DELTA_AVAILABLE', units: 'KW' }],
        ...(intervals
          ? {
              intervals: [
                {
                  id: 0,
                  intervalPeriod: { start: '2030-01-01T17:00:00Z', duration: 'PT30M' },
                  payloads: [{ type: 'DISPATCH_SETPOINT_RELATIVE', values: [-100] }],
                },
              ],
            }
          : {}),
        ...(stage ? { dispatchStage: stage } : {}),
      });
      const create = async (stage?: EventRequest['dispatchStage'], intervals = true) =>
        (await dso.call<Event>('createEvent', { body: request(stage, intervals) })).body;
      const stage = (event: Event, dispatchStage: EventRequest['dispatchStage']) =>
        dso.call<Event>('updateEvent', { params: { eventID: event.id }, body: { ...request(), dispatchStage } });
      const declaration = (event: Event, extra: Array<{ type: string; values: Array<string | number> }>): ReportRequest => ({
        eventID: event.id,
        clientName: 'fsp1-ven',
        payloadDescriptors: [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: 'LOAD_SHED_DELTA_AVAILABLE', units: 'KW', confidence: 80 }],
        resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'LOAD_SHED_DELTA_AVAILABLE', values: [-120] }, ...extra] }] }],
      });

      before(async function () {
        programID = fsp1Event.programID;
      });

      it('walks request → declaration → acceptance → scheduling → instruction → variation → cease → post-action', async function () {
        const event = await create(undefined, false);
        assert.equal(event.dispatchStage, 'REQUESTED');
        const declared = await fsp1.ven.createReport(
          declarationReport(event, {
            clientName: 'fsp1-ven',
            resourceName: 'G1_Agg1',
            available_kW: -120,
            energySourceType: 'BATTERY',
            assetGroupId: 'agg-group-1',
            confidence: 80,
          }),
        );
        assert.equal(declared.eventID, event.id);
        for (const next of ['ACCEPTED', 'SCHEDULED', 'INSTRUCTED'] as const) assert.equal((await stage(event, next)).body.dispatchStage, next);
        const varied = await dso.call<Event>('updateEvent', { params: { eventID: event.id }, body: request() });
        assert.equal(varied.body.dispatchStage, 'INSTRUCTED', 'a variation keeps the stage');
        assert.equal((await stage(event, 'CEASED')).body.dispatchStage, 'CEASED');
        const postAction = await fsp1.ven.call('createReport', {
          body: {
            eventID: event.id,
            clientName: 'fsp1-ven',
            resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [880] }] }] }],
          },
        });
        assert.equal(postAction.status, 201);
        assert.equal((await dso.event(event.id)).dispatchStage, 'COMPLETED');
      });

      it('refuses a declaration without energy source type and asset group id, saying what to add', async function () {
        const event = await create(undefined, false);
        const answer = await refusal(fsp1.ven.createReport(declaration(event, [{ type: 'ENERGY_SOURCE_TYPE', values: ['BATTERY'] }])));
        assert.deepEqual([answer.status, answer.code], [400, 'openadr.lifecycle-declaration-invalid']);
        assert.match(answer.problem.detail!, /needs a ASSET_GROUP_ID payload with a string value: add it to this interval/);
        assert.equal(answer.problem.errors?.[0]?.pointer, '/resources/0/intervals/0/payloads');
      });

      it('refuses a declaration whose confidence is outside 0–100 % (the standard descriptor field): 400 openadr.invalid-request', async function () {
        const event = await create(undefined, false);
        const payloads = [
          { type: 'ENERGY_SOURCE_TYPE', values: ['BATTERY'] },
          { type: 'ASSET_GROUP_ID', values: ['agg-group-1'] },
        ];
        for (const confidence of [101, -1, 80.5]) {
          const report = declaration(event, payloads);
          const answer = await refusal(fsp1.ven.createReport({ ...report, payloadDescriptors: [{ ...report.payloadDescriptors![0]!, confidence }] }));
          assert.deepEqual([answer.status, answer.code], [400, 'openadr.invalid-request'], `confidence ${confidence}`);
        }
        assert.equal((await fsp1.ven.createReport(declaration(event, payloads))).eventID, event.id, 'confidence 80 is declared');
      });

      it('refuses cease before instruction', async function () {
        const answer = await refusal(stage(await create(), 'CEASED'));
        assert.deepEqual([answer.status, answer.code], [409, 'openadr.lifecycle-cease-before-instruction']);
      });

      it('refuses instruction after cease', async function () {
        const event = await create('INSTRUCTED');
        assert.equal((await stage(event, 'CEASED')).status, 200);
        const answer = await refusal(stage(event, 'INSTRUCTED'));
        assert.deepEqual([answer.status, answer.code], [409, 'openadr.lifecycle-instruction-after-cease']);
      });

      it('refuses variation after cancellation, and a report on the cancelled event (telling the VEN to stop)', async function () {
        const event = await create();
        assert.equal((await dso.call('deleteEvent', { params: { eventID: event.id } })).status, 200);
        const varied = await refusal(dso.call('updateEvent', { params: { eventID: event.id }, body: request() }));
        assert.deepEqual([varied.status, varied.code], [409, 'openadr.lifecycle-variation-after-cancellation']);
        const report = await refusal(fsp1.ven.createReport(statusReport(event.id)));
        assert.deepEqual([report.status, report.code], [409, 'openadr.lifecycle-report-after-cancellation']);
        assert.match(report.problem.detail!, /stop reporting on it/);
        assert.equal((await refusal(fsp1.ven.event(event.id))).status, 404, 'a cancelled event is deleted');
      });

      it('refuses a double cancel', async function () {
        const event = await create();
        assert.equal((await dso.call('deleteEvent', { params: { eventID: event.id } })).status, 200);
        const again = await refusal(dso.call('deleteEvent', { params: { eventID: event.id } }));
        assert.deepEqual([again.status, again.code], [404, 'openadr.lifecycle-already-cancelled']);
      });

      it('refuses cancelling a delivered dispatch, and stages out of order', async function () {
        const event = await create('INSTRUCTED');
        await stage(event, 'CEASED');
        const cancel = await refusal(dso.call('deleteEvent', { params: { eventID: event.id } }));
        assert.deepEqual([cancel.status, cancel.code], [400, 'openadr.lifecycle-cancel-after-delivery']);
        const accept = await refusal(stage(await create(undefined, false), 'ACCEPTED'));
        assert.deepEqual([accept.status, accept.code], [409, 'openadr.lifecycle-out-of-order'], 'acceptance needs a declaration');
        assert.match(accept.problem.detail!, /the dispatch must be DECLARED first/);
      });

      it('refuses a USAGE report before the event carries intervals, saying to wait for them', async function () {
        const event = await create(undefined, false);
        const usage = await refusal(
          fsp1.ven.createReport({
            eventID: event.id,
            clientName: 'fsp1-ven',
            resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [880] }] }] }],
          }),
        );
        assert.deepEqual([usage.status, usage.code], [409, 'openadr.lifecycle-out-of-order']);
        assert.match(usage.problem.detail!, /wait until the event carries intervals, and report after them/);
      });
    });

    describe('signature policy', function () {
      it('refuses unsigned requests, token requests included, from a VEN whose registration requires signatures', async function () {
        await fsp2.ven.updateVen(fsp2.venId, {
          objectType: 'VEN_VEN_REQUEST',
          venName: 'fsp2-ven',
          attributes: [{ type: 'FLEXGATE_SIGNATURES_REQUIRED', values: [true] }],
        });
        const unsigned = await refusal(fsp2.ven.events());
        assert.deepEqual([unsigned.status, unsigned.code], [401, 'openadr.signature-required']);
        const token = await refusal(fsp2.ven.fetchToken());
        assert.deepEqual([token.status, token.code], [401, 'openadr.signature-required']);
        assert.ok((await fsp1.ven.events()).length > 0, 'other VENs are unaffected');
      });
    });
  });
});
