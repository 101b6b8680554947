import type { Constraint, ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { MatchedTrade } from '../../schemas/anm/trade.ts';
import { formatUtc, parseInstant } from '../../protocol/time/ukTime.ts';
import { constraintDirection, curtailableCapacity } from './capacityRules.ts';

const IMPLIED_CONSTRAINT_ID = 'implied';

/**
 * The look-ahead a list implies when none is at hand (`flexgate mol trade`
 * without `--cla`): one constraint over every resource of the list, for the
 * first trade's period, deep enough to curtail every buyer in full, as
 * figure 5's C1 does figure 6's. Its direction is the one the buyers imply.
 */
export function impliedLookAhead(list: MeritOrderList, trades: readonly MatchedTrade[]): ConstraintLookAhead {
  const first = trades[0];
  if (!first) throw new Error('impliedLookAhead needs at least one trade');
  const whole: Constraint = {
    constraintId: IMPLIED_CONSTRAINT_ID,
    start: formatUtc(parseInstant(first.start, { pointer: '/0/start' })),
    end: formatUtc(parseInstant(first.end, { pointer: '/0/end' })),
    size_kW: 1,
    resources: [...new Set(list.entries.map((e) => e.resourceId))].map((resourceId) => ({ resourceId })),
  };
  const direction = constraintDirection(whole, list);
  const depth = direction ? list.entries.reduce((total, e) => total + curtailableCapacity(e, direction), 0) : 0;
  return { constraints: [{ ...whole, size_kW: Math.max(depth, whole.size_kW) }] };
}
