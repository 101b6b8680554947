import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type Migration,
  type QueryResult,
  RawNode,
  ValueNode,
  type RawBuilder,
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteStatement,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.ts';
import { GroupSyncSqliteDialect } from './groupSync.ts';
import type { Database } from './schema.ts';
import { WalCheckpointer } from './walCheckpointer.ts';

export type { Dialect };
export type StoreExecutor = Kysely<Database> | Transaction<Database>;

export interface StoreOptions {
  /** Folder for the SQLite file, used when no database URL is given. */
  dataDir?: string;
  /** `postgres://…` to share state between gateway instances. */
  databaseUrl?: string;
  /** PostgreSQL schema to keep the tables in (created if missing); tests use one each. */
  schema?: string;
  /** SQLite: checkpoint the WAL in a worker thread instead of in the commits (walCheckpointer.ts); for the long-running gateway. */
  checkpointInBackground?: boolean;
}

const PG_INT8_OID = 20;

/**
 * The gateway's one store: SQLite (WAL, commits made durable in groups) for a single
 * instance, PostgreSQL for several. Both run the same migrations and the same
 * queries through Kysely; nothing above this file knows which it is.
 */
export class Store {
  /** Use `Store.open`, which also migrates. */
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    readonly description: string,
    /** PostgreSQL schema holding the tables, including Kysely's migration bookkeeping. */
    readonly schema?: string,
    /** SQLite: the worker that checkpoints the WAL, stopped before the connection closes. */
    readonly checkpointer?: WalCheckpointer,
    /** SQLite: the connection's statements, which `runSql` runs directly inside this store's transactions. */
    private readonly statements?: KyselySqliteDatabase,
  ) {}

  /** Opens and migrates: `migrations` are every feature's, registered by gateway/storage.ts. */
  static async open(options: StoreOptions, migrations: (dialect: Dialect) => Record<string, Migration>): Promise<Store> {
    const store = options.databaseUrl ? await openPostgres(options.databaseUrl, options.schema) : openSqlite(options);
    try {
      await store.migrate(migrations(store.dialect));
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Runs `work` atomically; a response may only be sent after this resolves. */
  transaction<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    const { statements } = this;
    if (!statements) return this.db.transaction().execute(work);
    return this.db.transaction().execute(async (tx) => {
      directStatements.set(tx, statements);
      try {
        return await work(tx);
      } finally {
        directStatements.delete(tx);
      }
    });
  }

  private async migrate(migrations: Record<string, Migration>): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: { getMigrations: async () => migrations },
      // Without this Kysely looks for its lock table in `public`, not in our schema.
      ...(this.schema ? { migrationTableSchema: this.schema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw new Error(`Database migration failed on ${this.description}: ${(error as Error).message}`, { cause: error });
  }

  /** Bytes the store occupies: the SQLite file's pages, or every table of the PostgreSQL schema with its indexes. */
  async sizeBytes(): Promise<number> {
    if (this.dialect === 'sqlite') {
      const { rows } = await sql<{ bytes: number }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(this.db);
      return Number(rows[0]?.bytes ?? 0);
    }
    const { rows } = await sql<{ bytes: string | number | null }>`
      select sum(pg_total_relation_size(c.oid)) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname = current_schema()`.execute(this.db);
    return Number(rows[0]?.bytes ?? 0);
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    await this.db.destroy();
  }
}

/** SQLite transactions of `Store.transaction`, which hold the one connection until they end: `runSql` may use it directly. */
const directStatements = new WeakMap<StoreExecutor, KyselySqliteDatabase>();

/**
 * Runs one SQL statement, with the same result as `query.execute(db)`. In a
 * SQLite transaction of `Store.transaction` it runs straight on the
 * connection the transaction holds, skipping Kysely's executor (a chain of
 * promises and a connection lock per query: about as much again as running
 * one of the gateway's small statements, and every signed request runs a
 * dozen; issue 16, P1). Otherwise, and on PostgreSQL, through Kysely.
 */
export async function runSql<R>(db: StoreExecutor, query: RawBuilder<R>): Promise<QueryResult<R>> {
  const statements = directStatements.get(db);
  if (!statements) return query.execute(db);
  const { statement, parameters } = preparedOf(statements, db, query);
  // As Kysely's SQLite driver answers: the rows of a statement that returns rows, else what it changed.
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/** A call site's statement: its template's fragments are one frozen array for the life of the process, whatever its values. */
const preparedAtSite = new WeakMap<readonly string[], { statements: KyselySqliteDatabase; statement: SqliteStatement }>();

/**
 * The statement and values of a `sql` template. One whose values are all
 * plain values (each one placeholder, so its text depends on the call site
 * alone) is compiled and looked up once per call site: compiling it and
 * finding its statement by text cost as much as running it.
 */
function preparedOf(
  statements: KyselySqliteDatabase,
  db: StoreExecutor,
  query: RawBuilder<unknown>,
): { statement: SqliteStatement; parameters: readonly unknown[] } {
  const node = query.toOperationNode();
  if (RawNode.is(node) && node.parameters.every((parameter) => ValueNode.is(parameter) && !parameter.immediate)) {
    const known = preparedAtSite.get(node.sqlFragments);
    const parameters = node.parameters.map((parameter) => (parameter as ValueNode).value);
    if (known?.statements === statements) return { statement: known.statement, parameters };
    const statement = statements.prepare(query.compile(db).sql);
    preparedAtSite.set(node.sqlFragments, { statements, statement });
    return { statement, parameters };
  }
  const { sql: text, parameters } = query.compile(db);
  return { statement: statements.prepare(text), parameters };
}

function openSqlite({ dataDir = 'data', checkpointInBackground = false }: StoreOptions): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'flexgate.sqlite');
  const database = new SqliteDatabase(file);
  // 16 KiB pages (a new file only; an existing one keeps its own): large documents and event batches
  // commit in a quarter of the WAL frames, with no cost to the small commits of signed requests (issue 16, P1 and P2).
  database.pragma('page_size = 16384');
  database.pragma('journal_mode = WAL');
  // NORMAL: a commit writes the WAL without an fsync of its own; the group sync makes it durable before the connection is released.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Every request runs in a savepoint of its group's transaction (groupSync.ts), so each page it first touches is copied to a
  // sub-journal, which SQLite spills to a temporary file past 64 KiB (four 16 KiB pages): write calls on every request. In
  // memory, a request's statements cost half as much (issue 16, P1).
  database.pragma('temp_store = MEMORY');
  const checkpointer = checkpointInBackground ? new WalCheckpointer(database, file) : undefined;
  const dialect = new GroupSyncSqliteDialect(database);
  return new Store(new Kysely<Database>({ dialect }), 'sqlite', `SQLite ${file}`, undefined, checkpointer, dialect.statements);
}

async function openPostgres(url: string, schema?: string): Promise<Store> {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === PG_INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  if (schema) {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: 10,
    ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(db);
  const shown = new URL(url);
  shown.password = '';
  return new Store(db, 'postgres', `PostgreSQL ${shown.host}${shown.pathname}${schema ? ` schema ${schema}` : ''}`, schema);
}

export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}
