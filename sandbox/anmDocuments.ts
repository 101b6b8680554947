import type { ConstraintLookAheadInput } from '../schemas/anm/constraintLookAhead.ts';
import { ACTIVITY_OF_OPERATION, type MeritOrderListInput } from '../schemas/anm/meritOrderList.ts';
import { formatUtc } from '../protocol/time/ukTime.ts';
import type { LookAheadList } from './scenarioCatalogue.ts';
import { instantOn } from './scenarioDay.ts';

export interface ListPeriod {
  start: number;
  end: number;
}

export function listPeriod(list: LookAheadList, date: string): ListPeriod {
  return { start: instantOn(date, list.constraint.start), end: instantOn(date, list.constraint.end) };
}

/** The constraint look-ahead an ANM sends for a list: its constraint with every resource behind it. */
export function lookAheadOf(list: LookAheadList, period: ListPeriod, issuedAt: number): ConstraintLookAheadInput {
  const resources = [...new Map(list.entries.map((e) => [e.resourceId, { resourceId: e.resourceId, resourceName: e.resourceName }])).values()];
  const { constraintId, size_kW, direction } = list.constraint;
  return {
    issuedAt: formatUtc(issuedAt),
    constraints: [{ constraintId, size_kW, direction, start: formatUtc(period.start), end: formatUtc(period.end), resources }],
  };
}

/** The day's look-ahead of a topology change: the same period, resources regrouped behind the constraints given. */
export function dayLookAheadOf(
  period: ListPeriod,
  direction: LookAheadList['constraint']['direction'],
  constraints: ReadonlyArray<{ constraintId: string; size_kW: number; resources: readonly string[] }>,
  issuedAt: number,
): ConstraintLookAheadInput {
  return {
    issuedAt: formatUtc(issuedAt),
    constraints: constraints.map((c) => ({
      constraintId: c.constraintId,
      size_kW: c.size_kW,
      direction,
      start: formatUtc(period.start),
      end: formatUtc(period.end),
      resources: c.resources.map((resourceId) => ({ resourceId })),
    })),
  };
}

/**
 * The merit order list an ANM sends: the list's entries, untraded. With new
 * curtailment indexes the buyers are listed in the new index order (the
 * ANM curtails in that order); sellers follow as before.
 */
export function meritOrderListOf(
  list: LookAheadList,
  period: ListPeriod,
  issuedAt: number,
  curtailmentIndex?: Readonly<Record<string, number>>,
): MeritOrderListInput {
  let entries = list.entries.map((entry) => ({
    ...entry,
    ...(curtailmentIndex?.[entry.contractId] !== undefined ? { curtailmentIndex: curtailmentIndex[entry.contractId] } : {}),
  }));
  if (curtailmentIndex) {
    const buyers = entries.filter((e) => ACTIVITY_OF_OPERATION[e.operationType] === 'Buyer');
    const sellers = entries.filter((e) => ACTIVITY_OF_OPERATION[e.operationType] === 'Seller');
    buyers.sort((a, b) => (a.curtailmentIndex ?? Infinity) - (b.curtailmentIndex ?? Infinity));
    entries = [...buyers, ...sellers];
  }
  return {
    issuedAt: formatUtc(issuedAt),
    periodStart: formatUtc(period.start),
    entries: entries.map((entry, i) => ({
      order: i + 1,
      contractId: entry.contractId,
      resourceId: entry.resourceId,
      resourceName: entry.resourceName,
      operationType: entry.operationType,
      value_kW: 0,
      mic_kW: entry.mic_kW,
      mec_kW: entry.mec_kW,
      activity: ACTIVITY_OF_OPERATION[entry.operationType],
      traded: false,
      registered: entry.registered ?? true,
      ...(entry.curtailmentIndex !== undefined ? { curtailmentIndex: entry.curtailmentIndex } : {}),
    })),
  };
}
