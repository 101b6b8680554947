/** The last number handed out in this process: every client of the process counts on from it. */
let last = 0;

/** Clock ticks per second the numbering follows: slow enough that requests in flight stay inside the receiver's window. */
const TICKS_PER_SECOND = 100;

/**
 * A sender's sequence numbers: the clock in hundredths of a second since the
 * epoch, counting on by one when several are taken within a tick, shared by
 * every client in the process. Requests in flight together get numbers
 * close together, so the receiver's replay window (REPLAY_WINDOW numbers)
 * admits them in any order: overtaken by up to about ten seconds or 1,024
 * requests. A restarted sender starts above what it sent before unless it
 * averaged more than 100 messages a second; below 2^53 for millions of years.
 */
export function clockSequence(): () => string {
  return () => {
    last = Math.max(last + 1, Math.floor((Date.now() * TICKS_PER_SECOND) / 1000));
    return String(last);
  };
}
