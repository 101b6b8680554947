import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { abandonExhausted, claimDue, nextDueAt } from './claims.ts';
import { enqueueNotifications, type OutboundNotification } from './outbox.ts';
import { queryPlan, StatementRecorder } from './testing/queryPlan.ts';

const PENDING = 1000;
const DELIVERED = 3000;
/** Two subscribers with deep queues, as a long list's events leave on the MQTT topics. */
const DEEP = { subscribers: 2, depth: 2000 };

const notification = (subscriber: number, n: number): OutboundNotification => ({
  subscriberKey: `ven-${subscriber}`,
  channel: { kind: 'webhook', url: `https://ven-${subscriber}.example/cb` },
  contentType: 'application/json',
  body: '{}',
  idempotencyKey: `plan-${n}`,
});

/** A table read through: SQLite's SCAN without an index (the heads of line, one row per subscriber, are read through by design), PostgreSQL's sequential scan. */
const FULL_SCAN = { sqlite: /^SCAN (?!heads$)\w+$/m, postgres: /Seq Scan/ };

forEachBackend((backend) => {
  describe(`delivery claims on ${backend.name} use the outbox's partial indexes`, function () {
    this.timeout(60_000);
    let store: Store;
    before(async function () {
      store = await backend.open(this);
      // An outbox in service: mostly delivered history, 1,000 subscribers with one notification pending each.
      await store.transaction((tx) =>
        enqueueNotifications(
          tx,
          Array.from({ length: DELIVERED + PENDING }, (_, n) => notification(n % PENDING, n)),
        ),
      );
      await store.db.updateTable('delivery_outbox').set({ state: 'delivered' }).where('seq', '<=', DELIVERED).execute();
      await sql`analyze`.execute(store.db);
    });
    after(() => store?.close());

    /** The plans of every statement `work` runs, each as text. */
    async function plansOf(work: (recorded: Store['db']) => Promise<unknown>): Promise<string[]> {
      const recorder = new StatementRecorder();
      await work(store.db.withPlugin(recorder));
      const statements = recorder.compiled(store.db).filter((q) => /^(select|update)/i.test(q.sql));
      return Promise.all(statements.map((q) => queryPlan(store.db, store.dialect, q)));
    }

    it('claims each subscriber’s head of line through the indexes, without reading the outbox through', async function () {
      const [claim] = await plansOf((db) =>
        claimDue(db, store.dialect, { dispatcher: 'plan', limit: 10, kinds: ['webhook'], leaseMs: 60_000, now: new Date(Date.now() + 1000) }),
      );
      // The candidates: each subscriber's head of line, one seek by subscriber each, then the row itself.
      const heads =
        store.dialect === 'sqlite'
          ? /^SEARCH n USING INDEX delivery_outbox_outstanding_by_subscriber \(subscriber_key>\?\)/m
          : /Index (Only )?Scan using delivery_outbox_outstanding_by_subscriber on delivery_outbox n/;
      const rows = store.dialect === 'sqlite' ? /^SEARCH o USING INTEGER PRIMARY KEY/m : /Index Scan using delivery_outbox_pkey on delivery_outbox o/;
      assert.match(claim!, heads, claim);
      assert.match(claim!, rows, claim);
      assert.doesNotMatch(claim!, FULL_SCAN[store.dialect], claim);
    });

    it('finds the next due head and the exhausted claims through the indexes', async function () {
      const [due] = await plansOf((db) => nextDueAt(db, store.dialect, ['webhook']));
      assert.match(due!, /delivery_outbox_outstanding_by_/, due);
      assert.doesNotMatch(due!, FULL_SCAN[store.dialect], due);
      const [abandon] = await plansOf((db) => abandonExhausted(db, store.dialect, 5, new Date()));
      assert.match(abandon!, /USING INDEX delivery_outbox_claimed_by_lease|Index Scan using delivery_outbox_claimed_by_lease/, abandon);
      assert.doesNotMatch(abandon!, FULL_SCAN[store.dialect], abandon);
    });

    it('claims the oldest outstanding notification of every subscriber, through the same seeks with deep queues, and nothing behind one', async function () {
      await store.transaction((tx) =>
        enqueueNotifications(
          tx,
          Array.from({ length: DEEP.subscribers * DEEP.depth }, (_, n) => notification(PENDING + (n % DEEP.subscribers), DELIVERED + PENDING + n)),
        ),
      );
      await sql`analyze`.execute(store.db);
      const request = { dispatcher: 'heads', kinds: ['webhook'] as const, leaseMs: 60_000 };
      const [claimPlan] = await plansOf((db) => claimDue(db, store.dialect, { ...request, limit: 1, now: new Date(Date.now() + 1000) }));
      assert.doesNotMatch(claimPlan!, FULL_SCAN[store.dialect], claimPlan);
      // Every subscriber's oldest outstanding notification, but where an earlier claim holds it.
      const waiting = await store.db
        .selectFrom('delivery_outbox as o')
        .select('o.seq')
        .where('o.state', '=', 'pending')
        .where('o.claimed_until', 'is', null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('delivery_outbox as e')
                .select('e.seq')
                .whereRef('e.subscriber_key', '=', 'o.subscriber_key')
                .where('e.state', '=', 'pending')
                .whereRef('e.seq', '<', 'o.seq'),
            ),
          ),
        )
        .execute();
      assert.ok(waiting.length > PENDING - 20, `${waiting.length} subscribers waiting`);
      const claimed = await claimDue(store.db, store.dialect, { ...request, limit: PENDING * 2, now: new Date(Date.now() + 2000) });
      assert.deepEqual(
        claimed.map((row) => row.seq),
        waiting.map((row) => row.seq).sort((a, b) => a - b),
      );
      const again = await claimDue(store.db, store.dialect, { ...request, limit: 10, now: new Date(Date.now() + 3000) });
      assert.deepEqual(again, [], 'a claimed head keeps its queue waiting');
    });

    it('dead-letters only claimed notifications whose last allowed attempt lapsed', async function () {
      const claimed = await store.db.selectFrom('delivery_outbox').select('seq').where('claimed_until', 'is not', null).orderBy('seq').execute();
      const queued = await store.db
        .selectFrom('delivery_outbox')
        .select('seq')
        .where('state', '=', 'pending')
        .where('claimed_until', 'is', null)
        .limit(1)
        .execute();
      assert.ok(claimed.length > 2 && queued.length === 1);
      const exhausted = claimed[1]!.seq;
      // Its last attempt, and a queued one that has had as many attempts but holds no claim.
      await store.db.updateTable('delivery_outbox').set({ attempts: 5 }).where('seq', 'in', [exhausted, queued[0]!.seq]).execute();
      const afterLeases = new Date(Date.now() + 10 * 60_000);
      assert.equal(await abandonExhausted(store.db, store.dialect, 5, new Date()), 0, 'no lease has lapsed yet');
      assert.equal(await abandonExhausted(store.db, store.dialect, 5, afterLeases), 1);
      const dead = await store.db.selectFrom('delivery_outbox').select(['seq', 'last_error_code', 'claimed_until']).where('state', '=', 'dead').execute();
      assert.deepEqual(dead, [{ seq: exhausted, last_error_code: 'delivery.abandoned', claimed_until: null }]);
    });
  });
});
