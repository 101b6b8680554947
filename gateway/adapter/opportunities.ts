import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { AgreedTrade, ConstraintOpportunities, FlexibilityService, TradingOpportunity } from '../../schemas/anm/trade.ts';
import { coversPeriod } from './constraintMembership.ts';
import { viewConstraint, type ConstraintView } from './constraintView.ts';
import type { TradingEligibility } from './eligibility.ts';

/**
 * Every constraint of a look-ahead filtered against a merit order list, with
 * the constraint-specific list and what each tradeable contract may still buy
 * or sell: its exposure or headroom less the trades already in effect (never
 * below 0, should another look-ahead shrink what was traded against).
 */
export function tradingOpportunities(
  lookAhead: ConstraintLookAhead,
  list: MeritOrderList,
  eligibility: TradingEligibility,
  tradesInEffect: readonly AgreedTrade[] = [],
): ConstraintOpportunities[] {
  return lookAhead.constraints.map((constraint) => describeConstraint(viewConstraint(constraint, list, eligibility), tradesInEffect));
}

function describeConstraint(view: ConstraintView, tradesInEffect: readonly AgreedTrade[]): ConstraintOpportunities {
  const { constraint, direction } = view;
  const bought = new Map<string, number>();
  const sold = new Map<string, number>();
  for (const t of tradesInEffect) {
    if (t.constraintId !== constraint.constraintId || !coversPeriod(constraint, Date.parse(t.start), Date.parse(t.end))) continue;
    add(bought, t.buyerContractId, t.kW);
    add(sold, soldKey(t.sellerContractId, t.service), t.kW);
  }

  const opportunities: TradingOpportunity[] = [];
  for (const item of view.entries) {
    if (item.exclusion || !direction) continue;
    const { entry } = item;
    const common = {
      contractId: entry.contractId,
      resourceId: entry.resourceId,
      ...(entry.resourceName ? { resourceName: entry.resourceName } : {}),
      constraintId: constraint.constraintId,
      start: constraint.start,
      end: constraint.end,
      size_kW: constraint.size_kW,
      direction,
    };
    if (entry.activity === 'Buyer') {
      const traded = bought.get(entry.contractId) ?? 0;
      opportunities.push({
        opportunity: 'buy',
        ...common,
        position: item.position,
        ahead_kW: item.ahead_kW,
        capacity_kW: Math.max(0, item.exposure_kW - traded),
        traded_kW: traded,
      });
      continue;
    }
    for (const { service, headroom_kW } of item.services) {
      const traded = sold.get(soldKey(entry.contractId, service)) ?? 0;
      opportunities.push({ opportunity: 'sell', ...common, service, capacity_kW: Math.max(0, headroom_kW - traded), traded_kW: traded });
    }
  }

  return {
    constraintId: constraint.constraintId,
    start: constraint.start,
    end: constraint.end,
    duration_min: view.duration_min,
    size_kW: constraint.size_kW,
    ...(direction ? { direction } : {}),
    resources: view.resources,
    meritOrder: view.entries.map((item) => ({
      position: item.position,
      order: item.entry.order,
      contractId: item.entry.contractId,
      resourceId: item.entry.resourceId,
      ...(item.entry.resourceName ? { resourceName: item.entry.resourceName } : {}),
      operationType: item.entry.operationType,
      activity: item.entry.activity,
      curtailable_kW: item.curtailable_kW,
      ahead_kW: item.ahead_kW,
      exposure_kW: item.exposure_kW,
      services: item.services,
      tradeable: item.exclusion === undefined,
      ...(item.exclusion ? { exclusion: item.exclusion } : {}),
    })),
    opportunities,
  };
}

const add = (totals: Map<string, number>, key: string, kW: number) => totals.set(key, (totals.get(key) ?? 0) + kW);
const soldKey = (contractId: string, service: FlexibilityService) => `${contractId}\u0000${service}`;
