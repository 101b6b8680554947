import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { REPLAY_WINDOW } from '../../schemas/envelope.ts';
import { openGatewayStore } from '../storage.ts';
import type { Store, StoreOptions } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { requestSha256 } from '../../protocol/envelope/digest.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { admitEnvelope, purgeSeenMessageIds, SEEN_MESSAGE_RETENTION_MS } from './replayGuard.ts';
import { slideWindow, type ReplayWindow } from './replayWindow.ts';
import { OutboundSequences } from './outboundSequences.ts';

const ISSUER = 'urn:flexgate:anm:anm-dev';
const AUDIENCE = 'urn:flexgate:gateway:flexgate-dev';

const envelope = (sequence: number | string, overrides: Partial<VerifiedEnvelope> = {}): VerifiedEnvelope => ({
  jws: 'x..y',
  alg: 'ES256',
  issuer: ISSUER,
  audience: AUDIENCE,
  messageId: randomUUID(),
  sequence: String(sequence),
  issuedAt: Math.floor(Date.now() / 1000),
  schemaVersion: 'anm/v1',
  certificateChain: [],
  bodySha256: 'A'.repeat(43),
  protectedHeaderSha256: 'B'.repeat(43),
  requestSha256: requestSha256('GET', '/anm/v1/merit-order-lists', 'A'.repeat(43)),
  ...overrides,
});

const admit = (store: Store, message: VerifiedEnvelope) => store.transaction((tx) => admitEnvelope(tx, message));

/** What a refusal says: its problem code, or 'accepted'. */
async function outcome(admission: Promise<void>): Promise<string> {
  try {
    await admission;
    return 'accepted';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return code;
  }
}

describe('replay window (pure)', () => {
  it('accepts each number once, overtaking allowed within the window, as a set-based model says', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 5000n }), { maxLength: 300 }), (numbers) => {
        let window: ReplayWindow = { highest: 0n, seen: 0n };
        const accepted = new Set<bigint>();
        for (const sequence of numbers) {
          const highest = [...accepted].reduce((a, b) => (a > b ? a : b), 0n);
          const expected = sequence <= highest - BigInt(REPLAY_WINDOW) ? 'below-window' : accepted.has(sequence) ? 'seen' : 'accepted';
          const verdict = slideWindow(window, sequence);
          assert.equal('accepted' in verdict ? 'accepted' : verdict.refused, expected, `sequence ${sequence} after ${numbers.join(',')}`);
          if ('accepted' in verdict) {
            window = verdict.accepted;
            accepted.add(sequence);
          }
        }
      }),
      { seed: 16, numRuns: 300 },
    );
  });
});

forEachBackend((backend) => {
  describe(`replay guard on ${backend.name}`, function () {
    this.timeout(60_000);
    let options: StoreOptions;
    let store: Store;
    before(async function () {
      options = await backend.storeOptions(this);
      store = await openGatewayStore(options);
    });
    after(async () => store?.close());

    it('accepts sequence numbers out of order inside the window, refuses a seen one and one below the window with their own codes', async () => {
      const base = 1_000_000;
      for (const sequence of [base + 10, base + 5, base + 7, base + 6]) assert.equal(await outcome(admit(store, envelope(sequence))), 'accepted');
      assert.equal(await outcome(admit(store, envelope(base + 7))), 'envelope.sequence-replayed');
      assert.equal(await outcome(admit(store, envelope(base + 10))), 'envelope.sequence-replayed');
      assert.equal(await outcome(admit(store, envelope(base + 10 - REPLAY_WINDOW + 1))), 'accepted', 'the lowest number of the window');
      assert.equal(await outcome(admit(store, envelope(base + 10 - REPLAY_WINDOW))), 'envelope.sequence-too-old');
      // Moving the window on forgets nothing it still covers.
      assert.equal(await outcome(admit(store, envelope(base + 500))), 'accepted');
      assert.equal(await outcome(admit(store, envelope(base + 5))), 'envelope.sequence-replayed');
      assert.equal(await outcome(admit(store, envelope(base + 8))), 'accepted');
      assert.equal(await outcome(admit(store, envelope(base + 500 - REPLAY_WINDOW))), 'envelope.sequence-too-old');
      // One issuer's window is not another's.
      assert.equal(await outcome(admit(store, envelope(base + 5, { issuer: 'urn:flexgate:dso:dso-dev' }))), 'accepted');
    });

    it('binds a message id to the whole request: the same request again is a replay, another one with that id is refused', async () => {
      const first = envelope(2_000_000);
      await admit(store, first);
      assert.equal(await outcome(admit(store, { ...first, sequence: '2000001' })), 'envelope.replayed');
      for (const [method, path, body] of [
        ['GET', '/anm/v1/merit-order-lists?limit=1', 'A'.repeat(43)],
        ['DELETE', '/anm/v1/merit-order-lists', 'A'.repeat(43)],
        ['GET', '/anm/v1/merit-order-lists', 'C'.repeat(43)],
      ] as const) {
        const other = { ...first, sequence: '2000002', bodySha256: body, requestSha256: requestSha256(method, path, body) };
        assert.equal(await outcome(admit(store, other)), 'envelope.message-id-reused', `${method} ${path}`);
      }
      // Nothing of a refused message is kept: its sequence number is still free.
      assert.equal(await outcome(admit(store, envelope(2_000_002))), 'accepted');
    });

    it('answers an issue time outside what a Date can hold with a problem, not a RangeError', async () => {
      for (const issuedAt of [1e20, 9e15, -1e20]) {
        const code = await outcome(admit(store, envelope(3_000_000, { issuedAt })));
        assert.equal(code, issuedAt > 0 ? 'envelope.from-future' : 'envelope.stale', String(issuedAt));
      }
    });

    it('keeps the window across a restart', async () => {
      const base = 4_000_000;
      await admit(store, envelope(base + 20));
      await admit(store, envelope(base + 10));
      await store.close();
      store = await openGatewayStore(options);
      assert.equal(await outcome(admit(store, envelope(base + 10))), 'envelope.sequence-replayed');
      assert.equal(await outcome(admit(store, envelope(base + 20))), 'envelope.sequence-replayed');
      assert.equal(await outcome(admit(store, envelope(base + 20 - REPLAY_WINDOW))), 'envelope.sequence-too-old');
      assert.equal(await outcome(admit(store, envelope(base + 15))), 'accepted');
    });

    // Several instances share PostgreSQL; SQLite serves one instance.
    (backend.name === 'PostgreSQL' ? it : it.skip)(
      'shares the window between two stores on one database: concurrent numbers accepted once each, twins once',
      async () => {
        const other = await openGatewayStore(options);
        try {
          const base = 5_000_000;
          const numbers = Array.from({ length: 80 }, (_, i) => base + ((i * 37) % 80));
          const outcomes = await Promise.all(numbers.map((n, i) => outcome(admit(i % 2 ? other : store, envelope(n)))));
          assert.deepEqual(new Set(outcomes), new Set(['accepted']));
          const replays = await Promise.all(numbers.map((n, i) => outcome(admit(i % 2 ? store : other, envelope(n)))));
          assert.deepEqual(new Set(replays), new Set(['envelope.sequence-replayed']));
          // The same message at both at once: one admits it, the other refuses it.
          const twin = envelope(base + 100);
          const [a, b] = await Promise.all([outcome(admit(store, twin)), outcome(admit(other, twin))]);
          assert.deepEqual([a, b].sort(), ['accepted', 'envelope.replayed']);
        } finally {
          await other.close();
        }
      },
    );

    it('forgets message ids after two days but keeps the window, so an old message is still refused', async () => {
      const old = envelope(6_000_000);
      await admit(store, old);
      const count = async (when: number) => purgeSeenMessageIds(store.db, when);
      assert.equal(await count(Date.now() + SEEN_MESSAGE_RETENTION_MS - 600_000), 0, 'kept within the retention');
      assert.ok((await count(Date.now() + SEEN_MESSAGE_RETENTION_MS + 60_000)) >= 1);
      // The id is forgotten; its sequence number is not: replaying it is still refused.
      assert.equal(await outcome(admit(store, old)), 'envelope.sequence-replayed');
      assert.equal(await outcome(admit(store, envelope(6_000_001))), 'accepted');
    });

    it('hands out outbound sequence numbers from blocks, unique across instances', async () => {
      const a = new OutboundSequences(store.db, AUDIENCE, 8);
      const b = new OutboundSequences(store.db, AUDIENCE, 8);
      const numbers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).next(ISSUER)));
      assert.equal(new Set(numbers).size, 50);
      const fromA = await Promise.all(Array.from({ length: 10 }, () => a.next(ISSUER)));
      assert.deepEqual(
        fromA.map(Number),
        [...fromA.map(Number)].sort((x, y) => x - y),
        'increasing within an instance',
      );
    });
  });
});
