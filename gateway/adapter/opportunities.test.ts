import assert from 'node:assert/strict';
import { ConstraintOpportunities } from '../../schemas/anm/trade.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { tradingEligibility } from './eligibility.ts';
import { tradingOpportunities } from './opportunities.ts';
import { agreeTrades } from './tradeAgreement.ts';
import { FIGURE_7_TRADES, figure5, figure6 } from './testing/bitraderCase.ts';

const validate = compileValidator(ConstraintOpportunities);
const anyone = tradingEligibility();

describe('trading opportunities', () => {
  it('offers figure 6’s buyers their exposure and its sellers their headroom under C1, as the wire schema says', function () {
    const [c1] = tradingOpportunities(figure5(this), figure6(this), anyone);
    validate(c1);
    assert.deepEqual(
      { ...c1!, resources: c1!.resources.length, meritOrder: c1!.meritOrder.length, opportunities: c1!.opportunities.length },
      {
        constraintId: 'C1',
        start: '2024-10-18T07:00:00Z',
        end: '2024-10-18T07:30:00Z',
        duration_min: 30,
        size_kW: 2000,
        direction: 'import',
        resources: 10,
        meritOrder: 10,
        opportunities: 10,
      },
    );
    assert.deepEqual(
      c1!.opportunities.map((o) => [o.opportunity, o.contractId, o.service ?? '', o.position ?? '', o.ahead_kW ?? '', o.capacity_kW]),
      [
        ['buy', 'A1_Buyer', '', 1, 0, 700],
        ['buy', 'A2_Buyer', '', 2, 700, 500],
        ['buy', 'A3_Buyer', '', 3, 1200, 200],
        ['buy', 'A4_Buyer', '', 4, 1400, 400],
        ['buy', 'A5_Buyer', '', 5, 1800, 200],
        ['sell', 'Agg_Seller_1', 'demand-turn-down', '', '', 600],
        ['sell', 'Agg_Seller_2', 'demand-turn-down', '', '', 500],
        ['sell', 'Agg_seller_3', 'generation-turn-up', '', '', 200],
        ['sell', 'Agg_Seller_4', 'generation-turn-up', '', '', 500],
        ['sell', 'Agg_Seller_5', 'demand-turn-down', '', '', 200],
      ],
    );
    assert.deepEqual(c1!.opportunities[0], {
      opportunity: 'buy',
      contractId: 'A1_Buyer',
      resourceId: 'G1_A1',
      resourceName: 'Asset_1',
      constraintId: 'C1',
      start: '2024-10-18T07:00:00Z',
      end: '2024-10-18T07:30:00Z',
      size_kW: 2000,
      direction: 'import',
      position: 1,
      ahead_kW: 0,
      capacity_kW: 700,
      traded_kW: 0,
    });
  });

  it('takes trades in effect off what is left to trade', function () {
    const lookAhead = figure5(this);
    const list = figure6(this);
    const { trades } = agreeTrades({ lookAhead, list, eligibility: anyone }, undefined, FIGURE_7_TRADES);
    const [c1] = tradingOpportunities(lookAhead, list, anyone, trades);
    const left = Object.fromEntries(c1!.opportunities.map((o) => [o.contractId, [o.traded_kW, o.capacity_kW]]));
    assert.deepEqual(left.A1_Buyer, [600, 100]);
    assert.deepEqual(left.A2_Buyer, [500, 0]);
    assert.deepEqual(left.Agg_Seller_1, [600, 0]);
    assert.deepEqual(left.A3_Buyer, [0, 200]);
  });

  it('lists an excluded contract in the constraint-specific list but offers it nothing', function () {
    const [c1] = tradingOpportunities(figure5(this), figure6(this), tradingEligibility(['Agg_Seller_4']));
    const entry = c1!.meritOrder.find((e) => e.contractId === 'Agg_Seller_4');
    assert.equal(entry?.tradeable, false);
    assert.equal(entry?.exclusion, 'flexible-service');
    assert.ok(!c1!.opportunities.some((o) => o.contractId === 'Agg_Seller_4'));
  });
});
