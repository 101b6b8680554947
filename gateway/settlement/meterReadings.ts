import { Problem } from '../../protocol/problem.ts';
import { MINUTE_MS, PERIOD_MS } from './settlementPeriods.ts';

/**
 * One meter reading, interval-ending: the value stamped `end` is the average
 * kW over (end − minutes, end]. Whole kW over whole minutes, so energy is an
 * integer number of kW·min (1 kWh = 60 kW·min) and splits exactly.
 */
export interface MeterReading {
  end: string;
  minutes: number;
  kW: number;
}

/** Energy in kW·min per settlement period (keyed by UTC start ms), from readings of any length on the minute grid. */
export function energyByPeriod(readings: readonly MeterReading[]): Map<number, number> {
  const energy = new Map<number, number>();
  const sorted = readings.map((r, i) => ({ ...r, i, endMs: Date.parse(r.end) })).sort((a, b) => a.endMs - b.endMs);
  let previousEnd = -Infinity;
  for (const reading of sorted) {
    const { endMs, minutes, kW, i } = reading;
    const pointer = `/readings/${i}`;
    if (!Number.isFinite(endMs) || endMs % MINUTE_MS !== 0)
      throw new Problem('settlement.readings-invalid', `Reading ${i} does not end on a whole minute`, { pointer });
    if (!Number.isInteger(minutes) || minutes < 1 || !Number.isInteger(kW))
      throw new Problem('settlement.readings-invalid', `Reading ${i} needs whole minutes (≥ 1) and whole kW`, { pointer });
    const startMs = endMs - minutes * MINUTE_MS;
    if (startMs < previousEnd) throw new Problem('settlement.readings-invalid', `Reading ${i} overlaps the one before it`, { pointer });
    previousEnd = endMs;
    for (let at = startMs; at < endMs;) {
      const periodStart = at - (at % PERIOD_MS);
      const until = Math.min(endMs, periodStart + PERIOD_MS);
      energy.set(periodStart, (energy.get(periodStart) ?? 0) + (kW * (until - at)) / MINUTE_MS);
      at = until;
    }
  }
  return energy;
}
