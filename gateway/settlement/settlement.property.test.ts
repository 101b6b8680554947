import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Asset, Contract } from '../../schemas/registry/registry.ts';
import { energyByPeriod, type MeterReading } from './meterReadings.ts';
import { iso, PERIOD_MS, periodsOnDate, settlementPeriodAt } from './settlementPeriods.ts';
import { verifyDispatch, type PerformanceTerms } from './verification.ts';

const MINUTE = 60_000;
/** Midnight UTC before each 2024 clock change and an ordinary day. */
const DAYS = ['2024-03-30T22:00:00Z', '2024-10-26T22:00:00Z', '2024-06-12T22:00:00Z'].map(Date.parse);

/** Contiguous readings of 1-90 minutes from a minute in a two-day window around a clock change. */
const readingsArbitrary = fc
  .tuple(
    fc.constantFrom(...DAYS),
    fc.integer({ min: 0, max: 24 * 60 }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 90 }), fc.integer({ min: -5000, max: 5000 })), { minLength: 1, maxLength: 80 }),
  )
  .map(([day, offset, spans]) => {
    let end = day + offset * MINUTE;
    return spans.map(([minutes, kW]): MeterReading => {
      end += minutes * MINUTE;
      return { end: new Date(end).toISOString(), minutes, kW };
    });
  });

const asset: Asset = {
  dsoAssetId: 'A',
  resourceId: 'R',
  assetGroupId: 'G',
  energySource: 'battery',
  mic_kW: 800,
  mec_kW: 800,
  connectionPoint: 'P',
  fspPartyId: 'f',
};
const contractWith = (availability: number, utilisation: number): Contract => ({
  contractId: 'C',
  dsoPartyId: 'd',
  fspPartyId: 'f',
  dsoAssetIds: ['A'],
  serviceType: 'sustain',
  availabilityPrice: { amount: availability, currency: 'GBP' },
  utilisationPrice: { amount: utilisation, currency: 'GBP' },
  validFrom: '2024-01-01T00:00:00Z',
  validTo: '2025-01-01T00:00:00Z',
});

describe('Settlement properties', () => {
  it('a clock-change year has one 46-period and one 50-period day; each day numbers its periods 1…N in order', () => {
    const counts = new Map<number, string[]>();
    for (let ms = Date.parse('2024-01-01T00:00:00Z'); ms < Date.parse('2025-01-01T00:00:00Z'); ms += 86_400_000) {
      const date = iso(ms).slice(0, 10);
      const n = periodsOnDate(date);
      counts.set(n, [...(counts.get(n) ?? []), date]);
    }
    assert.deepEqual(counts.get(46), ['2024-03-31']);
    assert.deepEqual(counts.get(50), ['2024-10-27']);
    for (const [date, first] of [
      ['2024-03-31', '2024-03-31T00:00:00Z'],
      ['2024-10-27', '2024-10-26T23:00:00Z'],
    ] as const) {
      const periods = Array.from({ length: periodsOnDate(date) }, (_, k) => settlementPeriodAt(Date.parse(first) + k * PERIOD_MS));
      assert.ok(periods.every((p, k) => p.settlementDate === date && p.period === k + 1));
    }
  });

  it('conserves metered energy when readings are split into settlement periods, clock-change days included', () => {
    fc.assert(
      fc.property(readingsArbitrary, (readings) => {
        const split = energyByPeriod(readings);
        const total = readings.reduce((sum, r) => sum + r.kW * r.minutes, 0);
        assert.equal(
          [...split.values()].reduce((a, b) => a + b, 0),
          total,
        );
        for (const start of split.keys()) assert.equal(start % PERIOD_MS, 0);
      }),
    );
  });

  const dispatchArbitrary = fc.record({
    day: fc.constantFrom(...DAYS),
    firstPeriod: fc.integer({ min: 0, max: 47 }),
    instructions: fc.array(fc.integer({ min: -800, max: 800 }), { minLength: 1, maxLength: 8 }),
    metered: fc.array(fc.integer({ min: -2000, max: 2000 }), { minLength: 8, maxLength: 8 }),
    baseline: fc.integer({ min: -1000, max: 1000 }),
    availability: fc.integer({ min: 0, max: 10_000_000 }),
    utilisation: fc.integer({ min: 0, max: 10_000_000 }),
  });

  type DispatchInput = typeof dispatchArbitrary extends fc.Arbitrary<infer T> ? T : never;
  const verify = (input: DispatchInput, terms?: PerformanceTerms) => {
    const start = input.day + input.firstPeriod * PERIOD_MS;
    return verifyDispatch({
      dispatch: {
        eventId: 'e',
        eventRevision: 1,
        contractId: 'C',
        resourceId: 'R',
        tradeIds: [],
        intervals: input.instructions.map((kW, k) => ({ start: new Date(start + k * PERIOD_MS).toISOString(), minutes: 30, kW })),
      },
      contract: contractWith(input.availability, input.utilisation),
      asset,
      baseline: { kind: 'fixed-reference', halfHours_kW: new Array(48).fill(input.baseline) },
      readings: input.instructions.map((_, k) => ({ end: new Date(start + (k + 1) * PERIOD_MS).toISOString(), minutes: 30, kW: input.metered[k]! })),
      ...(terms ? { terms } : {}),
    });
  };

  it('pays whole minor units, never negative without a penalty, totals the sum of the lines', () => {
    fc.assert(
      fc.property(dispatchArbitrary, (input) => {
        const result = verify(input);
        for (const p of result.periods) {
          for (const amount of [p.availabilityPayment.amount, p.utilisationPayment.amount]) {
            assert.ok(Number.isSafeInteger(amount) && amount >= 0, `${amount}`);
          }
          assert.ok(p.counted_kWmin >= 0 && p.counted_kWmin <= p.instructed_kW * 30);
        }
        assert.equal(
          result.utilisationPayment.amount,
          result.periods.reduce((s, p) => s + p.utilisationPayment.amount, 0),
        );
        assert.ok(result.performanceFactor_bp >= 0 && result.performanceFactor_bp <= 10_000);
      }),
    );
  });

  it('charges (negative amounts) only when a penalty is configured and delivery falls below every band', () => {
    const penalty: PerformanceTerms = { graceFactor_bp: 9500, slidingScale: [{ from_bp: 5000, multiplier_bp: 'proportional' }], penalty_bp: 2000 };
    fc.assert(
      fc.property(dispatchArbitrary, (input) => {
        const result = verify(input, penalty);
        const negative = result.periods.some((p) => p.availabilityPayment.amount < 0 || p.utilisationPayment.amount < 0);
        if (negative) assert.ok(result.performanceFactor_bp < 5000 && result.multiplier_bp === -2000);
        for (const p of result.periods) assert.ok(Number.isSafeInteger(p.availabilityPayment.amount) && Number.isSafeInteger(p.utilisationPayment.amount));
      }),
    );
  });
});
