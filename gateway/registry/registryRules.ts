import type { ProblemItem } from '../../protocol/problem.ts';
import type { RegistrySnapshot } from '../../schemas/registry/registry.ts';
import { RegistryIndex } from './registryIndex.ts';

/**
 * What a registry must satisfy as a whole, checked after every write: ids
 * once each, every reference resolvable to a party of the right role, and no
 * asset contracted to two FSPs for overlapping windows, nor contracted by an
 * FSP other than the one that owns it (the anti-fraud link of the security
 * annex: the same asset must not be paid twice through two FSPs).
 */
export function registryViolations(snapshot: RegistrySnapshot): ProblemItem[] {
  const items: ProblemItem[] = [];
  const duplicates = (kind: 'parties' | 'assets' | 'contracts', ids: string[]) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) items.push({ code: 'registry.duplicate', detail: `${kind} ${id} is given more than once`, pointer: `/${kind}/${i}` });
      seen.add(id);
    });
  };
  duplicates(
    'parties',
    snapshot.parties.map((p) => p.partyId),
  );
  duplicates(
    'assets',
    snapshot.assets.map((a) => a.dsoAssetId),
  );
  duplicates(
    'assets',
    snapshot.assets.map((a) => `resource ${a.resourceId.toLowerCase()}`),
  );
  duplicates(
    'contracts',
    snapshot.contracts.map((c) => c.contractId.toLowerCase()),
  );

  const index = new RegistryIndex(snapshot);
  const party = (id: string, role: string, pointer: string) => {
    const found = index.parties.get(id);
    if (!found || found.role !== role) items.push({ code: 'registry.reference-unknown', detail: `No ${role} party ${id}`, pointer });
  };
  snapshot.assets.forEach((asset, i) => party(asset.fspPartyId, 'fsp', `/assets/${i}/fspPartyId`));
  snapshot.contracts.forEach((contract, i) => {
    party(contract.dsoPartyId, 'dso', `/contracts/${i}/dsoPartyId`);
    party(contract.fspPartyId, 'fsp', `/contracts/${i}/fspPartyId`);
    if (contract.validFrom >= contract.validTo) {
      items.push({ code: 'schema.violation', detail: `Contract ${contract.contractId} ends before it starts`, pointer: `/contracts/${i}/validTo` });
    }
    contract.dsoAssetIds.forEach((assetId, k) => {
      const asset = index.assets.get(assetId);
      const pointer = `/contracts/${i}/dsoAssetIds/${k}`;
      if (!asset) items.push({ code: 'registry.reference-unknown', detail: `No asset ${assetId}`, pointer });
    });
  });
  return items;
}
