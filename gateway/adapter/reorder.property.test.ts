import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AgreedTrade } from '../../schemas/anm/trade.ts';
import { curtailableCapacity } from './capacityRules.ts';
import { viewConstraint } from './constraintView.ts';
import { tradingEligibility } from './eligibility.ts';
import { reorderMeritOrder, type ReorderedList } from './reorder.ts';
import { agreeTrades } from './tradeAgreement.ts';
import { curtailmentByContract, total } from './testing/anmSimulation.ts';
import { tradingScenario, type TradingScenario } from './testing/tradingScenarios.ts';

const seed = Number(process.env.FLEXGATE_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = { seed, numRuns: 1000 };
const anyone = tradingEligibility();

/** Agrees the scenario's trades (in the order given) and re-orders its list by them. */
function reorder({ list, constraint, trades }: TradingScenario, arrange = (agreed: AgreedTrade[]) => agreed) {
  const agreed = trades.length === 0 ? [] : agreeTrades({ lookAhead: { constraints: [constraint] }, list, eligibility: anyone }, undefined, trades).trades;
  return reorderMeritOrder({
    list,
    view: viewConstraint(constraint, list, anyone),
    trades: arrange(agreed),
    periodStart: constraint.start,
    receivedAt: '2024-10-17T20:08:45Z',
  });
}

/** Curtailment per contract before and after trading, as the ANM would impose it. */
function curtailments(scenario: TradingScenario, reordered: ReorderedList) {
  const { list, constraint } = scenario;
  const direction = viewConstraint(constraint, list, anyone).direction;
  const behind = new Set(constraint.resources.map((r) => r.resourceId));
  const original = new Map(list.entries.map((e) => [e.contractId, direction ? curtailableCapacity(e, direction) : 0]));
  const remainders = new Map(reordered.splits.map((s) => [s.contractId, s.remainder_kW]));
  return {
    before: curtailmentByContract(list, behind, constraint.size_kW, (id) => original.get(id) ?? 0),
    after: curtailmentByContract(reordered.list, behind, constraint.size_kW, (id) => remainders.get(id) ?? original.get(id) ?? 0),
  };
}

describe(`re-ordering properties (fast-check seed ${seed}; rerun with FLEXGATE_PROPERTY_SEED=${seed})`, () => {
  before(() => console.log(`      property seed: ${seed}`));

  it('conserves the total curtailment obligation, and moves none of it but between counterparties', () => {
    fc.assert(
      fc.property(tradingScenario, (scenario) => {
        const reordered = reorder(scenario);
        const { before, after } = curtailments(scenario, reordered);
        assert.equal(total(after), total(before));
        const bought = new Map(reordered.splits.map((s) => [s.splitFrom, s]));
        const sold = new Map<string, number>();
        for (const t of scenario.trades) sold.set(t.sellerContractId, (sold.get(t.sellerContractId) ?? 0) + t.kW);
        for (const [contractId, was] of before) {
          const split = bought.get(contractId);
          if (split) assert.equal(after.get(split.contractId), was - split.relieved_kW, `${contractId}'s remainder`);
          else if (sold.has(contractId)) assert.equal(after.get(contractId), sold.get(contractId), `${contractId} sold`);
          else assert.equal(after.get(contractId), was, `${contractId} did not trade`);
        }
      }),
      runs,
    );
  });

  it('keeps every original contract once, unchanged but for order, value and flag; split parts add up to the original', () => {
    fc.assert(
      fc.property(tradingScenario, (scenario) => {
        const reordered = reorder(scenario);
        const { list } = scenario;
        const direction = viewConstraint(scenario.constraint, list, anyone).direction;
        const strip = ({ order: _order, value_kW: _value, traded: _traded, contractId: _id, ...fixed }: (typeof list.entries)[number]) => fixed;
        assert.equal(reordered.list.entries.length, list.entries.length + reordered.splits.length);
        assert.deepEqual(
          reordered.list.entries.map((e) => e.order),
          reordered.list.entries.map((_, k) => k + 1),
        );
        for (const original of list.entries) {
          const kept = reordered.list.entries.filter((e) => e.contractId === original.contractId);
          assert.equal(kept.length, 1);
          assert.deepEqual(strip(kept[0]!), strip(original));
        }
        for (const split of reordered.splits) {
          const original = list.entries.find((e) => e.contractId === split.splitFrom)!;
          const part = reordered.list.entries.find((e) => e.contractId === split.contractId)!;
          assert.deepEqual(strip(part), strip(original));
          assert.equal(part.value_kW, 0);
          assert.equal(split.relieved_kW + split.remainder_kW, curtailableCapacity(original, direction!));
        }
      }),
      runs,
    );
  });

  it('never moves a non-trading resource relative to another non-trading resource', () => {
    fc.assert(
      fc.property(tradingScenario, (scenario) => {
        const reordered = reorder(scenario);
        const contractsOf = new Map(scenario.list.entries.map((e) => [e.contractId, e.resourceId]));
        const trading = new Set(scenario.trades.flatMap((t) => [contractsOf.get(t.buyerContractId), contractsOf.get(t.sellerContractId)]));
        const sequence = (entries: readonly { contractId: string; resourceId: string }[]) =>
          entries.filter((e) => !trading.has(e.resourceId)).map((e) => e.contractId);
        assert.deepEqual(sequence(reordered.list.entries), sequence(scenario.list.entries));
      }),
      runs,
    );
  });

  it('is deterministic: the same list and trades, in any order, give the same list', () => {
    fc.assert(
      fc.property(tradingScenario, (scenario) => {
        const once = reorder(scenario);
        assert.deepEqual(reorder(scenario), once);
        assert.deepEqual(
          reorder(scenario, (agreed) => [...agreed].reverse()),
          once,
        );
      }),
      runs,
    );
  });
});
