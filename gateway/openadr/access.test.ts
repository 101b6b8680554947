import assert from 'node:assert/strict';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import type { OfficialVen } from '../../client/testing/officialVen.ts';
import { AnmSide, eventsOf, registerVen, signedIn, type RegisteredVen } from './testing/scenario.ts';
import { PARTIES, startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

type Json = Record<string, unknown>;
const type = (answer: { json: unknown }) => ((answer.json as Json).type as string).replace('urn:flexgate:problem:', '');

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 VTN: tokens, scopes, privacy and the dispatch lifecycle, on ${backend.name}`, function () {
    let store: Store;
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: OfficialVen;
    let fsp1: RegisteredVen;
    let fsp2: RegisteredVen;
    let fsp1Event: Json;
    let fsp1Report: Json;
    let fsp1Subscription: Json;

    before(async function () {
      spec = OfficialSpec.load(this);
      store = await backend.open(this);
      vtn = await startVtn(await sharedTestPki(), store);
      dso = await signedIn(spec, vtn, 'dso');
      fsp1 = await registerVen(spec, vtn, dso, 'fsp1');
      fsp2 = await registerVen(spec, vtn, dso, 'fsp2');
      const anm = new AnmSide(vtn);
      const { lookAheadId, listId } = await anm.figures5And6(this);
      await anm.tradeToFigure7(listId, lookAheadId);
      fsp1Event = (await eventsOf(fsp1.ven))[0]!;
      fsp1Report = (await fsp1.ven.call('createReport', { body: statusReport(fsp1Event.id as string) })).json as Json;
      fsp1Subscription = (
        await fsp1.ven.call('createSubscription', {
          body: {
            clientName: 'fsp1-ven',
            objectOperations: [{ objects: ['EVENT'], operations: ['CREATE', 'UPDATE'], callbackUrl: 'https://fsp1.example/callback' }],
          },
        })
      ).json as Json;
    });
    after(async () => {
      await vtn?.close();
      await store?.close();
    });

    const statusReport = (eventID: string) => ({
      eventID,
      clientName: 'ven',
      resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
    });

    describe('tokens (OAuth2 client credentials over mutual TLS, RFC 8705)', function () {
      it('refuses a token replayed on another client’s TLS connection', async function () {
        const stolen = fsp1.ven.token!;
        const replayed = await fsp2.ven.call('searchAllEvents', { token: stolen });
        assert.equal(replayed.status, 401);
        assert.equal(type(replayed), 'openadr.token-certificate-mismatch');
        assert.match(String(replayed.headers['www-authenticate']), /error="invalid_token"/);
        assert.equal((await fsp1.ven.call('searchAllEvents')).status, 200, 'on its own connection the token works');
      });

      it('refuses a missing or unknown token', async function () {
        assert.equal(type(await fsp1.ven.call('searchAllPrograms', { token: '' })), 'openadr.token-missing');
        assert.equal(type(await fsp1.ven.call('searchAllPrograms', { token: 'not-a-token' })), 'openadr.token-invalid');
      });

      it('refuses wrong credentials, another party’s client id, other grants and scopes beyond the role', async function () {
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
        const token = (body: Json) => fsp1.ven.call('fetchToken', { body, unchecked: true });
        const wrongSecret = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' });
        assert.deepEqual([wrongSecret.status, type(wrongSecret), (wrongSecret.json as Json).error], [401, 'openadr.token-invalid-client', 'invalid_client']);
        const fsp2Creds = await vtn.credentialsOf('fsp2');
        const otherParty = await token({ grant_type: 'client_credentials', client_id: fsp2Creds.clientId, client_secret: fsp2Creds.clientSecret });
        assert.deepEqual([otherParty.status, type(otherParty)], [401, 'openadr.token-invalid-client'], 'fsp2’s credentials are useless on fsp1’s connection');
        const grant = await token({ grant_type: 'password', client_id: clientId, client_secret: clientSecret });
        assert.deepEqual([grant.status, (grant.json as Json).error], [400, 'unsupported_grant_type']);
        const scope = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'write_events' });
        assert.deepEqual([scope.status, (scope.json as Json).error], [400, 'invalid_scope']);
        const narrow = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'read_targets' });
        assert.equal((narrow.json as Json).scope, 'read_targets');
        assert.equal(type(await fsp1.ven.call('searchAllReports', { token: (narrow.json as Json).access_token as string })), 'openadr.scope-missing');
      });
    });

    describe('scopes', function () {
      it('lets a VEN neither write programs nor events, and the business logic not write reports', async function () {
        assert.equal(type(await fsp1.ven.call('createProgram', { body: { programName: 'mine' } })), 'openadr.scope-missing');
        assert.equal(type(await fsp1.ven.call('createEvent', { body: { programID: fsp1Event.programID as string } })), 'openadr.scope-missing');
        assert.equal(type(await fsp1.ven.call('deleteEvent', { params: { eventID: fsp1Event.id as string } })), 'openadr.scope-missing');
        assert.equal(type(await dso.call('createReport', { body: statusReport(fsp1Event.id as string) })), 'openadr.scope-missing');
      });
    });

    describe('object privacy: every cross-VEN read and write is refused', function () {
      const ids = () => ({
        venID: fsp1.venId,
        resourceID: fsp1.resourceIds[0]!,
        reportID: fsp1Report.id as string,
        subscriptionID: fsp1Subscription.id as string,
        eventID: fsp1Event.id as string,
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
          const answer = await fsp2.ven.call(operationId, { params: { [param]: ids()[param] } });
          assert.deepEqual([answer.status, type(answer)], [404, 'openadr.not-found']);
          assert.equal((await fsp1.ven.call(operationId, { params: { [param]: ids()[param] } })).status, 200, 'its owner can');
        });
      }

      const writes: Array<[string, keyof ReturnType<typeof ids>, () => Json | undefined]> = [
        ['updateVen', 'venID', () => ({ objectType: 'VEN_VEN_REQUEST', venName: 'taken-over' })],
        ['deleteVen', 'venID', () => undefined],
        ['updateVenResource', 'resourceID', () => ({ objectType: 'VEN_RESOURCE_REQUEST', resourceName: 'G1_Agg1', venID: fsp1.venId })],
        ['deleteVenResource', 'resourceID', () => undefined],
        ['updateReport', 'reportID', () => statusReport(fsp1Event.id as string)],
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
          const answer = await fsp2.ven.call(operationId, { params: { [param]: ids()[param] }, ...(sent ? { body: sent } : {}) });
          assert.deepEqual([answer.status, type(answer)], [404, 'openadr.not-found']);
        });
      }

      it('lists only its own VENs, resources, reports and subscriptions, and only events targeted at it', async function () {
        const list = async (operationId: string) => ((await fsp2.ven.call(operationId)).json as Json[]).map((o) => o.id);
        assert.deepEqual(await list('searchVens'), [fsp2.venId]);
        assert.deepEqual((await list('searchVenResources')).sort(), [...fsp2.resourceIds].sort());
        assert.deepEqual(await list('searchAllReports'), []);
        assert.deepEqual(await list('searchSubscriptions'), []);
        assert.ok(!(await list('searchAllEvents')).includes(fsp1Event.id));
        const byTarget = await fsp2.ven.call('searchAllEvents', { query: { targets: ['Agg_Seller_1'] } });
        assert.deepEqual(byTarget.json, [], 'asking for another VEN’s target shows nothing');
      });

      it('refuses a report on an event sent to another VEN as it refuses one on an unknown event', async function () {
        const theirs = await fsp2.ven.call('createReport', { body: statusReport(fsp1Event.id as string) });
        assert.deepEqual([theirs.status, type(theirs)], [409, 'openadr.lifecycle-unknown-event']);
        const unknown = await fsp2.ven.call('createReport', { body: statusReport('no-such-event') });
        assert.deepEqual([unknown.status, type(unknown)], [409, 'openadr.lifecycle-unknown-event']);
      });

      it('refuses a resource under another VEN’s registration, and business-logic requests from a VEN', async function () {
        const foreign = await fsp2.ven.call('createResource', { body: { objectType: 'VEN_RESOURCE_REQUEST', resourceName: 'sneaky', venID: fsp1.venId } });
        assert.deepEqual([foreign.status, type(foreign)], [404, 'openadr.not-found']);
        const granting = await fsp2.ven.call('updateVen', {
          params: { venID: fsp2.venId },
          body: { objectType: 'BL_VEN_REQUEST', clientID: PARTIES.fsp2, venName: 'fsp2-ven', targets: ['Agg_Seller_1'] },
        });
        assert.deepEqual([granting.status, type(granting)], [403, 'openadr.business-logic-only'], 'a VEN cannot grant itself targets');
      });
    });

    describe('ENA dispatch lifecycle over the API', function () {
      let programID: string;
      let requests = 0;
      // Each event its own name: an identical POST from the same client would be an idempotent repeat.
      const request = async (stage?: string, intervals = true) => {
        const body: Json = {
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
        };
        return body;
      };
      const create = async (stage?: string, intervals = true) => {
        const answer = await dso.call('createEvent', { body: await request(stage, intervals) });
        assert.equal(answer.status, 201, answer.text);
        return answer.json as Json;
      };
      const stage = async (event: Json, dispatchStage: string) =>
        dso.call('updateEvent', { params: { eventID: event.id as string }, body: { ...(await request()), dispatchStage } });
      const declaration = (eventID: string, extra: Array<{ type: string; values: Array<string | number> }>) => ({
        eventID,
        clientName: 'fsp1-ven',
        payloadDescriptors: [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: 'LOAD_SHED_DELTA_AVAILABLE', units: 'KW', confidence: 80 }],
        resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'LOAD_SHED_DELTA_AVAILABLE', values: [-120] }, ...extra] }] }],
      });

      before(async function () {
        programID = fsp1Event.programID as string;
      });

      it('walks request → declaration → acceptance → scheduling → instruction → variation → cease → post-action', async function () {
        const event = await create(undefined, false);
        assert.equal(event.dispatchStage, 'REQUESTED');
        const declared = await fsp1.ven.call('createReport', {
          body: declaration(event.id as string, [
            { type: 'ENERGY_SOURCE_TYPE', values: ['BATTERY'] },
            { type: 'ASSET_GROUP_ID', values: ['agg-group-1'] },
          ]),
        });
        assert.equal(declared.status, 201, declared.text);
        for (const next of ['ACCEPTED', 'SCHEDULED', 'INSTRUCTED']) assert.equal(((await stage(event, next)).json as Json).dispatchStage, next);
        const varied = await dso.call('updateEvent', { params: { eventID: event.id as string }, body: await request() });
        assert.equal((varied.json as Json).dispatchStage, 'INSTRUCTED', 'a variation keeps the stage');
        assert.equal(((await stage(event, 'CEASED')).json as Json).dispatchStage, 'CEASED');
        const postAction = await fsp1.ven.call('createReport', {
          body: {
            eventID: event.id,
            clientName: 'fsp1-ven',
            resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [880] }] }] }],
          },
        });
        assert.equal(postAction.status, 201);
        assert.equal(((await dso.call('searchEventsByID', { params: { eventID: event.id as string } })).json as Json).dispatchStage, 'COMPLETED');
      });

      it('refuses a declaration without energy source type and asset group id', async function () {
        const event = await create(undefined, false);
        const answer = await fsp1.ven.call('createReport', { body: declaration(event.id as string, [{ type: 'ENERGY_SOURCE_TYPE', values: ['BATTERY'] }]) });
        assert.deepEqual([answer.status, type(answer)], [400, 'openadr.lifecycle-declaration-invalid']);
      });

      it('refuses cease before instruction', async function () {
        const answer = await stage(await create(), 'CEASED');
        assert.deepEqual([answer.status, type(answer)], [409, 'openadr.lifecycle-cease-before-instruction']);
      });

      it('refuses instruction after cease', async function () {
        const event = await create('INSTRUCTED');
        assert.equal((await stage(event, 'CEASED')).status, 200);
        const answer = await stage(event, 'INSTRUCTED');
        assert.deepEqual([answer.status, type(answer)], [409, 'openadr.lifecycle-instruction-after-cease']);
      });

      it('refuses variation after cancellation, and a report on the cancelled event', async function () {
        const event = await create();
        assert.equal((await dso.call('deleteEvent', { params: { eventID: event.id as string } })).status, 200);
        const varied = await dso.call('updateEvent', { params: { eventID: event.id as string }, body: await request() });
        assert.deepEqual([varied.status, type(varied)], [409, 'openadr.lifecycle-variation-after-cancellation']);
        const report = await fsp1.ven.call('createReport', { body: statusReport(event.id as string) });
        assert.deepEqual([report.status, type(report)], [409, 'openadr.lifecycle-report-after-cancellation']);
        assert.equal((await fsp1.ven.call('searchEventsByID', { params: { eventID: event.id as string } })).status, 404, 'a cancelled event is deleted');
      });

      it('refuses a double cancel', async function () {
        const event = await create();
        assert.equal((await dso.call('deleteEvent', { params: { eventID: event.id as string } })).status, 200);
        const again = await dso.call('deleteEvent', { params: { eventID: event.id as string } });
        assert.deepEqual([again.status, type(again)], [404, 'openadr.lifecycle-already-cancelled']);
      });

      it('refuses cancelling a delivered dispatch, and stages out of order', async function () {
        const event = await create('INSTRUCTED');
        await stage(event, 'CEASED');
        const cancel = await dso.call('deleteEvent', { params: { eventID: event.id as string } });
        assert.deepEqual([cancel.status, type(cancel)], [400, 'openadr.lifecycle-cancel-after-delivery']);
        const accept = await stage(await create(undefined, false), 'ACCEPTED');
        assert.deepEqual([accept.status, type(accept)], [409, 'openadr.lifecycle-out-of-order'], 'acceptance needs a declaration');
      });
    });

    describe('signature policy', function () {
      it('refuses unsigned requests, token requests included, from a VEN whose registration requires signatures', async function () {
        const strict = await fsp2.ven.call('updateVen', {
          params: { venID: fsp2.venId },
          body: { objectType: 'VEN_VEN_REQUEST', venName: 'fsp2-ven', attributes: [{ type: 'FLEXGATE_SIGNATURES_REQUIRED', values: [true] }] },
        });
        assert.equal(strict.status, 200, strict.text);
        const unsigned = await fsp2.ven.call('searchAllEvents');
        assert.deepEqual([unsigned.status, type(unsigned)], [401, 'openadr.signature-required']);
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp2');
        const token = await fsp2.ven.call('fetchToken', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
        assert.deepEqual([token.status, type(token)], [401, 'openadr.signature-required']);
        assert.equal((await fsp1.ven.call('searchAllEvents')).status, 200, 'other VENs are unaffected');
      });
    });
  });
});
