import { sql, type Kysely, type RawBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** The DDL that differs between the two databases: the raw-bytes type, and an auto-increasing `seq` primary key. */
export function dialectColumns(dialect: Dialect) {
  return {
    bytes: sql.raw(dialect === 'postgres' ? 'bytea' : 'blob'),
    seqKey: sql.raw(dialect === 'postgres' ? 'seq bigserial primary key' : 'seq integer primary key autoincrement'),
  };
}

/** Runs a migration's statements in order: DDL is written once, in SQL both databases accept. */
export async function executeAll(db: Kysely<unknown>, statements: readonly RawBuilder<unknown>[]): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
