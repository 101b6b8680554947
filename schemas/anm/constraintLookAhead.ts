import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AnmIdentifier, codeList, DisplayName, kilowatts } from './identifiers.ts';
import { InstantInput, UtcInstant } from './instant.ts';

export const DIRECTIONS = ['import', 'export'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const ConstrainedResource = Type.Object({ resourceId: AnmIdentifier, resourceName: Type.Optional(DisplayName) }, { additionalProperties: false });

function constraintShape<I extends TSchema>(instant: I) {
  return Type.Object(
    {
      constraintId: AnmIdentifier,
      start: instant,
      end: instant,
      size_kW: kilowatts('Capacity the network is short of; must be greater than zero'),
      direction: Type.Optional(codeList(DIRECTIONS, 'import: demand exceeds capacity; export: generation does')),
      resources: Type.Array(ConstrainedResource, { minItems: 1, maxItems: 100_000 }),
    },
    { additionalProperties: false },
  );
}

function lookAheadShape<I extends TSchema>(instant: I) {
  return Type.Object(
    {
      issuedAt: Type.Optional(instant),
      constraints: Type.Array(constraintShape(instant), { minItems: 1, maxItems: 10_000 }),
    },
    { additionalProperties: false },
  );
}

/** A constraint look-ahead as an ANM posts it. */
export const ConstraintLookAheadInput = lookAheadShape(InstantInput);
export type ConstraintLookAheadInput = Static<typeof ConstraintLookAheadInput>;

/** A constraint look-ahead in canonical form: instants in UTC. */
export const ConstraintLookAhead = lookAheadShape(UtcInstant);
export type ConstraintLookAhead = Static<typeof ConstraintLookAhead>;
export type Constraint = ConstraintLookAhead['constraints'][number];
