import type { Kysely, Migration } from 'kysely';

/** Public certificates carried over from another instance's bundle. */
export function portabilityMigrations(): Record<string, Migration> {
  return {
    '0012_portability': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('portability_certificates')
          .addColumn('serial', 'text', (c) => c.primaryKey())
          .addColumn('urn', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('pem', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
}
