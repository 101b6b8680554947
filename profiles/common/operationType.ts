import { codeMapCodec } from '../machinery/codecs.ts';
import { codeType } from '../machinery/simpleType.ts';

/** The ANM operation type as ESMP business type: what is curtailed, or that output is redispatched. */
export const operationTypeCodec = codeMapCodec({ ConstrainedDemand: 'A76', ConstrainedGeneration: 'C55', FlexibleOutputChange: 'A85' });

export const OperationBusinessType = codeType('OperationBusinessType', 'Business type: the ANM operation type of the contract', [
  { code: 'A76', title: 'Consumption curtailment (ConstrainedDemand)' },
  { code: 'C55', title: 'Production curtailment (ConstrainedGeneration)' },
  { code: 'A85', title: 'Internal redispatch (FlexibleOutputChange)' },
]);

/** ESMP needs a direction; the ANM's signed values already carry it. */
export const EitherDirection = codeType('EitherDirection', 'Direction of the quantities', [
  { code: 'A03', title: 'UP and DOWN: the sign of each quantity says which' },
]);
