import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { abandonExhausted, claimDue, nextDueAt } from './claims.ts';
import { enqueueNotifications, type OutboundNotification } from './outbox.ts';
import { queryPlan, StatementRecorder } from './testing/queryPlan.ts';

const PENDING = 1000;
const DELIVERED = 3000;

const notification = (subscriber: number, n: number): OutboundNotification => ({
  subscriberKey: `ven-${subscriber}`,
  channel: { kind: 'webhook', url: `https://ven-${subscriber}.example/cb` },
  contentType: 'application/json',
  body: '{}',
  idempotencyKey: `plan-${n}`,
});

/** A table read through: SQLite's SCAN without an index, PostgreSQL's sequential scan. */
const FULL_SCAN = { sqlite: /^SCAN \w+$/m, postgres: /Seq Scan/ };

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
      // The candidates: outstanding rows by outbox order or by due time; each one's elders: by subscriber.
      const candidates =
        store.dialect === 'sqlite'
          ? /^(SCAN|SEARCH) o USING INDEX delivery_outbox_outstanding_by_due/m
          : /Index Scan using delivery_outbox_outstanding_by_due on delivery_outbox o/;
      const elders =
        store.dialect === 'sqlite'
          ? /^SEARCH e USING INDEX delivery_outbox_outstanding_by_subscriber/m
          : /Index Scan using delivery_outbox_outstanding_by_subscriber on delivery_outbox e/;
      assert.match(claim!, candidates, claim);
      assert.match(claim!, elders, claim);
      assert.doesNotMatch(claim!, FULL_SCAN[store.dialect], claim);
    });

    it('finds the next due head and the exhausted claims through the indexes', async function () {
      const [due] = await plansOf((db) => nextDueAt(db, ['webhook']));
      assert.match(due!, /delivery_outbox_outstanding_by_/, due);
      assert.doesNotMatch(due!, FULL_SCAN[store.dialect], due);
      const [abandon] = await plansOf((db) => abandonExhausted(db, 5, new Date()));
      assert.match(abandon!, /USING INDEX delivery_outbox_|Index Scan using delivery_outbox_/, abandon);
      assert.doesNotMatch(abandon!, FULL_SCAN[store.dialect], abandon);
    });
  });
});
