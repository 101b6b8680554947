import { PARTY_ROLES, type PartyRole } from '../../protocol/identity/partyUrn.ts';
import type { ApiVersion } from '../../schemas/envelope.ts';

/** Who may call a route, which API version its signatures name, and whether a signature is required. */
export interface AccessRule {
  methods: readonly string[];
  path: RegExp;
  roles: readonly PartyRole[];
  apiVersion: ApiVersion;
  /** `optional` only where a standard's own clients cannot sign (OpenADR VENs); verified whenever present. */
  signature: 'required' | 'optional';
  /**
   * Where a signed request's id and sequence are admitted: `with-message` in
   * the intake's transaction that stores what it carries (so a retry of a
   * message whose storing failed is not taken for a replay); `on-arrival` in
   * a transaction of its own before the handler, for everything else.
   */
  admission: 'with-message' | 'on-arrival';
}

export const ALL_ROLES: readonly PartyRole[] = PARTY_ROLES;
export const READ = ['GET', 'HEAD'] as const;
/** One path segment, for rules over routes with ids. */
export const SEGMENT = '[^/]+';

/**
 * A rule of the authorisation table (R5). Each API declares its rules next
 * to its routes (`accessRules.ts`); the composition root collects them in
 * order, and a request no rule matches is answered 404, so a route added
 * without a rule is unreachable rather than open.
 */
export function accessRule(
  methods: readonly string[],
  path: string,
  roles: readonly PartyRole[],
  apiVersion: ApiVersion,
  signature: AccessRule['signature'] = 'required',
  admission: AccessRule['admission'] = 'on-arrival',
): AccessRule {
  return { methods, path: new RegExp(`^${path}$`), roles, apiVersion, signature, admission };
}

/** The rule for a request, by method and path (query excluded); the first that matches wins. */
export function accessRuleFor(method: string, path: string, rules: readonly AccessRule[]): AccessRule | undefined {
  return rules.find((candidate) => candidate.methods.includes(method) && candidate.path.test(path));
}
