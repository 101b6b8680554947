import { randomBytes } from 'node:crypto';

/**
 * 128 random bits, upper-case hex as Node and openssl print serials. The first
 * byte is kept in 0x10–0x7f: the number stays positive in DER and its hex form
 * has no leading zero, so every tool prints it identically.
 */
export function newSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x10 + (bytes[0]! % 0x70);
  return bytes.toString('hex').toUpperCase();
}
