import { accessRule, READ, SEGMENT, type AccessRule } from '../trust/accessPolicy.ts';
import { SETTLEMENT_PATH } from './adminRoutes.ts';

/** Verification and statements are run by administrators (the DSO's settlement team) for now; FSPs receive statements out of band. */
export const settlementAccessRules: readonly AccessRule[] = [
  accessRule(READ, `${SETTLEMENT_PATH}/(statements|chain)`, ['admin'], 'admin/v1'),
  accessRule(['POST'], `${SETTLEMENT_PATH}/dispatches/${SEGMENT}/verification`, ['admin'], 'admin/v1'),
];
