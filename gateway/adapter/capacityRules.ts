import type { Constraint, Direction } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderEntry, MeritOrderList, OperationType } from '../../schemas/anm/meritOrderList.ts';
import type { FlexibilityService } from '../../schemas/anm/trade.ts';
import { resourcesBehind } from './constraintMembership.ts';

/**
 * What a constraint's direction means for each contract (seed 000 §3.2):
 * an import constraint curtails constrained demand by its MIC, an export
 * constraint curtails constrained generation by its MEC; sellers relieve
 * either with the services that push power the other way.
 */
const CURTAILED: Record<Direction, OperationType> = { import: 'ConstrainedDemand', export: 'ConstrainedGeneration' };

export const RELIEVING_SERVICES: Record<Direction, readonly FlexibilityService[]> = {
  import: ['demand-turn-down', 'generation-turn-up'],
  export: ['demand-turn-up', 'generation-turn-down'],
};

/** Capacity the ANM would curtail from this contract for a constraint in `direction`; 0 for sellers and the other kind of buyer. */
export function curtailableCapacity(entry: MeritOrderEntry, direction: Direction): number {
  if (entry.operationType !== CURTAILED[direction]) return 0;
  return direction === 'import' ? entry.mic_kW : entry.mec_kW;
}

export const isCurtailedIn = (entry: MeritOrderEntry, direction: Direction) => entry.operationType === CURTAILED[direction];

/**
 * Most a seller can offer of a service: demand services are bounded by its
 * MIC (it cannot turn down more demand than it may import), generation
 * services by its MEC. The ANM does not tell us the operating point, so the
 * connection capacity is the bound.
 */
export function serviceHeadroom(entry: MeritOrderEntry, service: FlexibilityService): number {
  if (entry.activity !== 'Seller') return 0;
  return service.startsWith('demand') ? entry.mic_kW : entry.mec_kW;
}

/**
 * The direction a constraint states, else the one its buyers imply (figure 5
 * gives none; its buyers are all constrained demand, so it is an import
 * constraint). Undefined when buyers of both kinds, or none, are behind it.
 */
export function constraintDirection(constraint: Constraint, list: MeritOrderList): Direction | undefined {
  if (constraint.direction) return constraint.direction;
  const behind = resourcesBehind(constraint);
  const kinds = new Set(list.entries.filter((e) => e.activity === 'Buyer' && behind.has(e.resourceId)).map((e) => e.operationType));
  if (kinds.size !== 1) return undefined;
  return kinds.has('ConstrainedDemand') ? 'import' : 'export';
}
