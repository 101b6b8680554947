import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { timeOrderedUuid } from '../../protocol/identity/timeOrderedUuid.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Asset, Contract, Party, RegistrySnapshot, RegistryWarning } from '../../schemas/registry/registry.ts';
import type { Store, StoreExecutor } from '../store/store.ts';
import { registryViolations } from './registryRules.ts';

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The whole registry, each list in id order (so an export is the same whichever database it came from). */
export async function readRegistry(db: StoreExecutor): Promise<RegistrySnapshot> {
  const [parties, assets, contracts] = await Promise.all([
    db.selectFrom('registry_parties').select('body').execute(),
    db.selectFrom('registry_assets').select('body').execute(),
    db.selectFrom('registry_contracts').select('body').execute(),
  ]);
  return {
    parties: parties.map((r) => JSON.parse(r.body) as Party).sort(byKey((p) => p.partyId)),
    assets: assets.map((r) => JSON.parse(r.body) as Asset).sort(byKey((a) => a.dsoAssetId)),
    contracts: contracts.map((r) => JSON.parse(r.body) as Contract).sort(byKey((c) => c.contractId.toLowerCase())),
  };
}

/** Replaces the registry with `snapshot` after checking it as a whole; refuses with every violation found. */
export async function replaceRegistry(tx: StoreExecutor, snapshot: RegistrySnapshot): Promise<RegistrySnapshot> {
  const violations = registryViolations(snapshot);
  if (violations.length > 0) throw Problem.of(violations);
  await tx.deleteFrom('registry_contracts').execute();
  await tx.deleteFrom('registry_assets').execute();
  await tx.deleteFrom('registry_parties').execute();
  await tx.updateTable('registry_version').set({ version: timeOrderedUuid() }).where('id', '=', 1).execute();
  for (const party of snapshot.parties) {
    await tx
      .insertInto('registry_parties')
      .values({ party_id: party.partyId, party_urn: party.partyUrn, body: canonicalJson(party) })
      .execute();
  }
  for (const asset of snapshot.assets) {
    await tx
      .insertInto('registry_assets')
      .values({ dso_asset_id: asset.dsoAssetId, resource_key: asset.resourceId.toLowerCase(), fsp_party_id: asset.fspPartyId, body: canonicalJson(asset) })
      .execute();
  }
  for (const contract of snapshot.contracts) {
    await tx
      .insertInto('registry_contracts')
      .values({
        contract_key: contract.contractId.toLowerCase(),
        fsp_party_id: contract.fspPartyId,
        valid_from: contract.validFrom,
        valid_to: contract.validTo,
        body: canonicalJson(contract),
      })
      .execute();
  }
  return readRegistry(tx);
}

/** Entries added or replaced by id; what the patch does not name stays as it was. */
export function mergeRegistry(current: RegistrySnapshot, patch: Partial<RegistrySnapshot>): RegistrySnapshot {
  const merge = <T>(existing: T[], added: T[] | undefined, key: (item: T) => string) => {
    const map = new Map(existing.map((item) => [key(item), item]));
    for (const item of added ?? []) map.set(key(item), item);
    return [...map.values()];
  };
  return {
    parties: merge(current.parties, patch.parties, (p) => p.partyId),
    assets: merge(current.assets, patch.assets, (a) => a.dsoAssetId),
    contracts: merge(current.contracts, patch.contracts, (c) => c.contractId.toLowerCase()),
  };
}

/** Merges `patch` into the stored registry in one transaction. */
export function importIntoRegistry(store: Store, patch: Partial<RegistrySnapshot>, replace = false): Promise<RegistrySnapshot> {
  return store.transaction(async (tx) =>
    replaceRegistry(tx, replace ? { parties: [], assets: [], contracts: [], ...patch } : mergeRegistry(await readRegistry(tx), patch)),
  );
}

export async function recordWarnings(tx: StoreExecutor, warnings: readonly RegistryWarning[]): Promise<void> {
  for (const w of warnings)
    await tx.insertInto('registry_warnings').values({ code: w.code, detail: w.detail, source: w.source, recorded_at: w.recordedAt }).execute();
}

export async function listWarnings(db: StoreExecutor, limit = 1000): Promise<RegistryWarning[]> {
  const rows = await db.selectFrom('registry_warnings').selectAll().orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ code: r.code, detail: r.detail, source: r.source, recordedAt: r.recorded_at }));
}
