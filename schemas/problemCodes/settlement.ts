import type { ProblemSpecs } from './spec.ts';

/** Delivery verification and settlement (gateway/settlement/): baselines, meter readings, statements. */
export const settlementProblems = {
  'settlement.not-found': { status: 404, title: 'No such dispatch, settlement statement or chain' },
  'settlement.baseline-invalid': { status: 422, title: 'Baseline cannot be used (off the half-hour grid, gaps, unknown kind)' },
  'settlement.readings-invalid': { status: 422, title: 'Meter readings cannot be used (off the minute grid, overlapping, empty)' },
  'settlement.baseline-missing': { status: 422, title: 'No baseline covers the dispatch being verified' },
  'settlement.readings-missing': { status: 422, title: 'No meter readings cover the dispatch being verified' },
  'settlement.contract-unknown': { status: 422, title: 'Dispatch names a contract the registry does not hold, so it cannot be priced' },
} as const satisfies ProblemSpecs;

export type SettlementProblemCode = keyof typeof settlementProblems;
