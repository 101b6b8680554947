import { accessRule, READ, type AccessRule } from '../trust/accessPolicy.ts';

/** CIM API v1: DSO and ANM systems exchange documents; administrators read them. */
export const cimAccessRules: readonly AccessRule[] = [
  accessRule(['POST'], '/cim/v1/documents', ['dso', 'anm'], 'cim/v1', 'required', 'with-message'),
  accessRule(READ, '/cim/v1/documents(/.*)?', ['dso', 'anm', 'admin'], 'cim/v1'),
];
