import type { Kysely, Migration } from 'kysely';

/** Settlement lines, keyed by dispatch (event id and revision) and period. */
export function settlementMigrations(): Record<string, Migration> {
  return {
    '0011_settlement': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('settlement_lines')
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('event_revision', 'integer', (c) => c.notNull())
          .addColumn('start', 'text', (c) => c.notNull())
          .addColumn('fsp_party_id', 'text', (c) => c.notNull())
          .addColumn('contract_key', 'text', (c) => c.notNull())
          .addColumn('trade_ids', 'text', (c) => c.notNull())
          .addColumn('dso_asset_ids', 'text', (c) => c.notNull())
          .addColumn('verified_at', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('settlement_lines_key', ['event_id', 'event_revision', 'start'])
          .execute();
        await db.schema.createIndex('settlement_lines_by_fsp').on('settlement_lines').columns(['fsp_party_id', 'start']).execute();
        await db.schema.createIndex('settlement_lines_by_contract').on('settlement_lines').column('contract_key').execute();
      },
    },
  };
}
