import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { Store, type StoreOptions } from '../../store/store.ts';
import type { TestBackend } from '../../store/testStores.ts';
import { openGatewayStore } from '../../storage.ts';

export interface DeliveryStore {
  store: Store;
  db: Kysely<Database>;
}

/** A store (the delivery tables come with the migrations), and its Kysely handle. */
export async function openDeliveryStore(options: StoreOptions): Promise<DeliveryStore> {
  const store = await openGatewayStore(options);
  return { store, db: store.db };
}

/** A fresh delivery store on a test backend (skips loudly when PostgreSQL is absent), and the options that reopen it. */
export async function freshDeliveryStore(backend: TestBackend, context: Mocha.Context): Promise<DeliveryStore & { options: StoreOptions }> {
  const options = await backend.storeOptions(context);
  return { ...(await openDeliveryStore(options)), options };
}
