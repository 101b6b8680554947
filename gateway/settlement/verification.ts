import { Problem } from '../../protocol/problem.ts';
import type { Asset, Contract, MinorUnits } from '../../schemas/registry/registry.ts';
import { baselineProfile, type Baseline } from './baselines.ts';
import { energyByPeriod, type MeterReading } from './meterReadings.ts';
import { iso, isOnPeriodGrid, PERIOD_MINUTES, PERIOD_MS, settlementPeriodAt } from './settlementPeriods.ts';

/** A dispatch as settlement sees it: the OpenADR event (id and revision) and what it instructed, per interval. */
export interface Dispatch {
  eventId: string;
  eventRevision: number;
  contractId: string;
  resourceId: string;
  /** The trades the instruction carries out (empty for an untraded dispatch). */
  tradeIds: string[];
  /** Instructed change of net import in kW: negative lowers it (demand turn-down, generation turn-up). Whole settlement periods. */
  intervals: Array<{ start: string; minutes: number; kW: number }>;
}

/**
 * ENA-style performance terms: delivery at or above the grace factor is paid
 * in full; below it the sliding scale applies (the band with the highest
 * `from_bp` not above the performance factor; `proportional` pays the factor
 * itself); below every band nothing is paid, or `penalty_bp` is charged when
 * configured. Basis points: 10 000 = 100 %.
 */
export interface PerformanceTerms {
  graceFactor_bp: number;
  slidingScale: Array<{ from_bp: number; multiplier_bp: number | 'proportional' }>;
  penalty_bp?: number;
}

export const DEFAULT_PERFORMANCE_TERMS: PerformanceTerms = { graceFactor_bp: 9500, slidingScale: [{ from_bp: 5000, multiplier_bp: 'proportional' }] };

/** One settlement period of one dispatch. Energy in kW·min (whole; 60 kW·min = 1 kWh), so nothing is lost to rounding before payment. */
export interface VerifiedPeriod {
  settlementDate: string;
  period: number;
  start: string;
  instructed_kW: number;
  baseline_kW: number;
  metered_kWmin: number;
  /** Change in the instructed direction: baseline − metered for a reduction, metered − baseline for an increase. */
  delivered_kWmin: number;
  /** Delivered energy counted for payment: not below zero, not above what was instructed. */
  counted_kWmin: number;
  availabilityPayment: MinorUnits;
  utilisationPayment: MinorUnits;
  /** What the FSP declared available for the period, as it declared it (ENA declaration of availability), if it did. */
  declaredAvailable_kW?: number;
  /** Its confidence in that declaration, 0–100 %, if it gave one. */
  confidence_pct?: number;
}

/**
 * A declaration of availability (an OpenADR `LOAD_SHED_DELTA_AVAILABLE` or
 * `GENERATION_DELTA_AVAILABLE` report on the event): kW as declared and the
 * confidence of its payload descriptor; for `minutes` from `start`, or the
 * whole dispatch when it names no window. A later one replaces an earlier.
 */
export interface AvailabilityDeclaration {
  start?: string;
  minutes?: number;
  available_kW: number;
  confidence_pct?: number;
}

/** The last declaration covering the period starting at `startMs`, as period fields. */
function declaredFor(declarations: readonly AvailabilityDeclaration[], startMs: number): Pick<VerifiedPeriod, 'declaredAvailable_kW' | 'confidence_pct'> {
  const covering = declarations.filter((d) => {
    if (d.start === undefined || d.minutes === undefined) return true;
    const from = Date.parse(d.start);
    return from <= startMs && startMs < from + d.minutes * 60_000;
  });
  const last = covering[covering.length - 1];
  if (!last) return {};
  return { declaredAvailable_kW: last.available_kW, ...(last.confidence_pct === undefined ? {} : { confidence_pct: last.confidence_pct }) };
}

export interface DispatchVerification {
  dispatch: Dispatch;
  contractId: string;
  fspPartyId: string;
  dsoAssetIds: string[];
  periods: VerifiedPeriod[];
  instructed_kWmin: number;
  counted_kWmin: number;
  /** Delivered / instructed, floor, basis points. */
  performanceFactor_bp: number;
  multiplier_bp: number;
  availabilityPayment: MinorUnits;
  utilisationPayment: MinorUnits;
}

export function performanceMultiplier(factor_bp: number, terms: PerformanceTerms): number {
  if (factor_bp >= terms.graceFactor_bp) return 10_000;
  const band = terms.slidingScale.filter((b) => b.from_bp <= factor_bp).sort((a, b) => b.from_bp - a.from_bp)[0];
  if (band) return band.multiplier_bp === 'proportional' ? factor_bp : band.multiplier_bp;
  return terms.penalty_bp === undefined ? 0 : -terms.penalty_bp;
}

/** round(numerator / denominator), halves away from zero, exactly (BigInt: prices × energy overflow doubles). */
export function roundedQuotient(numerator: bigint, denominator: bigint): number {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  return Number(negative ? -rounded : rounded);
}

/** Price per MW·h (availability) or per MWh (utilisation) × kW·min × multiplier: minor units = price × kW·min × bp / (60 000 × 10 000). */
const DENOMINATOR = 60_000n * 10_000n;
const pay = (price: MinorUnits, kWmin: number, multiplier_bp: number): MinorUnits => ({
  amount: roundedQuotient(BigInt(price.amount) * BigInt(kWmin) * BigInt(multiplier_bp), DENOMINATOR),
  currency: price.currency,
});

export interface VerificationInput {
  dispatch: Dispatch;
  contract: Contract;
  asset: Asset;
  baseline: Baseline;
  readings: readonly MeterReading[];
  terms?: PerformanceTerms;
  /** The FSP's declarations of availability, oldest first; they are shown beside each period and change no payment. */
  declarations?: readonly AvailabilityDeclaration[];
}

/** Delivered energy, performance factor and payments of one dispatch, per settlement period. */
export function verifyDispatch({
  dispatch,
  contract,
  asset,
  baseline,
  readings,
  terms = DEFAULT_PERFORMANCE_TERMS,
  declarations = [],
}: VerificationInput): DispatchVerification {
  const baselineAt = baselineProfile(baseline, asset);
  const metered = energyByPeriod(readings);
  const instructed: Array<{ startMs: number; kW: number }> = [];
  for (const [i, interval] of dispatch.intervals.entries()) {
    const startMs = Date.parse(interval.start);
    if (!isOnPeriodGrid(startMs) || interval.minutes % PERIOD_MINUTES !== 0)
      throw new Problem('settlement.readings-invalid', `Dispatch interval ${i} is not whole settlement periods`, { pointer: `/dispatch/intervals/${i}` });
    for (let at = startMs; at < startMs + interval.minutes * 60_000; at += PERIOD_MS) instructed.push({ startMs: at, kW: interval.kW });
  }
  const half = instructed.map(({ startMs, kW }) => {
    const baseline_kW = baselineAt(startMs);
    if (baseline_kW === undefined) throw new Problem('settlement.baseline-missing', `No baseline for the period starting ${iso(startMs)}`);
    const metered_kWmin = metered.get(startMs);
    if (metered_kWmin === undefined) throw new Problem('settlement.readings-missing', `No meter readings for the period starting ${iso(startMs)}`);
    const baseline_kWmin = baseline_kW * PERIOD_MINUTES;
    const delivered_kWmin = kW < 0 ? baseline_kWmin - metered_kWmin : metered_kWmin - baseline_kWmin;
    const instructed_kWmin = Math.abs(kW) * PERIOD_MINUTES;
    const { settlementDate, period } = settlementPeriodAt(startMs);
    return {
      settlementDate,
      period,
      start: iso(startMs),
      instructed_kW: Math.abs(kW),
      baseline_kW,
      metered_kWmin,
      delivered_kWmin,
      counted_kWmin: Math.min(Math.max(delivered_kWmin, 0), instructed_kWmin),
      instructed_kWmin,
    };
  });
  const instructed_kWmin = half.reduce((sum, p) => sum + p.instructed_kWmin, 0);
  const counted_kWmin = half.reduce((sum, p) => sum + p.counted_kWmin, 0);
  const performanceFactor_bp = instructed_kWmin === 0 ? 10_000 : Math.floor((counted_kWmin * 10_000) / instructed_kWmin);
  const multiplier_bp = performanceMultiplier(performanceFactor_bp, terms);
  const periods: VerifiedPeriod[] = half.map(({ instructed_kWmin: periodInstructed, ...p }) => ({
    ...p,
    availabilityPayment: pay(contract.availabilityPrice, periodInstructed, multiplier_bp),
    utilisationPayment: pay(contract.utilisationPrice, p.counted_kWmin, multiplier_bp),
    ...declaredFor(declarations, Date.parse(p.start)),
  }));
  const total = (key: 'availabilityPayment' | 'utilisationPayment', price: MinorUnits): MinorUnits => ({
    amount: periods.reduce((sum, p) => sum + p[key].amount, 0),
    currency: price.currency,
  });
  return {
    dispatch,
    contractId: contract.contractId,
    fspPartyId: contract.fspPartyId,
    dsoAssetIds: [asset.dsoAssetId],
    periods,
    instructed_kWmin,
    counted_kWmin,
    performanceFactor_bp,
    multiplier_bp,
    availabilityPayment: total('availabilityPayment', contract.availabilityPrice),
    utilisationPayment: total('utilisationPayment', contract.utilisationPrice),
  };
}
