import { Problem } from '../../protocol/problem.ts';
import { toUkWallTime } from '../../protocol/time/ukTime.ts';
import type { Asset } from '../../schemas/registry/registry.ts';
import { csvRecords } from '../registry/prequalificationCsv.ts';
import { isOnPeriodGrid, periodStartMs, iso } from './settlementPeriods.ts';

/**
 * What the asset would have done without the instruction, in net import kW
 * (export negative), per settlement period. ENA baselining methods
 * (seed 000 §4.2.6, BiTraDER performance verification):
 * - `nominated`: the FSP's own profile for the periods, given in UTC;
 * - `fixed-reference`: one value per UK local half hour of the day (48),
 *   the same every day (on clock-change days by local clock time);
 * - `zero`: nothing would have flowed;
 * - `asset-capacity`: the asset at its registered MIC (or −MEC when it only exports).
 */
export type Baseline =
  | { kind: 'nominated'; periods: Array<{ start: string; kW: number }> }
  | { kind: 'fixed-reference'; halfHours_kW: number[] }
  | { kind: 'zero' }
  | { kind: 'asset-capacity' };

export const BASELINE_KINDS = ['nominated', 'fixed-reference', 'zero', 'asset-capacity'] as const;

/** A baseline as a function of the period's UTC start; undefined where it says nothing. */
export function baselineProfile(baseline: Baseline, asset: Asset): (periodStartMs: number) => number | undefined {
  switch (baseline.kind) {
    case 'zero':
      return () => 0;
    case 'asset-capacity': {
      const capacity = asset.mic_kW > 0 ? asset.mic_kW : -asset.mec_kW;
      return () => capacity;
    }
    case 'fixed-reference': {
      if (baseline.halfHours_kW.length !== 48 || !baseline.halfHours_kW.every(Number.isInteger))
        throw new Problem('settlement.baseline-invalid', 'A fixed reference profile has 48 whole-kW values, one per UK local half hour', {
          pointer: '/halfHours_kW',
        });
      return (ms) => {
        const wall = toUkWallTime(ms);
        return baseline.halfHours_kW[wall.hour * 2 + (wall.minute >= 30 ? 1 : 0)];
      };
    }
    case 'nominated': {
      const values = new Map<number, number>();
      baseline.periods.forEach(({ start, kW }, i) => {
        const ms = Date.parse(start);
        if (!Number.isFinite(ms) || !isOnPeriodGrid(ms) || !Number.isInteger(kW))
          throw new Problem('settlement.baseline-invalid', `Period ${i} must start on the half hour (UTC) with whole kW`, { pointer: `/periods/${i}` });
        values.set(ms, kW);
      });
      return (ms) => values.get(ms);
    }
  }
}

/**
 * A nominated baseline uploaded as CSV in UK local time, the way GB
 * settlement counts: `settlement_date,settlement_period,kW` (date YYYY-MM-DD
 * or DD/MM/YYYY; period 1…46/48/50 of that local day, so clock-change days
 * need no special handling by whoever writes the file).
 */
export function nominatedBaselineFromCsv(text: string): Baseline {
  const [header, ...rows] = csvRecords(text);
  const names = (header ?? []).map((h) => h.trim().toLowerCase());
  const at = (name: string) => names.indexOf(name);
  if (at('settlement_date') < 0 || at('settlement_period') < 0 || at('kw') < 0)
    throw new Problem('settlement.baseline-invalid', 'The CSV needs the columns settlement_date, settlement_period, kW', { row: 1 });
  const periods = rows.map((cells, r) => {
    const rawDate = (cells[at('settlement_date')] ?? '').trim();
    const dmy = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(rawDate);
    const date = dmy ? `${dmy[3]}-${dmy[2]}-${dmy[1]}` : rawDate;
    const period = Number(cells[at('settlement_period')]);
    const kW = Number(cells[at('kw')]);
    const start = /^\d{4}-\d{2}-\d{2}$/.test(date) ? periodStartMs(date, period) : undefined;
    if (start === undefined || !Number.isInteger(kW))
      throw new Problem('settlement.baseline-invalid', `Row ${r + 2}: no settlement period ${cells[at('settlement_period')]} on ${rawDate}, or kW not whole`, {
        row: r + 2,
      });
    return { start: iso(start), kW };
  });
  return { kind: 'nominated', periods };
}
