import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { acknowledgementProfile } from '../../profiles/acknowledgement.ts';
import type { CimProfile } from '../../profiles/catalogue.ts';
import { constraintLookAheadProfile } from '../../profiles/constraintLookAhead.ts';
import { deliveryVerificationProfile } from '../../profiles/deliveryVerification.ts';
import { dispatchInstructionProfile } from '../../profiles/dispatchInstruction.ts';
import { buildDocument, buildDocumentOf } from '../../profiles/machinery/builder.ts';
import { parseDocument } from '../../profiles/machinery/parser.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import type { Acknowledgement } from '../../profiles/models/acknowledgement.ts';
import type { DocumentHeader } from '../../profiles/models/documentHeader.ts';
import * as generate from '../../profiles/testing/arbitraries.ts';
import { propertySeed } from '../../profiles/testing/seed.ts';
import { anmRouter } from '../anm/routes.ts';
import { Intake } from '../intake.ts';
import { decodeAnmDocument } from '../anm/decode.ts';
import { problemHandler } from '../http/problemResponse.ts';
import { getJournalEntry } from '../store/journal.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { testLogger } from '../testing/silentLogger.ts';
import { readCimDocument } from './inbound.ts';
import { officialSchema } from './officialSchemas.ts';
import { DEFAULT_CIM_PARTIES } from './outbound.ts';
import { separateRegisteredAssets } from './registeredAssets.ts';
import { cimRouter } from './routes.ts';
import { schemaViolations } from './xsdValidation.ts';
import { followPages } from '../testing/pagination.ts';
import { ANM_TO_GATEWAY, documentHeader } from '../../profiles/testing/headers.ts';

const XML = 'application/xml';
const problem = (code: string) => `urn:flexgate:problem:${code}`;
const MAX_BODY = 32 * 1024 * 1024;
const MAX_XML = 12 * 1024 * 1024;

const header = (overrides: Partial<DocumentHeader> = {}) => documentHeader({ ...ANM_TO_GATEWAY, ...overrides });

const readAcknowledgement = (text: string): Acknowledgement => parseDocument(acknowledgementProfile, text).model;

const dispatch = {
  start: '2024-10-27T00:30:00Z',
  end: '2024-10-27T01:30:00Z',
  basedOn: { mRID: 'MOL-7', revisionNumber: 2 },
  instructions: [{ contractId: 'A1_Buyer', resourceId: 'G1_A1', operationType: 'ConstrainedDemand' as const, values_kW: [600, -1] }],
};
const verification = {
  start: '2024-03-31T00:30:00Z',
  end: '2024-03-31T01:30:00Z',
  resources: [{ contractId: 'Agg_Seller_1', resourceId: 'G1_Agg1', metered_kW: [0, 50], baseline_kW: [600, 600] }],
};

forEachBackend((backend) => {
  describe(`CIM API v1 on ${backend.name}`, function () {
    this.timeout(60_000);
    let store: Store;
    let app: Express;

    before(async function () {
      store = await backend.open(this);
      app = express();
      app.use(cimRouter({ intake: new Intake(store), maxBodyBytes: MAX_BODY, xmlLimits: { maxBytes: MAX_XML } }));
      app.use(anmRouter({ intake: new Intake(store), maxBodyBytes: MAX_BODY }));
      app.use(problemHandler(testLogger));
    });
    after(async () => store?.close());

    const post = (xml: string | Buffer, contentType = XML) => request(app).post('/cim/v1/documents').set('Content-Type', contentType).send(Buffer.from(xml));
    const countRows = async () => ({
      documents: Number(
        (
          await store.db
            .selectFrom('anm_documents')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      revisions: Number(
        (
          await store.db
            .selectFrom('anm_document_revisions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      journal: Number(
        (
          await store.db
            .selectFrom('journal')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });

    describe('POST a document of each profile: 201 with an acknowledgement, then served back', () => {
      const samples: { profile: CimProfile; xml: () => string; anm?: string }[] = [
        {
          profile: constraintLookAheadProfile,
          anm: 'constraint-look-aheads',
          xml: () =>
            buildDocument(
              constraintLookAheadProfile,
              decodeAnmDocument('constraint-look-ahead', bitraderFixture(context(), 'cla-figure5.tsv'), 'text/tab-separated-values'),
              header(),
            ),
        },
        {
          profile: meritOrderListProfile,
          anm: 'merit-order-lists',
          xml: () =>
            buildDocument(
              meritOrderListProfile,
              decodeAnmDocument('merit-order-list', bitraderFixture(context(), 'mol-original-figure6.tsv'), 'text/tab-separated-values'),
              header(),
            ),
        },
        { profile: dispatchInstructionProfile, xml: () => buildDocument(dispatchInstructionProfile, dispatch, header()) },
        {
          profile: deliveryVerificationProfile,
          xml: () => buildDocument(deliveryVerificationProfile, verification, header({ sender: { mRID: 'FSP-1', codingScheme: 'NGB', role: 'A56' } })),
        },
        {
          profile: acknowledgementProfile,
          xml: () => {
            const { revisionNumber: _revision, ...ackHeader } = header();
            return buildDocument(
              acknowledgementProfile,
              { received: { mRID: 'f'.repeat(32), revisionNumber: 1, type: 'A43' }, reasons: [{ code: 'A01' }] },
              ackHeader,
            );
          },
        },
      ];
      let current: Mocha.Context;
      const context = () => current;
      for (const sample of samples) {
        it(sample.profile.root, async function () {
          current = this;
          const xml = sample.xml();
          const sent = readCimDocument(Buffer.from(xml));
          assert.ok(sent.accepted);
          const created = await post(xml).expect(201);
          assert.match(created.headers['content-type']!, /^application\/xml/);
          assert.match(created.headers.location!, /^\/cim\/v1\/documents\/[0-9a-f-]{36}$/);
          const acknowledgement = readAcknowledgement(created.text);
          assert.equal(acknowledgement.reasons[0]?.code, 'A01');
          assert.equal(acknowledgement.received?.mRID, sent.document.header.mRID);
          assert.deepEqual(schemaViolations(created.text, officialSchema(this, acknowledgementProfile)), []);

          const served = await request(app).get(created.headers.location!).expect(200);
          assert.match(served.headers['content-type']!, /^application\/xml/);
          const back = readCimDocument(Buffer.from(served.text));
          assert.ok(back.accepted);
          assert.deepEqual(back.document.model, sent.document.model, 'the model survives storage');
          assert.equal(back.document.header.mRID, sent.document.header.mRID, 'a flexgate id travels as its 32 hex digits');
          assert.deepEqual(schemaViolations(served.text, officialSchema(this, sample.profile)), []);

          if (sample.anm) {
            const id = created.headers.location!.split('/').pop()!;
            const asAnm = await request(app).get(`/anm/v1/${sample.anm}/${id}`).set('Accept', 'application/json').expect(200);
            const { id: _id, revision: _revision, acceptedAt: _acceptedAt, ...model } = asAnm.body as Record<string, unknown>;
            assert.deepEqual(model, sent.document.model, 'it is a look-ahead or merit order list like any other');
          }
        });
      }
    });

    it('keeps a traded merit order list as the next revision of the original, both served', async function () {
      const original = decodeAnmDocument('merit-order-list', bitraderFixture(this, 'mol-original-figure6.tsv'), 'text/tab-separated-values');
      const traded = decodeAnmDocument('merit-order-list', bitraderFixture(this, 'mol-traded-figure7.tsv'), 'text/tab-separated-values');
      const first = header();
      const created = await post(buildDocument(meritOrderListProfile, original, first)).expect(201);
      const location = created.headers.location!;
      const revised = await post(buildDocument(meritOrderListProfile, traded, { ...first, revisionNumber: 2, createdDateTime: '2024-10-17T20:08:45Z' })).expect(
        201,
      );
      assert.equal(revised.headers.location, location, 'same mRID, same document');
      assert.match(readAcknowledgement(revised.text).reasons[0]?.text ?? '', /revision 2$/);

      const current = await request(app).get(location).expect(200);
      assert.match(current.text, /<revisionNumber>2<\/revisionNumber>/);
      assert.equal(current.text.match(/<code>A73<\/code>/g)?.length, traded.entries.filter((e) => e.traded).length);
      const earlier = await request(app).get(`${location}?revision=1`).expect(200);
      assert.match(earlier.text, /<revisionNumber>1<\/revisionNumber>/);
      assert.equal(earlier.text.match(/<code>A73<\/code>/g), null);

      const asAnm = await request(app)
        .get(`/anm/v1/merit-order-lists/${location.split('/').pop()}`)
        .expect(200);
      assert.equal(asAnm.body.revision, 2);
      assert.equal(asAnm.body.scenario, 1);
    });

    describe('rejections answer with an acknowledgement naming the failing element, and store nothing', () => {
      const list = () => decodeAnmDocument('merit-order-list', bitraderFixture(current, 'mol-original-figure6.tsv'), 'text/tab-separated-values');
      let current: Mocha.Context;
      const cases: { name: string; xml: () => string; status: number; reason: string; code: string; element: string }[] = [
        {
          name: 'a value the profile XSD refuses',
          xml: () => buildDocument(meritOrderListProfile, list(), header()).replace('<priority>3</priority>', '<priority>third</priority>'),
          status: 400,
          reason: 'A94',
          code: 'cim.schema-invalid',
          element: '/MeritOrderList_MarketDocument/TimeSeries[3]/priority',
        },
        {
          name: 'a profile rule broken',
          xml: () => buildDocument(meritOrderListProfile, list(), header()).replace('<priority>3</priority>', '<priority>4</priority>'),
          status: 422,
          reason: 'A59',
          code: 'cim.rule-violation',
          element: '/MeritOrderList_MarketDocument/TimeSeries[3]/priority',
        },
        {
          name: 'an ANM rule broken (the same contract twice, in any case)',
          xml: () =>
            buildDocument(meritOrderListProfile, list(), header()).replace(
              '<marketAgreement.mRID>A2_Buyer</marketAgreement.mRID>',
              '<marketAgreement.mRID>a1_buyer</marketAgreement.mRID>',
            ),
          status: 422,
          reason: 'A55',
          code: 'anm.contract-duplicate',
          element: '/MeritOrderList_MarketDocument/TimeSeries[2]/marketAgreement.mRID',
        },
        {
          name: 'a first revision numbered 3',
          xml: () => buildDocument(meritOrderListProfile, list(), header({ revisionNumber: 3 })),
          status: 409,
          reason: 'A51',
          code: 'cim.revision-conflict',
          element: '/MeritOrderList_MarketDocument/revisionNumber',
        },
      ];
      for (const c of cases) {
        it(`${c.name}: ${c.status}, ${c.reason}, ${c.code}`, async function () {
          current = this;
          const before = await countRows();
          const response = await post(c.xml()).expect(c.status);
          assert.match(response.headers['content-type']!, /^application\/xml/);
          const [outcome, first] = readAcknowledgement(response.text).reasons;
          assert.equal(outcome?.code, 'A02');
          assert.equal(first?.code, c.reason);
          assert.ok(first?.text?.startsWith(c.element), first?.text);
          assert.ok(first?.text?.includes(problem(c.code)), first?.text);
          assert.deepEqual(schemaViolations(response.text, officialSchema(this, acknowledgementProfile)), []);
          assert.deepEqual(await countRows(), before);
        });
      }

      it('a revision for a document of another kind: 409', async () => {
        const id = header();
        await post(buildDocument(dispatchInstructionProfile, dispatch, id)).expect(201);
        const response = await post(buildDocument(meritOrderListProfile, list(), { ...id, revisionNumber: 2 })).expect(409);
        assert.match(readAcknowledgement(response.text).reasons[1]?.text ?? '', /names a dispatch-instruction/);
      });
    });

    describe('hostile or unidentifiable bodies get problem+json: there is nothing to acknowledge', () => {
      const namespace = meritOrderListProfile.namespace;
      const cases: { name: string; body: () => string | Buffer; status: number; code: string }[] = [
        {
          name: 'XXE',
          body: () =>
            `<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><MeritOrderList_MarketDocument xmlns="${namespace}">&x;</MeritOrderList_MarketDocument>`,
          status: 400,
          code: 'xml.external-entity-forbidden',
        },
        {
          name: 'billion laughs',
          body: () => `<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><d>&b;</d>`,
          status: 400,
          code: 'xml.entity-forbidden',
        },
        { name: '10 MB of nesting', body: () => '<a>'.repeat(750_000) + '</a>'.repeat(750_000), status: 400, code: 'xml.too-deep' },
        { name: 'too large', body: () => Buffer.alloc(MAX_XML + 1, 0x20), status: 413, code: 'xml.too-large' },
        { name: 'the wrong namespace', body: () => `<MeritOrderList_MarketDocument xmlns="urn:elsewhere"/>`, status: 422, code: 'cim.wrong-namespace' },
        { name: 'the wrong root', body: () => `<Schedule_MarketDocument xmlns="${namespace}"/>`, status: 422, code: 'cim.unknown-document' },
        { name: 'not XML', body: () => 'mRID,revisionNumber\n1,1\n', status: 400, code: 'xml.malformed' },
      ];
      for (const c of cases) {
        it(`${c.name}: ${c.status} ${c.code}`, async () => {
          const before = await countRows();
          const started = performance.now();
          const response = await post(c.body()).expect(c.status);
          console.log(`      answered in ${(performance.now() - started).toFixed(1)} ms`);
          assert.match(response.headers['content-type']!, /^application\/problem\+json/);
          assert.equal(response.body.type, problem(c.code));
          assert.deepEqual(await countRows(), before);
        });
      }

      it('a body that is not XML by media type: 415', async () => {
        const response = await post('{}', 'application/json').expect(415);
        assert.equal(response.body.type, problem('request.unsupported-media-type'));
      });
    });

    it('journals the exact bytes and replays the acknowledgement for a repeat, storing nothing new', async () => {
      const xml = buildDocument(dispatchInstructionProfile, dispatch, header());
      const first = await post(xml).set('User-Agent', 'dso-cim-client/1.0').expect(201);
      const before = await countRows();
      const again = await post(xml).expect(201);
      assert.equal(again.headers['idempotency-replayed'], 'true');
      assert.equal(again.text, first.text);
      assert.deepEqual(await countRows(), before);
      const id = first.headers.location!.split('/').pop()!;
      const row = await store.db.selectFrom('anm_document_revisions').select('journal_id').where('document_id', '=', id).executeTakeFirstOrThrow();
      const entry = await getJournalEntry(store.db, row.journal_id);
      assert.equal(entry?.body.toString('utf8'), xml);
      assert.equal(entry?.userAgent, 'dso-cim-client/1.0');
      assert.deepEqual(entry?.derived, [{ kind: 'dispatch-instruction', id, revision: 1 }]);
    });

    it('serves a look-ahead posted by the ANM as TSV as its CIM document, valid against the official XSD', async function () {
      const created = await request(app)
        .post('/anm/v1/constraint-look-aheads')
        .set('Content-Type', 'text/tab-separated-values')
        .send(bitraderFixture(this, 'cla-figure5.tsv'))
        .expect(201);
      const served = await request(app).get(`/cim/v1/documents/${created.body.id}`).expect(200);
      assert.match(served.text, new RegExp(`<mRID>${String(created.body.id).replaceAll('-', '')}</mRID>`));
      assert.match(served.text, new RegExp(`<sender_MarketParticipant.mRID codingScheme="NGB">${DEFAULT_CIM_PARTIES.dso.mRID}<`));
      assert.deepEqual(schemaViolations(served.text, officialSchema(this, constraintLookAheadProfile)), []);
    });

    it('lists documents of every kind, newest first, with cursor pagination and a kind filter', async () => {
      const ids: string[] = [];
      for (let k = 0; k < 5; k++) {
        const xml = k % 2 ? buildDocument(deliveryVerificationProfile, verification, header()) : buildDocument(dispatchInstructionProfile, dispatch, header());
        const created = await post(xml).expect(201);
        ids.push(created.headers.location!.split('/').pop()!);
      }
      const seen = await followPages(app, '/cim/v1/documents?limit=2', 2);
      assert.deepEqual(seen.slice(0, 5), [...ids].reverse());
      assert.equal(new Set(seen).size, seen.length, 'no document twice');
      const only = await request(app).get('/cim/v1/documents?kind=dispatch-instruction').expect(200);
      assert.ok(only.body.items.length >= 3);
      assert.ok(
        only.body.items.every(
          (item: { kind: string; document: string }) => item.kind === 'dispatch-instruction' && item.document === 'Activation_MarketDocument',
        ),
      );
      const bad = await request(app).get('/cim/v1/documents?kind=poem').expect(400);
      assert.equal(bad.body.type, problem('request.invalid-query'));
    });

    it('answers 404 problem+json for a document it does not have', async () => {
      const response = await request(app).get(`/cim/v1/documents/${randomUUID()}`).expect(404);
      assert.equal(response.body.type, problem('request.not-found'));
    });

    describe('property: generated documents of every profile survive POST and GET', () => {
      const RUNS = 15;
      const cases: { profile: CimProfile; header: fc.Arbitrary<unknown>; model: fc.Arbitrary<unknown> }[] = [
        { profile: constraintLookAheadProfile, header: generate.documentHeader(35), model: generate.constraintLookAhead(2) },
        { profile: meritOrderListProfile, header: generate.documentHeader(), model: generate.meritOrderList(3) },
        { profile: dispatchInstructionProfile, header: generate.documentHeader(), model: generate.dispatchInstruction(2) },
        { profile: deliveryVerificationProfile, header: generate.documentHeader(), model: generate.deliveryVerification(2) },
        { profile: acknowledgementProfile, header: generate.acknowledgementHeader, model: generate.acknowledgement },
      ];
      for (const c of cases) {
        it(`${c.profile.id}: ${RUNS} documents`, async () => {
          const seed = propertySeed(`${c.profile.id} on ${backend.name}`);
          await fc.assert(
            fc.asyncProperty(c.header, c.model, async (generated, model) => {
              // A fresh mRID and the first revision, so each document is new to the store.
              const fresh = {
                ...(generated as Record<string, unknown>),
                mRID: randomUUID().replaceAll('-', ''),
                ...(c.profile === acknowledgementProfile ? {} : { revisionNumber: 1 }),
              };
              const created = await post(buildDocumentOf(c.profile, model, fresh)).expect(201);
              const served = await request(app).get(created.headers.location!).expect(200);
              const back = readCimDocument(Buffer.from(served.text));
              assert.ok(back.accepted);
              // Registered assets are the registry's (none here), never stored: the rest survives as sent.
              assert.deepEqual(back.document.model, separateRegisteredAssets(c.profile.id, model).model);
            }),
            { seed, numRuns: RUNS },
          );
        });
      }
    });
  });
});
