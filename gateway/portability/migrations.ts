import { sql, type Kysely, type Migration } from 'kysely';

/** Public certificates carried over from another instance's bundle. */
export function portabilityMigrations(): Record<string, Migration> {
  return {
    '0012_portability': {
      async up(db: Kysely<unknown>) {
        await sql`create table portability_certificates (serial text primary key, urn text not null, status text not null, pem text not null)`.execute(db);
      },
    },
  };
}
