import { Type, type Static } from '@sinclair/typebox';
import { AnmIdentifier, codeList, kilowatts } from '../../schemas/anm/identifiers.ts';
import { UtcInstant } from '../../schemas/anm/instant.ts';
import { OPERATION_TYPES } from '../../schemas/anm/meritOrderList.ts';
import { RegisteredAsset } from './registeredAsset.ts';

/** A settlement day has at most 50 half-hours (the day clocks go back). */
export const MAX_SETTLEMENT_PERIODS = 50;

const Instruction = Type.Object(
  {
    contractId: AnmIdentifier,
    resourceId: AnmIdentifier,
    operationType: codeList(OPERATION_TYPES),
    values_kW: Type.Array(kilowatts('Instructed change for one settlement period, with the merit order list sign convention'), {
      minItems: 1,
      maxItems: MAX_SETTLEMENT_PERIODS,
    }),
    registeredAsset: Type.Optional(RegisteredAsset),
  },
  { additionalProperties: false },
);

/**
 * A dispatch (activation) instruction: what each contract of a traded merit
 * order list must deliver, per settlement period of the window. Defined here
 * for the Activation_MarketDocument profile until the dispatch service (R3)
 * owns an internal model.
 */
export const DispatchInstruction = Type.Object(
  {
    start: UtcInstant,
    end: UtcInstant,
    basedOn: Type.Optional(
      Type.Object(
        { mRID: AnmIdentifier, revisionNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })) },
        { additionalProperties: false, description: 'The merit order list document the instructions come from' },
      ),
    ),
    instructions: Type.Array(Instruction, { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type DispatchInstruction = Static<typeof DispatchInstruction>;
