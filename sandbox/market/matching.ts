import { createHash } from 'node:crypto';
import type { FlexibilityService } from '../../schemas/anm/trade.ts';

/** Trading closes two hours after the lists are published (seed 000 §3.2). */
export const GATE_CLOSURE_MS = 2 * 60 * 60 * 1000;

export interface Order {
  id: string;
  /** A buyer's bid (to be relieved of curtailment) or a seller's offer (to take it on). */
  side: 'bid' | 'offer';
  contractId: string;
  /** The contract's resource: a resource never trades with itself. */
  resourceId?: string;
  kW: number;
  /** Minor units (pence) per MW per hour. */
  availability: number;
  /** Minor units (pence) per MWh. */
  utilisation: number;
  /** Epoch ms. */
  submittedAt: number;
  service?: FlexibilityService;
}

export interface OrderBook {
  /** When the lists were published (epoch ms); the gate closes GATE_CLOSURE_MS later. */
  publishedAt: number;
  /** Expected utilisation per mille: weights the utilisation price in the all-in price. */
  expectedUsePerMille: number;
  /** Breaks ties between orders of equal price and time. */
  seed: number;
  /** What each contract may still trade (the opportunities' capacity_kW), by contract id in lower case. */
  capacity: ReadonlyMap<string, number>;
  orders: readonly Order[];
}

export interface Match {
  bidId: string;
  offerId: string;
  buyerContractId: string;
  sellerContractId: string;
  kW: number;
  /** The offer's prices: pay as offered, the bid is the buyer's limit. */
  availability: number;
  utilisation: number;
  service?: FlexibilityService;
}

export type RefusalReason = 'after-gate-closure' | 'no-opportunity';

export interface Refusal {
  orderId: string;
  contractId: string;
  reason: RefusalReason;
}

export interface MatchResult {
  gateClosure: number;
  matches: Match[];
  refused: Refusal[];
  /** kW of each order left unmatched, by order id. */
  unfilled: Map<string, number>;
}

/** The all-in price in thousandths of a penny: availability + utilisation × expected use. */
export const allInPrice = (order: Pick<Order, 'availability' | 'utilisation'>, expectedUsePerMille: number): number =>
  order.availability * 1000 + order.utilisation * expectedUsePerMille;

const tieBreak = (seed: number, id: string) => createHash('sha256').update(`${seed}\0${id}`).digest().readUInt32BE(0);
const contractKey = (contractId: string) => contractId.toLowerCase();

/**
 * Matches bids against offers at gate closure, in price priority: offers
 * cheapest first (all-in price, then earliest, then a tie-break drawn from
 * the seed), each filling the highest bids willing to pay at least its
 * price. One large bid takes several small offers; an order is filled in
 * part when its counterparties or its contract's capacity run out. No
 * contract trades more than its opportunity's capacity, and the result
 * depends only on the book, not on the order the orders are listed in.
 */
export function matchOrders(book: OrderBook): MatchResult {
  const gateClosure = book.publishedAt + GATE_CLOSURE_MS;
  const refused: Refusal[] = [];
  const remainingCapacity = new Map(book.capacity);
  const live: Order[] = [];
  for (const order of book.orders) {
    if (order.submittedAt > gateClosure) refused.push({ orderId: order.id, contractId: order.contractId, reason: 'after-gate-closure' });
    else if ((remainingCapacity.get(contractKey(order.contractId)) ?? 0) <= 0)
      refused.push({ orderId: order.id, contractId: order.contractId, reason: 'no-opportunity' });
    else live.push(order);
  }
  const price = (order: Order) => allInPrice(order, book.expectedUsePerMille);
  const byPriority = (direction: 1 | -1) => (a: Order, b: Order) =>
    direction * (price(a) - price(b)) || a.submittedAt - b.submittedAt || tieBreak(book.seed, a.id) - tieBreak(book.seed, b.id) || (a.id < b.id ? -1 : 1);
  const offers = live.filter((o) => o.side === 'offer').sort(byPriority(1));
  const bids = live.filter((o) => o.side === 'bid').sort(byPriority(-1));
  const unfilled = new Map(live.map((o) => [o.id, o.kW]));
  const left = (order: Order) => Math.min(unfilled.get(order.id)!, remainingCapacity.get(contractKey(order.contractId)) ?? 0);

  const matches: Match[] = [];
  for (const offer of offers) {
    for (const bid of bids) {
      if (left(offer) <= 0) break;
      if (price(bid) < price(offer)) break;
      if (offer.resourceId !== undefined && offer.resourceId === bid.resourceId) continue;
      const kW = Math.min(left(offer), left(bid));
      if (kW <= 0) continue;
      for (const order of [offer, bid]) {
        unfilled.set(order.id, unfilled.get(order.id)! - kW);
        const key = contractKey(order.contractId);
        remainingCapacity.set(key, remainingCapacity.get(key)! - kW);
      }
      matches.push({
        bidId: bid.id,
        offerId: offer.id,
        buyerContractId: bid.contractId,
        sellerContractId: offer.contractId,
        kW,
        availability: offer.availability,
        utilisation: offer.utilisation,
        ...(offer.service ? { service: offer.service } : {}),
      });
    }
  }
  return { gateClosure, matches, refused, unfilled };
}
