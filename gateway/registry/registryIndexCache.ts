import { sql } from 'kysely';
import { runSql, type StoreExecutor } from '../store/store.ts';
import { RegistryIndex } from './registryIndex.ts';
import { readRegistry } from './registryRecords.ts';

/**
 * The registry's index, read once and kept until the registry changes: every
 * merit order list is checked against the registry, which a DSO may fill
 * with thousands of assets and contracts. Each use reads the registry's
 * version token (one row, in the caller's transaction); a write anywhere,
 * by any instance or process, replaces the token in its own transaction, so
 * a changed or rolled-back registry is never served from the cache.
 * One per store: the composition root shares it between the intake's
 * reactions and the CIM API.
 */
export class RegistryIndexCache {
  private cached: { version: string; index: RegistryIndex } | undefined;

  async indexOf(db: StoreExecutor): Promise<RegistryIndex> {
    // Read before the registry itself: what is cached is never older than the version it is kept under.
    // Every merit order list asks, twice: SQL, not the query builder.
    const version = (await runSql(db, sql<{ version: string }>`select version from registry_version where id = 1`)).rows[0]?.version;
    if (version !== undefined && this.cached?.version === version) return this.cached.index;
    const index = new RegistryIndex(await readRegistry(db));
    if (version !== undefined) this.cached = { version, index };
    return index;
  }
}
