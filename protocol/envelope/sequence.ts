/**
 * A sender's sequence numbers from the clock (microseconds since the epoch,
 * bumped on ties): increasing across calls and across processes on one host
 * without shared state, and below 2^53 until 2255.
 */
export function clockSequence(): () => string {
  let last = 0;
  return () => {
    last = Math.max(last + 1, Date.now() * 1000);
    return String(last);
  };
}
