import assert from 'node:assert/strict';
import { timeOrderedUuid } from './timeOrderedUuid.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered UUIDs (version 7)', () => {
  it('are version 7, RFC 9562 variant, and carry the millisecond they were made in', () => {
    // A few milliseconds ahead: ids are never older than the last one this process made.
    const at = Date.now() + 5;
    const id = timeOrderedUuid(at);
    assert.match(id, UUID_V7);
    assert.equal(parseInt(id.replaceAll('-', '').slice(0, 12), 16), at);
  });

  it('sort in the order they were made, within a millisecond, across 4,096 in one, and when the clock goes back', () => {
    const now = Date.now() + 10;
    const made = [
      ...Array.from({ length: 5000 }, () => timeOrderedUuid(now)),
      timeOrderedUuid(now - 60_000),
      ...Array.from({ length: 10 }, () => timeOrderedUuid(now + 1)),
    ];
    assert.deepEqual([...made].sort(), made);
    assert.equal(new Set(made).size, made.length);
    for (const id of made) assert.match(id, UUID_V7);
  });
});
