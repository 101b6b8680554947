import { toUkWallTime, ukWallTimeToEpoch } from './ukTime.ts';

export const SETTLEMENT_PERIOD_MS = 30 * 60_000;

export interface SettlementPeriod {
  /** The UK settlement day, `YYYY-MM-DD`. */
  settlementDate: string;
  /** 1-based half hour of that day. */
  period: number;
  /** 48 on ordinary days, 46 when clocks go forward, 50 when they go back. */
  periodsInDay: number;
  /** UTC start of the period, epoch ms. */
  startEpochMs: number;
}

/** GB settlement days run from UK local midnight to midnight, in half hours of real time. */
export function settlementPeriodOf(epochMs: number): SettlementPeriod {
  const wall = toUkWallTime(epochMs);
  const dayStart = ukMidnight(wall.year, wall.month, wall.day);
  const next = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  const nextDayStart = ukMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  const index = Math.floor((epochMs - dayStart) / SETTLEMENT_PERIOD_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    settlementDate: `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`,
    period: index + 1,
    periodsInDay: (nextDayStart - dayStart) / SETTLEMENT_PERIOD_MS,
    startEpochMs: dayStart + index * SETTLEMENT_PERIOD_MS,
  };
}

// GB clocks change at 01:00/02:00, so local midnight always exists exactly once.
function ukMidnight(year: number, month: number, day: number): number {
  return ukWallTimeToEpoch({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 });
}
