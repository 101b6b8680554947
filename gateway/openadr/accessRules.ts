import { accessRule, ALL_ROLES, READ, type AccessRule } from '../trust/accessPolicy.ts';
import { OPENADR_CLIENTS_PATH } from './adminRoutes.ts';

const WRITES = ['POST', 'PUT', 'DELETE'];

/**
 * The VTN is open to every party at this layer: it applies OAuth scopes and
 * object privacy itself, and plain VENs cannot sign, so signatures are
 * verified when present and required only by the VTN's own policy. A signed
 * write is admitted with the message it carries, so the same signed write
 * sent again is answered as the first time (idempotent); token requests
 * (never journalled) and reads are admitted on arrival, so a repeat is
 * `envelope.replayed`.
 */
export const openadrAccessRules: readonly AccessRule[] = [
  accessRule(['POST'], '/openadr/3\\.1\\.0/auth/token', ALL_ROLES, 'openadr/3.1.0', 'optional'),
  accessRule(['POST'], '/openadr/3\\.0\\.1/auth/token', ALL_ROLES, 'openadr/3.0.1', 'optional'),
  accessRule(WRITES, '/openadr/3\\.1\\.0/.*', ALL_ROLES, 'openadr/3.1.0', 'optional', 'with-message'),
  accessRule(WRITES, '/openadr/3\\.0\\.1/.*', ALL_ROLES, 'openadr/3.0.1', 'optional', 'with-message'),
  accessRule(READ, '/openadr/3\\.1\\.0/.*', ALL_ROLES, 'openadr/3.1.0', 'optional'),
  accessRule(READ, '/openadr/3\\.0\\.1/.*', ALL_ROLES, 'openadr/3.0.1', 'optional'),
  accessRule(READ, '/openadr/2\\.0b/.*', ALL_ROLES, 'openadr/2.0b', 'optional'),
  accessRule(['POST'], OPENADR_CLIENTS_PATH, ['admin'], 'admin/v1'),
];
