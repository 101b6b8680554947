import type { ConstraintLookAhead } from '../../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../../schemas/anm/meritOrderList.ts';
import type { MatchedTrade } from '../../../schemas/anm/trade.ts';
import { decodeAnmDocument } from '../../anm/decode.ts';
import { bitraderFixture } from '../../testing/fixtures.ts';

const TSV = 'text/tab-separated-values';

/** Figure 5: C1, 2000 kW, 08:00-08:30 BST on 18 October 2024, ten resources behind it. */
export const figure5 = (context: Mocha.Context): ConstraintLookAhead =>
  decodeAnmDocument('constraint-look-ahead', bitraderFixture(context, 'cla-figure5.tsv'), TSV);

/** Figure 6: the original list, five constrained-demand buyers above five sellers. */
export const figure6 = (context: Mocha.Context): MeritOrderList =>
  decodeAnmDocument('merit-order-list', bitraderFixture(context, 'mol-original-figure6.tsv'), TSV);

/** Figure 7: the list after trading. */
export const figure7 = (context: Mocha.Context): MeritOrderList =>
  decodeAnmDocument('merit-order-list', bitraderFixture(context, 'mol-traded-figure7.tsv'), TSV);

export const gbp = (amount: number) => ({ amount, currency: 'GBP' as const });

/** A trade for figure 5's period. */
export function trade(buyerContractId: string, sellerContractId: string, kW: number, more: Partial<MatchedTrade> = {}): MatchedTrade {
  return {
    buyerContractId,
    sellerContractId,
    kW,
    start: '2024-10-18T08:00:00+01:00',
    end: '2024-10-18T08:30:00+01:00',
    availabilityPrice: gbp(1500),
    utilisationPrice: gbp(9000),
    ...more,
  };
}

/**
 * The trades that explain figure 7: the two sellers whose values are set.
 * The split rows imply no further trade (see the adapter README).
 */
export const FIGURE_7_TRADES: MatchedTrade[] = [trade('A1_Buyer', 'Agg_Seller_1', 600), trade('A2_Buyer', 'Agg_Seller_2', 500)];
