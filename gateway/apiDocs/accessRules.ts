import { answerApiVersionOfPath } from '../../schemas/envelope.ts';
import { accessRule, ALL_ROLES, READ, type AccessRule } from '../trust/accessPolicy.ts';
import { API_DOCUMENTS } from './documents.ts';
import { DOCS_PATH } from './routes.ts';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * API documentation is for every party and needs no signature (a browser
 * cannot sign), but mutual TLS still. Collected before the APIs' own rules,
 * whose catch-all reads would otherwise claim the JSON paths.
 */
export const apiDocsAccessRules: readonly AccessRule[] = [
  ...API_DOCUMENTS.map((api) => accessRule(READ, escapeRegExp(api.jsonPath), ALL_ROLES, answerApiVersionOfPath(api.jsonPath), 'optional')),
  accessRule(READ, `${DOCS_PATH}(/[^/]+)?`, ALL_ROLES, 'admin/v1', 'optional'),
];
