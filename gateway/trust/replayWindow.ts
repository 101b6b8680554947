import { REPLAY_WINDOW } from '../../schemas/envelope.ts';

/**
 * The sequence numbers seen from one issuer for one audience, as IPsec and
 * DTLS keep them (RFC 4303 §3.4.3, RFC 6347 §4.1.2.6): the highest accepted,
 * and a bitmap of the REPLAY_WINDOW numbers ending at it (bit i: highest - i
 * was accepted). Requests in flight may overtake each other; none may be
 * accepted twice.
 */
export interface ReplayWindow {
  highest: bigint;
  seen: bigint;
}

export type WindowVerdict = { accepted: ReplayWindow } | { refused: 'seen' | 'below-window'; lowest: bigint };

const WIDTH = BigInt(REPLAY_WINDOW);
const MASK = (1n << WIDTH) - 1n;

/** Admits `sequence` into `window`, or says why not. */
export function slideWindow(window: ReplayWindow, sequence: bigint): WindowVerdict {
  const { highest, seen } = window;
  if (sequence > highest) {
    const shift = sequence - highest;
    return { accepted: { highest: sequence, seen: shift >= WIDTH ? 1n : ((seen << shift) | 1n) & MASK } };
  }
  const lowest = highest - WIDTH + 1n;
  const offset = highest - sequence;
  if (offset >= WIDTH) return { refused: 'below-window', lowest };
  const bit = 1n << offset;
  if ((seen & bit) !== 0n) return { refused: 'seen', lowest };
  return { accepted: { highest, seen: seen | bit } };
}

/** The bitmap as the store keeps it: lower-case hexadecimal, empty for none. */
export const encodeSeen = (seen: bigint) => (seen === 0n ? '' : seen.toString(16));
export const decodeSeen = (text: string) => (text === '' ? 0n : BigInt(`0x${text}`));
