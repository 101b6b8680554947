import assert from 'node:assert/strict';
import { sql, type Transaction } from 'kysely';
import { queryPlan, StatementRecorder } from '../delivery/testing/queryPlan.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import fc from 'fast-check';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { notificationJson, openadrNotificationsReaction, type ChangeOperation } from './notifications.ts';
import { listObjects, type NewObject, type StoredObject } from './objectTable.ts';
import { deleteObject, insertObject, insertObjects } from './objectWrites.ts';
import { grantedTargets } from './privacy.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const DSO = 'urn:flexgate:dso:dso-dev';
const fsp = (n: number) => `urn:flexgate:fsp:fsp-n${n}`;
const VENS = 12;

function object(
  objectType: NewObject<unknown>['objectType'],
  id: string,
  fields: Partial<NewObject<Record<string, unknown>>> = {},
): NewObject<Record<string, unknown>> {
  return {
    id,
    objectType,
    clientId: null,
    venId: null,
    programId: null,
    eventId: null,
    name: null,
    targets: [],
    body: { id, objectType },
    sourceKey: null,
    lifecycle: null,
    createdAt: NOW,
    ...fields,
  };
}

const subscription = (id: string, owner: string, callbackUrl: string) =>
  object('SUBSCRIPTION', id, {
    clientId: owner,
    body: { id, objectType: 'SUBSCRIPTION', clientName: id, objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl }] },
  });

const event = (id: string, targets: string[], sourceKey: string | null = null) =>
  object('EVENT', id, { programId: 'program-1', targets, sourceKey, lifecycle: 'SCHEDULED', body: { id, objectType: 'EVENT', programID: 'program-1' } });

/** Runs writes as the intake does: in one transaction, notifications announced by the reaction before commit. */
async function accepted(store: Store, work: (tx: Transaction<Database>) => Promise<void>, recorder?: StatementRecorder): Promise<void> {
  await store.transaction(async (outer) => {
    const tx = recorder ? outer.withPlugin(recorder) : outer;
    await work(tx);
    await openadrNotificationsReaction()({ tx, journalId: 'test', receivedAt: NOW }, []);
  });
}

async function outbox(store: Store, idPrefix: string): Promise<string[]> {
  const rows = await store.db.selectFrom('delivery_outbox').select(['destination', 'idempotency_key']).orderBy('seq').execute();
  return rows.filter((row) => row.idempotency_key.startsWith(idPrefix)).map((row) => row.destination);
}

forEachBackend((backend) => {
  describe(`OpenADR notifications on ${backend.name}: subscribers and grants found by index, once per change`, function () {
    this.timeout(60_000);
    let store: Store;
    before(async function () {
      store = await backend.open(this);
      await accepted(store, async (tx) => {
        await insertObject(tx, object('PROGRAM', 'program-1', { name: 'program-1' }));
        for (let n = 0; n < VENS; n++) {
          await insertObject(tx, object('VEN', `ven-${n}`, { clientId: fsp(n), targets: [`R${n}`] }));
          await insertObject(tx, subscription(`sub-${n}`, fsp(n), `https://fsp-${n}.example/notify`));
        }
        await insertObject(tx, subscription('sub-dso', DSO, 'https://dso.example/notify'));
      });
    });
    after(() => store?.close());

    it('tells the subscribers and VENs that may see an event, and nobody else', async function () {
      await accepted(store, async (tx) => {
        await insertObjects(tx, [event('targeted', ['R3']), event('broadcast', [])]);
      });
      assert.deepEqual((await outbox(store, 'targeted:')).sort(), [
        'https://dso.example/notify',
        'https://fsp-3.example/notify',
        'openadr/3.1.0/events/create',
        'openadr/3.1.0/programs/program-1/events/create',
        'openadr/3.1.0/vens/ven-3/events/create',
      ]);
      const broadcast = await outbox(store, 'broadcast:');
      assert.equal(broadcast.filter((d) => d.startsWith('https://')).length, VENS + 1, 'every subscriber');
      assert.equal(broadcast.filter((d) => /^openadr\/3\.1\.0\/vens\/ven-\d+\/events\/create$/.test(d)).length, VENS, 'every VEN topic');
    });

    it('reads subscribers, grants and VENs a fixed number of times however many events a change makes, and inserts in batches', async function () {
      const statements = async (count: number, tag: string) => {
        const recorder = new StatementRecorder();
        await accepted(
          store,
          (tx) =>
            insertObjects(
              tx,
              Array.from({ length: count }, (_, n) => event(`${tag}-${n}`, [`R${n % VENS}`])),
            ),
          recorder,
        );
        // Inserts are counted as run, not as built: small batches reuse a statement built by any earlier test.
        return { run: recorder.executed, lookUps: recorder.counts().SelectQueryNode ?? 0 };
      };
      const few = await statements(3, 'few');
      const many = await statements(60, 'many');
      assert.deepEqual(many, few, `statements for 60 events ${JSON.stringify(many)} = for 3 ${JSON.stringify(few)}`);
      assert.ok(many.lookUps <= 3, `one look-up each for callbacks, grants and VENs: ${JSON.stringify(many)}`);
      assert.equal((await outbox(store, 'many-')).length, 60 * 5);
    });

    it('keeps the grants a VEN’s client reads by in step with its VENs', async function () {
      assert.deepEqual([...(await grantedTargets(store.db, fsp(2)))], ['R2']);
      const ven = (await listObjects(store.db, 'VEN', { clientId: fsp(2) }))[0]!;
      await accepted(store, (tx) => deleteObject(tx, ven));
      assert.deepEqual([...(await grantedTargets(store.db, fsp(2)))], []);
    });

    it('finds callbacks, grants and a list’s events through their indexes', async function () {
      // Enough events, in many lists, that the planners weigh the indexes as they would in service.
      const bulk = Array.from({ length: 3000 }, (_, n) => event(`bulk-${n}`, [`R${n % VENS}`], `mol-bulk-${n % 300}/C${n}`));
      const reportWatchers = Array.from({ length: 300 }, (_, n) => {
        const watcher = subscription(`report-watcher-${n}`, fsp(n % VENS), `https://fsp-${n}.example/reports`);
        return {
          ...watcher,
          body: { ...watcher.body, objectOperations: [{ objects: ['REPORT'], operations: ['CREATE'], callbackUrl: `https://w${n}.example/` }] },
        };
      });
      await store.transaction((tx) => insertObjects(tx, [...bulk, ...reportWatchers]));
      await sql`analyze`.execute(store.db);
      await accepted(store, (tx) => insertObjects(tx, [event('sourced-1', ['R1'], 'mol-1/C1'), event('sourced-2', ['R1'], 'mol-10/C1')]));
      const recorder = new StatementRecorder();
      const sourced = await listObjects(store.db.withPlugin(recorder), 'EVENT', { sourcePrefix: 'mol-1/' });
      assert.deepEqual(
        sourced.map((e) => e.id),
        ['sourced-1'],
      );
      await accepted(store, (tx) => insertObjects(tx, [event('planned', ['R1'])]), recorder);
      const [sourceQuery, callbacksQuery, grantsQuery] = recorder.compiled(store.db).filter((q) => /^select/i.test(q.sql));
      const plans = await Promise.all([sourceQuery!, callbacksQuery!, grantsQuery!].map((q) => queryPlan(store.db, store.dialect, q)));
      const [source, callbacks, grants] = plans;
      if (store.dialect === 'sqlite') {
        assert.match(source!, /USING INDEX openadr_objects_by_source \(object_type=\? AND source_key>\? AND source_key<\?\)/, source);
      } else {
        assert.match(source!, /Index Cond: .*source_key.*>=.*source_key.*</s, source);
        assert.match(source!, /openadr_objects_by_source/, source);
      }
      assert.match(callbacks!, /openadr_callbacks_by_change/, callbacks);
      assert.match(grants!, /openadr_grants_by_target/, grants);
    });
  });
});

describe('an OpenADR notification written around the stored body', () => {
  it('is the canonical JSON of the notification, with and without targets (seed 20261201)', () => {
    const operations: ChangeOperation[] = ['CREATE', 'UPDATE', 'DELETE'];
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.string()),
        fc.constantFrom(...operations),
        fc.constantFrom('EVENT', 'PROGRAM', 'VEN') as fc.Arbitrary<StoredObject['objectType']>,
        (body, targets, operation, objectType) => {
          const stored = { objectType, targets, body } as StoredObject<unknown>;
          const expected = canonicalJson({ objectType, operation, object: body, ...(targets.length > 0 ? { targets } : {}) });
          assert.equal(notificationJson(operation, stored, canonicalJson(body)), expected);
        },
      ),
      { seed: 20261201, numRuns: 500 },
    );
  });
});
