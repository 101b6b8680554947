import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { sql } from 'kysely';
import { Intake } from '../intake.ts';
import { getJournalEntry } from '../store/journal.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { FIGURE6_FIRST_ENTRY } from '../testing/cimDocuments.ts';
import { bitraderFixture, type BitraderFixture } from '../testing/fixtures.ts';
import { routerTestApp } from '../testing/routerApp.ts';
import { anmRouter } from './routes.ts';

const TSV = 'text/tab-separated-values';
const problem = (code: string) => `urn:flexgate:problem:${code}`;

/** Figure 6 as JSON, the form an ANM with an API client would send. */
const figure6Json = () => ({
  issuedAt: '17/10/2024 14:00:00',
  entries: [
    { ...FIGURE6_FIRST_ENTRY, resourceName: 'Asset_1' },
    {
      order: 2,
      contractId: 'Agg_Seller_1',
      resourceId: 'G1_Agg1',
      resourceName: 'Aggregate_1',
      operationType: 'FlexibleOutputChange',
      value_kW: 0,
      mic_kW: 600,
      mec_kW: 0,
      activity: 'Seller',
      traded: false,
      registered: true,
    },
  ],
});

const lookAheadJson = () => ({
  constraints: [
    { constraintId: 'C1', start: '2024-10-18T08:00:00+01:00', end: '2024-10-18T09:00:00+01:00', size_kW: 2000, resources: [{ resourceId: 'G1_A1' }] },
  ],
});

forEachBackend((backend) => {
  describe(`ANM API v1 on ${backend.name}`, function () {
    let store: Store;
    let app: Express;

    before(async function () {
      store = await backend.open(this);
      app = routerTestApp(anmRouter({ intake: new Intake(store), maxBodyBytes: 64 * 1024 }));
    });
    after(async () => store?.close());

    const postTsv = (collection: string, body: Buffer | string) => request(app).post(`/anm/v1/${collection}`).set('Content-Type', TSV).send(Buffer.from(body));
    const postJson = (collection: string, body: unknown) =>
      request(app).post(`/anm/v1/${collection}`).set('Content-Type', 'application/json').send(JSON.stringify(body));

    describe('the BiTraDER fixtures round-trip: POST as TSV, GET as JSON and as TSV', () => {
      const cases: [BitraderFixture, string][] = [
        ['cla-figure5.tsv', 'constraint-look-aheads'],
        ['mol-original-figure6.tsv', 'merit-order-lists'],
        ['mol-traded-figure7.tsv', 'merit-order-lists'],
      ];
      for (const [fixture, collection] of cases) {
        it(`${fixture}`, async function () {
          const tsv = bitraderFixture(this, fixture);
          const created = await postTsv(collection, tsv).expect(201);
          assert.match(created.headers.location!, new RegExp(`^/anm/v1/${collection}/[0-9a-f-]{36}$`));
          assert.equal(created.body.revision, 1);

          const asJson = await request(app).get(created.headers.location!).set('Accept', 'application/json').expect(200);
          assert.deepEqual(asJson.body, created.body);
          assert.deepEqual(withoutIdentity(asJson.body), expectedFromFixture(fixture));

          const asTsv = await request(app).get(created.headers.location!).set('Accept', TSV).expect(200);
          assert.match(asTsv.headers['content-type']!, /^text\/tab-separated-values/);
          // The TSV we serve is read back into exactly the same document.
          const again = await postTsv(collection, asTsv.text).expect(201);
          assert.deepEqual(withoutIdentity(again.body), withoutIdentity(created.body));
        });
      }
    });

    it('keeps periodStart in the TSV view of a list that has no receivedAt (issue 14)', async () => {
      const created = await postJson('merit-order-lists', { periodStart: '2024-10-18T07:00:00Z', entries: figure6Json().entries }).expect(201);
      assert.equal(created.body.periodStart, '2024-10-18T07:00:00Z');
      const asTsv = await request(app).get(created.headers.location!).set('Accept', TSV).expect(200);
      const again = await postTsv('merit-order-lists', asTsv.text).expect(201);
      assert.deepEqual(withoutIdentity(again.body), withoutIdentity(created.body));
    });

    it('accepts CSV with quoted cells as well as TSV', async () => {
      const csv = [
        'Order,Contract Id,Resource Id,Resource Name,Operation Type,Value,Value Units,MIC kW,MEC_kW,Activity,Traded,Registered,Curtailment Index',
        '17/10/2024 14:00:00,,,,,,,,,,,,',
        '1,A1_Buyer,G1_A1,"Asset 1, north",ConstrainedDemand,0,kW,700,1200,Buyer,False,True,3',
        '2,Agg_Seller_1,G1_Agg1,"Aggregate ""one""",FlexibleOutputChange,0.2,MW,600,0,Seller,False,True,',
      ].join('\r\n');
      const created = await request(app).post('/anm/v1/merit-order-lists').set('Content-Type', 'text/csv; charset=utf-8').send(csv).expect(201);
      assert.equal(created.body.entries[0].resourceName, 'Asset 1, north');
      assert.equal(created.body.entries[0].curtailmentIndex, 3);
      assert.equal(created.body.entries[1].resourceName, 'Aggregate "one"');
      assert.equal(created.body.entries[1].value_kW, 200, '0.2 MW is 200 kW');
    });

    it('accepts JSON with local and offset times, normalised to UTC', async () => {
      const created = await postJson('merit-order-lists', figure6Json()).expect(201);
      assert.equal(created.body.issuedAt, '2024-10-17T13:00:00Z');
      const cla = await postJson('constraint-look-aheads', lookAheadJson()).expect(201);
      assert.equal(cla.body.constraints[0].start, '2024-10-18T07:00:00Z');
      assert.equal(cla.body.constraints[0].end, '2024-10-18T08:00:00Z');
    });

    it('journals the exact bytes, content type, hash and user agent of what it accepted', async () => {
      const body = JSON.stringify(lookAheadJson()) + '\n';
      const created = await request(app)
        .post('/anm/v1/constraint-look-aheads')
        .set('Content-Type', 'application/json')
        .set('User-Agent', 'anm-orchestrator/4.2')
        .send(body)
        .expect(201);
      const row = await store.db.selectFrom('anm_document_revisions').select('journal_id').where('document_id', '=', created.body.id).executeTakeFirstOrThrow();
      const entry = await getJournalEntry(store.db, row.journal_id);
      assert.ok(entry);
      assert.equal(entry.body.toString('utf8'), body);
      assert.equal(entry.contentType, 'application/json');
      assert.equal(entry.userAgent, 'anm-orchestrator/4.2');
      assert.match(entry.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(entry.derived, [{ kind: 'constraint-look-ahead', id: created.body.id, revision: 1 }]);
    });

    describe('listing', () => {
      it('lists newest first with cursor pagination', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const doc = lookAheadJson();
          doc.constraints[0]!.constraintId = `PAGE-${i}`;
          ids.push((await postJson('constraint-look-aheads', doc).expect(201)).body.id);
        }
        const seen: string[] = [];
        let next: string | null = '/anm/v1/constraint-look-aheads?limit=2';
        while (next) {
          const page: request.Response = await request(app).get(next).expect(200);
          assert.ok(page.body.items.length <= 2);
          seen.push(...page.body.items.map((item: { id: string }) => item.id));
          if (page.body.next) assert.equal(page.headers.link, `<${page.body.next}>; rel="next"`);
          next = page.body.next;
        }
        assert.deepEqual(seen.slice(0, 5), [...ids].reverse());
        assert.equal(new Set(seen).size, seen.length, 'no document twice');
      });

      it('lists from summaries stored at intake, never parsing a stored body (issue 14: a 10 MB list slowed every list call)', async () => {
        const created = await postJson('merit-order-lists', { ...figure6Json(), issuedAt: '2024-10-17T10:01:00Z' }).expect(201);
        // A body the list would choke on if it read it.
        await store.db.updateTable('anm_document_revisions').set({ body: 'not JSON' }).where('document_id', '=', created.body.id).execute();
        const page = await request(app).get('/anm/v1/merit-order-lists?limit=1').expect(200);
        assert.deepEqual(page.body.items[0], {
          id: created.body.id,
          revision: 1,
          acceptedAt: created.body.acceptedAt,
          href: `/anm/v1/merit-order-lists/${created.body.id}`,
          issuedAt: created.body.issuedAt,
          entryCount: 2,
        });
      });

      it('summarises from the body a revision stored without a summary', async () => {
        const created = await postJson('merit-order-lists', { ...figure6Json(), issuedAt: '2024-10-17T10:02:00Z' }).expect(201);
        await sql`UPDATE anm_document_revisions SET summary = NULL WHERE document_id = ${created.body.id}`.execute(store.db);
        const page = await request(app).get('/anm/v1/merit-order-lists?limit=1').expect(200);
        assert.equal(page.body.items[0].entryCount, 2);
        assert.equal(page.body.items[0].issuedAt, created.body.issuedAt);
      });

      it('refuses a cursor it did not issue and an out-of-range limit', async () => {
        const badCursor = await request(app).get('/anm/v1/merit-order-lists?cursor=bm9wZQ').expect(400);
        assert.equal(badCursor.body.type, problem('request.invalid-query'));
        const badLimit = await request(app).get('/anm/v1/merit-order-lists?limit=0').expect(400);
        assert.equal(badLimit.body.type, problem('request.invalid-query'));
      });
    });

    describe('idempotency', () => {
      it('replays the original response for the same Idempotency-Key and stores nothing new', async () => {
        const send = () =>
          request(app)
            .post('/anm/v1/merit-order-lists')
            .set('Content-Type', 'application/json')
            .set('Idempotency-Key', 'anm-run-7781')
            .send(JSON.stringify(figure6Json()));
        const first = await send().expect(201);
        const before = await countRows(store);
        const second = await send().expect(201);
        assert.equal(second.headers['idempotency-replayed'], 'true');
        assert.equal(second.headers.location, first.headers.location);
        assert.deepEqual(second.body, first.body);
        assert.deepEqual(await countRows(store), before);
      });

      it('replays the original response for the same body resent without a key', async () => {
        const doc = lookAheadJson();
        doc.constraints[0]!.constraintId = 'RESENT';
        const first = await postJson('constraint-look-aheads', doc).expect(201);
        const before = await countRows(store);
        const second = await postJson('constraint-look-aheads', doc).expect(201);
        assert.equal(second.body.id, first.body.id);
        assert.deepEqual(await countRows(store), before);
      });

      it('refuses an Idempotency-Key reused for a different body', async () => {
        const key = 'reused-key-1';
        await request(app)
          .post('/anm/v1/constraint-look-aheads')
          .set('Content-Type', 'application/json')
          .set('Idempotency-Key', key)
          .send(JSON.stringify(lookAheadJson()))
          .expect(201);
        const other = lookAheadJson();
        other.constraints[0]!.size_kW = 999;
        const refused = await request(app)
          .post('/anm/v1/constraint-look-aheads')
          .set('Content-Type', 'application/json')
          .set('Idempotency-Key', key)
          .send(JSON.stringify(other))
          .expect(422);
        assert.equal(refused.body.type, problem('idempotency.key-reused'));
      });

      it('accepts concurrent twins exactly once', async () => {
        const doc = lookAheadJson();
        doc.constraints[0]!.constraintId = 'TWINS';
        const responses = await Promise.all(Array.from({ length: 4 }, () => postJson('constraint-look-aheads', doc)));
        assert.deepEqual(
          responses.map((r) => r.status),
          [201, 201, 201, 201],
        );
        assert.equal(new Set(responses.map((r) => r.body.id)).size, 1);
      });
    });

    describe('refusals carry a catalogue type, a status and where the problem is', () => {
      const mol = (mutate: (lines: string[][]) => void, fixture?: Buffer) => {
        const rows = (fixture ?? Buffer.from(''))
          .toString('utf8')
          .split('\n')
          .map((l) => l.split('\t'));
        mutate(rows);
        return rows.map((r) => r.join('\t')).join('\n');
      };
      // Line numbers of figure 6: 3 is the header, 4 the issue time, 5.. the rows (order 1 on line 5).
      const refusalCases: { name: string; mutate: (rows: string[][]) => void; status: number; code: string; row: number; column?: number }[] = [
        { name: 'a duplicated order', mutate: (r) => (r[5]![0] = '1'), status: 422, code: 'anm.order-duplicate', row: 6, column: 1 },
        { name: 'a gap in the orders', mutate: (r) => (r[13]![0] = '11'), status: 422, code: 'anm.order-gap', row: 14, column: 1 },
        { name: 'a duplicated contract id (any case)', mutate: (r) => (r[5]![1] = 'a1_buyer'), status: 422, code: 'anm.contract-duplicate', row: 6, column: 2 },
        {
          name: 'an activity that contradicts the operation type',
          mutate: (r) => (r[4]![9] = 'Seller'),
          status: 422,
          code: 'anm.activity-mismatch',
          row: 5,
          column: 10,
        },
        { name: 'a negative MIC', mutate: (r) => (r[6]![7] = '-5'), status: 422, code: 'anm.negative-capacity', row: 7, column: 8 },
        { name: 'an unknown unit', mutate: (r) => (r[7]![6] = 'GWh'), status: 422, code: 'units.unknown', row: 8, column: 7 },
        { name: 'a fraction of a kW', mutate: (r) => (r[7]![5] = '0.5'), status: 422, code: 'units.not-whole-kw', row: 8, column: 6 },
        {
          name: 'a fraction of a kW after MW conversion',
          mutate: (r) => ((r[7]![5] = '0.0005'), (r[7]![6] = 'MW')),
          status: 422,
          code: 'units.not-whole-kw',
          row: 8,
          column: 6,
        },
        { name: 'an unknown operation type', mutate: (r) => (r[8]![4] = 'Curtailable'), status: 400, code: 'schema.violation', row: 9, column: 5 },
        { name: 'a boolean that is not true/false', mutate: (r) => (r[9]![10] = 'yes'), status: 400, code: 'tabular.invalid-value', row: 10, column: 11 },
        { name: 'a non-numeric value', mutate: (r) => (r[10]![5] = 'lots'), status: 400, code: 'tabular.invalid-value', row: 11, column: 6 },
        { name: 'an unknown column', mutate: (r) => (r[2]![12] = 'Colour'), status: 400, code: 'tabular.unknown-column', row: 3, column: 13 },
        { name: 'a missing required column', mutate: (r) => (r[2]![9] = ''), status: 400, code: 'tabular.missing-column', row: 3 },
        { name: 'a value under no column', mutate: (r) => r[6]!.push('stray'), status: 400, code: 'tabular.ragged-row', row: 7, column: 14 },
        {
          name: 'an issue time in the spring-forward gap',
          mutate: (r) => (r[3]![0] = '31/03/2024 01:30'),
          status: 422,
          code: 'time.nonexistent-local',
          row: 4,
          column: 1,
        },
        {
          name: 'an ambiguous autumn issue time',
          mutate: (r) => (r[3]![0] = '27/10/2024 01:30'),
          status: 422,
          code: 'time.ambiguous-local',
          row: 4,
          column: 1,
        },
        { name: 'an issue time that is not a time', mutate: (r) => (r[3]![0] = '17/13/2024 14:00'), status: 400, code: 'time.invalid', row: 4, column: 1 },
      ];
      for (const c of refusalCases) {
        it(`MOL table with ${c.name}: ${c.status} ${c.code} at line ${c.row}`, async function () {
          const body = mol(c.mutate, bitraderFixture(this, 'mol-original-figure6.tsv'));
          const before = await countRows(store);
          const res = await postTsv('merit-order-lists', body).expect(c.status);
          assert.match(res.headers['content-type']!, /^application\/problem\+json/);
          assert.equal(res.body.type, problem(c.code));
          assert.equal(res.body.status, c.status);
          assert.ok(res.body.title && res.body.detail);
          const located = res.body.errors?.[0] ?? {};
          assert.equal(located.row, c.row, JSON.stringify(res.body));
          if (c.column !== undefined) assert.equal(located.column, c.column, JSON.stringify(res.body));
          assert.deepEqual(await countRows(store), before, 'nothing stored on refusal');
        });
      }

      it('figure 7 with a received time that disagrees with its Unix timestamp: 422 time.mismatch', async function () {
        const body = mol((r) => (r[6]![1] = '1729195726'), bitraderFixture(this, 'mol-traded-figure7.tsv'));
        const res = await postTsv('merit-order-lists', body).expect(422);
        assert.equal(res.body.type, problem('time.mismatch'));
        assert.deepEqual([res.body.errors[0].row, res.body.errors[0].column], [7, 2]);
      });

      it('figure 7 with rows that disagree on the scenario: 422 tabular.inconsistent-rows', async function () {
        const body = mol((r) => (r[7]![2] = '2'), bitraderFixture(this, 'mol-traded-figure7.tsv'));
        const res = await postTsv('merit-order-lists', body).expect(422);
        assert.equal(res.body.type, problem('tabular.inconsistent-rows'));
        assert.deepEqual([res.body.errors[0].row, res.body.errors[0].column], [8, 3]);
      });

      it('reports every bad cell of a table, not only the first', async function () {
        const body = mol((r) => ((r[5]![9] = 'Seller'), (r[12]![9] = 'Buyer')), bitraderFixture(this, 'mol-original-figure6.tsv'));
        const res = await postTsv('merit-order-lists', body).expect(422);
        assert.deepEqual(
          res.body.errors.map((e: { row: number }) => e.row),
          [6, 13],
        );
      });

      const jsonCases: { name: string; collection: string; body: () => unknown; status: number; code: string; pointer: string }[] = [
        {
          name: 'a duplicated order',
          collection: 'merit-order-lists',
          body: () => withEntry(1, { order: 1 }),
          status: 422,
          code: 'anm.order-duplicate',
          pointer: '/entries/1/order',
        },
        {
          name: 'orders not starting at 1',
          collection: 'merit-order-lists',
          body: () => withEntry(0, { order: 3 }),
          status: 422,
          code: 'anm.order-gap',
          pointer: '/entries/1/order',
        },
        {
          name: 'a duplicated contract',
          collection: 'merit-order-lists',
          body: () => withEntry(1, { contractId: 'A1_BUYER' }),
          status: 422,
          code: 'anm.contract-duplicate',
          pointer: '/entries/1/contractId',
        },
        {
          name: 'a Seller on a ConstrainedGeneration contract',
          collection: 'merit-order-lists',
          body: () => withEntry(0, { operationType: 'ConstrainedGeneration', activity: 'Seller' }),
          status: 422,
          code: 'anm.activity-mismatch',
          pointer: '/entries/0/activity',
        },
        {
          name: 'a negative MEC',
          collection: 'merit-order-lists',
          body: () => withEntry(1, { mec_kW: -1 }),
          status: 422,
          code: 'anm.negative-capacity',
          pointer: '/entries/1/mec_kW',
        },
        {
          name: 'a float kW value',
          collection: 'merit-order-lists',
          body: () => withEntry(0, { value_kW: 1.5 }),
          status: 400,
          code: 'schema.violation',
          pointer: '/entries/0/value_kW',
        },
        {
          name: 'a missing field',
          collection: 'merit-order-lists',
          body: () => withEntry(0, { registered: undefined }),
          status: 400,
          code: 'schema.violation',
          pointer: '/entries/0/registered',
        },
        {
          name: 'an unknown field',
          collection: 'merit-order-lists',
          body: () => withEntry(0, { colour: 'red' }),
          status: 400,
          code: 'schema.violation',
          pointer: '/entries/0/colour',
        },
        {
          name: 'an ambiguous local time',
          collection: 'merit-order-lists',
          body: () => ({ ...figure6Json(), issuedAt: '2024-10-27 01:15:00' }),
          status: 422,
          code: 'time.ambiguous-local',
          pointer: '/issuedAt',
        },
        {
          name: 'a start not before its end',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ end: '2024-10-18T08:00:00+01:00' }),
          status: 422,
          code: 'anm.period-invalid',
          pointer: '/constraints/0/end',
        },
        {
          name: 'a zero constraint size',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ size_kW: 0 }),
          status: 422,
          code: 'anm.constraint-size-invalid',
          pointer: '/constraints/0/size_kW',
        },
        {
          name: 'a resource listed twice',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ resources: [{ resourceId: 'R1' }, { resourceId: 'R1' }] }),
          status: 422,
          code: 'anm.resource-duplicate',
          pointer: '/constraints/0/resources/1/resourceId',
        },
        {
          name: 'the same constraint twice in one period',
          collection: 'constraint-look-aheads',
          body: () => ({ constraints: [lookAheadJson().constraints[0], lookAheadJson().constraints[0]] }),
          status: 422,
          code: 'anm.constraint-duplicate',
          pointer: '/constraints/1/constraintId',
        },
        {
          name: 'a time in the spring-forward gap',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ start: '31/03/2024 01:00', end: '31/03/2024 03:00' }),
          status: 422,
          code: 'time.nonexistent-local',
          pointer: '/constraints/0/start',
        },
        {
          name: 'a constraint from 2024 to 2099 (issue 14: unbounded CIM points)',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ start: '2024-10-18T08:00:00Z', end: '2099-10-18T08:00:00Z' }),
          status: 422,
          code: 'anm.constraint-too-long',
          pointer: '/constraints/0/end',
        },
        {
          name: 'an instant before 2000',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ start: '1999-12-31T23:30:00Z' }),
          status: 422,
          code: 'time.out-of-range',
          pointer: '/constraints/0/start',
        },
        {
          name: 'an instant in 2100',
          collection: 'merit-order-lists',
          body: () => ({ ...figure6Json(), issuedAt: '2100-01-01T00:00:00Z' }),
          status: 422,
          code: 'time.out-of-range',
          pointer: '/issuedAt',
        },
        {
          name: 'Unix seconds far in the future',
          collection: 'merit-order-lists',
          body: () => ({ ...figure6Json(), issuedAt: 99_999_999_999 }),
          status: 422,
          code: 'time.out-of-range',
          pointer: '/issuedAt',
        },
        {
          name: 'an offset beyond ±14:00',
          collection: 'merit-order-lists',
          body: () => ({ ...figure6Json(), issuedAt: '2024-10-18T08:00:00+23:59' }),
          status: 400,
          code: 'time.invalid',
          pointer: '/issuedAt',
        },
        {
          name: 'a curtailment index above 2^53 − 1',
          collection: 'merit-order-lists',
          body: () => withEntry(0, { curtailmentIndex: 2 ** 53 }),
          status: 400,
          code: 'schema.violation',
          pointer: '/entries/0/curtailmentIndex',
        },
        ...[
          ['a lone surrogate', 'A\ud800'],
          ['U+FFFE', 'A\ufffe'],
          ['U+FFFF', '\uffff'],
          ['only whitespace', ' \u00a0 '],
          ['a C1 control', 'A\u0085'],
        ].map(([what, contractId]) => ({
          name: `a contract id with ${what}`,
          collection: 'merit-order-lists',
          body: () => withEntry(0, { contractId }),
          status: 400,
          code: 'schema.violation',
          pointer: '/entries/0/contractId',
        })),
        {
          name: 'a resource id of whitespace only',
          collection: 'constraint-look-aheads',
          body: () => withConstraint({ resources: [{ resourceId: '   ' }] }),
          status: 400,
          code: 'schema.violation',
          pointer: '/constraints/0/resources/0/resourceId',
        },
      ];
      for (const c of jsonCases) {
        it(`JSON with ${c.name}: ${c.status} ${c.code} at ${c.pointer}`, async () => {
          const before = await countRows(store);
          const res = await postJson(c.collection, c.body()).expect(c.status);
          assert.equal(res.body.type, problem(c.code), JSON.stringify(res.body));
          assert.equal(res.body.errors[0].pointer, c.pointer, JSON.stringify(res.body));
          assert.deepEqual(await countRows(store), before);
        });
      }

      it('a CLA table without a period line: 400 tabular.period-missing', async () => {
        const res = await postTsv(
          'constraint-look-aheads',
          'constraint_id\tconstraint_size\tconstraint_size_units\tresource_id\tresource_name\nC1\t2000\tkW\tG1_A1\tAsset_1\n',
        ).expect(400);
        assert.equal(res.body.type, problem('tabular.period-missing'));
        assert.equal(res.body.errors[0].row, 2);
      });

      it('a CLA table whose rows disagree on the constraint size: 422 tabular.inconsistent-rows', async function () {
        const body = mol((r) => (r[3]![1] = '1999'), bitraderFixture(this, 'cla-figure5.tsv'));
        const res = await postTsv('constraint-look-aheads', body).expect(422);
        assert.equal(res.body.type, problem('tabular.inconsistent-rows'));
        assert.deepEqual([res.body.errors[0].row, res.body.errors[0].column], [4, 2]);
      });

      it('a table without a header row: 400 tabular.header-missing', async () => {
        const res = await postTsv('merit-order-lists', '1\tA1\tG1\n').expect(400);
        assert.equal(res.body.type, problem('tabular.header-missing'));
      });

      it('an unterminated quote: 400 tabular.malformed', async () => {
        const res = await request(app).post('/anm/v1/merit-order-lists').set('Content-Type', 'text/csv').send('Order,Contract Id\n1,"A1\n').expect(400);
        assert.equal(res.body.type, problem('tabular.malformed'));
      });

      it('malformed JSON: 400 request.malformed-json', async () => {
        const res = await request(app).post('/anm/v1/merit-order-lists').set('Content-Type', 'application/json').send('{"entries": [').expect(400);
        assert.equal(res.body.type, problem('request.malformed-json'));
      });

      it('JSON nested deeper than the limit: 400 request.nesting-too-deep', async () => {
        const res = await request(app)
          .post('/anm/v1/merit-order-lists')
          .set('Content-Type', 'application/json')
          .send('['.repeat(5000) + ']'.repeat(5000))
          .expect(400);
        assert.equal(res.body.type, problem('request.nesting-too-deep'));
      });

      it('bytes that are not UTF-8: 400 request.invalid-encoding', async () => {
        const res = await postTsv('merit-order-lists', Buffer.from([0x4f, 0xff, 0xfe, 0x0a])).expect(400);
        assert.equal(res.body.type, problem('request.invalid-encoding'));
      });

      it('an oversized body: 413 request.body-too-large', async () => {
        const res = await postTsv('merit-order-lists', 'x'.repeat(65 * 1024)).expect(413);
        assert.equal(res.body.type, problem('request.body-too-large'));
      });

      it('an unsupported media type or charset: 415', async () => {
        for (const contentType of ['application/xml', 'text/plain', 'text/csv; charset=latin1']) {
          const res = await request(app).post('/anm/v1/merit-order-lists').set('Content-Type', contentType).send('x').expect(415);
          assert.equal(res.body.type, problem('request.unsupported-media-type'));
        }
      });

      it('an unknown id: 404; an unavailable representation: 406', async () => {
        const missing = await request(app).get('/anm/v1/merit-order-lists/00000000-0000-0000-0000-000000000000').expect(404);
        assert.equal(missing.body.type, problem('request.not-found'));
        const created = await postJson('merit-order-lists', { ...figure6Json(), issuedAt: '2024-10-01T00:00:00Z' }).expect(201);
        const refused = await request(app).get(created.headers.location!).set('Accept', 'application/pdf').expect(406);
        assert.equal(refused.body.type, problem('request.not-acceptable'));
      });
    });
  });
});

function withEntry(index: number, patch: Record<string, unknown>) {
  const doc = figure6Json();
  doc.entries[index] = { ...doc.entries[index]!, ...patch } as (typeof doc.entries)[number];
  return doc;
}

function withConstraint(patch: Record<string, unknown>) {
  const doc = lookAheadJson();
  doc.constraints[0] = { ...doc.constraints[0]!, ...patch } as (typeof doc.constraints)[number];
  return doc;
}

function withoutIdentity(body: Record<string, unknown>) {
  const { id: _id, acceptedAt: _acceptedAt, revision: _revision, ...document } = body;
  return document;
}

async function countRows(store: Store) {
  const count = async (table: 'journal' | 'anm_documents' | 'anm_document_revisions') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { journal: await count('journal'), documents: await count('anm_documents'), revisions: await count('anm_document_revisions') };
}

type Row = Record<string, unknown>;

/** Every field of every row of the fixtures, written out from the figures by hand. */
function expectedFromFixture(fixture: BitraderFixture): Row {
  const molRow = (
    order: number,
    contractId: string,
    resourceId: string,
    resourceName: string,
    operationType: string,
    value_kW: number,
    mic_kW: number,
    mec_kW: number,
    activity: string,
    traded: boolean,
  ): Row => ({
    order,
    contractId,
    resourceId,
    resourceName,
    operationType,
    value_kW,
    mic_kW,
    mec_kW,
    activity,
    traded,
    registered: true,
  });
  if (fixture === 'cla-figure5.tsv') {
    const ids = ['G1_A1', 'G1_A2', 'G1_A3', 'G1_A4', 'G1_A5', 'G1_Agg1', 'G1_Agg2', 'G1_Agg3', 'G1_Agg4', 'G1_Agg5'];
    const names = ['Asset_1', 'Asset_2', 'Asset_3', 'Asset_4', 'Asset_5', 'Aggregate_1', 'Aggregate_2', 'Aggregate_3', 'Aggregate_4', 'Aggregate_5'];
    return {
      constraints: [
        {
          constraintId: 'C1',
          start: '2024-10-18T07:00:00Z',
          end: '2024-10-18T07:30:00Z',
          size_kW: 2000,
          resources: ids.map((resourceId, i) => ({ resourceId, resourceName: names[i] })),
        },
      ],
    };
  }
  if (fixture === 'mol-original-figure6.tsv') {
    return {
      issuedAt: '2024-10-17T13:00:00Z',
      entries: [
        molRow(1, 'A1_Buyer', 'G1_A1', 'Asset_1', 'ConstrainedDemand', 0, 700, 1200, 'Buyer', false),
        molRow(2, 'A2_Buyer', 'G1_A2', 'Asset_2', 'ConstrainedDemand', 0, 500, 500, 'Buyer', false),
        molRow(3, 'A3_Buyer', 'G1_A3', 'Asset_3', 'ConstrainedDemand', 0, 200, 1200, 'Buyer', false),
        molRow(4, 'A4_Buyer', 'G1_A4', 'Asset_4', 'ConstrainedDemand', 0, 400, 400, 'Buyer', false),
        molRow(5, 'A5_Buyer', 'G1_A5', 'Asset_5', 'ConstrainedDemand', 0, 200, 200, 'Buyer', false),
        molRow(6, 'Agg_Seller_1', 'G1_Agg1', 'Aggregate_1', 'FlexibleOutputChange', 0, 600, 0, 'Seller', false),
        molRow(7, 'Agg_Seller_2', 'G1_Agg2', 'Aggregate_2', 'FlexibleOutputChange', 0, 500, 0, 'Seller', false),
        molRow(8, 'Agg_seller_3', 'G1_Agg3', 'Aggregate_3', 'FlexibleOutputChange', 0, 0, 200, 'Seller', false),
        molRow(9, 'Agg_Seller_4', 'G1_Agg4', 'Aggregate_4', 'FlexibleOutputChange', 0, 0, 500, 'Seller', false),
        molRow(10, 'Agg_Seller_5', 'G1_Agg5', 'Aggregate_5', 'FlexibleOutputChange', 0, 200, 0, 'Seller', false),
      ],
    };
  }
  return {
    periodStart: '2024-10-18T07:00:00Z',
    receivedAt: '2024-10-17T20:08:45Z',
    scenario: 1,
    entries: [
      molRow(1, 'Agg_Seller_1', 'G1_Agg1', 'Aggregate_1', 'FlexibleOutputChange', -600, 600, 0, 'Seller', true),
      molRow(2, 'Agg_Seller_2', 'G1_Agg2', 'Aggregate_2', 'FlexibleOutputChange', -500, 500, 0, 'Seller', true),
      molRow(3, 'A1_Buyer', 'G1_A1', 'Asset_1', 'ConstrainedDemand', 600, 700, 1200, 'Buyer', true),
      molRow(4, 'A2_Buyer', 'G1_A2', 'Asset_2', 'ConstrainedDemand', 500, 500, 500, 'Buyer', true),
      molRow(5, 'A3_Buyer', 'G1_A3', 'Asset_3', 'ConstrainedDemand', 0, 200, 1200, 'Buyer', false),
      molRow(6, 'A4_Buyer', 'G1_A4', 'Asset_4', 'ConstrainedDemand', 0, 400, 400, 'Buyer', false),
      molRow(7, 'A5_Buyer', 'G1_A5', 'Asset_5', 'ConstrainedDemand', 0, 200, 200, 'Buyer', false),
      molRow(8, 'A1_Buyer-2-2024-10-18', 'G1_A1', 'Asset_1', 'ConstrainedDemand', 0, 700, 1200, 'Buyer', true),
      molRow(9, 'A2_Buyer-2-2024-10-18', 'G1_A2', 'Asset_2', 'ConstrainedDemand', 0, 500, 500, 'Buyer', true),
      molRow(10, 'Agg_seller_3', 'G1_Agg3', 'Aggregate_3', 'FlexibleOutputChange', 0, 0, 200, 'Seller', false),
      molRow(11, 'Agg_Seller_4', 'G1_Agg4', 'Aggregate_4', 'FlexibleOutputChange', 0, 0, 500, 'Seller', false),
      molRow(12, 'Agg_Seller_5', 'G1_Agg5', 'Aggregate_5', 'FlexibleOutputChange', 0, 200, 0, 'Seller', false),
    ],
  };
}
