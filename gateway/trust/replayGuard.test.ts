import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { admitEnvelope, purgeSeenMessageIds, SEEN_MESSAGE_RETENTION_MS } from './replayGuard.ts';

const envelope = (sequence: number, messageId = randomUUID()): VerifiedEnvelope => ({
  jws: 'x..y',
  alg: 'ES256',
  issuer: 'urn:flexgate:anm:anm-dev',
  audience: 'urn:flexgate:gateway:flexgate-dev',
  messageId,
  sequence: String(sequence),
  issuedAt: Math.floor(Date.now() / 1000),
  schemaVersion: 'anm/v1',
  certificateChain: [],
  bodySha256: 'A'.repeat(43),
  protectedHeaderSha256: 'B'.repeat(43),
});

forEachBackend((backend) => {
  describe(`replay guard retention on ${backend.name}`, function () {
    let store: Store;
    before(async function () {
      store = await backend.open(this);
    });
    after(async () => store?.close());

    it('forgets message ids after two days but keeps the sequence high-water mark, so an old message is still refused', async () => {
      const old = envelope(10);
      await store.transaction((tx) => admitEnvelope(tx, old));
      assert.equal(await purgeSeenMessageIds(store.db, Date.now() + SEEN_MESSAGE_RETENTION_MS - 60_000), 0, 'kept within the retention');
      assert.equal(await purgeSeenMessageIds(store.db, Date.now() + SEEN_MESSAGE_RETENTION_MS + 60_000), 1);
      // The id is forgotten; its sequence is not: replaying it is still refused.
      await assert.rejects(
        store.transaction((tx) => admitEnvelope(tx, old)),
        (error: Error & { code?: string }) => error.code === 'envelope.sequence-not-increasing',
      );
      await store.transaction((tx) => admitEnvelope(tx, envelope(11)));
    });
  });
});
