/** The last number handed out in this process: every client of the process counts on from it. */
let last = 0;

/**
 * A sender's sequence numbers: milliseconds since the epoch, counting on by
 * one when several are taken within a millisecond, shared by every client
 * in the process. Requests in flight together get numbers close together,
 * so the receiver's replay window (REPLAY_WINDOW numbers) admits them in
 * any order: overtaken by up to about a second or 1024 requests. A restarted
 * sender starts above what it sent before unless it averaged more than one
 * message a millisecond; below 2^53 for 285,000 years.
 */
export function clockSequence(): () => string {
  return () => {
    last = Math.max(last + 1, Date.now());
    return String(last);
  };
}
