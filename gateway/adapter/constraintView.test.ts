import assert from 'node:assert/strict';
import { viewConstraint } from './constraintView.ts';
import { tradingEligibility } from './eligibility.ts';
import { figure5, figure6 } from './testing/bitraderCase.ts';
import { constraintOver, demandBuyer, generationBuyer, listOf, seller } from './testing/listBuilder.ts';

const anyone = tradingEligibility();

describe('constraint filtering (seed 001 §5.1.1)', () => {
  describe('figure 5 against figure 6', () => {
    it('identifies the constraint: 2000 kW, 07:00-07:30Z, 30 minutes, import (implied: every buyer behind it is constrained demand)', function () {
      const view = viewConstraint(figure5(this).constraints[0]!, figure6(this), anyone);
      assert.equal(view.constraint.size_kW, 2000);
      assert.equal(view.constraint.start, '2024-10-18T07:00:00Z');
      assert.equal(view.constraint.end, '2024-10-18T07:30:00Z');
      assert.equal(view.duration_min, 30);
      assert.equal(view.direction, 'import');
      assert.deepEqual(
        view.resources.map((r) => [r.resourceId, r.registered, r.contractIds]),
        [
          ['G1_A1', true, ['A1_Buyer']],
          ['G1_A2', true, ['A2_Buyer']],
          ['G1_A3', true, ['A3_Buyer']],
          ['G1_A4', true, ['A4_Buyer']],
          ['G1_A5', true, ['A5_Buyer']],
          ['G1_Agg1', true, ['Agg_Seller_1']],
          ['G1_Agg2', true, ['Agg_Seller_2']],
          ['G1_Agg3', true, ['Agg_seller_3']],
          ['G1_Agg4', true, ['Agg_Seller_4']],
          ['G1_Agg5', true, ['Agg_Seller_5']],
        ],
      );
    });

    it('exposes each buyer by the constraint size less the MIC ahead of it: all five in full, 2000 kW in all', function () {
      const view = viewConstraint(figure5(this).constraints[0]!, figure6(this), anyone);
      const buyers = view.entries.filter((e) => e.entry.activity === 'Buyer');
      assert.deepEqual(
        buyers.map((b) => [b.position, b.entry.contractId, b.curtailable_kW, b.ahead_kW, b.exposure_kW, b.exclusion]),
        [
          [1, 'A1_Buyer', 700, 0, 700, undefined],
          [2, 'A2_Buyer', 500, 700, 500, undefined],
          [3, 'A3_Buyer', 200, 1200, 200, undefined],
          [4, 'A4_Buyer', 400, 1400, 400, undefined],
          [5, 'A5_Buyer', 200, 1800, 200, undefined],
        ],
      );
    });

    it('gives each seller the services that relieve an import constraint, bounded by MIC (demand) and MEC (generation)', function () {
      const view = viewConstraint(figure5(this).constraints[0]!, figure6(this), anyone);
      const sellers = view.entries.filter((e) => e.entry.activity === 'Seller');
      assert.deepEqual(
        sellers.map((s) => [s.entry.contractId, s.curtailable_kW, s.exposure_kW, s.services, s.exclusion]),
        [
          ['Agg_Seller_1', 0, 0, [{ service: 'demand-turn-down', headroom_kW: 600 }], undefined],
          ['Agg_Seller_2', 0, 0, [{ service: 'demand-turn-down', headroom_kW: 500 }], undefined],
          ['Agg_seller_3', 0, 0, [{ service: 'generation-turn-up', headroom_kW: 200 }], undefined],
          ['Agg_Seller_4', 0, 0, [{ service: 'generation-turn-up', headroom_kW: 500 }], undefined],
          ['Agg_Seller_5', 0, 0, [{ service: 'demand-turn-down', headroom_kW: 200 }], undefined],
        ],
      );
    });

    it('a smaller constraint reaches A4 in part and A5 not at all', function () {
      const c1 = { ...figure5(this).constraints[0]!, size_kW: 1500 };
      const view = viewConstraint(c1, figure6(this), anyone);
      assert.deepEqual(
        view.entries.slice(0, 5).map((b) => [b.entry.contractId, b.exposure_kW, b.exclusion]),
        [
          ['A1_Buyer', 700, undefined],
          ['A2_Buyer', 500, undefined],
          ['A3_Buyer', 200, undefined],
          ['A4_Buyer', 100, undefined],
          ['A5_Buyer', 0, 'not-exposed'],
        ],
      );
    });
  });

  describe('which contracts may trade', () => {
    const list = listOf(
      demandBuyer('Unregistered', 'R1', 300, { registered: false }),
      demandBuyer('Flex_Service', 'R2', 200),
      demandBuyer('R2_Tradeable', 'R2', 100),
      demandBuyer('Elsewhere', 'R9', 400),
      seller('Seller_Flex', 'R3', { mic_kW: 50 }),
      seller('Seller_Nothing', 'R4', { mic_kW: 0, mec_kW: 0 }),
    );
    const c1 = constraintOver(['R1', 'R2', 'R3', 'R4', 'R5'], 550);
    const view = viewConstraint(c1, list, tradingEligibility(['flex_service', 'SELLER_FLEX']));

    it('keeps only contracts whose resource is behind the constraint', () => {
      assert.deepEqual(
        view.entries.map((e) => e.entry.contractId),
        ['Unregistered', 'Flex_Service', 'R2_Tradeable', 'Seller_Flex', 'Seller_Nothing'],
      );
    });

    it('excludes contracts not signed up and flexible-service contracts (ids matched regardless of case), judging each contract of a resource on its own', () => {
      assert.deepEqual(
        view.entries.map((e) => [e.entry.contractId, e.exclusion ?? 'tradeable']),
        [
          ['Unregistered', 'not-registered'],
          ['Flex_Service', 'flexible-service'],
          ['R2_Tradeable', 'tradeable'],
          ['Seller_Flex', 'flexible-service'],
          ['Seller_Nothing', 'no-headroom'],
        ],
      );
    });

    it('still counts excluded buyers as ahead: the ANM curtails them all the same', () => {
      const r2 = view.entries.find((e) => e.entry.contractId === 'R2_Tradeable')!;
      assert.equal(r2.ahead_kW, 500);
      assert.equal(r2.exposure_kW, 50);
    });

    it('reports resources behind the constraint with no contract in the list as not registered', () => {
      assert.deepEqual(
        view.resources.find((r) => r.resourceId === 'R5'),
        { resourceId: 'R5', registered: false, contractIds: [] },
      );
      assert.equal(view.resources.find((r) => r.resourceId === 'R1')!.registered, false);
      assert.equal(view.resources.find((r) => r.resourceId === 'R2')!.registered, true);
    });
  });

  describe('direction', () => {
    const list = listOf(demandBuyer('Demand', 'D1', 300), generationBuyer('Generation', 'G1', 400), seller('Both', 'S1', { mic_kW: 70, mec_kW: 90 }));

    it('an export constraint curtails generation by its MEC; demand is not curtailed by it', () => {
      const view = viewConstraint(constraintOver(['D1', 'G1', 'S1'], 1000, { direction: 'export' }), list, anyone);
      assert.deepEqual(
        view.entries.map((e) => [e.entry.contractId, e.curtailable_kW, e.exposure_kW, e.exclusion]),
        [
          ['Demand', 0, 0, 'not-curtailed'],
          ['Generation', 400, 400, undefined],
          ['Both', 0, 0, undefined],
        ],
      );
      assert.deepEqual(view.entries[2]!.services, [
        { service: 'demand-turn-up', headroom_kW: 70 },
        { service: 'generation-turn-down', headroom_kW: 90 },
      ]);
    });

    it('is unknown when not given and the buyers behind it are of both kinds: nobody may trade', () => {
      const view = viewConstraint(constraintOver(['D1', 'G1', 'S1'], 1000), list, anyone);
      assert.equal(view.direction, undefined);
      assert.deepEqual(
        view.entries.map((e) => e.exclusion),
        ['direction-unknown', 'direction-unknown', 'direction-unknown'],
      );
    });
  });
});
