import { sql, type Kysely, type Migration } from 'kysely';
import { dialectColumns, executeAll, type Dialect } from '../store/dialect.ts';

/** Parties, assets, contracts and the warnings permissive intake records. Named to sort after every earlier feature's. */
export function registryMigrations(dialect: Dialect): Record<string, Migration> {
  return { '0010_registry': registryTables(dialect), '0014_registry_version': registryVersion() };
}

/** One row naming the registry's current content, replaced by every write, so a reader can keep its index until it changes. */
function registryVersion(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await executeAll(db, [
        sql`create table registry_version (id integer primary key check (id = 1), version text not null)`,
        sql`insert into registry_version (id, version) values (1, 'initial')`,
      ]);
    },
  };
}

function registryTables(dialect: Dialect): Migration {
  const { seqKey } = dialectColumns(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await executeAll(db, [
        sql`create table registry_parties (party_id text primary key, party_urn text not null, body text not null)`,
        sql`create table registry_assets (dso_asset_id text primary key, resource_key text not null, fsp_party_id text not null, body text not null)`,
        sql`create index registry_assets_by_resource on registry_assets (resource_key)`,
        sql`create table registry_contracts (contract_key text primary key, fsp_party_id text not null,
          valid_from text not null, valid_to text not null, body text not null)`,
        sql`create table registry_warnings (${seqKey}, code text not null, detail text not null, source text not null, recorded_at text not null)`,
      ]);
    },
  };
}
