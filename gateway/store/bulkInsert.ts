import { CompiledQuery, sql, type Insertable } from 'kysely';
import type { Database } from './schema.ts';
import type { StoreExecutor } from './store.ts';

type Column<T extends keyof Database> = keyof Insertable<Database[T]> & string;

/** A row as `BulkInsert` takes it: every one of its columns named, none other (an object literal with more does not compile). */
export type BulkRow<T extends keyof Database, C extends Column<T>> = Required<Pick<Insertable<Database[T]>, C>>;

/** Rows per statement, fewer for a table so wide that SQLite's 32,766 bound parameters would not hold them (PostgreSQL's limit is 65,535). */
const ROWS_PER_STATEMENT = 500;
const MAX_PARAMETERS = 32_766;
/** Batches of up to this many rows keep their statement too: a signed request's few events and notifications, every request. */
const KEPT_SMALL_BATCH = 32;

/**
 * Multi-row INSERTs of many rows (a 100k-entry list's events and their
 * notifications) without the query builder's work per row and value: Kysely
 * compiles the statement of a full batch once per database, so placeholders
 * and the conflict clause are each database's own, and it runs with the
 * rows' values as one flat parameter list. Small batches (up to
 * KEPT_SMALL_BATCH rows) keep their statement as well; a larger partial
 * batch is compiled for its size each time, so at most 33 statements are
 * kept per database, not one per row count.
 */
export class BulkInsert<T extends keyof Database & string, C extends Column<T>> {
  private readonly rowsPerStatement: number;
  /** Statement texts by placeholder style (`?` on SQLite, `$1` on PostgreSQL) and row count: the full batch's and small ones'. */
  private readonly kept = new Map<string, string>();

  constructor(
    private readonly table: T,
    private readonly columns: readonly C[],
    /** Rows that clash with a stored one on these columns are skipped (ON CONFLICT … DO NOTHING); any other clash fails. */
    private readonly skipConflictsOn?: readonly C[],
  ) {
    this.rowsPerStatement = Math.min(ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns.length));
  }

  /** Inserts `rows` in order on `db` (a transaction, to keep them atomic). */
  async insert(db: StoreExecutor, rows: readonly BulkRow<T, C>[]): Promise<void> {
    if (rows.length === 0) return;
    const placeholders = sql`${null}`.compile(db).sql;
    const { columns, rowsPerStatement } = this;
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const batch = rows.slice(start, start + rowsPerStatement);
      const parameters: unknown[] = new Array(batch.length * columns.length);
      let k = 0;
      for (const row of batch) for (const column of columns) parameters[k++] = row[column];
      await db.executeQuery(CompiledQuery.raw(this.statement(db, placeholders, batch.length), parameters));
    }
  }

  private statement(db: StoreExecutor, placeholders: string, count: number): string {
    if (count !== this.rowsPerStatement && count > KEPT_SMALL_BATCH) return this.compile(db, count);
    const key = `${placeholders} ${count}`;
    let text = this.kept.get(key);
    if (text === undefined) {
      text = this.compile(db, count);
      this.kept.set(key, text);
    }
    return text;
  }

  private compile(db: StoreExecutor, count: number): string {
    const placeholderRow = Object.fromEntries(this.columns.map((column) => [column, null]));
    const insert = db.insertInto(this.table).values(Array.from({ length: count }, () => placeholderRow) as never);
    const skip = this.skipConflictsOn;
    const compiled = (skip ? insert.onConflict((conflict) => conflict.columns(skip as never).doNothing()) : insert).compile();
    // One parameter per value, in row-major column order: a Kysely that wrote some values inline would be caught here, not misplace them.
    if (compiled.parameters.length !== count * this.columns.length) throw new Error(`${this.table}: the bulk statement does not take one parameter per value`);
    return compiled.sql;
  }
}
