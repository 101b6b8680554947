import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { gatewayMigrations, openGatewayStore } from '../storage.ts';
import { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { claimDue } from './claims.ts';
import { getDelivery, listDeliveries } from './deliveryRecords.ts';
import { DELIVERED_RETENTION_MS, enqueueNotifications, purgeDeliveredNotifications, type OutboundNotification } from './outbox.ts';

const notification = (subscriber: string, body: Buffer | string, key = 'k-1'): OutboundNotification => ({
  subscriberKey: subscriber,
  channel: { kind: 'webhook', url: `https://${subscriber}.example/cb` },
  contentType: 'application/json',
  body,
  idempotencyKey: key,
});

const count = async (store: Store, table: 'delivery_bodies' | 'delivery_outbox') =>
  Number(
    (
      await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

forEachBackend((backend) => {
  describe(`notification bodies stored once per change on ${backend.name}`, function () {
    this.timeout(30_000);

    it('stores a body its subscribers share once, and each delivery still carries it', async function () {
      const store = await backend.open(this);
      try {
        const shared = Buffer.from('{"object":{"id":"event-1"},"objectType":"EVENT","operation":"CREATE"}');
        await store.transaction((tx) =>
          enqueueNotifications(tx, [
            notification('ven-a', shared),
            notification('ven-b', shared),
            notification('ven-c', shared),
            notification('ven-d', '{"other":1}'),
          ]),
        );
        assert.equal(await count(store, 'delivery_outbox'), 4);
        assert.equal(await count(store, 'delivery_bodies'), 2);

        const claimed = await claimDue(store.db, store.dialect, { dispatcher: 'test', limit: 10, kinds: ['webhook'], leaseMs: 60_000, now: new Date() });
        assert.deepEqual(
          claimed.map((row) => [row.subscriber_key, row.body.toString()]),
          [
            ['ven-a', shared.toString()],
            ['ven-b', shared.toString()],
            ['ven-c', shared.toString()],
            ['ven-d', '{"other":1}'],
          ],
        );
        const listed = await listDeliveries(store.db, { limit: 10 }, new Date());
        assert.deepEqual(
          listed.deliveries.map((delivery) => delivery.bodyBytes),
          [11, shared.length, shared.length, shared.length],
        );
        const detail = await getDelivery(store.db, claimed[1]!.id, new Date());
        assert.deepEqual(detail?.body, { encoding: 'utf-8', data: shared.toString() });
      } finally {
        await store.close();
      }
    });

    it('purges a shared body only with the last notification that uses it, and bodies of notifications skipped as already queued', async function () {
      const store = await backend.open(this);
      try {
        const shared = Buffer.from('{"n":1}');
        await store.transaction((tx) => enqueueNotifications(tx, [notification('ven-a', shared), notification('ven-b', shared)]));
        // Already queued under this key: skipped, its freshly stored body left to the purge.
        await store.transaction((tx) => enqueueNotifications(tx, [notification('ven-a', '{"again":1}')]));
        assert.equal(await count(store, 'delivery_bodies'), 2);

        const longAgo = new Date(Date.now() - DELIVERED_RETENTION_MS - 86_400_000).toISOString();
        const deliver = (subscriber: string) =>
          store.db.updateTable('delivery_outbox').set({ state: 'delivered', delivered_at: longAgo }).where('subscriber_key', '=', subscriber).execute();
        await deliver('ven-a');
        assert.equal(await store.transaction((tx) => purgeDeliveredNotifications(tx)), 1);
        const [left] = await store.db.selectFrom('delivery_bodies').select('body').execute();
        assert.equal(left?.body.toString(), '{"n":1}', 'ven-b still uses the shared body; the skipped one is gone');
        assert.equal(await count(store, 'delivery_bodies'), 1);

        await deliver('ven-b');
        assert.equal(await store.transaction((tx) => purgeDeliveredNotifications(tx)), 1);
        assert.equal(await count(store, 'delivery_bodies'), 0);
      } finally {
        await store.close();
      }
    });

    it('moves the bodies of a store made before them into the shared table when it opens', async function () {
      const options = await backend.storeOptions(this);
      const before = (dialect: Parameters<typeof gatewayMigrations>[0]) =>
        Object.fromEntries(Object.entries(gatewayMigrations(dialect)).filter(([name]) => name < '0013'));
      const old = await Store.open(options, before);
      try {
        const at = new Date().toISOString();
        await sql`insert into delivery_outbox (id, subscriber_key, channel_kind, destination, content_type, body, idempotency_key,
            state, attempts, redeliveries, created_at, round_started_at, next_attempt_at, updated_at)
          values ('old-1', 'ven-a', 'webhook', 'https://ven-a.example/cb', 'application/json', ${Buffer.from('{"kept":true}')}, 'k-1',
            'pending', 0, 0, ${at}, ${at}, ${at}, ${at})`.execute(old.db);
      } finally {
        await old.close();
      }
      const store = await openGatewayStore(options);
      try {
        const detail = await getDelivery(store.db, 'old-1', new Date());
        assert.deepEqual(detail?.body, { encoding: 'utf-8', data: '{"kept":true}' });
        const [claimed] = await claimDue(store.db, store.dialect, { dispatcher: 'test', limit: 1, kinds: ['webhook'], leaseMs: 60_000, now: new Date() });
        assert.equal(claimed?.body.toString(), '{"kept":true}');
      } finally {
        await store.close();
      }
    });
  });
});
