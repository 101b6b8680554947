import assert from 'node:assert/strict';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import { tradingEligibility } from './eligibility.ts';
import { agreeTrades } from './tradeAgreement.ts';
import { verifyTrades } from './verification.ts';
import { FIGURE_7_TRADES, figure5, figure6 } from './testing/bitraderCase.ts';

/** Figure 5 as it might look on the day: `change` edits its one constraint. */
function onTheDay(context: Mocha.Context, change: (resources: string[]) => { resources: string[]; extra?: object }[]): ConstraintLookAhead {
  const c1 = figure5(context).constraints[0]!;
  return {
    constraints: change(c1.resources.map((r) => r.resourceId)).map((c, k) => ({
      ...c1,
      constraintId: `D${k + 1}`,
      ...c.extra,
      resources: c.resources.map((resourceId) => ({ resourceId })),
    })),
  };
}

describe('trade verification on the day (seed 001 §7.2)', () => {
  const agreed = (context: Mocha.Context) =>
    agreeTrades({ lookAhead: figure5(context), list: figure6(context), eligibility: tradingEligibility() }, undefined, FIGURE_7_TRADES).trades;

  it('keeps every trade while buyer and seller are still behind one constraint, whatever it is now called', function () {
    const result = verifyTrades(
      agreed(this),
      onTheDay(this, (all) => [{ resources: all }]),
      figure6(this),
    );
    assert.deepEqual(
      result.kept.map((t) => t.tradeId),
      ['T1', 'T2'],
    );
    assert.deepEqual(result.cancelled, []);
  });

  it('cancels a trade whose seller is now behind another constraint than its buyer', function () {
    const day = onTheDay(this, (all) => [{ resources: all.filter((r) => r !== 'G1_Agg2') }, { resources: ['G1_Agg2'] }]);
    const result = verifyTrades(agreed(this), day, figure6(this));
    assert.deepEqual(
      result.kept.map((t) => t.tradeId),
      ['T1'],
    );
    assert.deepEqual(
      result.cancelled.map((c) => [c.tradeId, c.reason]),
      [['T2', 'counterparties-separated']],
    );
    assert.match(result.cancelled[0]!.detail, /G1_Agg2 is no longer behind D1 with G1_A2/);
  });

  it('cancels a trade whose buyer is behind no constraint for the period any more', function () {
    const day = onTheDay(this, (all) => [{ resources: all.filter((r) => r !== 'G1_A1') }]);
    assert.deepEqual(
      verifyTrades(agreed(this), day, figure6(this)).cancelled.map((c) => [c.tradeId, c.reason]),
      [['T1', 'buyer-not-constrained']],
    );
  });

  it('cancels trades for a period the day’s constraints no longer cover', function () {
    const day = onTheDay(this, (all) => [{ resources: all, extra: { start: '2024-10-18T07:30:00Z', end: '2024-10-18T08:00:00Z' } }]);
    assert.deepEqual(
      verifyTrades(agreed(this), day, figure6(this)).cancelled.map((c) => c.reason),
      ['buyer-not-constrained', 'buyer-not-constrained'],
    );
  });

  it('cancels a trade whose service no longer relieves the constraint: demand turn-down does nothing for export', function () {
    const day = onTheDay(this, (all) => [{ resources: all, extra: { direction: 'export' } }]);
    assert.deepEqual(
      verifyTrades(agreed(this), day, figure6(this)).cancelled.map((c) => [c.tradeId, c.reason]),
      [
        ['T1', 'service-not-useful'],
        ['T2', 'service-not-useful'],
      ],
    );
  });
});
