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

/**
 * A table read through: SQLite's SCAN without an index, PostgreSQL's
 * sequential scan. The heads of line (one row per subscriber) and the first
 * due rows looked at (a bounded window) are read through by design.
 */
const FULL_SCAN = { sqlite: /^SCAN (?!heads$|first_due$)\w+$/m, postgres: /Seq Scan/ };

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
    /** The plan of the last statement `work` runs whose SQL starts as `start` says (the claim's UPDATE; the look-up after a count). */
    async function planOf(start: RegExp, work: (recorded: Store['db']) => Promise<unknown>): Promise<string> {
      const recorder = new StatementRecorder();
      await work(store.db.withPlugin(recorder));
      const statement = recorder
        .compiled(store.db)
        .filter((q) => start.test(q.sql))
        .at(-1);
      assert.ok(statement, `a statement starting ${start}`);
      return queryPlan(store.db, store.dialect, statement);
    }
    const CLAIM = /^update/i;
    const LOOK_UP = /^select "o"/i;

    /** Heads found subscriber by subscriber: one seek by subscriber each, then the row itself. */
    const BY_SUBSCRIBER = {
      sqlite: [/^SEARCH n USING INDEX delivery_outbox_outstanding_by_subscriber \(subscriber_key>\?\)/m, /^SEARCH o USING INTEGER PRIMARY KEY/m],
      postgres: [
        /Index (Only )?Scan using delivery_outbox_outstanding_by_subscriber on delivery_outbox n/,
        /Index Scan using delivery_outbox_pkey on delivery_outbox o/,
      ],
    };

    it('claims heads of line in due order while the due rows are mostly heads, each one’s elders looked up by subscriber', async function () {
      const claims = async (limit: number) =>
        planOf(CLAIM, (db) =>
          claimDue(db, store.dialect, { dispatcher: 'plan', limit, kinds: ['webhook'], leaseMs: 60_000, now: new Date(Date.now() + 1000) }),
        );
      const candidates =
        store.dialect === 'sqlite'
          ? /^(SCAN|SEARCH) o USING INDEX delivery_outbox_outstanding_by_due/m
          : /Index Scan using delivery_outbox_outstanding_by_due on delivery_outbox o/;
      const elders =
        store.dialect === 'sqlite'
          ? /^SEARCH e USING INDEX delivery_outbox_outstanding_by_subscriber/m
          : // PostgreSQL may rather hash the outstanding rows it reads by due time than look each one's elders up.
            /Index (Only )?Scan using delivery_outbox_outstanding_by_(subscriber|due) on delivery_outbox e/;
      // More rows due than a claim of 10 may read, but each its subscriber's only one; then room for all of them.
      for (const claim of [await claims(10), await claims(PENDING)]) {
        assert.match(claim, candidates, claim);
        assert.match(claim, elders, claim);
        assert.doesNotMatch(claim, FULL_SCAN[store.dialect], claim);
      }
    });

    it('finds the next due head and the exhausted claims through the indexes', async function () {
      const due = await planOf(LOOK_UP, (db) => nextDueAt(db, store.dialect, ['webhook']));
      assert.match(due, /delivery_outbox_outstanding_by_/, due);
      assert.doesNotMatch(due, FULL_SCAN[store.dialect], due);
      const abandon = await planOf(CLAIM, (db) => abandonExhausted(db, store.dialect, 5, new Date()));
      assert.match(abandon, /USING INDEX delivery_outbox_claimed_by_lease|Index Scan using delivery_outbox_claimed_by_lease/, abandon);
      assert.doesNotMatch(abandon, FULL_SCAN[store.dialect], abandon);
    });

    it('with deep queues, finds heads subscriber by subscriber and claims each oldest outstanding notification, nothing behind one', async function () {
      await store.transaction((tx) =>
        enqueueNotifications(
          tx,
          Array.from({ length: DEEP.subscribers * DEEP.depth }, (_, n) => notification(PENDING + (n % DEEP.subscribers), DELIVERED + PENDING + n)),
        ),
      );
      await sql`analyze`.execute(store.db);
      const request = { dispatcher: 'heads', kinds: ['webhook'] as const, leaseMs: 60_000 };
      // Far more rows due than a claim may read: heads are found subscriber by subscriber.
      const claimPlan = await planOf(CLAIM, (db) => claimDue(db, store.dialect, { ...request, limit: 1, now: new Date(Date.now() + 1000) }));
      for (const step of BY_SUBSCRIBER[store.dialect]) assert.match(claimPlan, step, claimPlan);
      assert.doesNotMatch(claimPlan, FULL_SCAN[store.dialect], claimPlan);
      // The look at the first due rows that chose the search reads them by due time, not every queued row.
      const lookPlan = await planOf(/^select count/i, (db) => nextDueAt(db, store.dialect, ['webhook']));
      assert.match(lookPlan, /delivery_outbox_outstanding_by_due/, lookPlan);
      assert.doesNotMatch(lookPlan, FULL_SCAN[store.dialect], lookPlan);
      const duePlan = await planOf(LOOK_UP, (db) => nextDueAt(db, store.dialect, ['webhook']));
      assert.match(duePlan, BY_SUBSCRIBER[store.dialect][0]!, duePlan);
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
      // Earlier claims hold the other heads, the plans' claim one of the deep queues'.
      assert.equal(waiting.length, DEEP.subscribers - 1);
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
