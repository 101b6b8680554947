import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AnmIdentifier, codeList, DisplayName, exactInteger, kilowatts } from './identifiers.ts';
import { InstantInput, UtcInstant } from './instant.ts';

export const OPERATION_TYPES = ['ConstrainedDemand', 'ConstrainedGeneration', 'FlexibleOutputChange'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const ACTIVITIES = ['Buyer', 'Seller'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** Curtailable connections buy relief; non-curtailable flexible ones sell it (seed 000 §3.2). */
export const ACTIVITY_OF_OPERATION: Record<OperationType, Activity> = {
  ConstrainedDemand: 'Buyer',
  ConstrainedGeneration: 'Buyer',
  FlexibleOutputChange: 'Seller',
};

const MeritOrderEntry = Type.Object(
  {
    order: exactInteger(1, 'Position in the list: 1 is curtailed first'),
    contractId: AnmIdentifier,
    resourceId: AnmIdentifier,
    resourceName: Type.Optional(DisplayName),
    operationType: codeList(OPERATION_TYPES),
    value_kW: kilowatts('Instruction: positive for a buyer relieved, negative for a seller taking it on; 0 before trading'),
    mic_kW: kilowatts('Maximum import capacity; must not be negative'),
    mec_kW: kilowatts('Maximum export capacity; must not be negative'),
    activity: codeList(ACTIVITIES, 'Buyer for constrained demand and generation, Seller for flexible output change'),
    traded: Type.Boolean(),
    registered: Type.Boolean(),
    curtailmentIndex: Type.Optional(exactInteger(0)),
  },
  { additionalProperties: false },
);

function meritOrderListShape<I extends TSchema>(instant: I) {
  return Type.Object(
    {
      issuedAt: Type.Optional(instant),
      periodStart: Type.Optional(instant),
      scenario: Type.Optional(exactInteger(0, 'Trading scenario of a re-ordered list')),
      receivedAt: Type.Optional(instant),
      entries: Type.Array(MeritOrderEntry, { minItems: 1, maxItems: 100_000 }),
    },
    { additionalProperties: false },
  );
}

/** A merit order list as an ANM posts it. */
export const MeritOrderListInput = meritOrderListShape(InstantInput);
export type MeritOrderListInput = Static<typeof MeritOrderListInput>;

/** A merit order list in flexgate's canonical form: instants in UTC, entries by order. */
export const MeritOrderList = meritOrderListShape(UtcInstant);
export type MeritOrderList = Static<typeof MeritOrderList>;
export type MeritOrderEntry = Static<typeof MeritOrderEntry>;
