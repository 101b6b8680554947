import { randomFillSync } from 'node:crypto';

/** Random bytes drawn in blocks: one id needs 10 of them. */
const pool = Buffer.alloc(16 * 256);
let poolAt = pool.length;
let lastMs = -1;
let counter = 0;

/**
 * A UUID version 7 (RFC 9562 §5.7): the Unix time in milliseconds, a 12-bit
 * counter that keeps ids made in the same millisecond in order (method 1,
 * §6.2), then 62 random bits. Ids made one after another sort as they were
 * made, so the unique indexes of the tables they key grow at their end
 * instead of splitting pages at random, on SQLite and PostgreSQL alike.
 */
export function timeOrderedUuid(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    // Over 4,096 ids in one millisecond, or a clock set back: borrow the next millisecond, never go back.
    lastMs++;
    counter = 0;
  }
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
