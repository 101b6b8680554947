import { accessRule, READ, type AccessRule } from '../trust/accessPolicy.ts';
import { DELIVERIES_PATH } from './adminRoutes.ts';

/** Notification deliveries are for administrators only. */
export const deliveryAccessRules: readonly AccessRule[] = [
  accessRule(READ, `${DELIVERIES_PATH}(/.*)?`, ['admin'], 'admin/v1'),
  accessRule(['POST'], `${DELIVERIES_PATH}/[^/]+/redeliver`, ['admin'], 'admin/v1'),
];
