import { CompiledQuery, sql, type Insertable } from 'kysely';
import type { Database } from './schema.ts';
import type { StoreExecutor } from './store.ts';

type Row<T extends keyof Database> = Insertable<Database[T]>;
type Column<T extends keyof Database> = keyof Row<T> & string;

export interface BulkInsertOptions<T extends keyof Database> {
  /** Rows per statement: within SQLite's and PostgreSQL's bound-parameter limits (32,766 and 65,535) for the columns given. */
  batch: number;
  /** Rows that clash with an existing one on these columns are skipped (ON CONFLICT … DO NOTHING). */
  skipConflictsOn?: readonly Column<T>[];
}

/**
 * Multi-row INSERTs of many rows (a 100k-entry list's events and their
 * notifications) without the query builder's work per row and value: the
 * statement for a number of rows is compiled once per database by Kysely,
 * so placeholders and conflict clauses are each database's own, and then
 * runs with the rows' values as one flat parameter list.
 */
export class BulkInsert<T extends keyof Database & string, C extends Column<T>> {
  /** Statement text by placeholder style and row count. */
  private readonly statements = new Map<string, string>();

  constructor(
    private readonly table: T,
    private readonly columns: readonly C[],
    private readonly options: BulkInsertOptions<T>,
  ) {
    if (options.batch * columns.length > 32_766)
      throw new Error(`${table}: ${options.batch} rows of ${columns.length} columns exceed SQLite's parameter limit`);
  }

  /** Inserts `rows` in order, in statements of at most `batch` rows, on `db` (a transaction, to keep them atomic); every row names every column. */
  async insert(db: StoreExecutor, rows: readonly Required<Pick<Row<T>, C>>[]): Promise<void> {
    if (rows.length === 0) return;
    // `?` on SQLite, `$1` on PostgreSQL: one statement cache for stores of both kinds in one process.
    const placeholders = sql`${null}`.compile(db).sql;
    const { columns } = this;
    for (let start = 0; start < rows.length; start += this.options.batch) {
      const batch = rows.slice(start, start + this.options.batch);
      const parameters: unknown[] = new Array(batch.length * columns.length);
      let k = 0;
      for (const row of batch) for (const column of columns) parameters[k++] = row[column];
      await db.executeQuery(CompiledQuery.raw(this.statement(db, placeholders, batch.length), parameters));
    }
  }

  private statement(db: StoreExecutor, placeholders: string, count: number): string {
    const key = `${placeholders} ${count}`;
    let text = this.statements.get(key);
    if (text === undefined) {
      const placeholderRow = Object.fromEntries(this.columns.map((column) => [column, null])) as Row<T>;
      const insert = db.insertInto(this.table).values(Array.from({ length: count }, () => placeholderRow) as never);
      const skip = this.options.skipConflictsOn;
      const compiled = (skip ? insert.onConflict((conflict) => conflict.columns(skip as never).doNothing()) : insert).compile();
      // Every value must be a parameter, in row-major column order, or the flat list would land in the wrong places.
      if (compiled.parameters.length !== count * this.columns.length)
        throw new Error(`${this.table}: the bulk statement does not take one parameter per value`);
      text = compiled.sql;
      this.statements.set(key, text);
    }
    return text;
  }
}
