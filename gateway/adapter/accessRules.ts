import { accessRule, READ, SEGMENT, type AccessRule } from '../trust/accessPolicy.ts';

/** The adapter's routes under /anm/v1: trades and verification by ANM and DSO; FSPs may read trading opportunities. Collected before the ANM API's own rules. */
export const adapterAccessRules: readonly AccessRule[] = [
  accessRule(['POST'], `/anm/v1/merit-order-lists/${SEGMENT}/trades`, ['anm', 'dso'], 'anm/v1', 'required', 'with-message'),
  accessRule(['POST'], `/anm/v1/constraint-look-aheads/${SEGMENT}/verify`, ['anm', 'dso'], 'anm/v1', 'required', 'with-message'),
  accessRule(READ, `/anm/v1/constraint-look-aheads/${SEGMENT}/opportunities`, ['anm', 'dso', 'fsp', 'admin'], 'anm/v1'),
];
