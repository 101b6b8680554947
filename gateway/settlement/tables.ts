/** The settlement tables, part of `Database` (gateway/store/schema.ts). */
export interface SettlementTables {
  settlement_lines: SettlementLineTable;
}

/** One dispatch in one settlement period; verifying the dispatch again replaces its lines. */
export interface SettlementLineTable {
  event_id: string;
  event_revision: number;
  start: string;
  fsp_party_id: string;
  contract_key: string;
  /** Space-separated, with a space at each end, so one id is found with LIKE '% id %'. */
  trade_ids: string;
  dso_asset_ids: string;
  verified_at: string;
  /** Canonical JSON of the line (gateway/settlement/statement.ts `SettlementLine`). */
  body: string;
}
