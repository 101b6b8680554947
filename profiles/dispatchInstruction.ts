import { flatHeader, revisionCodec } from './common/header.ts';
import { gbDomain } from './common/area.ts';
import { reasonElement } from './common/reasons.ts';
import { registeredAssetReasons } from './common/registeredAsset.ts';
import { EitherDirection, OperationBusinessType, operationTypeCodec } from './common/operationType.ts';
import { documentWindow, windowBound } from './common/window.ts';
import {
  Identifier60,
  IntervalBound,
  KilowattUnit,
  Kilowatts,
  PartyCodingScheme,
  PartyIdentifier,
  Position,
  RedispatchProcess,
  Resolution,
  ResourceCodingScheme,
  ResourceIdentifier,
  RevisionNumber,
} from './common/types.ts';
import { derived, fixed, itemArrayElement, itemField, positionInSequence, rootField } from './machinery/bindings.ts';
import { intervalInstantCodec, kilowattsCodec, textCodec } from './machinery/codecs.ts';
import { codingScheme, getField, group, leaf, type Profile } from './machinery/declaration.ts';
import { eachOf, once, settlementPeriods } from './machinery/repetitions.ts';
import { codeType } from './machinery/simpleType.ts';
import { DispatchInstruction } from './models/dispatchInstruction.ts';
import { DocumentHeader } from './models/documentHeader.ts';

const RedispatchActivation = codeType('RedispatchActivation', 'Document type', [{ code: 'A96', title: 'Redispatch activation document' }]);
const OrderedStatus = codeType('OrderedStatus', 'Status of the instruction', [{ code: 'A10', title: 'Ordered' }]);

const receiverPart = (key: 'mRID' | 'codingScheme') =>
  derived(
    `header \`receiver.${key}\`: the FSP the instruction goes to`,
    (scope) => {
      const value = getField(scope.header, `receiver.${key}`);
      return typeof value === 'string' ? value : undefined;
    },
    { from: 'document' },
  );

export const dispatchInstructionProfile = {
  id: 'dispatch-instruction' as const,
  title: 'Dispatch instruction ⇄ Activation_MarketDocument',
  summary:
    'A dispatch (activation) instruction to a flexibility service provider as an IEC 62325-451 activation document (type A96, process A41). Each contract instructed is one TimeSeries, identified by the contract id, with one Point per settlement period of the activation window holding the instructed kW, and the registered asset behind the resource (DSO asset id, asset group, energy source with its ENTSO-E PsrType) as complementary information (reason A95); the document may name the merit order list revision it comes from.',
  fileStem: 'dispatchInstruction',
  root: 'Activation_MarketDocument',
  namespace: 'urn:iec62325.351:tc57wg16:451-7:activationdocument:6:4',
  official: { file: 'iec62325-451-7-activationdocument_v6_4.xsd', document: 'Activation_MarketDocument 6.4' },
  model: DispatchInstruction,
  modelName: '`DispatchInstruction` (`profiles/models/dispatchInstruction.ts`)',
  header: DocumentHeader,
  children: [
    ...flatHeader({ id: Identifier60, messageType: RedispatchActivation, processType: RedispatchProcess }),
    group('activation_Time_Period.timeInterval', once(), 'The activation window', [
      leaf('start', IntervalBound, rootField('start', intervalInstantCodec), { meaning: 'Start of the window' }),
      leaf('end', IntervalBound, rootField('end', intervalInstantCodec), { meaning: 'End of the window' }),
    ]),
    leaf('order_MarketDocument.mRID', Identifier60, rootField('basedOn.mRID', textCodec), {
      meaning: 'The merit order list the instructions come from',
      optional: true,
    }),
    leaf('order_MarketDocument.revisionNumber', RevisionNumber, rootField('basedOn.revisionNumber', revisionCodec), {
      meaning: 'Its revision (the traded list)',
      optional: true,
    }),
    group('TimeSeries', eachOf('instructions', { min: 1 }), 'The instruction for one contract', [
      leaf('mRID', Identifier60, itemField('contractId', textCodec), { meaning: 'ANM contract id: one TimeSeries per contract', unique: true }),
      leaf('resourceProvider_MarketParticipant.mRID', PartyIdentifier, receiverPart('mRID'), {
        meaning: 'The FSP providing the resource',
        attribute: codingScheme(PartyCodingScheme, receiverPart('codingScheme')),
      }),
      leaf('businessType', OperationBusinessType, itemField('operationType', operationTypeCodec), { meaning: 'ANM operation type' }),
      gbDomain('acquiring_Domain.mRID', 'Area acquiring the flexibility'),
      gbDomain('connecting_Domain.mRID', 'Area the resource connects to'),
      leaf('measurement_Unit.name', KilowattUnit, fixed(KilowattUnit), { meaning: 'Unit of the quantities' }),
      leaf('flowDirection.direction', EitherDirection, fixed(EitherDirection), { meaning: 'Values keep the ANM sign convention' }),
      leaf('marketObjectStatus.status', OrderedStatus, fixed(OrderedStatus), { meaning: 'The instruction is ordered' }),
      leaf('registeredResource.mRID', ResourceIdentifier, itemField('resourceId', textCodec), {
        meaning: 'ANM resource id',
        attribute: codingScheme(ResourceCodingScheme, fixed(ResourceCodingScheme)),
      }),
      group('Period', once(), 'The window, per settlement period', [
        group('timeInterval', once(), 'The activation window', [
          leaf('start', IntervalBound, windowBound('start'), { meaning: 'Start of the window' }),
          leaf('end', IntervalBound, windowBound('end'), { meaning: 'End of the window' }),
        ]),
        leaf('resolution', Resolution, fixed(Resolution), { meaning: 'Settlement period' }),
        group(
          'Point',
          settlementPeriods({
            describe: 'one per settlement period of the window, one per `values_kW` element',
            interval: documentWindow,
            intervalFrom: 'document',
            arrays: ['values_kW'],
          }),
          'One settlement period',
          [
            leaf('position', Position, positionInSequence('settlement period'), { meaning: 'Settlement period within the window' }),
            leaf('quantity', Kilowatts, itemArrayElement('values_kW', kilowattsCodec), {
              meaning: 'Instructed kW for the period (merit order list sign convention)',
            }),
          ],
        ),
      ]),
      reasonElement(
        'ActivationAssetReasonCode',
        'The registered asset behind the resource (ENA D2: DSO asset id, asset group, energy source)',
        registeredAssetReasons,
      ),
    ]),
  ],
  rules: [
    'The window starts and ends on the half-hour grid and ends after it starts; every TimeSeries has exactly one Period equal to the window.',
    'One Point per settlement period of the window (point count = interval / PT30M), positions 1, 2, 3…; values_kW has one value per Point.',
    'TimeSeries mRIDs are contract ids, so each contract appears once.',
    'resourceProvider_MarketParticipant.mRID repeats the receiver: the instruction goes to the FSP that provides the resource.',
    'For a registered asset, A95 reasons hold dsoAssetId= and assetGroupId= each verbatim, and the facts energySource and psrType (the PsrType of that source).',
  ],
} satisfies Profile<typeof DispatchInstruction, typeof DocumentHeader>;
