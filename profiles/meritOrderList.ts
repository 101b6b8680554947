import { ACTIVITIES } from '../schemas/anm/meritOrderList.ts';
import { flatHeader } from './common/header.ts';
import { reasonElement } from './common/reasons.ts';
import { registeredAssetReasons } from './common/registeredAsset.ts';
import { gbDomain } from './common/area.ts';
import { EitherDirection, OperationBusinessType, operationTypeCodec } from './common/operationType.ts';
import {
  Identifier60,
  IntervalBound,
  KilowattUnit,
  Kilowatts,
  Position,
  RedispatchProcess,
  Resolution,
  ResourceCodingScheme,
  ResourceIdentifier,
} from './common/types.ts';
import { derived, fixed, itemField, positionInSequence } from './machinery/bindings.ts';
import {
  CodecError,
  SETTLEMENT_PERIOD_MS,
  booleanCodec,
  integerCodec,
  intervalInstantCodec,
  intervalText,
  kilowattsCodec,
  oneOfCodec,
  textCodec,
  utcInstantCodec,
  epochOf,
} from './machinery/codecs.ts';
import { codingScheme, group, leaf, setField, type Fact, type LeafBinding, type Profile, type Scope } from './machinery/declaration.ts';
import { complementaryFacts, complementaryText, fieldFact, flagReason } from './machinery/reasonKinds.ts';
import { eachOf, once, settlementPeriods, type Interval } from './machinery/repetitions.ts';
import { codeType } from './machinery/simpleType.ts';
import { DocumentHeader } from './models/documentHeader.ts';
import { MeritOrderListDocument } from './models/meritOrderListDocument.ts';

const MolDocument = codeType('MolDocument', 'Document type', [{ code: 'A43', title: 'MOL document' }]);
const AvailableStatus = codeType('AvailableStatus', 'Status of the bid', [{ code: 'A06', title: 'Available' }]);
const FlexibilityTrading = codeType(
  'FlexibilityTrading',
  'The auction: local flexibility trading on the DSO merit order',
  [{ code: 'ANM-FLEXIBILITY-TRADING', title: 'Trading of curtailment obligations in the ANM merit order' }],
  'xs:string',
);

const PERIOD_START_UNSTATED = 'unstated';
const UNSTATED_VAR = 'meritOrderList.periodStartUnstated';

/** The settlement period in which the document was created: the period of a list whose ANM gave none. */
function creationPeriodStart(scope: Scope): number | undefined {
  const created = scope.header.createdDateTime;
  const epoch = typeof created === 'string' ? epochOf(created) : undefined;
  return epoch === undefined ? undefined : epoch - (epoch % SETTLEMENT_PERIOD_MS);
}

/** The list's settlement period: from `periodStart`, else the one the document was created in. */
function listPeriod(scope: Scope): Interval | undefined {
  const stated = scope.root.periodStart;
  const start = typeof stated === 'string' ? epochOf(stated) : creationPeriodStart(scope);
  return start === undefined ? undefined : { start, end: start + SETTLEMENT_PERIOD_MS };
}

const periodBound = (bound: keyof Interval): LeafBinding =>
  derived(
    `${bound} of the list's settlement period`,
    (scope) => {
      const period = listPeriod(scope);
      return period === undefined ? undefined : intervalText(period[bound]);
    },
    { from: 'document' },
  );

/**
 * `period.timeInterval/start` carries `periodStart`. ESMP requires the
 * interval, the ANM does not always give one: then the interval is the
 * settlement period of `createdDateTime` and an A95 fact `periodStart=unstated`
 * says so, which keeps the model's "no period" intact.
 */
const periodStartBinding: LeafBinding = {
  describe: 'document `periodStart` (when unstated: the settlement period of `createdDateTime`)',
  target: { on: 'root', key: 'periodStart' },
  write(scope) {
    const stated = scope.root.periodStart;
    if (stated === undefined) {
      const start = creationPeriodStart(scope);
      return start === undefined ? undefined : intervalText(start);
    }
    if (!intervalInstantCodec.accepts(stated)) throw new CodecError('periodStart is not a UTC instant');
    return intervalInstantCodec.write(stated);
  },
  read(text, scope, state, path) {
    let start: string;
    try {
      start = intervalInstantCodec.read(text);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      return state.issue(path, error.message);
    }
    state.afterRead(() => {
      if (state.vars.get(UNSTATED_VAR) !== true) return setField(scope.root, 'periodStart', start);
      const expected = creationPeriodStart(scope);
      if (expected !== undefined && epochOf(start) !== expected) {
        state.issue(
          path,
          `with periodStart=${PERIOD_START_UNSTATED} the period must be the settlement period of createdDateTime, starting ${intervalText(expected)}`,
        );
      }
    });
  },
};

const periodStartUnstatedFact: Fact = {
  key: 'periodStart',
  describe: `\`${PERIOD_START_UNSTATED}\` when the document has no \`periodStart\` (the interval is then the settlement period of createdDateTime)`,
  write: (scope) => (scope.root.periodStart === undefined ? PERIOD_START_UNSTATED : undefined),
  read(value, _scope, state, path) {
    if (value !== PERIOD_START_UNSTATED)
      return state.issue(path, `periodStart can only be "${PERIOD_START_UNSTATED}" here; a stated start goes in period.timeInterval`);
    state.vars.set(UNSTATED_VAR, true);
  },
};

/** `priority` is the merit order, which is also the order of the TimeSeries. */
const orderBinding: LeafBinding = {
  describe: '`order` (= position of the TimeSeries)',
  target: { on: 'item', key: 'order' },
  write(scope) {
    const order = scope.item.order;
    if (order !== scope.position) throw new CodecError(`entry ${scope.position} has order ${String(order)}: entries must be listed in merit order 1..n`);
    return String(order);
  },
  read(text, scope, state, path) {
    const order = Number(text);
    scope.item.order = order;
    if (order !== scope.position) state.issue(path, `is ${text} but the merit order must follow the TimeSeries: expected ${scope.position}`);
  },
};

const wholeNumber = integerCodec(0, Number.MAX_SAFE_INTEGER);

const interval = (meaning: string) =>
  group('timeInterval', once(), meaning, [
    leaf('start', IntervalBound, periodBound('start'), { meaning: 'Start of the settlement period' }),
    leaf('end', IntervalBound, periodBound('end'), { meaning: 'End of the settlement period' }),
  ]);

export const meritOrderListProfile = {
  id: 'merit-order-list' as const,
  title: 'Merit order list ⇄ MeritOrderList_MarketDocument',
  summary:
    'A merit order list from the ANM, original or traded, as an IEC 62325-451 MOL document (type A43, process A41). Each entry is one TimeSeries in merit order: contract, resource, operation type and the instructed value; MIC, MEC, activity, registration, curtailment index, resource name and the registered asset behind the resource (DSO asset id, asset group, energy source with its ENTSO-E PsrType) travel as complementary information (reason A95), and a traded entry carries reason A73. A traded list is the next revision (same mRID, revisionNumber + 1) of the original.',
  fileStem: 'meritOrderList',
  root: 'MeritOrderList_MarketDocument',
  namespace: 'urn:iec62325.351:tc57wg16:451-7:moldocument:7:3',
  official: { file: 'iec62325-451-7-moldocument_v7_3.xsd', document: 'MeritOrderList_MarketDocument 7.3' },
  model: MeritOrderListDocument,
  modelName:
    '`MeritOrderListDocument` (`profiles/models/meritOrderListDocument.ts`: `MeritOrderList` of `schemas/anm/meritOrderList.ts`, entries with their registered asset)',
  header: DocumentHeader,
  children: [
    ...flatHeader({ id: Identifier60, messageType: MolDocument, processType: RedispatchProcess }),
    group('period.timeInterval', once(), 'The settlement period the list applies to', [
      leaf('start', IntervalBound, periodStartBinding, { meaning: 'Start of the settlement period' }),
      leaf('end', IntervalBound, periodBound('end'), { meaning: 'End of the settlement period' }),
    ]),
    group('TimeSeries', eachOf('entries', { min: 1 }), 'One entry of the merit order list', [
      leaf('marketAgreement.mRID', Identifier60, itemField('contractId', textCodec), { meaning: 'ANM contract id' }),
      leaf('priority', Position, orderBinding, { meaning: 'Merit order: 1 is curtailed first' }),
      leaf('registeredResource.mRID', ResourceIdentifier, itemField('resourceId', textCodec), {
        meaning: 'ANM resource id',
        attribute: codingScheme(ResourceCodingScheme, fixed(ResourceCodingScheme)),
      }),
      gbDomain('acquiring_Domain.mRID', 'Area acquiring the flexibility'),
      gbDomain('connecting_Domain.mRID', 'Area the resource connects to'),
      leaf('auction.mRID', FlexibilityTrading, fixed(FlexibilityTrading), { meaning: 'The trading the list belongs to' }),
      leaf('businessType', OperationBusinessType, itemField('operationType', operationTypeCodec), { meaning: 'ANM operation type' }),
      group('bid_Period.timeInterval', once(), "The list's settlement period", [
        leaf('start', IntervalBound, periodBound('start'), { meaning: 'Start of the settlement period' }),
        leaf('end', IntervalBound, periodBound('end'), { meaning: 'End of the settlement period' }),
      ]),
      leaf('quantity_Measurement_Unit.name', KilowattUnit, fixed(KilowattUnit), { meaning: 'Unit of the quantity' }),
      leaf('direction', EitherDirection, fixed(EitherDirection), { meaning: 'Values keep the ANM sign convention' }),
      leaf('marketObjectStatus.status', AvailableStatus, fixed(AvailableStatus), { meaning: 'The entry is in the list' }),
      group('Period', once(), "The list's settlement period", [
        interval("The list's settlement period"),
        leaf('resolution', Resolution, fixed(Resolution), { meaning: 'Settlement period' }),
        group(
          'Point',
          settlementPeriods({ describe: 'one: the list covers one settlement period', interval: listPeriod, intervalFrom: 'document' }),
          'The instruction',
          [
            leaf('position', Position, positionInSequence('settlement period'), { meaning: 'Always 1' }),
            leaf('quantity.quantity', Kilowatts, itemField('value_kW', kilowattsCodec), {
              meaning: 'Instructed value in kW: positive for a buyer relieved, negative for a seller taking it on, 0 before trading',
            }),
          ],
        ),
      ]),
      reasonElement('MeritOrderEntryReasonCode', 'What ESMP has no element for, and whether the entry traded', [
        complementaryFacts([
          fieldFact('item', 'activity', oneOfCodec(ACTIVITIES)),
          fieldFact('item', 'mic_kW', kilowattsCodec),
          fieldFact('item', 'mec_kW', kilowattsCodec),
          fieldFact('item', 'registered', booleanCodec),
          fieldFact('item', 'curtailmentIndex', wholeNumber),
        ]),
        complementaryText('item', 'resourceName'),
        ...registeredAssetReasons,
        flagReason('A73', 'traded', 'Bid accepted: the contract traded'),
      ]),
    ]),
    reasonElement('MeritOrderListReasonCode', 'What the ANM says about the list as a whole', [
      complementaryFacts([
        fieldFact('root', 'issuedAt', utcInstantCodec),
        fieldFact('root', 'scenario', wholeNumber),
        fieldFact('root', 'receivedAt', utcInstantCodec),
        periodStartUnstatedFact,
      ]),
    ]),
  ],
  rules: [
    'TimeSeries are in merit order: priority k on the k-th TimeSeries.',
    'The list covers one settlement period on the half-hour grid: period.timeInterval, every bid_Period.timeInterval and every Period/timeInterval are that period, with one Point at position 1.',
    `Without a periodStart, the period is the settlement period of createdDateTime and the document-level A95 facts say periodStart=${PERIOD_START_UNSTATED}.`,
    'Per entry, one A95 reason holds the facts activity, mic_kW, mec_kW, registered and curtailmentIndex; another holds resourceName= and the name verbatim; for a registered asset, dsoAssetId= and assetGroupId= each verbatim and the facts energySource and psrType (the PsrType of that source); A73 marks a traded entry.',
    'Instants with milliseconds (issuedAt, receivedAt) travel exactly as stored.',
    'On acceptance the ANM merit order rules apply as well (orders 1..n, no contract twice, activity matching the operation type, MIC and MEC not negative).',
  ],
} satisfies Profile<typeof MeritOrderListDocument, typeof DocumentHeader>;
