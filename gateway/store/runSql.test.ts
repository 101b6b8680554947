import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { runSql, type Store, type StoreExecutor } from './store.ts';
import { forEachBackend } from './testStores.ts';

forEachBackend((backend) => {
  describe(`runSql (${backend.name})`, () => {
    let store: Store;
    beforeEach(async function () {
      store = await backend.open(this);
    });
    afterEach(() => store?.close());

    const insert = (id: string, at: string) =>
      sql`insert into envelope_messages (issuer, message_id, request_sha256, received_at) values (${'urn:i'}, ${id}, ${'h'}, ${at})
        on conflict (issuer, message_id) do nothing`;
    const select = (id: string) => sql<{ message_id: string; received_at: string }>`select message_id, received_at from envelope_messages
      where issuer = ${'urn:i'} and message_id = ${id}`;
    const upsertReturning = (at: string) => sql<{ last_sequence: number; updated_at: string }>`insert into message_sequences
      (issuer, audience, last_sequence, seen_window, updated_at) values (${'urn:i'}, ${'urn:a'}, 0, '', ${at})
      on conflict (issuer, audience) do update set updated_at = excluded.updated_at returning last_sequence, updated_at`;

    /** What one statement gave, without what only SQLite reports (a row id, which PostgreSQL leaves out). */
    const outcome = async (db: StoreExecutor, run: (db: StoreExecutor) => Promise<{ rows: unknown[]; numAffectedRows?: bigint }>) => {
      const { rows, numAffectedRows } = await run(db);
      return { rows, numAffectedRows: numAffectedRows === undefined ? undefined : Number(numAffectedRows) };
    };

    it("gives inside a transaction what Kysely's execute gives: rows, rows returned by a write, rows changed", async () => {
      const results = await store.transaction(async (tx) => {
        await runSql(tx, insert('m1', 't1'));
        await insert('m2', 't1').execute(tx);
        return {
          direct: [
            await outcome(tx, (db) => runSql(db, insert('m1', 't2'))),
            await outcome(tx, (db) => runSql(db, select('m2'))),
            await outcome(tx, (db) => runSql(db, upsertReturning('t3'))),
          ],
          kysely: [
            await outcome(tx, (db) => insert('m2', 't2').execute(db)),
            await outcome(tx, (db) => select('m2').execute(db)),
            await outcome(tx, (db) => upsertReturning('t3').execute(db)),
          ],
        };
      });
      assert.deepEqual(results.direct, results.kysely);
      assert.deepEqual(results.direct[0], { rows: [], numAffectedRows: 0 });
      assert.deepEqual(results.direct[1]!.rows, [{ message_id: 'm2', received_at: 't1' }]);
      assert.deepEqual((await runSql(store.db, select('m1'))).rows, [{ message_id: 'm1', received_at: 't1' }]);
    });

    it('runs one call site with new values each time, and one whose values are sometimes SQL fragments as each one reads', async () => {
      // One call site: its fragments are the same array every call, whatever is put in them.
      const pick = (column: ReturnType<typeof sql.ref> | string) =>
        sql<{ picked: string }>`select ${column} as picked from envelope_messages where issuer = ${'urn:i'} order by message_id`;
      const picked = await store.transaction(async (tx) => {
        await runSql(tx, insert('a', 't1'));
        await runSql(tx, insert('b', 't2'));
        const rows = async (column: ReturnType<typeof sql.ref> | string) => (await runSql(tx, pick(column))).rows.map((row) => row.picked);
        return [await rows('constant'), await rows(sql.ref('message_id')), await rows('other'), await rows(sql.ref('received_at'))];
      });
      assert.deepEqual(picked, [
        ['constant', 'constant'],
        ['a', 'b'],
        ['other', 'other'],
        ['t1', 't2'],
      ]);
      const found = await store.transaction(async (tx) => [(await runSql(tx, select('a'))).rows, (await runSql(tx, select('b'))).rows]);
      assert.deepEqual(found, [[{ message_id: 'a', received_at: 't1' }], [{ message_id: 'b', received_at: 't2' }]]);
    });

    it("is undone with its transaction, and fails as Kysely's execute does", async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await runSql(tx, insert('gone', 't1'));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual((await runSql(store.db, select('gone'))).rows, []);
      const failure = async (run: (db: StoreExecutor) => Promise<unknown>) =>
        store.transaction(run).then(
          () => undefined,
          (error: { code?: string }) => error.code,
        );
      const duplicate = sql`insert into envelope_messages (issuer, message_id, request_sha256, received_at) values (${'urn:i'}, ${'dup'}, ${'h'}, ${'t'})`;
      await runSql(store.db, duplicate);
      const direct = await failure((tx) => runSql(tx, duplicate));
      assert.ok(direct, 'a unique violation is refused');
      assert.equal(direct, await failure((tx) => duplicate.execute(tx)));
    });
  });
});
