import { accessRule, ALL_ROLES, READ, type AccessRule } from '../trust/accessPolicy.ts';
import { HEALTH_PATH, METRICS_PATH, READINESS_PATH } from './routes.ts';

/**
 * Operations endpoints take no signature (a scraper or a probe cannot sign),
 * but mutual TLS still: metrics for administrators, health for any party.
 */
export const operationsAccessRules: readonly AccessRule[] = [
  accessRule(READ, METRICS_PATH, ['admin'], 'admin/v1', 'optional'),
  accessRule(READ, `(${HEALTH_PATH}|${READINESS_PATH})`, ALL_ROLES, 'admin/v1', 'optional'),
];
