import assert from 'node:assert/strict';
import { openadrOpenApi } from '../../schemas/openadr/openapi.ts';
import { forEachBackend } from '../store/testStores.ts';
import { OfficialSpec, operationCoverage, schemaCoverageProblems } from '../../client/testing/officialSpec.ts';
import type { OfficialVen } from '../../client/testing/officialVen.ts';
import { AnmSide, eventsOf, registerVen, signedIn, type RegisteredVen } from './testing/scenario.ts';
import { PARTIES, startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

type Json = Record<string, unknown>;
const ours = openadrOpenApi as unknown as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };

describe('OpenADR 3.1.0 coverage: flexgate’s document against the official file', function () {
  let spec: OfficialSpec;
  before(function () {
    spec = OfficialSpec.load(this);
  });

  it('has every official path and operation, with the same operation id and query parameters', function () {
    const coverage = operationCoverage(spec, ours, { exactStatuses: false });
    const { paths, operations } = coverage;
    console.log(`      coverage: paths ${paths.covered}/${paths.total}, operations ${operations.covered}/${operations.total}`);
    assert.deepEqual(coverage.problems, []);
  });

  it('has every official schema, with at least its properties and no stricter required list', function () {
    const officialSchemas = spec.schemas as Record<string, Json>;
    const mine = ours.components.schemas;
    const problems = schemaCoverageProblems(officialSchemas, mine);
    const total = Object.keys(officialSchemas).length;
    console.log(`      coverage: schemas ${total - problems.filter((p) => p.endsWith(': missing') && !p.includes('.')).length}/${total}`);
    assert.deepEqual(problems, []);
  });
});

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 coverage: every official operation answered within the official contract, on ${backend.name}`, function () {
    this.timeout(120_000);
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: OfficialVen;
    let fsp1: RegisteredVen;
    const exercised = new Set<string>();

    before(async function () {
      spec = OfficialSpec.load(this);
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      dso = await signedIn(spec, vtn, 'dso');
      fsp1 = await registerVen(spec, vtn, dso, 'fsp1');
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
      exercised.add(operationId);
      return answer.json as Json;
    };

    it('answers every operation with a body the official schema accepts', async function () {
      const event = (await eventsOf(fsp1.ven))[0]!;
      exercised.add('fetchToken').add('createVen').add('createResource').add('updateVenResource').add('searchAllEvents');
      await call(fsp1.ven, 'getAuthServerInfo');
      const program = await call(dso, 'createProgram', {
        body: { programName: 'coverage', programDescriptions: [{ URL: 'https://dso.example/programs/coverage' }] },
      });
      await call(fsp1.ven, 'searchAllPrograms', { query: { skip: 0, limit: 10 } });
      await call(fsp1.ven, 'searchProgramByProgramId', { params: { programID: program.id as string } });
      await call(dso, 'updateProgram', { params: { programID: program.id as string }, body: { programName: 'coverage-2' } });
      const created = await call(dso, 'createEvent', {
        body: {
          programID: program.id,
          targets: ['G1_Agg1'],
          intervals: [
            { id: 0, intervalPeriod: { start: '2030-01-01T00:00:00Z', duration: 'PT30M' }, payloads: [{ type: 'DISPATCH_SETPOINT_RELATIVE', values: [-10] }] },
          ],
        },
      });
      await call(fsp1.ven, 'searchEventsByID', { params: { eventID: created.id as string } });
      await call(fsp1.ven, 'searchAllEvents', { query: { programID: program.id as string, active: true, targets: ['G1_Agg1'] } });
      await call(dso, 'updateEvent', { params: { eventID: created.id as string }, body: { programID: program.id, eventName: 'varied', targets: ['G1_Agg1'] } });
      await call(dso, 'deleteEvent', { params: { eventID: created.id as string } });
      await call(dso, 'deleteProgram', { params: { programID: program.id as string } });
      const report = await call(fsp1.ven, 'createReport', {
        body: {
          eventID: event.id,
          clientName: 'fsp1-ven',
          resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
        },
      });
      await call(fsp1.ven, 'searchAllReports', { query: { eventID: event.id as string, clientName: 'fsp1-ven' } });
      await call(fsp1.ven, 'searchReportsByReportID', { params: { reportID: report.id as string } });
      await call(fsp1.ven, 'updateReport', {
        params: { reportID: report.id as string },
        body: {
          eventID: event.id,
          clientName: 'fsp1-ven',
          reportName: 'again',
          resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
        },
      });
      await call(fsp1.ven, 'deleteReport', { params: { reportID: report.id as string } });
      const subscription = await call(fsp1.ven, 'createSubscription', {
        body: {
          clientName: 'fsp1-ven',
          programID: event.programID,
          objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: 'https://fsp1.example/cb' }],
        },
      });
      await call(fsp1.ven, 'searchSubscriptions', { query: { objects: ['EVENT'], programID: event.programID as string } });
      await call(fsp1.ven, 'searchSubscriptionByID', { params: { subscriptionID: subscription.id as string } });
      await call(fsp1.ven, 'updateSubscription', {
        params: { subscriptionID: subscription.id as string },
        body: {
          clientName: 'fsp1-ven',
          objectOperations: [{ objects: ['EVENT', 'PROGRAM'], operations: ['UPDATE'], callbackUrl: 'https://fsp1.example/cb2' }],
        },
      });
      await call(fsp1.ven, 'deleteSubscription', { params: { subscriptionID: subscription.id as string } });
      await call(fsp1.ven, 'searchVens', { query: { venName: 'fsp1-ven' } });
      await call(fsp1.ven, 'searchVenByID', { params: { venID: fsp1.venId } });
      await call(fsp1.ven, 'updateVen', { params: { venID: fsp1.venId }, body: { objectType: 'VEN_VEN_REQUEST', venName: 'fsp1-ven' } });
      await call(fsp1.ven, 'searchVenResources', { query: { venID: fsp1.venId } });
      await call(fsp1.ven, 'searchVenResourceByID', { params: { resourceID: fsp1.resourceIds[0]! } });
      await call(fsp1.ven, 'listAllNotifiers');
      for (const op of spec.operations().filter((o) => o.operationId.startsWith('listAllMqtt'))) {
        // Topics of a VEN are read by that VEN; the others by the business logic (read_all / read_bl).
        await call(op.path.includes('{venID}') ? fsp1.ven : dso, op.operationId, {
          params: { venID: fsp1.venId, programID: event.programID as string },
        });
      }
      const spare = await call(dso, 'createVen', { body: { objectType: 'BL_VEN_REQUEST', clientID: PARTIES.fsp2, venName: 'spare', targets: ['x'] } });
      const spareResource = await call(dso, 'createResource', {
        body: { objectType: 'BL_RESOURCE_REQUEST', clientID: PARTIES.fsp2, venID: spare.id, resourceName: 'r' },
      });
      await call(dso, 'deleteVenResource', { params: { resourceID: spareResource.id as string } });
      await call(dso, 'deleteVen', { params: { venID: spare.id as string } });
      const all = spec.operations().map((o) => o.operationId);
      const missed = all.filter((id) => !exercised.has(id));
      console.log(`      exercised ${all.length - missed.length}/${all.length} official operations; every answer validated against the official schemas`);
      assert.deepEqual(missed, []);
    });
  });
});
