import type { Constraint, ConstraintLookAhead } from '../../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderEntry, MeritOrderList } from '../../../schemas/anm/meritOrderList.ts';

type EntryWithoutOrder = Omit<MeritOrderEntry, 'order'>;
type Extra = Partial<EntryWithoutOrder>;

const base = { value_kW: 0, traded: false, registered: true } as const;

/** A constrained-demand buyer whose MIC is `mic_kW`. */
export const demandBuyer = (contractId: string, resourceId: string, mic_kW: number, extra: Extra = {}): EntryWithoutOrder => ({
  contractId,
  resourceId,
  operationType: 'ConstrainedDemand',
  activity: 'Buyer',
  mic_kW,
  mec_kW: 0,
  ...base,
  ...extra,
});

/** A constrained-generation buyer whose MEC is `mec_kW`. */
export const generationBuyer = (contractId: string, resourceId: string, mec_kW: number, extra: Extra = {}): EntryWithoutOrder => ({
  contractId,
  resourceId,
  operationType: 'ConstrainedGeneration',
  activity: 'Buyer',
  mic_kW: 0,
  mec_kW,
  ...base,
  ...extra,
});

export const seller = (contractId: string, resourceId: string, capacity: { mic_kW?: number; mec_kW?: number }, extra: Extra = {}): EntryWithoutOrder => ({
  contractId,
  resourceId,
  operationType: 'FlexibleOutputChange',
  activity: 'Seller',
  mic_kW: capacity.mic_kW ?? 0,
  mec_kW: capacity.mec_kW ?? 0,
  ...base,
  ...extra,
});

/** A list in the order given. */
export const listOf = (...entries: EntryWithoutOrder[]): MeritOrderList => ({ entries: entries.map((e, k) => ({ order: k + 1, ...e })) });

/** A constraint for figure 5's period (08:00-08:30 BST, 18 October 2024). */
export const constraintOver = (resourceIds: readonly string[], size_kW: number, extra: Partial<Constraint> = {}): Constraint => ({
  constraintId: 'C1',
  start: '2024-10-18T07:00:00Z',
  end: '2024-10-18T07:30:00Z',
  size_kW,
  resources: resourceIds.map((resourceId) => ({ resourceId })),
  ...extra,
});

export const lookAheadOf = (...constraints: Constraint[]): ConstraintLookAhead => ({ constraints });
