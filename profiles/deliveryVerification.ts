import { createdDateTime, documentId, participant, revisionNumber } from './common/header.ts';
import {
  Identifier60,
  IntervalBound,
  KilowattDifference,
  KilowattUnit,
  Kilowatts,
  Position,
  Resolution,
  ResourceCodingScheme,
  ResourceIdentifier,
  SequentialCurve,
} from './common/types.ts';
import { fixed, itemArrayElement, itemField, positionInSequence, rootField } from './machinery/bindings.ts';
import { CodecError, integerCodec, intervalInstantCodec, kilowattsCodec, textCodec } from './machinery/codecs.ts';
import { codingScheme, group, leaf, type LeafBinding, type Profile } from './machinery/declaration.ts';
import { eachOf, once, settlementPeriods } from './machinery/repetitions.ts';
import { codeType } from './machinery/simpleType.ts';
import { documentWindow, windowBound } from './common/window.ts';
import { reasonElement } from './common/reasons.ts';
import { registeredAssetReasons } from './common/registeredAsset.ts';
import { DeliveryVerification } from './models/deliveryVerification.ts';
import { DocumentHeader } from './models/documentHeader.ts';

const MeasurementValueDocument = codeType('MeasurementValueDocument', 'Document type', [{ code: 'A45', title: 'Measurement value document' }]);
const RealisedProcess = codeType('RealisedProcess', 'Process type', [{ code: 'A16', title: 'Realised' }]);
const MeterMeasurement = codeType('MeterMeasurement', 'Business type', [{ code: 'A64', title: 'Meter measurement data' }]);
const ActivePower = codeType('ActivePower', 'Product', [{ code: '8716867000016', title: 'Active power' }]);

const difference = integerCodec(-4_000_000_000, 4_000_000_000, 'whole kW difference');

/**
 * `delta_Quantity.quantity` is the baseline minus the metered value of the
 * same Point: the change the resource delivered. Reading it back gives the
 * baseline, so both series survive without a second TimeSeries.
 */
const baselineDelta: LeafBinding = {
  describe: '`baseline_kW[position − 1]` − `metered_kW[position − 1]`',
  target: { on: 'item', key: 'baseline_kW' },
  write(scope) {
    const baseline = scope.item.baseline_kW;
    const metered = scope.item.metered_kW;
    const b: unknown = Array.isArray(baseline) ? baseline[scope.position - 1] : undefined;
    const m: unknown = Array.isArray(metered) ? metered[scope.position - 1] : undefined;
    if (typeof b !== 'number' || typeof m !== 'number') throw new CodecError('baseline_kW and metered_kW need a value for every settlement period');
    return difference.write(b - m);
  },
  read(text, scope, state, path) {
    const metered = scope.item.metered_kW;
    const m: unknown = Array.isArray(metered) ? metered[scope.position - 1] : undefined;
    if (typeof m !== 'number') return;
    try {
      const baseline = m + difference.read(text);
      const existing = scope.item.baseline_kW;
      const list: unknown[] = Array.isArray(existing) ? existing : [];
      list[scope.position - 1] = baseline;
      scope.item.baseline_kW = list;
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      state.issue(path, error.message);
    }
  },
};

export const deliveryVerificationProfile = {
  id: 'delivery-verification' as const,
  title: 'Delivery verification ⇄ MeasurementData_MarketDocument',
  summary:
    'Verification of delivery, metered values against the baseline, as an IEC 62325-451 measurement data document (type A45, process A16 realised). Each contract is one TimeSeries with one Point per settlement period: `quantity` is the metered kW and `delta_Quantity.quantity` the baseline minus the metered kW; the registered asset behind the resource (DSO asset id, asset group, energy source with its ENTSO-E PsrType) travels as complementary information (reason A95).',
  fileStem: 'deliveryVerification',
  root: 'MeasurementData_MarketDocument',
  namespace: 'urn:iec62325.351:tc57wg16:451-n:measurementdatadocument:1:1',
  official: { file: 'iec62325-451-n-measurementdatadocument_v_1_1.xsd', document: 'MeasurementData_MarketDocument 1.1' },
  model: DeliveryVerification,
  modelName: '`DeliveryVerification` (`profiles/models/deliveryVerification.ts`)',
  header: DocumentHeader,
  children: [
    documentId(Identifier60),
    revisionNumber,
    leaf('type', MeasurementValueDocument, fixed(MeasurementValueDocument), { meaning: 'Document type' }),
    leaf('process.processType', RealisedProcess, fixed(RealisedProcess), { meaning: 'What was delivered' }),
    group('Sender_MarketParticipant', once(), 'Sender of the document', participant('sender', 'nested')),
    group('Receiver_MarketParticipant', once(), 'Receiver of the document', participant('receiver', 'nested')),
    createdDateTime,
    group('Period', once(), 'The verified window', [
      group('timeInterval', once(), 'The verified window', [
        leaf('start', IntervalBound, rootField('start', intervalInstantCodec), { meaning: 'Start of the window' }),
        leaf('end', IntervalBound, rootField('end', intervalInstantCodec), { meaning: 'End of the window' }),
      ]),
    ]),
    group('TimeSeries', eachOf('resources', { min: 1 }), 'Metered and baseline values of one contract', [
      leaf('mRID', Identifier60, positionInSequence('contract'), { meaning: 'Series id: position in the document' }),
      leaf('businessType', MeterMeasurement, fixed(MeterMeasurement), { meaning: 'Metered data' }),
      leaf('product', ActivePower, fixed(ActivePower), { meaning: 'Active power' }),
      leaf('marketAgreement.mRID', Identifier60, itemField('contractId', textCodec), { meaning: 'ANM contract id' }),
      group('RegisteredResource', once(), 'The resource metered', [
        leaf('mRID', ResourceIdentifier, itemField('resourceId', textCodec), {
          meaning: 'ANM resource id',
          attribute: codingScheme(ResourceCodingScheme, fixed(ResourceCodingScheme)),
        }),
      ]),
      leaf('measurement_Unit.name', KilowattUnit, fixed(KilowattUnit), { meaning: 'Unit of the quantities' }),
      leaf('curveType', SequentialCurve, fixed(SequentialCurve), { meaning: 'One value per settlement period' }),
      group('Period', once(), 'The window, per settlement period', [
        leaf('resolution', Resolution, fixed(Resolution), { meaning: 'Settlement period' }),
        group('timeInterval', once(), 'The verified window', [
          leaf('start', IntervalBound, windowBound('start'), { meaning: 'Start of the window' }),
          leaf('end', IntervalBound, windowBound('end'), { meaning: 'End of the window' }),
        ]),
        group(
          'Point',
          settlementPeriods({
            describe: 'one per settlement period of the window, one per `metered_kW` and `baseline_kW` element',
            interval: documentWindow,
            intervalFrom: 'document',
            arrays: ['metered_kW', 'baseline_kW'],
          }),
          'One settlement period',
          [
            leaf('position', Position, positionInSequence('settlement period'), { meaning: 'Settlement period within the window' }),
            leaf('quantity', Kilowatts, itemArrayElement('metered_kW', kilowattsCodec), { meaning: 'Metered kW' }),
            leaf('delta_Quantity.quantity', KilowattDifference, baselineDelta, { meaning: 'Baseline minus metered kW: the change delivered' }),
          ],
        ),
      ]),
      reasonElement(
        'MeasurementAssetReasonCode',
        'The registered asset behind the resource (ENA D2: DSO asset id, asset group, energy source)',
        registeredAssetReasons,
      ),
    ]),
  ],
  rules: [
    'The window starts and ends on the half-hour grid and ends after it starts; every TimeSeries has one Period equal to the window.',
    'One Point per settlement period (point count = interval / PT30M), positions 1, 2, 3…; metered_kW and baseline_kW have one value per Point.',
    'TimeSeries k has mRID k.',
    'For a registered asset, A95 reasons hold dsoAssetId= and assetGroupId= each verbatim, and the facts energySource and psrType (the PsrType of that source).',
  ],
} satisfies Profile<typeof DeliveryVerification, typeof DocumentHeader>;
