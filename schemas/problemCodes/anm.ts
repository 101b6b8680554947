import type { ProblemSpecs } from './spec.ts';

/** ANM payloads: tabular exports, times, units and merit-order / look-ahead rules. */
export const anmProblems = {
  'tabular.malformed': { status: 400, title: 'Tabular body cannot be read' },
  'tabular.header-missing': { status: 400, title: 'No header row with the expected columns' },
  'tabular.unknown-column': { status: 400, title: 'Column not understood' },
  'tabular.missing-column': { status: 400, title: 'Required column missing' },
  'tabular.duplicate-column': { status: 400, title: 'Column given twice' },
  'tabular.ragged-row': { status: 400, title: 'Row has more cells than the header' },
  'tabular.invalid-value': { status: 400, title: 'Cell value cannot be read' },
  'tabular.period-missing': { status: 400, title: 'No period line before the data rows' },
  'tabular.inconsistent-rows': { status: 422, title: 'Rows disagree on a value they must share' },
  'time.invalid': { status: 400, title: 'Not a recognised time' },
  'time.nonexistent-local': { status: 422, title: 'Local UK time does not exist (clocks went forward)' },
  'time.ambiguous-local': { status: 422, title: 'Local UK time is ambiguous (clocks went back); give an offset' },
  'time.mismatch': { status: 422, title: 'Two renderings of the same instant disagree' },
  'units.unknown': { status: 422, title: 'Unit not recognised' },
  'units.not-whole-kw': { status: 422, title: 'Quantity is not a whole number of kW' },
  'anm.order-duplicate': { status: 422, title: 'Merit order position given twice' },
  'anm.order-gap': { status: 422, title: 'Merit order positions are not 1..n without gaps' },
  'anm.contract-duplicate': { status: 422, title: 'Contract id appears twice in the merit order list' },
  'anm.activity-mismatch': { status: 422, title: 'Activity does not match the operation type' },
  'anm.negative-capacity': { status: 422, title: 'MIC or MEC is negative' },
  'anm.period-invalid': { status: 422, title: 'Start is not before end' },
  'anm.constraint-size-invalid': { status: 422, title: 'Constraint size must be greater than zero' },
  'anm.constraint-duplicate': { status: 422, title: 'Constraint given twice for the same period' },
  'anm.resource-duplicate': { status: 422, title: 'Resource listed twice under one constraint' },
} as const satisfies ProblemSpecs;
