import { accessRule, ALL_ROLES, READ, type AccessRule } from '../trust/accessPolicy.ts';
import { OPENADR_CLIENTS_PATH } from './adminRoutes.ts';

const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];

/**
 * The VTN is open to every party at this layer: it applies OAuth scopes and
 * object privacy itself, and plain VENs cannot sign, so signatures are
 * verified when present and required only by the VTN's own policy.
 */
export const openadrAccessRules: readonly AccessRule[] = [
  accessRule(ANY_METHOD, '/openadr/3\\.1\\.0/.*', ALL_ROLES, 'openadr/3.1.0', 'optional'),
  accessRule(ANY_METHOD, '/openadr/3\\.0\\.1/.*', ALL_ROLES, 'openadr/3.0.1', 'optional'),
  accessRule(READ, '/openadr/2\\.0b/.*', ALL_ROLES, 'openadr/2.0b', 'optional'),
  accessRule(['POST'], OPENADR_CLIENTS_PATH, ['admin'], 'admin/v1'),
];
