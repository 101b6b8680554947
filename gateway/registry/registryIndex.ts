import type { Asset, Contract, Party, RegistrySnapshot } from '../../schemas/registry/registry.ts';

/** A split contract the re-ordering lists on its own (`A1_Buyer-2-2024-10-18`) is the contract it was split from. */
const SPLIT_SUFFIX = /-\d+-\d{4}-\d{2}-\d{2}$/;

/** The registry held in memory for look-ups: contracts by id without regard to case, assets by DSO asset id and by resource id. */
export class RegistryIndex {
  readonly parties = new Map<string, Party>();
  readonly assets = new Map<string, Asset>();
  readonly contracts = new Map<string, Contract>();
  private readonly assetsByResource = new Map<string, Asset>();
  /** Contracts covering each DSO asset, in registry order: a list's every entry asks, so no entry scans every contract. */
  private readonly contractsByAsset = new Map<string, Contract[]>();

  constructor(readonly snapshot: RegistrySnapshot) {
    for (const party of snapshot.parties) this.parties.set(party.partyId, party);
    for (const asset of snapshot.assets) {
      this.assets.set(asset.dsoAssetId, asset);
      this.assetsByResource.set(asset.resourceId.toLowerCase(), asset);
    }
    for (const contract of snapshot.contracts) {
      this.contracts.set(contract.contractId.toLowerCase(), contract);
      for (const assetId of new Set(contract.dsoAssetIds)) {
        const covering = this.contractsByAsset.get(assetId);
        if (covering) covering.push(contract);
        else this.contractsByAsset.set(assetId, [contract]);
      }
    }
  }

  get empty(): boolean {
    return this.snapshot.parties.length === 0 && this.snapshot.assets.length === 0 && this.snapshot.contracts.length === 0;
  }

  /** The contract a merit order list names, its split entries included. */
  contract(contractId: string): Contract | undefined {
    const key = contractId.toLowerCase();
    return this.contracts.get(key) ?? this.contracts.get(key.replace(SPLIT_SUFFIX, ''));
  }

  assetOfResource(resourceId: string): Asset | undefined {
    return this.assetsByResource.get(resourceId.toLowerCase());
  }

  /** The contract's asset behind an ANM resource, if the contract covers it. */
  coveredAsset(contract: Contract, resourceId: string): Asset | undefined {
    const asset = this.assetOfResource(resourceId);
    return asset && contract.dsoAssetIds.includes(asset.dsoAssetId) ? asset : undefined;
  }

  /** Contracts of another FSP than `contract`'s, valid in `window`, covering `asset` too: one asset offered (and paid) twice. */
  rivalContracts(contract: Contract, asset: Asset, window: { start: string; end: string }): Contract[] {
    return (this.contractsByAsset.get(asset.dsoAssetId) ?? []).filter(
      (other) => other.fspPartyId !== contract.fspPartyId && other.validFrom < window.end && window.start < other.validTo,
    );
  }
}
