import type { MeritOrderEntry, MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { AgreedTrade, SplitContract } from '../../schemas/anm/trade.ts';
import { settlementPeriodOf } from '../../protocol/time/settlementPeriod.ts';
import type { ConstraintView } from './constraintView.ts';

export interface ReorderRequest {
  /** The original list, as the ANM issued it. */
  list: MeritOrderList;
  /** The constraint the trades are under, filtered against that list. */
  view: ConstraintView;
  /** Every trade in effect, all agreed under that constraint. */
  trades: readonly AgreedTrade[];
  /** Start of the period the re-ordered list is for: the trades'. */
  periodStart: string;
  scenario?: number;
  /** When the trades were received: figure 7's `Recvd Time`. */
  receivedAt: string;
}

export interface ReorderedList {
  list: MeritOrderList;
  splits: SplitContract[];
}

/**
 * The list the ANM curtails by after trading (figure 7), from top to bottom:
 *
 * 1. sellers who sold, in their original order, value = −(kW sold): the ANM
 *    dispatches them first;
 * 2. each buyer that bought, under its own contract id, value = kW bought
 *    (relieved);
 * 3. everyone else in their original order, with each buyer's untraded
 *    remainder, `<contract>-2-<date>`, value 0, inserted behind the last
 *    untraded buyer that the constraint curtails in full.
 *
 * Step 3's position is the latest at which a remainder is still curtailed
 * exactly as before the trade, so trading moves no curtailment between
 * anyone but the counterparties. Every traded buyer gets a remainder, even
 * of 0 kW: figure 7 lists one for A2_Buyer, which traded all of its 500 kW.
 * Traded entries are flagged `traded`, remainders included; orders run 1..n.
 */
export function reorderMeritOrder({ list, view, trades, periodStart, scenario, receivedAt }: ReorderRequest): ReorderedList {
  const bought = totalsBy(trades, (t) => t.buyerContractId);
  const sold = totalsBy(trades, (t) => t.sellerContractId);
  const behind = view.byContract;

  const sellers = list.entries.filter((e) => sold.has(e.contractId)).map((e) => ({ ...e, value_kW: -sold.get(e.contractId)!, traded: true }));
  const buyers = list.entries.filter((e) => bought.has(e.contractId));
  const relieved = buyers.map((e) => ({ ...e, value_kW: bought.get(e.contractId)!, traded: true }));
  const others = list.entries.filter((e) => !sold.has(e.contractId) && !bought.has(e.contractId));

  const newIds = splitContractIds(list, buyers, settlementPeriodOf(Date.parse(periodStart)).settlementDate);
  const remainders = buyers.map((e) => ({ ...e, contractId: newIds.get(e.contractId)!, value_kW: 0, traded: true }));
  const splits = buyers.map((e) => {
    const relievedKw = bought.get(e.contractId)!;
    return {
      contractId: newIds.get(e.contractId)!,
      splitFrom: e.contractId,
      relieved_kW: relievedKw,
      remainder_kW: (behind.get(e.contractId)?.curtailable_kW ?? 0) - relievedKw,
    };
  });

  const curtailedInFull = (e: MeritOrderEntry) => {
    const item = behind.get(e.contractId);
    return item !== undefined && item.curtailable_kW > 0 && item.exposure_kW === item.curtailable_kW;
  };
  const insertAt = lastIndexWhere(others, curtailedInFull) + 1;
  const entries = [...sellers, ...relieved, ...others.slice(0, insertAt), ...remainders, ...others.slice(insertAt)].map((e, k) => ({
    ...e,
    order: k + 1,
  }));

  return {
    list: { periodStart, ...(scenario !== undefined ? { scenario } : {}), receivedAt, entries },
    splits,
  };
}

function totalsBy(trades: readonly AgreedTrade[], key: (trade: AgreedTrade) => string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const trade of trades) totals.set(key(trade), (totals.get(key(trade)) ?? 0) + trade.kW);
  return totals;
}

function lastIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let k = items.length - 1; k >= 0; k--) if (test(items[k]!)) return k;
  return -1;
}

const MAX_CONTRACT_ID = 60;

/**
 * `<contract>-<n>-<date>`: part n of the contract, for the UK trading day
 * (figure 7's `A1_Buyer-2-2024-10-18`). n is 2 unless that id is taken; the
 * contract id is shortened when the whole would exceed an id's 60 characters.
 */
function splitContractIds(list: MeritOrderList, buyers: readonly MeritOrderEntry[], date: string): Map<string, string> {
  const taken = new Set(list.entries.map((e) => e.contractId.toLowerCase()));
  const ids = new Map<string, string>();
  for (const buyer of buyers) {
    for (let part = 2; ; part++) {
      const suffix = `-${part}-${date}`;
      const id = buyer.contractId.slice(0, MAX_CONTRACT_ID - suffix.length) + suffix;
      if (taken.has(id.toLowerCase())) continue;
      taken.add(id.toLowerCase());
      ids.set(buyer.contractId, id);
      break;
    }
  }
  return ids;
}
