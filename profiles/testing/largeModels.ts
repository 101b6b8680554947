import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import { ACTIVITY_OF_OPERATION, OPERATION_TYPES, type MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { DeliveryVerification } from '../models/deliveryVerification.ts';
import type { DispatchInstruction } from '../models/dispatchInstruction.ts';

/** Models of a given size with varied but predictable values: for the 1 and 10,000-entry tests and the benchmark. */

const operationAt = (k: number) => OPERATION_TYPES[k % OPERATION_TYPES.length]!;

export function largeMeritOrderList(entries: number): MeritOrderList {
  return {
    issuedAt: '2024-10-17T13:00:00Z',
    periodStart: '2024-10-27T01:00:00Z',
    scenario: 3,
    receivedAt: '2024-10-17T20:08:45.123Z',
    entries: Array.from({ length: entries }, (_, k) => {
      const operationType = operationAt(k);
      return {
        order: k + 1,
        contractId: `C-${String(k).padStart(6, '0')}-${'x'.repeat(k % 40)}`,
        resourceId: `G${k % 997}_R${k}`,
        ...(k % 3 === 0 ? { resourceName: `Resource ${k} & <co>` } : {}),
        operationType,
        value_kW: ((k * 7919) % 4001) - 2000,
        mic_kW: (k * 31) % 5000,
        mec_kW: (k * 17) % 5000,
        activity: ACTIVITY_OF_OPERATION[operationType],
        traded: k % 2 === 0,
        registered: k % 5 !== 0,
        ...(k % 4 === 0 ? { curtailmentIndex: k } : {}),
      };
    }),
  };
}

export function largeLookAhead(constraints: number): ConstraintLookAhead {
  const start = Date.UTC(2024, 2, 31, 0, 0);
  return {
    issuedAt: '2024-03-30T12:00:00Z',
    constraints: Array.from({ length: constraints }, (_, k) => ({
      constraintId: `CONSTRAINT-${k}`,
      start: new Date(start + (k % 46) * 1_800_000).toISOString().replace('.000Z', 'Z'),
      end: new Date(start + ((k % 46) + 1) * 1_800_000).toISOString().replace('.000Z', 'Z'),
      size_kW: 1 + ((k * 104_729) % 2_000_000),
      ...(k % 2 === 0 ? { direction: 'export' as const } : {}),
      resources: k % 2 === 0 ? [{ resourceId: `G${k}_A`, resourceName: `Asset ${k}` }] : [{ resourceId: `G${k}_B` }],
    })),
  };
}

export function largeDispatchInstruction(instructions: number): DispatchInstruction {
  return {
    start: '2024-10-27T00:00:00Z',
    end: '2024-10-27T02:00:00Z',
    basedOn: { mRID: 'MOL-LARGE', revisionNumber: 2 },
    instructions: Array.from({ length: instructions }, (_, k) => ({
      contractId: `C-${k}`,
      resourceId: `G${k}`,
      operationType: operationAt(k),
      values_kW: [k % 100, k % 50 === 0 ? 0 : -(k % 50), 0, k],
    })),
  };
}

export function largeDeliveryVerification(resources: number): DeliveryVerification {
  return {
    start: '2024-03-31T00:00:00Z',
    end: '2024-03-31T01:30:00Z',
    resources: Array.from({ length: resources }, (_, k) => ({
      contractId: `C-${k}`,
      resourceId: `G${k}`,
      metered_kW: [k % 300, 120, -5],
      baseline_kW: [300, k % 120, 0],
    })),
  };
}
