import { accessRule, READ, SEGMENT, type AccessRule } from '../trust/accessPolicy.ts';
import { SETTLEMENT_PATH } from './adminRoutes.ts';

/** Verification is run by administrators (the DSO's settlement team); an FSP reads its own statements (statementAccess.ts), signed like any admin/v1 call. */
export const settlementAccessRules: readonly AccessRule[] = [
  accessRule(READ, `${SETTLEMENT_PATH}/statements`, ['admin', 'fsp'], 'admin/v1'),
  accessRule(READ, `${SETTLEMENT_PATH}/chain`, ['admin'], 'admin/v1'),
  accessRule(['POST'], `${SETTLEMENT_PATH}/dispatches/${SEGMENT}/verification`, ['admin'], 'admin/v1'),
];
