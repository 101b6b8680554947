import { Type, type Static } from '@sinclair/typebox';
import { AnmIdentifier, kilowatts } from '../../schemas/anm/identifiers.ts';
import { UtcInstant } from '../../schemas/anm/instant.ts';
import { MAX_SETTLEMENT_PERIODS } from './dispatchInstruction.ts';
import { RegisteredAsset } from './registeredAsset.ts';

const perPeriod = (description: string) => Type.Array(kilowatts(description), { minItems: 1, maxItems: MAX_SETTLEMENT_PERIODS });

const VerifiedResource = Type.Object(
  {
    contractId: AnmIdentifier,
    resourceId: AnmIdentifier,
    metered_kW: perPeriod('Metered demand or output, per settlement period'),
    baseline_kW: perPeriod('What the resource would have done without the instruction, per settlement period'),
    registeredAsset: Type.Optional(RegisteredAsset),
  },
  { additionalProperties: false },
);

/**
 * Verification of delivery: metered values against the baseline, per
 * contract and settlement period. Defined here for the
 * MeasurementData_MarketDocument profile until verification (R8) owns an
 * internal model.
 */
export const DeliveryVerification = Type.Object(
  {
    start: UtcInstant,
    end: UtcInstant,
    resources: Type.Array(VerifiedResource, { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type DeliveryVerification = Static<typeof DeliveryVerification>;
