import assert from 'node:assert/strict';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { DELIVERED_RETENTION_MS, enqueueNotification, purgeDeliveredNotifications } from './outbox.ts';

forEachBackend((backend) => {
  describe(`delivery retention on ${backend.name}`, function () {
    let store: Store;
    before(async function () {
      store = await backend.open(this);
    });
    after(async () => store?.close());

    it('removes delivered notifications after 30 days and keeps pending and dead-lettered ones', async () => {
      const enqueue = (n: number) =>
        store.transaction((tx) =>
          enqueueNotification(tx, {
            subscriberKey: 'ven-r',
            channel: { kind: 'webhook', url: 'https://ven.example/cb' },
            contentType: 'application/json',
            body: '{}',
            idempotencyKey: `r-${n}`,
          }),
        );
      const [delivered, dead, pending] = [await enqueue(1), await enqueue(2), await enqueue(3)];
      const longAgo = new Date(Date.now() - DELIVERED_RETENTION_MS - 86_400_000).toISOString();
      await store.db.updateTable('delivery_outbox').set({ state: 'delivered', delivered_at: longAgo }).where('id', '=', delivered.id).execute();
      await store.db.updateTable('delivery_outbox').set({ state: 'dead', updated_at: longAgo }).where('id', '=', dead.id).execute();

      assert.equal(await store.transaction((tx) => purgeDeliveredNotifications(tx)), 1);
      const left = await store.db.selectFrom('delivery_outbox').select(['id', 'state']).orderBy('seq').execute();
      assert.deepEqual(left, [
        { id: dead.id, state: 'dead' },
        { id: pending.id, state: 'pending' },
      ]);
    });
  });
});
