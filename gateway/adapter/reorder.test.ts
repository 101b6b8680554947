import assert from 'node:assert/strict';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { MatchedTrade } from '../../schemas/anm/trade.ts';
import { viewConstraint } from './constraintView.ts';
import { tradingEligibility } from './eligibility.ts';
import { reorderMeritOrder, type ReorderedList } from './reorder.ts';
import { agreeTrades } from './tradeAgreement.ts';
import { FIGURE_7_TRADES, figure5, figure6, figure7, trade } from './testing/bitraderCase.ts';
import { constraintOver, demandBuyer, listOf, lookAheadOf, seller } from './testing/listBuilder.ts';

const anyone = tradingEligibility();
const RECEIVED = '2024-10-17T20:08:45Z';

/** Agrees the trades against the look-ahead's first constraint and re-orders the list by them. */
function tradeOn(
  list: MeritOrderList,
  constraint = constraintOver(
    list.entries.map((e) => e.resourceId),
    2000,
  ),
  trades: MatchedTrade[],
): ReorderedList {
  const state = agreeTrades({ lookAhead: lookAheadOf(constraint), list, eligibility: anyone }, undefined, trades);
  return reorderMeritOrder({
    list,
    view: viewConstraint(constraint, list, anyone),
    trades: state.trades,
    periodStart: state.terms.start,
    receivedAt: RECEIVED,
  });
}

const rows = (list: MeritOrderList) => list.entries.map((e) => [e.order, e.contractId, e.value_kW, e.traded]);

describe('re-ordering a merit order list by its trades', () => {
  describe('figure 6 → figure 7', () => {
    /*
     * Reading of figure 7: the two trades are Agg_Seller_1 → A1_Buyer 600 kW and
     * Agg_Seller_2 → A2_Buyer 500 kW; nothing else traded (every other value is
     * 0 and traded false). The split rows are the buyers' untraded remainders:
     * A1_Buyer-2 holds A1's other 100 kW of MIC, A2_Buyer-2 holds the 0 kW A2
     * has left, since every traded buyer is split, fully traded or not. They sit
     * behind A3-A5 because C1 (2000 kW) curtails those three in full, so the
     * remainders are curtailed just as before the trades.
     */
    it('produces figure 7 exactly: sellers first, relieved buyers, untraded buyers, remainders, unsold sellers', function () {
      const list = figure6(this);
      const lookAhead = figure5(this);
      const state = agreeTrades({ lookAhead, list, eligibility: anyone }, undefined, FIGURE_7_TRADES);
      const { list: reordered } = reorderMeritOrder({
        list,
        view: viewConstraint(lookAhead.constraints[0]!, list, anyone),
        trades: state.trades,
        periodStart: state.terms.start,
        scenario: 1,
        receivedAt: RECEIVED,
      });

      assert.deepEqual(rows(reordered), [
        [1, 'Agg_Seller_1', -600, true],
        [2, 'Agg_Seller_2', -500, true],
        [3, 'A1_Buyer', 600, true],
        [4, 'A2_Buyer', 500, true],
        [5, 'A3_Buyer', 0, false],
        [6, 'A4_Buyer', 0, false],
        [7, 'A5_Buyer', 0, false],
        [8, 'A1_Buyer-2-2024-10-18', 0, true],
        [9, 'A2_Buyer-2-2024-10-18', 0, true],
        [10, 'Agg_seller_3', 0, false],
        [11, 'Agg_Seller_4', 0, false],
        [12, 'Agg_Seller_5', 0, false],
      ]);
      // Every column of every row, the period line, the scenario and the received time.
      assert.deepEqual(reordered, figure7(this));
    });

    it('reports the split rows with what each holds', function () {
      const { splits } = tradeOn(figure6(this), figure5(this).constraints[0], FIGURE_7_TRADES);
      assert.deepEqual(splits, [
        { contractId: 'A1_Buyer-2-2024-10-18', splitFrom: 'A1_Buyer', relieved_kW: 600, remainder_kW: 100 },
        { contractId: 'A2_Buyer-2-2024-10-18', splitFrom: 'A2_Buyer', relieved_kW: 500, remainder_kW: 0 },
      ]);
    });
  });

  describe('where a remainder goes', () => {
    const list = listOf(
      demandBuyer('B1', 'R1', 700),
      demandBuyer('B2', 'R2', 500),
      demandBuyer('B3', 'R3', 200),
      demandBuyer('B4', 'R4', 400),
      demandBuyer('B5', 'R5', 200),
      seller('S1', 'R6', { mic_kW: 600 }),
    );

    it('goes in front of the first untraded buyer the constraint reaches only in part, so that buyer is curtailed no more than before', () => {
      // 1500 kW: B1-B3 in full, B4 for 100 of its 400 kW, B5 not at all.
      const { list: reordered } = tradeOn(list, constraintOver(['R1', 'R2', 'R3', 'R4', 'R5', 'R6'], 1500), [trade('B1', 'S1', 600)]);
      assert.deepEqual(rows(reordered), [
        [1, 'S1', -600, true],
        [2, 'B1', 600, true],
        [3, 'B2', 0, false],
        [4, 'B3', 0, false],
        [5, 'B1-2-2024-10-18', 0, true],
        [6, 'B4', 0, false],
        [7, 'B5', 0, false],
      ]);
    });

    it('goes first among the untraded when the constraint reaches no untraded buyer in full', () => {
      const { list: reordered } = tradeOn(list, constraintOver(['R1', 'R2', 'R3', 'R4', 'R5', 'R6'], 600), [trade('B1', 'S1', 600)]);
      assert.deepEqual(
        rows(reordered).map((r) => r[1]),
        ['S1', 'B1', 'B1-2-2024-10-18', 'B2', 'B3', 'B4', 'B5'],
      );
    });
  });

  it('sums several trades per contract: a buyer relieved by two sellers, a seller selling to two buyers', () => {
    const list = listOf(demandBuyer('B1', 'R1', 500), demandBuyer('B2', 'R2', 500), seller('S1', 'R3', { mic_kW: 400 }), seller('S2', 'R4', { mic_kW: 400 }));
    const { list: reordered, splits } = tradeOn(list, undefined, [trade('B1', 'S1', 300), trade('B1', 'S2', 100), trade('B2', 'S1', 100)]);
    assert.deepEqual(rows(reordered), [
      [1, 'S1', -400, true],
      [2, 'S2', -100, true],
      [3, 'B1', 400, true],
      [4, 'B2', 100, true],
      [5, 'B1-2-2024-10-18', 0, true],
      [6, 'B2-2-2024-10-18', 0, true],
    ]);
    assert.deepEqual(
      splits.map((s) => s.remainder_kW),
      [100, 400],
    );
  });

  it('names a split part -3- when -2- is already a contract of the list, and shortens ids that would pass 60 characters', () => {
    const long = 'L'.repeat(60);
    const list = listOf(
      demandBuyer('B1', 'R1', 500),
      demandBuyer('b1-2-2024-10-18', 'R2', 100),
      demandBuyer(long, 'R3', 100),
      seller('S1', 'R4', { mic_kW: 400 }),
    );
    const { list: reordered } = tradeOn(list, undefined, [trade('B1', 'S1', 100), trade(long, 'S1', 100)]);
    const ids = reordered.entries.map((e) => e.contractId);
    assert.ok(ids.includes('B1-3-2024-10-18'));
    assert.ok(ids.includes(`${'L'.repeat(47)}-2-2024-10-18`));
    assert.ok(ids.every((id) => id.length <= 60));
  });

  it('names split parts by the UK trading day, not the UTC one', () => {
    const list = listOf(demandBuyer('B1', 'R1', 500), seller('S1', 'R2', { mic_kW: 400 }));
    const midnight = constraintOver(['R1', 'R2'], 500, { start: '2024-10-17T23:00:00Z', end: '2024-10-17T23:30:00Z' });
    const { list: reordered } = tradeOn(list, midnight, [trade('B1', 'S1', 100, { start: '2024-10-18T00:00:00+01:00', end: '2024-10-18T00:30:00+01:00' })]);
    assert.ok(reordered.entries.some((e) => e.contractId === 'B1-2-2024-10-18'));
    assert.equal(reordered.periodStart, '2024-10-17T23:00:00Z');
  });
});
