import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { AgreedTrade, TradeCancellation } from '../../schemas/anm/trade.ts';
import { constraintDirection, RELIEVING_SERVICES } from './capacityRules.ts';
import { coversPeriod, isBehind } from './constraintMembership.ts';

export interface VerificationResult {
  kept: AgreedTrade[];
  cancelled: TradeCancellation[];
}

/**
 * Trade verification on the day (seed 001 §7.2): the topology may have
 * changed since the trade was agreed, so each trade is checked against the
 * day's look-ahead. A trade stands while some constraint covering its period
 * has both counterparties behind it and runs in a direction the seller's
 * service relieves; otherwise it is cancelled, so that the buyer does not pay
 * for a service that no longer keeps it from being curtailed. The constraint
 * may have a new id on the day: what matters is that buyer and seller are
 * still on the same constrained part of the network.
 */
export function verifyTrades(trades: readonly AgreedTrade[], dayLookAhead: ConstraintLookAhead, list: MeritOrderList): VerificationResult {
  const kept: AgreedTrade[] = [];
  const cancelled: TradeCancellation[] = [];
  const directions = new Map(dayLookAhead.constraints.map((c) => [c, constraintDirection(c, list)]));
  for (const trade of trades) {
    const covering = dayLookAhead.constraints.filter((c) => coversPeriod(c, Date.parse(trade.start), Date.parse(trade.end)));
    const withBuyer = covering.filter((c) => isBehind(c, trade.buyerResourceId));
    const withBoth = withBuyer.filter((c) => isBehind(c, trade.sellerResourceId));
    const useful = withBoth.filter((c) => {
      const direction = directions.get(c);
      return direction !== undefined && RELIEVING_SERVICES[direction].includes(trade.service);
    });
    if (useful.length > 0) {
      kept.push(trade);
      continue;
    }
    const cancel = (reason: TradeCancellation['reason'], detail: string) => cancelled.push({ tradeId: trade.tradeId, reason, detail, trade });
    if (withBuyer.length === 0) {
      cancel('buyer-not-constrained', `${trade.buyerResourceId} is behind no constraint from ${trade.start} to ${trade.end} on the day`);
    } else if (withBoth.length === 0) {
      cancel(
        'counterparties-separated',
        `${trade.sellerResourceId} is no longer behind ${withBuyer.map((c) => c.constraintId).join(' or ')} with ${trade.buyerResourceId}`,
      );
    } else {
      cancel(
        'service-not-useful',
        `${trade.service} does not relieve ${withBoth.map((c) => `${c.constraintId} (${directions.get(c) ?? 'direction unknown'})`).join(' or ')}`,
      );
    }
  }
  return { kept, cancelled };
}
