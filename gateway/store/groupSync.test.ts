import { strict as assert } from 'node:assert';
import { fsync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { openGatewayStore } from '../storage.ts';
import { GroupSyncSqliteDialect, type FsyncFile } from './groupSync.ts';

interface Tables {
  items: { id: number };
}

/**
 * An fsync that is recorded and held: each call notes how many rows were
 * committed when it started and completes only when the test releases it.
 */
class HeldFsync {
  readonly calls: { covered: number; release: (error?: NodeJS.ErrnoException) => void }[] = [];
  /** Rows known durable: the highest count covered by a completed fsync. */
  durableRows = 0;

  constructor(private readonly committedRows: () => number) {}

  readonly fsyncFile: FsyncFile = (fd, done) => {
    const covered = this.committedRows();
    this.calls.push({
      covered,
      release: (error) => {
        if (error) return done(error);
        fsync(fd, (real) => {
          if (!real) this.durableRows = Math.max(this.durableRows, covered);
          done(real);
        });
      },
    });
  };

  /** Completes each fsync as it comes until `work` settles; returns what it settled to. */
  async releaseUntil<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    let released = 0;
    while (!settled) {
      for (const call of this.calls.slice(released)) call.release();
      released = this.calls.length;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return work;
  }
}

describe('SQLite group commit (gateway/store/groupSync.ts)', () => {
  let dir: string;
  let db: Kysely<Tables>;
  let held: HeldFsync;
  let observer: SqliteDatabase.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flexgate-groupsync-'));
    const database = new SqliteDatabase(join(dir, 'test.sqlite'));
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // A second connection counts what is committed, without going through the one under test.
    observer = new SqliteDatabase(join(dir, 'test.sqlite'));
    held = new HeldFsync(() => {
      try {
        return (observer.prepare('select count(*) as n from items').get() as { n: number }).n;
      } catch {
        return 0;
      }
    });
    db = new Kysely<Tables>({ dialect: new GroupSyncSqliteDialect(database, held.fsyncFile) });
    await held.releaseUntil(sql`create table items (id integer primary key)`.execute(db));
  });

  afterEach(async () => {
    await db.destroy();
    observer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each of many concurrent transactions only once an fsync begun after its commit has completed, with far fewer fsyncs than commits', async () => {
    const before = held.calls.length;
    const seenDurableAtResolve: { id: number; durable: number }[] = [];
    const writes = Array.from({ length: 40 }, (_, i) =>
      db
        .transaction()
        .execute((tx) =>
          tx
            .insertInto('items')
            .values({ id: i + 1 })
            .execute(),
        )
        .then(() => seenDurableAtResolve.push({ id: i + 1, durable: held.durableRows })),
    );
    await held.releaseUntil(Promise.all(writes));
    assert.equal(seenDurableAtResolve.length, 40);
    // Transactions commit in turn, so row n is the n-th commit: when it resolved, an fsync covering n rows had completed.
    assert.deepEqual(
      seenDurableAtResolve.filter(({ id, durable }) => durable < id),
      [],
    );
    assert.equal(held.durableRows, 40);
    const fsyncs = held.calls.length - before;
    assert.ok(fsyncs >= 1 && fsyncs <= 5, `40 commits took ${fsyncs} fsyncs`);
  });

  it('holds a write outside a transaction, and a read after someone else’s commit, until the fsync completes', async () => {
    let written = false;
    let read = false;
    const write = db
      .insertInto('items')
      .values({ id: 1 })
      .execute()
      .then(() => (written = true));
    const reading = db
      .selectFrom('items')
      .selectAll()
      .execute()
      .then(() => (read = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(written, false, 'a write was answered before any fsync completed');
    assert.equal(read, false, 'a read that saw an undurable commit was answered before the fsync');
    await held.releaseUntil(Promise.all([write, reading]));
    assert.equal(held.durableRows, 1);
  });

  it('needs no fsync for a transaction that rolls back, one that only reads, or a read with nothing pending', async () => {
    const before = held.calls.length;
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ id: 7 }).execute();
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual(await db.selectFrom('items').selectAll().execute(), []);
    assert.deepEqual(await db.transaction().execute((tx) => tx.selectFrom('items').selectAll().execute()), []);
    assert.equal(held.calls.length, before);
  });

  it('fails the waiting transaction when the fsync fails, and every later one: the disk can no longer be trusted', async () => {
    const first = db.transaction().execute((tx) => tx.insertInto('items').values({ id: 1 }).execute());
    await new Promise((resolve) => setImmediate(resolve));
    const failing = held.calls.at(-1)!;
    failing.release(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await assert.rejects(first, /fsync of .*-wal failed/);
    const second = db.transaction().execute((tx) => tx.insertInto('items').values({ id: 2 }).execute());
    await assert.rejects(held.releaseUntil(second), /fsync of .*-wal failed/);
  });
});

describe('SQLite group transactions (gateway/store/groupSync.ts)', () => {
  interface GroupTables {
    parents: { id: number };
    items: { id: number; parent: number | null };
  }
  let dir: string;
  let db: Kysely<GroupTables>;
  let observer: SqliteDatabase.Database;
  const committedIds = () => (observer.prepare('select id from items order by id').all() as { id: number }[]).map((row) => row.id);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flexgate-grouptx-'));
    const database = new SqliteDatabase(join(dir, 'test.sqlite'));
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    observer = new SqliteDatabase(join(dir, 'test.sqlite'));
    db = new Kysely<GroupTables>({ dialect: new GroupSyncSqliteDialect(database) });
    await sql`create table parents (id integer primary key)`.execute(db);
    // A deferred foreign key is checked only by the outer COMMIT: a way to make a group's commit fail.
    await sql`create table items (id integer primary key, parent integer references parents (id) deferrable initially deferred)`.execute(db);
  });

  afterEach(async () => {
    await db.destroy();
    observer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: number, parent: number | null = null) => db.transaction().execute((tx) => tx.insertInto('items').values({ id, parent }).execute());

  it('commits the transactions of one turn together: another connection sees none of them before all have run, each is answered after the commit', async () => {
    const seenByOthers: number[][] = [];
    const settled: number[] = [];
    const transactions = [1, 2, 3].map((id) =>
      db
        .transaction()
        .execute(async (tx) => {
          await tx.insertInto('items').values({ id, parent: null }).execute();
          seenByOthers.push(committedIds());
        })
        .then(() => settled.push(id)),
    );
    await Promise.all(transactions);
    assert.deepEqual(seenByOthers, [[], [], []], 'a transaction of the group was visible to another connection before the group committed');
    assert.deepEqual(settled.sort(), [1, 2, 3]);
    assert.deepEqual(committedIds(), [1, 2, 3]);
  });

  it('undoes a failing transaction alone: the others of its group commit', async () => {
    const results = await Promise.allSettled([
      insert(1),
      db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ id: 2, parent: null }).execute();
        throw new Error('refused');
      }),
      // A duplicate key: the statement fails inside the savepoint, which is undone.
      db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ id: 3, parent: null }).execute();
        await tx.insertInto('items').values({ id: 1, parent: null }).execute();
      }),
      insert(4),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(committedIds(), [1, 4]);
  });

  it('fails every transaction of a group whose commit fails, keeps none of their work, and goes on with the next group', async () => {
    const group = await Promise.allSettled([insert(1), insert(2, 99), insert(3)]);
    assert.deepEqual(
      group.map((result) => result.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.match(String((group[0] as PromiseRejectedResult).reason), /group transaction failed to commit/);
    assert.deepEqual(committedIds(), []);
    await insert(5);
    assert.deepEqual(committedIds(), [5]);
  });

  const lostGroups = [
    // What SQLite does to the whole transaction after some errors (a full disk, an I/O error).
    { what: 'that SQLite rolled back on its own', sabotage: sql`rollback`, reason: /rolled back the group transaction/ },
    // Its savepoint gone, ROLLBACK TO has nothing to undo to.
    { what: 'whose failed transaction cannot be undone alone', sabotage: sql`release flexgate_member`, reason: /could not be undone alone/ },
  ];
  for (const { what, sabotage, reason } of lostGroups) {
    it(`fails every transaction of a group ${what}, so none of its work commits, and goes on with the next group`, async () => {
      const results = await Promise.allSettled([
        insert(1),
        db.transaction().execute(async (tx) => {
          await tx.insertInto('items').values({ id: 2, parent: null }).execute();
          await sabotage.execute(tx);
          throw new Error('refused');
        }),
        insert(3),
      ]);
      assert.equal(results[0]!.status, 'rejected');
      assert.match(String((results[0] as PromiseRejectedResult).reason), reason);
      assert.equal(results[1]!.status, 'rejected');
      // The third ran after the loss, in a group of its own.
      assert.equal(results[2]!.status, 'fulfilled');
      assert.deepEqual(committedIds(), [3]);
    });
  }

  it('runs a read-only transaction on its own snapshot, outside any group, holding no write lock another process would wait for', async () => {
    await insert(1);
    let finishReading!: () => void;
    const reading = db
      .transaction()
      .setAccessMode('read only')
      .execute(async (tx) => {
        const seen = await tx.selectFrom('items').select('id').execute();
        await new Promise<void>((resolve) => (finishReading = resolve));
        return seen.map((row) => row.id);
      });
    const writing = insert(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Another process writes while the read is open, without waiting for a lock (it would fail at once: no busy timeout).
    observer.pragma('busy_timeout = 0');
    observer.prepare('insert into items (id, parent) values (3, null)').run();
    finishReading();
    assert.deepEqual(await reading, [1]);
    await writing;
    assert.deepEqual(committedIds(), [1, 2, 3]);
  });

  it('commits a group still open when the store closes', async () => {
    const pending = insert(1);
    await db.destroy();
    await pending;
    assert.deepEqual(committedIds(), [1]);
    db = new Kysely<GroupTables>({ dialect: new GroupSyncSqliteDialect(new SqliteDatabase(join(dir, 'test.sqlite'))) });
  });
});

describe('the gateway SQLite file', () => {
  it('is made with 16 KiB pages, in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexgate-sqlite-file-'));
    try {
      const store = await openGatewayStore({ dataDir: dir });
      await store.close();
      const file = new SqliteDatabase(join(dir, 'flexgate.sqlite'), { readonly: true });
      try {
        assert.equal(file.pragma('page_size', { simple: true }), 16384);
        assert.equal(file.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
