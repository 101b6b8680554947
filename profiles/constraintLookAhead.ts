import { ConstraintLookAhead, DIRECTIONS } from '../schemas/anm/constraintLookAhead.ts';
import { flatHeader } from './common/header.ts';
import { gbDomain } from './common/area.ts';
import {
  Identifier35,
  IntervalBound,
  KilowattUnit,
  Kilowatts,
  Position,
  RedispatchProcess,
  Resolution,
  ResourceCodingScheme,
  ResourceIdentifier,
  SequentialCurve,
} from './common/types.ts';
import { derived, fixed, itemField, positionInSequence } from './machinery/bindings.ts';
import { CodecError, epochOf, formatInstant, kilowattsCodec, oneOfCodec, intervalInstantCodec, textCodec, utcInstantCodec } from './machinery/codecs.ts';
import { codingScheme, group, isFields, leaf, setField, type Fact, type Fields, type Profile, type Scope } from './machinery/declaration.ts';
import { DocumentHeader } from './models/documentHeader.ts';
import { complementaryFacts, fieldFact } from './machinery/reasonKinds.ts';
import { eachOf, once, settlementPeriods, type Interval } from './machinery/repetitions.ts';
import { reasonElement } from './common/reasons.ts';
import { codeType, simpleType } from './machinery/simpleType.ts';

const NetworkConstraintDocument = codeType('NetworkConstraintDocument', 'Document type', [{ code: 'B15', title: 'Network constraint document' }]);
const ConstraintSituation = codeType('ConstraintSituation', 'Business type', [{ code: 'B37', title: 'Constraint situation' }]);
const PreventiveApplication = codeType('PreventiveApplication', 'How the remedial action applies', [
  { code: 'A18', title: 'Preventive: curtailment planned before the constraint occurs' },
]);
const ResourceObject = codeType('ResourceObject', 'Kind of resource', [{ code: 'A03', title: 'Resource object (produces or consumes)' }]);
const ActiveStatus = codeType('ActiveStatus', 'Status of a resource', [{ code: 'A05', title: 'Active' }]);
const ConstraintName = simpleType({ name: 'ConstraintName', base: 'xs:string', minLength: 1, maxLength: 60, description: 'The ANM constraint id' });
const ResourceName = simpleType({ name: 'ResourceName', base: 'xs:string', minLength: 1, maxLength: 200, description: 'Display name of a resource' });

function constraintInterval(constraint: Fields): Interval | undefined {
  const start = typeof constraint.start === 'string' ? epochOf(constraint.start) : undefined;
  const end = typeof constraint.end === 'string' ? epochOf(constraint.end) : undefined;
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** The look-ahead's horizon: earliest start to latest end of its constraints. */
function horizon(scope: Scope): Interval | undefined {
  const constraints = scope.root.constraints;
  if (!Array.isArray(constraints)) return undefined;
  let start = Infinity;
  let end = -Infinity;
  for (const constraint of constraints) {
    const interval = isFields(constraint) ? constraintInterval(constraint) : undefined;
    if (!interval) return undefined;
    start = Math.min(start, interval.start);
    end = Math.max(end, interval.end);
  }
  return Number.isFinite(start) ? { start, end } : undefined;
}

/** `issuedAt` belongs to the document, which has no Reason of its own: it rides on the first TimeSeries. */
const issuedAtFact: Fact = {
  key: 'issuedAt',
  describe: 'document `issuedAt`, on the first TimeSeries only: UTC instant as stored',
  target: { on: 'root', key: 'issuedAt' },
  write(scope) {
    const issuedAt = scope.root.issuedAt;
    if (scope.position !== 1 || issuedAt === undefined) return undefined;
    if (!utcInstantCodec.accepts(issuedAt)) throw new CodecError('issuedAt is not a UTC instant');
    return utcInstantCodec.write(issuedAt);
  },
  read(value, scope, state, path) {
    if (scope.position !== 1) return state.issue(path, 'issuedAt belongs on the first TimeSeries only');
    try {
      setField(scope.root, 'issuedAt', utcInstantCodec.read(value));
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      state.issue(path, `issuedAt: ${error.message}`);
    }
  },
};

const registeredResource = group('RegisteredResource', eachOf('resources', { min: 1 }), 'A resource whose curtailment can relieve the constraint', [
  leaf('mRID', ResourceIdentifier, itemField('resourceId', textCodec), {
    meaning: 'ANM resource id',
    attribute: codingScheme(ResourceCodingScheme, fixed(ResourceCodingScheme)),
  }),
  leaf('name', ResourceName, itemField('resourceName', textCodec), { meaning: 'Display name of the resource', optional: true }),
  leaf('pSRType.psrType', ResourceObject, fixed(ResourceObject), { meaning: 'Kind of resource (the look-ahead does not say which)' }),
  group('Shared_Domain', once(), 'Area the resource is in', [gbDomain('mRID', 'Area id')]),
  leaf('marketObjectStatus.status', ActiveStatus, fixed(ActiveStatus), { meaning: 'Status of the resource' }),
]);

const constraintSeriesId = (meaning: string) => leaf('mRID', Identifier35, positionInSequence('constraint', 1), { meaning });

const constraintSeries = group('Constraint_TimeSeries', once(), 'The constraint as it stands in this settlement period', [
  constraintSeriesId('Series id: the constraint position'),
  leaf('businessType', ConstraintSituation, fixed(ConstraintSituation), { meaning: 'A constraint situation' }),
  leaf('name', ConstraintName, itemField('constraintId', textCodec), { meaning: 'ANM constraint id (up to 60 characters; mRIDs here allow 35)' }),
  group('ExternalConstraint_Series', once(), 'How much capacity the network is short of', [
    constraintSeriesId('Series id: the constraint position'),
    leaf('businessType', ConstraintSituation, fixed(ConstraintSituation), { meaning: 'A constraint situation' }),
    leaf('measurement_Unit.name', KilowattUnit, fixed(KilowattUnit), { meaning: 'Unit of the quantity' }),
    gbDomain('in_Domain.mRID', 'Area of the constraint'),
    gbDomain('out_Domain.mRID', 'Area of the constraint'),
    leaf('quantity.quantity', Kilowatts, itemField('size_kW', kilowattsCodec), { meaning: 'Constraint size in kW' }),
  ]),
  group('RemedialAction_Series', once(), 'Curtailment of the resources behind the constraint relieves it', [
    constraintSeriesId('Series id: the constraint position'),
    leaf('applicationMode_MarketObjectStatus.status', PreventiveApplication, fixed(PreventiveApplication), { meaning: 'Planned ahead of the constraint' }),
    registeredResource,
  ]),
]);

export const constraintLookAheadProfile = {
  id: 'constraint-look-ahead' as const,
  title: 'Constraint look-ahead ⇄ ConstraintNetworkElement_MarketDocument',
  summary:
    "A constraint look-ahead from the ANM as an IEC 62325-451 network constraint document (type B15, process A41, businessType B37). Each constraint is one TimeSeries: its Period is the constraint's start and end, with one Point per settlement period, and every Point carries the constraint (name = ANM constraint id), its size (ExternalConstraint_Series, kW) and the resources whose curtailment relieves it (RemedialAction_Series).",
  fileStem: 'constraintLookAhead',
  root: 'ConstraintNetworkElement_MarketDocument',
  namespace: 'urn:iec62325.351:tc57wg16:451-n:constraintnetworkelementdocument:1:0',
  official: { file: 'iec62325-451-n-constraintelement_v1_0.xsd', document: 'ConstraintNetworkElement_MarketDocument 1.0' },
  model: ConstraintLookAhead,
  modelName: '`ConstraintLookAhead` (`schemas/anm/constraintLookAhead.ts`)',
  header: DocumentHeader,
  children: [
    ...flatHeader({ id: Identifier35, messageType: NetworkConstraintDocument, processType: RedispatchProcess }),
    group('time_Period.timeInterval', once(), 'Horizon of the look-ahead', [
      leaf(
        'start',
        IntervalBound,
        derived('earliest constraint start', (scope) => mapInterval(horizon(scope), 'start')),
        { meaning: 'Start of the horizon' },
      ),
      leaf(
        'end',
        IntervalBound,
        derived('latest constraint end', (scope) => mapInterval(horizon(scope), 'end')),
        { meaning: 'End of the horizon' },
      ),
    ]),
    group('TimeSeries', eachOf('constraints', { min: 1 }), 'One constraint', [
      leaf('mRID', Identifier35, positionInSequence('constraint'), { meaning: 'Series id: the constraint position' }),
      leaf('businessType', ConstraintSituation, fixed(ConstraintSituation), { meaning: 'A constraint situation' }),
      leaf('curveType', SequentialCurve, fixed(SequentialCurve), { meaning: 'One value per settlement period' }),
      group('Period', once(), 'When the constraint holds', [
        group('timeInterval', once(), 'Start and end of the constraint', [
          leaf('start', IntervalBound, itemField('start', intervalInstantCodec), { meaning: 'Constraint start' }),
          leaf('end', IntervalBound, itemField('end', intervalInstantCodec), { meaning: 'Constraint end' }),
        ]),
        leaf('resolution', Resolution, fixed(Resolution), { meaning: 'Settlement period' }),
        group(
          'Point',
          settlementPeriods({
            describe: 'one per settlement period of the constraint, each repeating the constraint',
            interval: (scope) => constraintInterval(scope.item),
            replicate: true,
          }),
          'The constraint in one settlement period',
          [leaf('position', Position, positionInSequence('settlement period'), { meaning: 'Settlement period within the constraint' }), constraintSeries],
        ),
      ]),
      reasonElement('LookAheadReasonCode', 'Complementary information about the constraint', [
        complementaryFacts([issuedAtFact, fieldFact('item', 'direction', oneOfCodec(DIRECTIONS))]),
      ]),
    ]),
  ],
  rules: [
    'Every constraint starts and ends on the half-hour settlement grid and ends after it starts; an instant off the grid is refused, never rounded.',
    'TimeSeries k, and the Constraint_TimeSeries, ExternalConstraint_Series and RemedialAction_Series inside it, have mRID k (the constraint position): the ANM constraint id, up to 60 characters, travels in Constraint_TimeSeries/name because mRIDs of this document allow 35.',
    'time_Period.timeInterval runs from the earliest constraint start to the latest constraint end.',
    'A constraint has one Point per settlement period (point count = interval / PT30M), positions 1, 2, 3…, and every Point carries the same Constraint_TimeSeries.',
    "The look-ahead's `issuedAt` travels as an A95 fact on the first TimeSeries only; a constraint's `direction` as an A95 fact on its own TimeSeries.",
    'On acceptance the ANM look-ahead rules apply as well (positive size, no constraint twice for one period, no resource twice under a constraint).',
  ],
} satisfies Profile<typeof ConstraintLookAhead, typeof DocumentHeader>;

function mapInterval(interval: Interval | undefined, bound: keyof Interval): string | undefined {
  return interval === undefined ? undefined : intervalInstantCodec.write(formatInstant(interval[bound]));
}
