import type { Migration } from 'kysely';
import { documentSummaryMigrations } from './anm/documentSummaries.ts';
import { deliveryMigrations } from './delivery/migrations.ts';
import { openadrMigrations } from './openadr/migrations.ts';
import { portabilityMigrations } from './portability/migrations.ts';
import { registryMigrations } from './registry/migrations.ts';
import { settlementMigrations } from './settlement/migrations.ts';
import type { Dialect } from './store/dialect.ts';
import { coreMigrations } from './store/migrations.ts';
import { Store, type StoreOptions } from './store/store.ts';
import { trustMigrations } from './trust/migrations.ts';

/** Every feature's migrations, by name (Kysely applies them in name order: 0001 core, 0002 trust, 0003 OpenADR, 0004 delivery, 0005 ANM document summaries, 0010 registry, 0011 settlement, 0012 portability, 0013 delivery bodies shared, 0014 registry version). */
export function gatewayMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    ...coreMigrations(dialect),
    ...trustMigrations(),
    ...openadrMigrations(dialect),
    ...deliveryMigrations(dialect),
    ...documentSummaryMigrations(),
    ...registryMigrations(dialect),
    ...settlementMigrations(),
    ...portabilityMigrations(),
  };
}

/** The gateway's store, migrated to the latest schema of every feature. */
export function openGatewayStore(options: StoreOptions): Promise<Store> {
  return Store.open(options, gatewayMigrations);
}
