import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
  type TransactionSettings,
} from 'kysely';

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

/** Whether the open transaction wrote anything: a COMMIT of one that only read needs no fsync. */
interface OpenWrites {
  wrote: boolean;
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
function observedDatabase(database: SqliteDatabase.Database, sync: WalGroupSync, writes: OpenWrites): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  const observe = (text: string): SqliteStatement => {
    const statement = database.prepare(text);
    const rollback = /^\s*rollback\s*$/i.test(text);
    // Transaction control (BEGIN IMMEDIATE is not "read-only" to SQLite) writes nothing: only real writes mark a commit.
    const writing = !statement.readonly && !/^\s*begin\b/i.test(text);
    const afterRun = (wasInTransaction: boolean) => {
      if (database.inTransaction) {
        writes.wrote ||= writing;
        return;
      }
      if (!wasInTransaction) {
        if (writing) sync.noteCommit();
        return;
      }
      if (writes.wrote && !rollback) sync.noteCommit();
      writes.wrote = false;
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

/** The savepoint each transaction of a group runs in: undone alone should its work fail. */
const MEMBER = CompiledQuery.raw('savepoint flexgate_member');
const RELEASE_MEMBER = CompiledQuery.raw('release flexgate_member');
const UNDO_MEMBER = CompiledQuery.raw('rollback to flexgate_member');
/** Immediate: the group holds the write lock from its start, so no other process's commit can leave it on a stale snapshot. */
const BEGIN_GROUP = CompiledQuery.raw('begin immediate');
/** A read-only transaction: a snapshot of its own, no write lock (an export from another process must not stop the gateway's writes). */
const BEGIN_READ = CompiledQuery.raw('begin');
/** Ends a group, or a read-only transaction. */
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/** One outer transaction and the transactions (savepoints) that ran in it; each member is released only once the group has committed. */
class Group {
  private settle!: (error?: Error) => void;
  readonly committed = new Promise<void>((resolve, reject) => (this.settle = (error) => (error ? reject(error) : resolve())));
  /** Its commit is scheduled: the first member released it. */
  closing = false;

  constructor() {
    // A member that fails alone never awaits this; no rejection goes unobserved.
    this.committed.catch(() => undefined);
  }

  end(error?: Error): void {
    this.settle(error);
  }
}

/**
 * Kysely's SQLite driver with group transactions: the transactions that
 * reach the connection within one turn of the event loop run, after its I/O
 * (setImmediate), as savepoints of one outer transaction, committed once
 * they have all run. A transaction that fails is undone alone (ROLLBACK TO its
 * savepoint); the others' work stays. A use of the connection is released
 * only once the group holding its work has committed and that commit is
 * durable (WalGroupSync): under load one COMMIT, and one fsync, serve every
 * request of a turn, where each used to pay for its own COMMIT's WAL pages.
 * A read-only transaction (`setAccessMode('read only')`) runs on its own.
 */
class GroupSyncDriver extends SqliteDriver {
  private group: Group | undefined;
  /** Set when a failed group could not even be rolled back. */
  private broken: Error | undefined;
  /** Whether the group had written before the running member began: what undoing the member restores. */
  private wroteBeforeMember = false;
  /** The running transaction is read-only: a transaction of its own, in no group. */
  private readOnly = false;

  constructor(
    config: SqliteDialectConfig,
    private readonly database: SqliteDatabase.Database,
    private readonly sync: WalGroupSync,
    private readonly writes: OpenWrites,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    if (this.broken) throw this.broken;
    if (settings?.accessMode === 'read only') {
      // Nor does a long read keep a group's answers waiting: the group commits first.
      const open = this.openGroup();
      if (open) await this.commitGroup(connection, open);
      await connection.executeQuery(BEGIN_READ);
      this.readOnly = true;
      return;
    }
    if (!this.openGroup()) {
      // The group begins once the turn's I/O has been read (the check phase): the transactions that arrived meanwhile then
      // run back to back, with SQLite's code and pages still in the CPU's caches, rather than each between two requests' TLS,
      // HTTP and crypto work; and the write lock is held only while they run (issue 16, P1).
      await new Promise((resolve) => setImmediate(resolve));
      await connection.executeQuery(BEGIN_GROUP);
    }
    this.group ??= new Group();
    await connection.executeQuery(MEMBER);
    this.wroteBeforeMember = this.writes.wrote;
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(this.readOnly ? COMMIT : RELEASE_MEMBER);
    this.readOnly = false;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.readOnly) {
      this.readOnly = false;
      if (this.database.inTransaction) await connection.executeQuery(ROLLBACK);
      return;
    }
    // Some failures (a full disk, an I/O error) make SQLite roll back the whole transaction: the group is lost, not just this member.
    if (!this.database.inTransaction) return;
    try {
      await connection.executeQuery(UNDO_MEMBER);
      await connection.executeQuery(RELEASE_MEMBER);
      this.writes.wrote = this.wroteBeforeMember;
    } catch (error) {
      // A member that cannot be undone alone takes its group with it: nothing of its work may commit.
      await this.abandonGroup(
        connection,
        this.group,
        new Error('A failed transaction could not be undone alone: its group transaction is rolled back', { cause: error }),
      );
      throw error;
    }
  }

  override async releaseConnection(): Promise<void> {
    const group = this.openGroup();
    if (group && !group.closing) {
      group.closing = true;
      // Once every transaction ready to run has (they follow this one on the connection as promise continuations).
      process.nextTick(() => void this.closeLater(group));
    }
    // The connection goes first, so the next transaction runs while this one waits for its group and the disk.
    // A member that failed alone waits too, and fails with its group: its refusal may rest on the group's work (a twin's row).
    await super.releaseConnection();
    if (group) await group.committed;
    if (this.broken) throw this.broken;
    await this.sync.durable();
  }

  override async destroy(): Promise<void> {
    // A group whose commit is still scheduled commits, and is made durable, before the connection closes.
    const connection = await this.acquireConnection();
    const group = this.openGroup();
    if (group) await this.commitGroup(connection, group);
    // Its members are answered once it is on disk: the WAL must still be open for that fsync.
    await this.sync.durable().catch(() => undefined);
    await super.destroy();
  }

  /** The group still open on the connection, or none; a group SQLite rolled back on its own is failed here. */
  private openGroup(): Group | undefined {
    const group = this.group;
    if (group && !this.database.inTransaction) {
      this.group = undefined;
      group.end(new Error('SQLite rolled back the group transaction after an error: the work of every transaction in it is lost'));
      return undefined;
    }
    return group;
  }

  private async closeLater(group: Group): Promise<void> {
    const connection = await this.acquireConnection();
    try {
      if (this.openGroup() === group) await this.commitGroup(connection, group);
    } finally {
      await super.releaseConnection();
    }
  }

  private async commitGroup(connection: DatabaseConnection, group: Group): Promise<void> {
    this.group = undefined;
    try {
      await connection.executeQuery(COMMIT);
    } catch (error) {
      await this.abandonGroup(
        connection,
        group,
        new Error('The group transaction failed to commit: the work of every transaction in it is lost', { cause: error }),
      );
      return;
    }
    group.end();
  }

  /** Fails every member of `group` and rolls it back. */
  private async abandonGroup(connection: DatabaseConnection, group: Group | undefined, reason: Error): Promise<void> {
    if (this.group === group) this.group = undefined;
    group?.end(reason);
    try {
      if (this.database.inTransaction) await connection.executeQuery(ROLLBACK);
    } catch (error) {
      // Work done now would land in a transaction that never commits: every later use fails instead of being answered,
      // and closing the connection rolls it back, so it holds the write lock no longer.
      this.broken = new Error('The store could not roll back a failed group transaction: nothing more can be made durable', { cause: error });
      this.database.close();
    }
  }
}

/** A Kysely dialect for one better-sqlite3 connection in WAL mode with group commit (see WalGroupSync). */
export class GroupSyncSqliteDialect extends SqliteDialect {
  private readonly config: SqliteDialectConfig;
  private readonly sync: WalGroupSync;
  private readonly writes: OpenWrites;

  constructor(
    private readonly database: SqliteDatabase.Database,
    fsyncFile?: FsyncFile,
  ) {
    const sync = new WalGroupSync(`${database.name}-wal`, fsyncFile);
    const writes = { wrote: false };
    const config = { database: observedDatabase(database, sync, writes) };
    super(config);
    this.config = config;
    this.sync = sync;
    this.writes = writes;
  }

  override createDriver(): Driver {
    return new GroupSyncDriver(this.config, this.database, this.sync, this.writes);
  }

  /** The connection's cached statements, as its driver runs them (commits reported to the group sync); see `runSql`. */
  get statements(): KyselySqliteDatabase {
    return this.config.database as KyselySqliteDatabase;
  }
}
