import { accessRule, READ, type AccessRule } from '../trust/accessPolicy.ts';

/** ANM API v1: ANM and DSO systems post look-aheads and lists; they and administrators read them. */
export const anmAccessRules: readonly AccessRule[] = [
  accessRule(['POST'], '/anm/v1/(constraint-look-aheads|merit-order-lists)', ['anm', 'dso'], 'anm/v1', 'required', 'with-message'),
  accessRule(READ, '/anm/v1/.*', ['anm', 'dso', 'admin'], 'anm/v1'),
];
