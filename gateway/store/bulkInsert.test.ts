import assert from 'node:assert/strict';
import { StatementRecorder } from '../delivery/testing/queryPlan.ts';
import { BulkInsert } from './bulkInsert.ts';
import type { Store } from './store.ts';
import { forEachBackend } from './testStores.ts';

const bodies = new BulkInsert('delivery_bodies', ['id', 'body']);

forEachBackend((backend) => {
  describe(`bulk inserts on ${backend.name}`, function () {
    this.timeout(30_000);
    let store: Store;
    beforeEach(async function () {
      store = await backend.open(this);
    });
    afterEach(async () => store?.close());

    it('stores every row, each value in its own column, across full batches and a remainder', async () => {
      // Twice, so the second runs on the full batch's statement as compiled by the first.
      const rows = Array.from({ length: 2 * 1_203 }, (_, n) => ({ id: `body-${String(n).padStart(4, '0')}`, body: Buffer.from(`notification ${n}`) }));
      await store.transaction((tx) => bodies.insert(tx, rows.slice(0, 1_203)));
      await store.transaction((tx) => bodies.insert(tx, rows.slice(1_203)));
      const stored = await store.db.selectFrom('delivery_bodies').select(['id', 'body']).orderBy('id').execute();
      assert.deepEqual(
        stored.map(({ id, body }) => [id, Buffer.from(body).toString()]),
        rows.map(({ id, body }) => [id, body.toString()]),
      );
    });

    it('compiles a small batch once per size, a larger partial batch each time, and stores every row', async () => {
      const inserter = new BulkInsert('delivery_bodies', ['id', 'body']);
      const recorder = new StatementRecorder();
      const db = store.db.withPlugin(recorder);
      const compiled = () => recorder.counts().InsertQueryNode ?? 0;
      const row = (n: number) => ({ id: `small-${String(n).padStart(3, '0')}`, body: Buffer.from(`small ${n}`) });
      const sizes = [3, 3, 32, 3, 32, 40, 40];
      const seen: number[] = [];
      let next = 0;
      for (const size of sizes) {
        await db.transaction().execute((tx) =>
          inserter.insert(
            tx,
            Array.from({ length: size }, () => row(next++)),
          ),
        );
        seen.push(compiled());
      }
      assert.deepEqual(seen, [1, 1, 2, 2, 2, 3, 4], 'compilations after each insert');
      const stored = await store.db.selectFrom('delivery_bodies').select(['id', 'body']).orderBy('id').execute();
      assert.deepEqual(
        stored.map(({ id, body }) => [id, Buffer.from(body).toString()]),
        Array.from({ length: next }, (_, n) => [row(n).id, `small ${n}`]),
      );
    });

    it('rolls back with the transaction it ran in', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await bodies.insert(tx, [{ id: 'kept-only-on-commit', body: Buffer.from('x') }]);
          throw new Error('the message is refused after its rows were written');
        }),
        /refused/,
      );
      assert.equal((await store.db.selectFrom('delivery_bodies').select('id').execute()).length, 0);
    });

    it('skips rows that clash on the conflict columns it names; without them, a clash fails', async () => {
      const skipping = new BulkInsert('delivery_bodies', ['id', 'body'], ['id']);
      await skipping.insert(store.db, [{ id: 'a', body: Buffer.from('first') }]);
      await skipping.insert(store.db, [
        { id: 'a', body: Buffer.from('second') },
        { id: 'b', body: Buffer.from('b') },
        { id: 'c', body: Buffer.from('c') },
      ]);
      const stored = await store.db.selectFrom('delivery_bodies').select(['id', 'body']).orderBy('id').execute();
      assert.deepEqual(
        stored.map(({ id, body }) => `${id}=${Buffer.from(body).toString()}`),
        ['a=first', 'b=b', 'c=c'],
      );
      await assert.rejects(bodies.insert(store.db, [{ id: 'a', body: Buffer.from('again') }]));
    });
  });
});
