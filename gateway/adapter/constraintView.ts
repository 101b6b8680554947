import type { Constraint, Direction } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderEntry, MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { ExclusionReason, FlexibilityService } from '../../schemas/anm/trade.ts';
import { constraintDirection, curtailableCapacity, isCurtailedIn, RELIEVING_SERVICES, serviceHeadroom } from './capacityRules.ts';
import { resourcesBehind } from './constraintMembership.ts';
import { ineligibility, type TradingEligibility } from './eligibility.ts';

/** A contract behind the constraint, as the constraint sees it. */
export interface ConstraintEntry {
  /** 1-based position in the constraint-specific list. */
  position: number;
  entry: MeritOrderEntry;
  curtailable_kW: number;
  ahead_kW: number;
  exposure_kW: number;
  /** For sellers: each service that relieves this constraint and the MIC/MEC available for it (only those above 0). */
  services: { service: FlexibilityService; headroom_kW: number }[];
  exclusion: ExclusionReason | undefined;
}

export interface ResourceRegistration {
  resourceId: string;
  resourceName?: string;
  registered: boolean;
  contractIds: string[];
}

/** One constraint filtered against a merit order list (seed 001 §5.1.1). */
export interface ConstraintView {
  constraint: Constraint;
  direction: Direction | undefined;
  duration_min: number;
  resources: ResourceRegistration[];
  /** The constraint-specific merit order list: the list's contracts whose resource is behind the constraint, in list order. */
  entries: ConstraintEntry[];
  byContract: ReadonlyMap<string, ConstraintEntry>;
}

/**
 * Filters a merit order list down to one constraint and works out what each
 * contract behind it may trade.
 *
 * - Only resources the look-ahead puts behind the constraint take part.
 * - The ANM curtails down the list until the constraint is relieved, so a
 *   buyer's exposure is the constraint size less the curtailable capacity
 *   ahead of it, between 0 and its own curtailable capacity (MIC for an
 *   import constraint, MEC for export). Contracts that may not trade still
 *   count as ahead: the ANM curtails them all the same.
 * - A seller's headroom for a service is its MIC (demand services) or MEC
 *   (generation services), for the services that relieve this direction.
 * - Each contract is judged on its own: one resource may hold tradeable and
 *   untradeable contracts.
 */
export function viewConstraint(constraint: Constraint, list: MeritOrderList, eligibility: TradingEligibility): ConstraintView {
  const direction = constraintDirection(constraint, list);
  const behind = resourcesBehind(constraint);
  let ahead = 0;
  const entries: ConstraintEntry[] = [];
  for (const entry of list.entries) {
    if (!behind.has(entry.resourceId)) continue;
    const curtailable = direction ? curtailableCapacity(entry, direction) : 0;
    const exposure = Math.min(curtailable, Math.max(0, constraint.size_kW - ahead));
    const services = direction
      ? RELIEVING_SERVICES[direction].map((service) => ({ service, headroom_kW: serviceHeadroom(entry, service) })).filter((s) => s.headroom_kW > 0)
      : [];
    entries.push({
      position: entries.length + 1,
      entry,
      curtailable_kW: curtailable,
      ahead_kW: ahead,
      exposure_kW: exposure,
      services,
      exclusion: exclusionOf(entry, direction, exposure, services.length, eligibility),
    });
    ahead += curtailable;
  }
  const contractsOf = new Map<string, ConstraintEntry[]>();
  for (const item of entries) {
    const contracts = contractsOf.get(item.entry.resourceId);
    if (contracts) contracts.push(item);
    else contractsOf.set(item.entry.resourceId, [item]);
  }
  return {
    constraint,
    direction,
    duration_min: (Date.parse(constraint.end) - Date.parse(constraint.start)) / 60_000,
    resources: constraint.resources.map((resource) => {
      const contracts = contractsOf.get(resource.resourceId) ?? [];
      return {
        ...resource,
        registered: contracts.some((item) => item.entry.registered),
        contractIds: contracts.map((item) => item.entry.contractId),
      };
    }),
    entries,
    byContract: new Map(entries.map((item) => [item.entry.contractId, item])),
  };
}

function exclusionOf(
  entry: MeritOrderEntry,
  direction: Direction | undefined,
  exposure: number,
  serviceCount: number,
  eligibility: TradingEligibility,
): ExclusionReason | undefined {
  const ineligible = ineligibility(entry, eligibility);
  if (ineligible) return ineligible;
  if (!direction) return 'direction-unknown';
  if (entry.activity === 'Buyer') {
    if (!isCurtailedIn(entry, direction)) return 'not-curtailed';
    return exposure > 0 ? undefined : 'not-exposed';
  }
  return serviceCount > 0 ? undefined : 'no-headroom';
}
