import type { PartyRole } from '../../certs/index.ts';
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

const ALL_ROLES: readonly PartyRole[] = ['dso', 'anm', 'fsp', 'admin', 'gateway'];
const READ = ['GET', 'HEAD'] as const;
const SEGMENT = '[^/]+';

/**
 * The whole authorisation table, in one place (R5). A request no rule
 * matches is answered 404, so a route added without a rule is unreachable
 * rather than open. ANM and DSO systems post look-aheads, lists and trades;
 * FSPs only read trading opportunities; OpenADR routes are open to every
 * party at this layer because the VTN applies OAuth scopes and object
 * privacy itself.
 */
export const ACCESS_RULES: readonly AccessRule[] = [
  rule(['POST'], '/anm/v1/(constraint-look-aheads|merit-order-lists)', ['anm', 'dso'], 'anm/v1', 'required', 'with-message'),
  rule(['POST'], `/anm/v1/merit-order-lists/${SEGMENT}/trades`, ['anm', 'dso'], 'anm/v1', 'required', 'with-message'),
  rule(['POST'], `/anm/v1/constraint-look-aheads/${SEGMENT}/verify`, ['anm', 'dso'], 'anm/v1', 'required', 'with-message'),
  rule(READ, `/anm/v1/constraint-look-aheads/${SEGMENT}/opportunities`, ['anm', 'dso', 'fsp', 'admin'], 'anm/v1'),
  rule(READ, '/anm/v1/.*', ['anm', 'dso', 'admin'], 'anm/v1'),
  rule(['POST'], '/cim/v1/documents', ['dso', 'anm'], 'cim/v1', 'required', 'with-message'),
  rule(READ, '/cim/v1/documents(/.*)?', ['dso', 'anm', 'admin'], 'cim/v1'),
  rule(['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], '/openadr/3\\.1\\.0/.*', ALL_ROLES, 'openadr/3.1.0', 'optional'),
  rule(['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], '/openadr/3\\.0\\.1/.*', ALL_ROLES, 'openadr/3.0.1', 'optional'),
  rule(READ, '/openadr/2\\.0b/.*', ALL_ROLES, 'openadr/2.0b', 'optional'),
  rule(['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], '/admin/v1/.*', ['admin'], 'admin/v1'),
];

function rule(
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
export function accessRuleFor(method: string, path: string, rules: readonly AccessRule[] = ACCESS_RULES): AccessRule | undefined {
  return rules.find((candidate) => candidate.methods.includes(method) && candidate.path.test(path));
}
