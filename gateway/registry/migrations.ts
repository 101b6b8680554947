import type { Kysely, Migration } from 'kysely';
import { dialectColumns, type Dialect } from '../store/dialect.ts';

/** Parties, assets, contracts and the warnings permissive intake records. Named to sort after every earlier feature's. */
export function registryMigrations(dialect: Dialect): Record<string, Migration> {
  return { '0010_registry': registryTables(dialect) };
}

function registryTables(dialect: Dialect): Migration {
  const { autoSeq } = dialectColumns(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('registry_parties')
        .addColumn('party_id', 'text', (c) => c.primaryKey())
        .addColumn('party_urn', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('registry_assets')
        .addColumn('dso_asset_id', 'text', (c) => c.primaryKey())
        .addColumn('resource_key', 'text', (c) => c.notNull())
        .addColumn('fsp_party_id', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('registry_assets_by_resource').on('registry_assets').column('resource_key').execute();
      await db.schema
        .createTable('registry_contracts')
        .addColumn('contract_key', 'text', (c) => c.primaryKey())
        .addColumn('fsp_party_id', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await autoSeq(db.schema.createTable('registry_warnings'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
