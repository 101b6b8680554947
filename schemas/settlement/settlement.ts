import { Type, type Static } from '@sinclair/typebox';
import { UtcInstant } from '../anm/instant.ts';

const WholeKw = Type.Integer({ minimum: -2_000_000_000, maximum: 2_000_000_000 });
const BasisPoints = Type.Integer({ minimum: 0, maximum: 100_000, description: '10 000 = 100 %' });

/** A baseline (gateway/settlement/baselines.ts): net import kW per settlement period, export negative. */
export const BaselineInput = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('nominated'),
      periods: Type.Array(Type.Object({ start: UtcInstant, kW: WholeKw }, { additionalProperties: false }), { maxItems: 50_000 }),
    },
    { additionalProperties: false, description: 'The FSP’s profile, per settlement period starting at `start` (UTC)' },
  ),
  Type.Object(
    { kind: Type.Literal('nominated-csv'), csv: Type.String({ maxLength: 2_000_000, description: 'settlement_date,settlement_period,kW in UK local time' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('fixed-reference'), halfHours_kW: Type.Array(WholeKw, { minItems: 48, maxItems: 48 }) },
    { additionalProperties: false, description: 'One value per UK local half hour of the day' },
  ),
  Type.Object({ kind: Type.Literal('zero') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('asset-capacity') }, { additionalProperties: false }),
]);
export type BaselineInput = Static<typeof BaselineInput>;

/** Interval-ending: the average kW over (end − minutes, end]. */
export const MeterReadingInput = Type.Object(
  { end: UtcInstant, minutes: Type.Integer({ minimum: 1, maximum: 1440 }), kW: WholeKw },
  { additionalProperties: false },
);

export const PerformanceTermsInput = Type.Object(
  {
    graceFactor_bp: BasisPoints,
    slidingScale: Type.Array(
      Type.Object({ from_bp: BasisPoints, multiplier_bp: Type.Union([BasisPoints, Type.Literal('proportional')]) }, { additionalProperties: false }),
      { maxItems: 20 },
    ),
    penalty_bp: Type.Optional(BasisPoints),
  },
  { additionalProperties: false },
);

/** `POST /admin/v1/settlement/dispatches/{eventId}/verification`: readings given (JSON or a CIM MeasurementData document), or else taken from the VENs' USAGE reports on the event. */
export const VerificationRequest = Type.Object(
  {
    baseline: BaselineInput,
    readings: Type.Optional(Type.Array(MeterReadingInput, { minItems: 1, maxItems: 100_000 })),
    measurementData: Type.Optional(
      Type.String({
        maxLength: 10_000_000,
        description: "A MeasurementData_MarketDocument (XML): the metered kW of the dispatch's contract, one value per settlement period",
      }),
    ),
    terms: Type.Optional(PerformanceTermsInput),
  },
  { additionalProperties: false },
);
export type VerificationRequest = Static<typeof VerificationRequest>;
