import assert from 'node:assert/strict';
import { openadr301OpenApi } from '../../../schemas/openadr/openapi301.ts';
import { forEachBackend } from '../../store/testStores.ts';
import { OfficialSpec, operationCoverage, schemaCoverageProblems } from '../../../client/testing/officialSpec.ts';
import type { OfficialVen } from '../../../client/testing/officialVen.ts';
import { AnmSide, eventsOf, registerVen301, signedIn, type RegisteredVen } from '../testing/scenario.ts';
import { startVtn, type RunningVtn, sharedTestPki } from '../testing/vtnServer.ts';
import { type HttpAnswer } from '../../../client/testing/mtlsClient.ts';

type Json = Record<string, unknown>;
const ours = openadr301OpenApi as unknown as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };

describe('OpenADR 3.0.1 coverage: flexgate’s 3.0.1 document against the official 3.0.1 file', function () {
  let spec: OfficialSpec;
  before(function () {
    spec = OfficialSpec.load(this, '3.0.1');
  });

  it('has every official path and operation, with the same operation id, query parameters and statuses', function () {
    const coverage = operationCoverage(spec, ours, { exactStatuses: true });
    const { paths, operations } = coverage;
    console.log(`      3.0.1 coverage: paths ${paths.covered}/${paths.total}, operations ${operations.covered}/${operations.total}`);
    assert.deepEqual(coverage.problems, []);
    assert.equal(Object.keys(ours.paths).length, paths.total, 'no path beyond 3.0.1’s');
  });

  it('has every official schema, with at least its properties and no stricter required list', function () {
    const officialSchemas = spec.schemas as Record<string, Json>;
    const mine = ours.components.schemas;
    const problems = schemaCoverageProblems(officialSchemas, mine);
    const total = Object.keys(officialSchemas).length;
    console.log(`      3.0.1 coverage: schemas ${total - problems.filter((p) => /^\w+: missing$/.test(p)).length}/${total}`);
    assert.deepEqual(problems, []);
  });
});

forEachBackend((backend) => {
  describe(`OpenADR 3.0.1 coverage: every official operation answered within the official 3.0.1 contract, deprecation signalled, on ${backend.name}`, function () {
    this.timeout(120_000);
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: OfficialVen;
    let fsp1: RegisteredVen;
    const exercised = new Set<string>();
    const answers: HttpAnswer[] = [];
    const observe = (answer: HttpAnswer, operationId: string) => {
      answers.push(answer);
      if (answer.status < 300) exercised.add(operationId);
    };

    before(async function () {
      spec = OfficialSpec.load(this, '3.0.1');
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      dso = await signedIn(spec, vtn, 'dso', observe);
      fsp1 = await registerVen301(spec, vtn, dso, 'fsp1', observe);
      const anm = await AnmSide.of(vtn);
      const { lookAheadId, listId } = await anm.figures5And6(this);
      await anm.tradeToFigure7(listId, lookAheadId);
    });
    after(async () => {
      await vtn?.close();
    });

    const call = async (ven: OfficialVen, operationId: string, options: Parameters<OfficialVen['call']>[1] = {}) => {
      const answer = await ven.call(operationId, options);
      assert.ok(answer.status >= 200 && answer.status < 300, `${operationId}: ${answer.status} ${answer.text}`);
      return answer.json as Json;
    };
    const refused = async (status: number, ven: OfficialVen, operationId: string, options: Parameters<OfficialVen['call']>[1] = {}) => {
      const answer = await ven.call(operationId, options);
      assert.equal(answer.status, status, `${operationId}: ${answer.text}`);
    };

    it('answers every operation with a body the official 3.0.1 schema accepts, refusals included', async function () {
      const event = (await eventsOf(fsp1.ven))[0]!;
      const legacy = {
        programLongName: 'Coverage programme',
        retailerName: 'DSO',
        country: 'GB',
        principalSubdivision: 'GB-SCT',
        bindingEvents: true,
        timeZoneOffset: 'PT0S',
      };
      const program = await call(dso, 'createProgram', { body: { programName: 'coverage', ...legacy, targets: [{ type: 'GROUP', values: ['G1_Agg1'] }] } });
      assert.deepEqual({ ...legacy, targets: program.targets }, { ...legacy, targets: [{ type: 'GROUP', values: ['G1_Agg1'] }] });
      await call(fsp1.ven, 'searchAllPrograms', { query: { targetType: 'GROUP', targetValues: ['G1_Agg1'], skip: 0, limit: 10 } });
      assert.equal((await call(fsp1.ven, 'searchProgramByProgramId', { params: { programID: program.id as string } })).programLongName, 'Coverage programme');
      const renamed = await call(dso, 'updateProgram', {
        params: { programID: program.id as string },
        body: { programName: 'coverage-2', retailerName: 'DSO plc' },
      });
      assert.equal(renamed.retailerName, 'DSO plc');
      assert.equal(renamed.programLongName, undefined, 'PUT replaces: a field left out is gone');
      const eventBody = {
        programID: program.id,
        targets: [{ type: 'GROUP', values: ['G1_Agg1'] }],
        intervals: [
          { id: 0, intervalPeriod: { start: '2030-01-01T00:00:00Z', duration: 'PT30M' }, payloads: [{ type: 'DISPATCH_SETPOINT_RELATIVE', values: [-10] }] },
        ],
      };
      const created = await call(dso, 'createEvent', { body: eventBody });
      await call(fsp1.ven, 'searchEventsByID', { params: { eventID: created.id as string } });
      await call(fsp1.ven, 'searchAllEvents', { query: { programID: program.id as string, targetValues: ['G1_Agg1'] } });
      await call(dso, 'updateEvent', { params: { eventID: created.id as string }, body: { ...eventBody, eventName: 'varied' } });
      await call(dso, 'deleteEvent', { params: { eventID: created.id as string } });
      await call(dso, 'deleteProgram', { params: { programID: program.id as string } });

      const reportBody = {
        programID: event.programID,
        eventID: event.id,
        clientName: 'fsp1-ven',
        resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
      };
      const report = await call(fsp1.ven, 'createReport', { body: reportBody });
      await call(fsp1.ven, 'searchAllReports', { query: { eventID: event.id as string, clientName: 'fsp1-ven' } });
      await call(fsp1.ven, 'searchReportsByReportID', { params: { reportID: report.id as string } });
      await call(fsp1.ven, 'updateReport', { params: { reportID: report.id as string }, body: { ...reportBody, reportName: 'again' } });
      await call(fsp1.ven, 'deleteReport', { params: { reportID: report.id as string } });

      const subscriptionBody = {
        clientName: 'fsp1-ven',
        programID: event.programID,
        objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: 'https://fsp1.example/cb' }],
        targets: [{ type: 'GROUP', values: ['G1_Agg1'] }],
      };
      const subscription = await call(fsp1.ven, 'createSubscription', { body: subscriptionBody });
      const found = await fsp1.ven.call('searchSubscriptions', {
        query: { objects: ['EVENT'], programID: event.programID as string, targetValues: ['G1_Agg1'] },
      });
      assert.deepEqual(
        (found.json as Json[]).map((s) => s.id),
        [subscription.id],
      );
      await call(fsp1.ven, 'searchSubscriptionByID', { params: { subscriptionID: subscription.id as string } });
      await call(fsp1.ven, 'updateSubscription', {
        params: { subscriptionID: subscription.id as string },
        body: { ...subscriptionBody, objectOperations: [{ objects: ['EVENT', 'PROGRAM'], operations: ['UPDATE'], callbackUrl: 'https://fsp1.example/cb2' }] },
      });
      await call(fsp1.ven, 'deleteSubscription', { params: { subscriptionID: subscription.id as string } });

      await call(fsp1.ven, 'searchVens', { query: { venName: 'fsp1-ven-301' } });
      const ven = await call(fsp1.ven, 'searchVenByID', { params: { venID: fsp1.venId } });
      assert.deepEqual(ven.targets, undefined, 'targets are granted on resources here');
      await call(fsp1.ven, 'updateVen', {
        params: { venID: fsp1.venId },
        body: { venName: 'fsp1-ven-301', targets: [{ type: 'GROUP', values: ['someone-else'] }] },
      });
      assert.equal((await call(fsp1.ven, 'searchVenByID', { params: { venID: fsp1.venId } })).targets, undefined, 'a VEN cannot grant itself targets');
      const resources = await fsp1.ven.call('searchVenResources', { params: { venID: fsp1.venId }, query: { resourceName: 'G1_Agg1' } });
      assert.deepEqual(
        (resources.json as Json[]).map((r) => r.targets),
        [[{ type: 'GROUP', values: ['G1_Agg1', 'Agg_Seller_1'] }]],
      );
      await call(fsp1.ven, 'searchVenResourceByID', { params: { venID: fsp1.venId, resourceID: fsp1.resourceIds[0]! } });
      const spareVen = await call(fsp1.ven, 'createVen', { body: { venName: 'spare' } });
      const spareResource = await call(fsp1.ven, 'createResource', { params: { venID: spareVen.id as string }, body: { resourceName: 'r' } });
      await refused(404, fsp1.ven, 'searchVenResourceByID', { params: { venID: spareVen.id as string, resourceID: fsp1.resourceIds[0]! } });
      await call(fsp1.ven, 'deleteVenResource', { params: { venID: spareVen.id as string, resourceID: spareResource.id as string } });
      await call(dso, 'deleteVen', { params: { venID: spareVen.id as string } });

      await refused(403, fsp1.ven, 'createProgram', { body: { programName: 'not-mine' } });
      await refused(400, dso, 'createVen', { body: { venName: 'needs-a-client' } });
      // Another body than the registration's: a repeated POST body would replay its answer (per-client idempotency).
      await refused(409, fsp1.ven, 'createVen', { body: { venName: 'fsp1-ven-301', attributes: [] } });
      await refused(404, fsp1.ven, 'searchEventsByID', { params: { eventID: 'no-such-event' } });
      await refused(404, fsp1.ven, 'searchVenResources', { params: { venID: 'no-such-ven' } });
      await refused(400, fsp1.ven, 'createReport', { body: { ...reportBody, resources: 'none' }, unchecked: true });

      const all = spec.operations().map((o) => o.operationId);
      const missed = all.filter((id) => !exercised.has(id));
      console.log(
        `      3.0.1: exercised ${all.length - missed.length}/${all.length} official operations, ${answers.length} answers, every one validated against the official 3.0.1 schemas and carrying Deprecation, Sunset and Link`,
      );
      assert.deepEqual(missed, []);
      for (const answer of answers) {
        assert.match(String(answer.headers.deprecation), /^@\d+$/);
        assert.ok(answer.headers.sunset && answer.headers.link, answer.text);
      }
    });
  });
});
