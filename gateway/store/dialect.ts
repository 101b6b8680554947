import { sql, type Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** The column types that differ between the two databases: raw bytes, and an auto-increasing `seq` key. */
export function dialectColumns(dialect: Dialect) {
  return {
    bytes: sql.raw(dialect === 'postgres' ? 'bytea' : 'blob'),
    autoSeq: (table: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
      dialect === 'postgres'
        ? table.addColumn('seq', 'bigserial', (c) => c.primaryKey())
        : table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
  };
}
