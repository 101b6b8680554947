import assert from 'node:assert/strict';
import type { MatchedTrade } from '../../schemas/anm/trade.ts';
import { Problem } from '../../protocol/problem.ts';
import { tradingEligibility } from './eligibility.ts';
import { agreeTrades, type TradingBasis, type TradingState } from './tradeAgreement.ts';
import { FIGURE_7_TRADES, figure5, figure6, trade } from './testing/bitraderCase.ts';
import { constraintOver, demandBuyer, listOf, lookAheadOf, seller } from './testing/listBuilder.ts';

const anyone = tradingEligibility();

/** The problem document agreeTrades refuses with. */
function refusal(basis: TradingBasis, trades: MatchedTrade[], state?: TradingState) {
  try {
    agreeTrades(basis, state, trades);
  } catch (error) {
    if (error instanceof Problem) return error.toDocument();
    throw error;
  }
  assert.fail('the trades were accepted');
}

describe('agreeing matched trades', () => {
  it("accepts figure 7's trades, resolving constraint, service, resources and UTC period", function () {
    const state = agreeTrades({ lookAhead: figure5(this), list: figure6(this), eligibility: anyone }, undefined, FIGURE_7_TRADES);
    assert.deepEqual(state.terms, { constraintId: 'C1', constraintStart: '2024-10-18T07:00:00Z', start: '2024-10-18T07:00:00Z', end: '2024-10-18T07:30:00Z' });
    assert.equal(state.tradeCount, 2);
    assert.deepEqual(state.trades[0], {
      tradeId: 'T1',
      constraintId: 'C1',
      buyerContractId: 'A1_Buyer',
      buyerResourceId: 'G1_A1',
      sellerContractId: 'Agg_Seller_1',
      sellerResourceId: 'G1_Agg1',
      service: 'demand-turn-down',
      kW: 600,
      start: '2024-10-18T07:00:00Z',
      end: '2024-10-18T07:30:00Z',
      availabilityPrice: { amount: 1500, currency: 'GBP' },
      utilisationPrice: { amount: 9000, currency: 'GBP' },
    });
  });

  it('matches contract ids regardless of case and records the list’s spelling', function () {
    const state = agreeTrades({ lookAhead: figure5(this), list: figure6(this), eligibility: anyone }, undefined, [trade('a3_buyer', 'AGG_SELLER_3', 200)]);
    assert.equal(state.trades[0]!.buyerContractId, 'A3_Buyer');
    assert.equal(state.trades[0]!.sellerContractId, 'Agg_seller_3');
    assert.equal(state.trades[0]!.service, 'generation-turn-up');
  });

  it('adds later trades to those in effect, numbering on, and holds them all within exposure together', function () {
    const basis = { lookAhead: figure5(this), list: figure6(this), eligibility: anyone };
    const first = agreeTrades(basis, undefined, FIGURE_7_TRADES);
    const second = agreeTrades(basis, { ...first, tradeCount: 5 }, [trade('A1_Buyer', 'Agg_Seller_5', 100)]);
    assert.deepEqual(
      second.trades.map((t) => t.tradeId),
      ['T1', 'T2', 'T6'],
    );
    const problem = refusal(basis, [trade('A1_Buyer', 'Agg_Seller_5', 101)], first);
    assert.equal(problem.type, 'urn:flexgate:problem:adapter.overlapping-exposure');
    assert.equal(problem.errors?.[0]?.pointer, '/0/kW');
  });

  it('reports a problem for every invalid trade, each at its pointer', function () {
    const problem = refusal({ lookAhead: figure5(this), list: figure6(this), eligibility: anyone }, [
      trade('A1_Buyer', 'Agg_Seller_1', 100),
      trade('Nobody', 'Agg_Seller_1', 100),
      trade('A2_Buyer', 'A2_Buyer', 100),
      trade('A3_Buyer', 'Agg_Seller_4', 201),
    ]);
    assert.deepEqual(
      problem.errors?.map((e) => [e.type, e.pointer]),
      [
        ['urn:flexgate:problem:adapter.unknown-contract', '/1/buyerContractId'],
        ['urn:flexgate:problem:adapter.wrong-activity', '/2/sellerContractId'],
        ['urn:flexgate:problem:adapter.over-capacity', '/3/kW'],
      ],
    );
  });

  it('takes the service the seller names when both of its capacities would do', () => {
    const list = listOf(demandBuyer('B1', 'R1', 500), seller('S1', 'R2', { mic_kW: 100, mec_kW: 300 }));
    const basis = { lookAhead: lookAheadOf(constraintOver(['R1', 'R2'], 500)), list, eligibility: anyone };
    const state = agreeTrades(basis, undefined, [trade('B1', 'S1', 300, { service: 'generation-turn-up' })]);
    assert.equal(state.trades[0]!.service, 'generation-turn-up');
    // 300 kW of demand turn-down is more than its 100 kW MIC.
    assert.equal(refusal(basis, [trade('B1', 'S1', 300, { service: 'demand-turn-down' })]).type, 'urn:flexgate:problem:adapter.over-capacity');
  });

  it('finds the one constraint with both counterparties behind it when several cover the period', () => {
    const list = listOf(demandBuyer('B1', 'R1', 500), seller('S1', 'R2', { mic_kW: 300 }), seller('S2', 'R3', { mic_kW: 300 }));
    const lookAhead = lookAheadOf(constraintOver(['R1', 'R2'], 500), constraintOver(['R1', 'R3'], 400, { constraintId: 'C2' }));
    const state = agreeTrades({ lookAhead, list, eligibility: anyone }, undefined, [trade('B1', 'S2', 300)]);
    assert.equal(state.terms.constraintId, 'C2');
  });
});
