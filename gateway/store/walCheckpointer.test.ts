import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { openGatewayStore } from '../storage.ts';
import type { Store } from './store.ts';
import { WalCheckpointer, type CheckpointReport } from './walCheckpointer.ts';

const pragma = async (store: Store, name: string) => {
  const { rows } = await sql<Record<string, number>>`pragma ${sql.raw(name)}`.execute(store.db);
  return Number(Object.values(rows[0]!)[0]);
};

describe('SQLite WAL checkpoints off the event loop (gateway/store/walCheckpointer.ts)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flexgate-checkpointer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('turns the connection’s own checkpoints off, copies every committed frame from a worker, and leaves no WAL behind on close', async () => {
    const store = await openGatewayStore({ dataDir: dir, checkpointInBackground: true });
    const reports: CheckpointReport[] = [];
    store.checkpointer!.onCheckpoint((report) => reports.push(report));
    assert.equal(await pragma(store, 'wal_autocheckpoint'), 0, 'no checkpoint inside a commit');
    await sql`create table filler (body blob not null)`.execute(store.db);
    // Past SQLite's default threshold (1000 pages of 16 KiB), where the connection would have checkpointed in a commit.
    for (let n = 0; n < 20; n++) {
      await store.transaction(async (tx) => {
        for (let k = 0; k < 60; k++) await sql`insert into filler (body) values (${Buffer.alloc(16_000, n)})`.execute(tx);
      });
    }
    const wal = join(dir, 'flexgate.sqlite-wal');
    const deadline = Date.now() + 10_000;
    while (!reports.some((report) => report.log >= 1000 && report.checkpointed === report.log) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(
      reports.some((report) => report.log >= 1000 && report.checkpointed === report.log),
      `the worker copied the whole log: ${JSON.stringify(reports)}`,
    );
    assert.equal(await pragma(store, 'wal_autocheckpoint'), 0, 'still off while the worker runs');
    assert.ok(existsSync(wal));
    await store.close();
    assert.ok(!existsSync(wal), 'the gateway’s connection closed last: it checkpointed and removed the WAL');
    const reopened = new SqliteDatabase(join(dir, 'flexgate.sqlite'), { readonly: true });
    try {
      assert.equal((reopened.prepare('select count(*) as rows from filler').get() as { rows: number }).rows, 20 * 60);
    } finally {
      reopened.close();
    }
  });

  it('gives the connection its own checkpoints back when the worker fails, and stops at once', async () => {
    const file = join(dir, 'own.sqlite');
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    try {
      // The worker cannot open a database in a folder that does not exist, and ends with an error.
      const checkpointer = new WalCheckpointer(database, join(dir, 'missing', 'other.sqlite'));
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 0);
      const deadline = Date.now() + 10_000;
      while (database.pragma('wal_autocheckpoint', { simple: true }) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 1000);
      await checkpointer.stop();
    } finally {
      database.close();
    }
  });

  it('does not keep a process alive that left its store open', async () => {
    const script = join(dir, 'left-open.mts');
    writeFileSync(
      script,
      `import { openGatewayStore } from ${JSON.stringify(fileURLToPath(new URL('../storage.ts', import.meta.url)))};\n` +
        `await openGatewayStore({ dataDir: ${JSON.stringify(join(dir, 'data'))}, checkpointInBackground: true });\n`,
    );
    // Killed, and failed, if it is still running after 20 s.
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 20_000 }, (error) => (error ? reject(error) : resolve())),
    );
  });

  it('is not started for a store opened by a short command', async () => {
    const store = await openGatewayStore({ dataDir: dir });
    try {
      assert.equal(store.checkpointer, undefined);
      assert.equal(await pragma(store, 'wal_autocheckpoint'), 1000);
    } finally {
      await store.close();
    }
  });
});
