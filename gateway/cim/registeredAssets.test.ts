import assert from 'node:assert/strict';
import express, { type Express } from 'express';
import request from 'supertest';
import { acknowledgementProfile } from '../../profiles/acknowledgement.ts';
import { dispatchInstructionProfile } from '../../profiles/dispatchInstruction.ts';
import { buildDocument } from '../../profiles/machinery/builder.ts';
import { parseDocument } from '../../profiles/machinery/parser.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import type { DispatchInstruction } from '../../profiles/models/dispatchInstruction.ts';
import type { DocumentHeader } from '../../profiles/models/documentHeader.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { decodeAnmDocument } from '../anm/decode.ts';
import { problemHandler } from '../http/problemResponse.ts';
import { Intake } from '../intake.ts';
import { RegistryIndex } from '../registry/registryIndex.ts';
import { importIntoRegistry, listWarnings } from '../registry/registryRecords.ts';
import { bitraderRegistry } from '../registry/testing/bitraderRegistry.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { testLogger } from '../testing/silentLogger.ts';
import { officialSchema } from './officialSchemas.ts';
import { assetContradictions, separateRegisteredAssets, withRegisteredAssets } from './registeredAssets.ts';
import { cimRouter } from './routes.ts';
import { schemaViolations } from './xsdValidation.ts';
import { ANM_TO_GATEWAY, documentHeader } from '../../profiles/testing/headers.ts';

const problem = (code: string) => `urn:flexgate:problem:${code}`;
const registry = new RegistryIndex(bitraderRegistry());
const assetOf = (resourceId: string) => registry.assetOfResource(resourceId);

const header = (overrides: Partial<DocumentHeader> = {}) => documentHeader({ ...ANM_TO_GATEWAY, createdDateTime: '2024-10-18T06:00:00Z', ...overrides });

const dispatch: DispatchInstruction = {
  start: '2024-10-18T07:00:00Z',
  end: '2024-10-18T08:00:00Z',
  instructions: [
    { contractId: 'A1_Buyer', resourceId: 'G1_A1', operationType: 'ConstrainedGeneration', values_kW: [600, 600] },
    { contractId: 'Agg_Seller_1', resourceId: 'G1_Agg1', operationType: 'FlexibleOutputChange', values_kW: [-600, -600] },
    { contractId: 'Unregistered', resourceId: 'G9_X', operationType: 'ConstrainedDemand', values_kW: [10, 10] },
  ],
};

describe('CIM documents name the registered asset behind each resource (ENA D2: DSO asset id, asset group, energy source)', () => {
  it('a dispatch instruction carries them as A95 reasons, with the ENTSO-E PsrType, valid against the official XSD', function () {
    const xml = buildDocument(dispatchInstructionProfile, withRegisteredAssets('dispatch-instruction', dispatch, assetOf) as DispatchInstruction, header());
    const series = xml.split('<TimeSeries>').slice(1);
    assert.match(series[0]!, /<Reason>\s*<code>A95<\/code>\s*<text>dsoAssetId=ENWL-G1_A1<\/text>\s*<\/Reason>/);
    assert.match(series[0]!, /<text>assetGroupId=GRP-G1<\/text>/);
    assert.match(series[0]!, /<text>energySource=solar-pv psrType=B28<\/text>/);
    assert.match(series[1]!, /<text>energySource=demand-side-response psrType=B26<\/text>/);
    assert.doesNotMatch(series[2]!, /<Reason>/, 'a resource the registry does not hold carries no asset');
    assert.deepEqual(schemaViolations(xml, officialSchema(this, dispatchInstructionProfile)), []);
    assert.deepEqual(parseDocument(dispatchInstructionProfile, xml).model.instructions[1]?.registeredAsset, {
      dsoAssetId: 'ENWL-G1_Agg1',
      assetGroupId: 'GRP-G1_Agg1',
      energySource: 'demand-side-response',
    });
  });

  it('figure 7 as a merit order list document: every registered entry names its asset, valid against the official XSD', function () {
    const list = decodeAnmDocument('merit-order-list', bitraderFixture(this, 'mol-traded-figure7.tsv'), 'text/tab-separated-values') as MeritOrderList;
    const xml = buildDocument(meritOrderListProfile, withRegisteredAssets('merit-order-list', list, assetOf) as MeritOrderList, header());
    assert.equal(xml.match(/<text>dsoAssetId=ENWL-/g)?.length, list.entries.length);
    assert.match(xml, /<text>energySource=battery psrType=B25<\/text>/);
    assert.deepEqual(schemaViolations(xml, officialSchema(this, meritOrderListProfile)), []);
  });

  it('reading refuses a psrType that is not the PsrType of the energy source, and an energy source without one', () => {
    const xml = buildDocument(dispatchInstructionProfile, withRegisteredAssets('dispatch-instruction', dispatch, assetOf) as DispatchInstruction, header());
    for (const [from, to] of [
      ['psrType=B28', 'psrType=B16'],
      ['energySource=solar-pv psrType=B28', 'energySource=solar-pv'],
    ] as const) {
      assert.throws(
        () => parseDocument(dispatchInstructionProfile, xml.replace(from, to)),
        (error: { issues?: { code: string; path: string }[] }) =>
          error.issues?.some((issue) => issue.code === 'cim.rule-violation' && issue.path === '/Activation_MarketDocument/TimeSeries[1]/Reason[3]') === true,
      );
    }
  });

  it('what a document states is split from its model and checked against the registry, field by field', () => {
    const stated = withRegisteredAssets('dispatch-instruction', dispatch, assetOf) as DispatchInstruction;
    const { model, stated: assets } = separateRegisteredAssets('dispatch-instruction', stated);
    assert.deepEqual(model, dispatch);
    assert.equal(assets.length, 2);
    assert.deepEqual(assetContradictions(assets, assetOf), []);
    const wrong = separateRegisteredAssets('dispatch-instruction', {
      ...stated,
      instructions: [{ ...stated.instructions[0]!, registeredAsset: { dsoAssetId: 'ENWL-G1_A2', assetGroupId: 'GRP-G1', energySource: 'wind' } }],
    }).stated;
    assert.deepEqual(
      assetContradictions(wrong, assetOf).map((item) => [item.code, item.pointer]),
      [
        ['registry.asset-mismatch', '/instructions/0/registeredAsset/dsoAssetId'],
        ['registry.asset-mismatch', '/instructions/0/registeredAsset/energySource'],
      ],
    );
  });
});

const readAcknowledgementReasons = (text: string) => parseDocument(acknowledgementProfile, text).model.reasons;

forEachBackend((backend) => {
  describe(`CIM API with a registry on ${backend.name}: assets added on the way out, checked on the way in`, function () {
    this.timeout(60_000);
    let store: Store;
    const appOf = (registryConsistency?: 'permissive'): Express => {
      const app = express();
      app.use(cimRouter({ intake: new Intake(store), maxBodyBytes: 1024 * 1024, ...(registryConsistency ? { registryConsistency } : {}) }));
      app.use(problemHandler(testLogger));
      return app;
    };
    const post = (app: Express, xml: string) => request(app).post('/cim/v1/documents').set('Content-Type', 'application/xml').send(Buffer.from(xml));
    const withWrongAsset = () =>
      buildDocument(dispatchInstructionProfile, withRegisteredAssets('dispatch-instruction', dispatch, assetOf) as DispatchInstruction, header()).replace(
        'dsoAssetId=ENWL-G1_A1',
        'dsoAssetId=ENWL-G1_A2',
      );

    before(async function () {
      store = await backend.open(this);
      await importIntoRegistry(store, bitraderRegistry(), true);
    });
    after(async () => store?.close());

    it('a document stored without assets is served with the registry’s, valid against the official XSD', async function () {
      const app = appOf();
      const id = header();
      const created = await post(app, buildDocument(dispatchInstructionProfile, dispatch, id)).expect(201);
      const served = await request(app).get(created.headers.location!).expect(200);
      assert.match(served.text, /<text>dsoAssetId=ENWL-G1_A1<\/text>/);
      assert.match(served.text, /<text>energySource=demand-side-response psrType=B26<\/text>/);
      assert.deepEqual(schemaViolations(served.text, officialSchema(this, dispatchInstructionProfile)), []);
    });

    it('a document stating the registry’s own assets is accepted, and stored without them', async () => {
      const id = header();
      const xml = buildDocument(dispatchInstructionProfile, withRegisteredAssets('dispatch-instruction', dispatch, assetOf) as DispatchInstruction, id);
      await post(appOf(), xml).expect(201);
      const stored = await store.db.selectFrom('anm_document_revisions').select('body').where('document_id', 'like', '%').execute();
      assert.ok(stored.every((row) => !row.body.includes('registeredAsset')));
    });

    it('a document naming another DSO asset for a resource: 422 registry.asset-mismatch at the reason, nothing stored', async () => {
      const before = await store.db.selectFrom('anm_documents').select('id').execute();
      const refused = await post(appOf(), withWrongAsset()).expect(422);
      const [outcome, first] = readAcknowledgementReasons(refused.text);
      assert.equal(outcome?.code, 'A02');
      assert.ok(first?.text?.startsWith("/Activation_MarketDocument/TimeSeries[1]/Reason[code='A95']"), first?.text);
      assert.ok(first?.text?.includes(problem('registry.asset-mismatch')), first?.text);
      assert.deepEqual(await store.db.selectFrom('anm_documents').select('id').execute(), before);
    });

    it('in permissive mode the same document is accepted and the contradiction recorded as a warning', async () => {
      await post(appOf('permissive'), withWrongAsset()).expect(201);
      const warnings = await listWarnings(store.db);
      assert.equal(warnings[0]?.code, 'registry.asset-mismatch');
      assert.match(warnings[0]?.detail ?? '', /registered with dsoAssetId ENWL-G1_A1, not ENWL-G1_A2/);
    });
  });
});
