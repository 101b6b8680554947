import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type Driver, type SqliteDatabase as KyselySqliteDatabase, type SqliteDialectConfig, type SqliteStatement } from 'kysely';

/** `fs.fsync`'s shape; tests pass one that records what each call covered. */
export type FsyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * Group commit for SQLite. The connection runs with `synchronous=NORMAL`, so
 * a commit only writes the WAL (no fsync on the event loop); before anything
 * that touched the database is released (a transaction's promise, a single
 * write, a read that may have seen others' commits), one fsync of the WAL in
 * libuv's thread pool covers every commit made before it started. Under load
 * one fsync serves every request that committed while the previous one ran,
 * and each is still on disk before it is answered.
 */
export class WalGroupSync {
  private committed = 0;
  private synced = 0;
  private flushing: Promise<void> | undefined;
  private walFd: number | undefined;
  /** After a failed fsync nothing written since can be trusted to be on disk (the kernel may have dropped it): every later wait fails. */
  private failed: Error | undefined;

  constructor(
    private readonly walPath: string,
    private readonly fsyncFile: FsyncFile = fsync,
  ) {}

  /** A commit just happened on the connection (an explicit COMMIT or a write outside a transaction). */
  noteCommit(): void {
    this.committed++;
  }

  /** Resolves once every commit made so far is on disk. */
  async durable(): Promise<void> {
    const target = this.committed;
    while (this.synced < target) {
      if (this.failed) throw this.failed;
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
      await this.flushing;
    }
  }

  close(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
  }

  private flush(): Promise<void> {
    const covered = this.committed;
    const fd = this.openWal();
    return new Promise((resolve, reject) =>
      this.fsyncFile(fd, (error) => {
        if (error) {
          this.failed = new Error(`fsync of ${this.walPath} failed: commits since the last one may be lost`, { cause: error });
          return reject(this.failed);
        }
        this.synced = Math.max(this.synced, covered);
        resolve();
      }),
    );
  }

  /** The WAL exists once the first commit is written; it stays (same inode) while this connection is open. */
  private openWal(): number {
    if (this.walFd === undefined) {
      this.walFd = openSync(this.walPath, 'r');
      // The WAL's directory entry must be durable too, once.
      const directory = openSync(dirname(this.walPath), 'r');
      try {
        fsyncSync(directory);
      } finally {
        closeSync(directory);
      }
    }
    return this.walFd;
  }
}

/** Enough for every query the gateway issues; a store running queries of ever new text drops the oldest. */
const MAX_CACHED_STATEMENTS = 512;

/**
 * The database as Kysely sees it: each SQL text prepared once (preparing
 * costs more than running most of ours), and every commit that wrote
 * reported to the group sync — a write outside a transaction, or the COMMIT
 * of a transaction that wrote (never a ROLLBACK).
 * Safe to share: Kysely runs one query at a time on the connection.
 */
function observedDatabase(database: SqliteDatabase.Database, sync: WalGroupSync): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  // Whether the open transaction wrote anything: a COMMIT of one that only read needs no fsync.
  let wrote = false;
  const observe = (text: string): SqliteStatement => {
    const statement = database.prepare(text);
    const rollback = /^\s*rollback\s*$/i.test(text);
    // Transaction control (BEGIN, COMMIT, SAVEPOINT, ...) counts as read-only: only real writes mark a commit.
    const afterRun = (wasInTransaction: boolean) => {
      if (database.inTransaction) {
        wrote ||= !statement.readonly;
        return;
      }
      if (!wasInTransaction) {
        if (!statement.readonly) sync.noteCommit();
        return;
      }
      if (wrote && !rollback) sync.noteCommit();
      wrote = false;
    };
    return {
      reader: statement.reader,
      all(parameters: ReadonlyArray<unknown>) {
        const before = database.inTransaction;
        const rows = statement.all(parameters);
        afterRun(before);
        return rows;
      },
      run(parameters: ReadonlyArray<unknown>) {
        const before = database.inTransaction;
        const result = statement.run(parameters);
        afterRun(before);
        return result;
      },
      iterate: (parameters: ReadonlyArray<unknown>) => statement.iterate(parameters),
    };
  };
  return {
    close: () => {
      sync.close();
      database.close();
    },
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        statement = observe(text);
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.delete(statements.keys().next().value!);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** Kysely's SQLite driver, releasing each use of the connection only once what was committed so far is durable. */
class GroupSyncDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sync: WalGroupSync,
  ) {
    super(config);
  }

  override async releaseConnection(): Promise<void> {
    // The connection goes first, so the next transaction runs while this one waits for the disk.
    await super.releaseConnection();
    await this.sync.durable();
  }
}

/** A Kysely dialect for one better-sqlite3 connection in WAL mode with group commit (see WalGroupSync). */
export class GroupSyncSqliteDialect extends SqliteDialect {
  private readonly config: SqliteDialectConfig;
  private readonly sync: WalGroupSync;

  constructor(database: SqliteDatabase.Database, fsyncFile?: FsyncFile) {
    const sync = new WalGroupSync(`${database.name}-wal`, fsyncFile);
    const config = { database: observedDatabase(database, sync) };
    super(config);
    this.config = config;
    this.sync = sync;
  }

  override createDriver(): Driver {
    return new GroupSyncDriver(this.config, this.sync);
  }
}
