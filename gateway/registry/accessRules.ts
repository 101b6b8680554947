import { accessRule, READ, type AccessRule } from '../trust/accessPolicy.ts';
import { REGISTRY_PATH } from './adminRoutes.ts';

/** The registry is administered by administrators only; the DSO and ANM learn of it through what intake accepts or refuses. */
export const registryAccessRules: readonly AccessRule[] = [
  accessRule(READ, `${REGISTRY_PATH}(/.*)?`, ['admin'], 'admin/v1'),
  accessRule(['PUT'], REGISTRY_PATH, ['admin'], 'admin/v1'),
  accessRule(['POST'], `${REGISTRY_PATH}/import`, ['admin'], 'admin/v1'),
];
