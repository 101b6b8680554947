import type { Generated } from 'kysely';

/** The registry's tables, part of `Database` (gateway/store/schema.ts). Each row keeps the entry's canonical JSON; the other columns are what queries look up by. */
export interface RegistryTables {
  registry_parties: RegistryPartyTable;
  registry_assets: RegistryAssetTable;
  registry_contracts: RegistryContractTable;
  registry_warnings: RegistryWarningTable;
  registry_version: RegistryVersionTable;
}

/** One row: a token that every write of the registry replaces with a new one (never reused, even when a write rolls back). */
export interface RegistryVersionTable {
  id: number;
  version: string;
}

export interface RegistryPartyTable {
  party_id: string;
  party_urn: string;
  body: string;
}

export interface RegistryAssetTable {
  dso_asset_id: string;
  /** The ANM resource id, lower-cased: merit order lists are matched without regard to case. */
  resource_key: string;
  fsp_party_id: string;
  body: string;
}

export interface RegistryContractTable {
  /** The contract id, lower-cased (the ANM spells one contract in more than one case). */
  contract_key: string;
  fsp_party_id: string;
  valid_from: string;
  valid_to: string;
  body: string;
}

/** Contradictions intake recorded instead of refusing (permissive mode). */
export interface RegistryWarningTable {
  seq: Generated<number>;
  code: string;
  detail: string;
  /** `<kind>/<id>/<revision>` of the document it was found in. */
  source: string;
  recorded_at: string;
}
