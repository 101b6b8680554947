import { sql, type Kysely, type Migration } from 'kysely';
import { executeAll } from '../store/dialect.ts';

/** Settlement lines, keyed by dispatch (event id and revision) and period. */
export function settlementMigrations(): Record<string, Migration> {
  return {
    '0011_settlement': {
      async up(db: Kysely<unknown>) {
        await executeAll(db, [
          sql`create table settlement_lines (event_id text not null, event_revision integer not null, start text not null,
            fsp_party_id text not null, contract_key text not null, trade_ids text not null, dso_asset_ids text not null,
            verified_at text not null, body text not null,
            constraint settlement_lines_key primary key (event_id, event_revision, start))`,
          sql`create index settlement_lines_by_fsp on settlement_lines (fsp_party_id, start)`,
          sql`create index settlement_lines_by_contract on settlement_lines (contract_key)`,
        ]);
      },
    },
  };
}
