import type { Event } from '../../schemas/openadr/wire.ts';

const DURATION = /^(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** An ISO 8601 duration in milliseconds; years and months count as 365 and 30 days (they only decide whether an event is over). */
export function durationMs(duration: string): number {
  const m = DURATION.exec(duration);
  if (!m) return 0;
  const [, sign, y, mo, w, d, h, mi, s] = m;
  const n = (v: string | undefined) => Number(v ?? 0);
  const ms = ((((n(y) * 365 + n(mo) * 30 + n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(mi)) * 60 + n(s)) * 1000;
  return sign === '-' ? -ms : ms;
}

/**
 * When an event's last interval ends, or undefined when it cannot be told
 * (no start, or a start of 0001-01-01 meaning "now"): such an event counts as
 * active. Intervals without a start follow the previous one (User Guide 7.3).
 */
export function eventEnd(event: Pick<Event, 'intervalPeriod' | 'intervals'>): number | undefined {
  const defaultStart = event.intervalPeriod?.start;
  const defaultDuration = event.intervalPeriod?.duration ?? 'PT0S';
  let cursor = defaultStart === undefined || defaultStart.startsWith('0001-01-01') ? undefined : Date.parse(defaultStart);
  let end: number | undefined;
  for (const interval of event.intervals ?? []) {
    const start = interval.intervalPeriod?.start;
    const from = start === undefined ? cursor : Date.parse(start);
    if (from === undefined || Number.isNaN(from)) return undefined;
    cursor = from + durationMs(interval.intervalPeriod?.duration ?? defaultDuration);
    end = Math.max(end ?? cursor, cursor);
  }
  return end;
}
