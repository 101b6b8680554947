import assert from 'node:assert/strict';
import { findIdempotent, IDEMPOTENCY_WINDOW_MS, IdempotencyRace, recordIdempotent } from './idempotency.ts';
import type { Store } from './store.ts';
import { forEachBackend } from './testStores.ts';

forEachBackend((backend) => {
  describe(`idempotency records (${backend.name})`, () => {
    let store: Store;
    beforeEach(async function () {
      store = await backend.open(this);
    });
    afterEach(() => store?.close());

    const response = (body: string) => ({ status: 201, headers: { location: `/x/${body}` }, body });
    const now = Date.parse('2026-12-02T12:00:00Z');

    it('keeps the first response under a key; a second within the window is a race and changes nothing', async () => {
      await recordIdempotent(store.db, 's', 'k', 'h1', response('first'), { replace: false, now });
      await assert.rejects(
        store.transaction((tx) => recordIdempotent(tx, 's', 'k', 'h2', response('second'), { replace: false, now: now + 1000 })),
        IdempotencyRace,
      );
      const kept = await findIdempotent(store.db, 's', 'k', now + 2000);
      assert.deepEqual(kept, { requestSha256: 'h1', ...response('first') });
      // Other scopes and keys are their own.
      await recordIdempotent(store.db, 't', 'k', 'h3', response('other scope'), { replace: false, now });
      assert.equal((await findIdempotent(store.db, 't', 'k', now))?.body, 'other scope');
    });

    it('takes a key again once its record is past the window', async () => {
      await recordIdempotent(store.db, 's', 'k', 'h1', response('old'), { replace: false, now });
      const later = now + IDEMPOTENCY_WINDOW_MS + 1;
      assert.equal(await findIdempotent(store.db, 's', 'k', later), undefined);
      await recordIdempotent(store.db, 's', 'k', 'h2', response('new'), { replace: false, now: later });
      assert.deepEqual(await findIdempotent(store.db, 's', 'k', later), { requestSha256: 'h2', ...response('new') });
    });

    it('with replace, the newest response wins even within the window', async () => {
      await recordIdempotent(store.db, 's', 'body', 'h1', response('a'), { replace: true, now });
      await recordIdempotent(store.db, 's', 'body', 'h2', response('b'), { replace: true, now: now + 1 });
      assert.equal((await findIdempotent(store.db, 's', 'body', now + 2))?.body, 'b');
    });
  });
});
