import { toUkWallTime, ukOffsetMinutes } from '../../protocol/time/ukTime.ts';

export const PERIOD_MINUTES = 30;
export const MINUTE_MS = 60_000;
export const PERIOD_MS = PERIOD_MINUTES * MINUTE_MS;

/** A GB settlement period: the UK local settlement date and its period number (1…46, 48 or 50). */
export interface SettlementPeriod {
  settlementDate: string;
  period: number;
  /** UTC start of the half hour. */
  start: string;
}

/** UTC instant of UK local midnight starting `date` (YYYY-MM-DD): offsets change at 01:00 UTC, so the offset at 00:00 UTC is midnight's. */
export function ukMidnightMs(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  return utcMidnight - ukOffsetMinutes(utcMidnight) * MINUTE_MS;
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** 46 on the spring clock change, 50 on the autumn one, else 48. */
export function periodsOnDate(date: string): number {
  return (ukMidnightMs(nextDate(date)) - ukMidnightMs(date)) / PERIOD_MS;
}

/** The settlement period a UTC half-hour (aligned) falls in. */
export function settlementPeriodAt(startMs: number): SettlementPeriod {
  const wall = toUkWallTime(startMs);
  const settlementDate = `${wall.year}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
  return { settlementDate, period: (startMs - ukMidnightMs(settlementDate)) / PERIOD_MS + 1, start: new Date(startMs).toISOString() };
}

/** UTC start of settlement period `period` of `date`, or undefined when the day has no such period. */
export function periodStartMs(date: string, period: number): number | undefined {
  if (!Number.isInteger(period) || period < 1 || period > periodsOnDate(date)) return undefined;
  return ukMidnightMs(date) + (period - 1) * PERIOD_MS;
}

export const isOnPeriodGrid = (ms: number) => ms % PERIOD_MS === 0;
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
