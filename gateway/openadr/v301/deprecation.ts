import type { RequestHandler } from 'express';

/** When OpenADR 3.0.1 was deprecated and when it goes (README, "OpenADR 3.0.1: deprecation policy"). */
export interface DeprecationPolicy {
  /** RFC 3339 instant from which 3.0.1 is deprecated. */
  deprecatedSince: string;
  /** RFC 3339 instant after which 3.0.1 may answer 410 Gone. */
  sunset: string;
}

export const V301_DEPRECATION: DeprecationPolicy = { deprecatedSince: '2026-12-01T00:00:00Z', sunset: '2027-12-01T00:00:00Z' };

export const POLICY_PATH = '/deprecation-policy';

/**
 * Sets the in-band signals on every 3.0.1 response: `Deprecation` as an RFC
 * 9745 structured Date (`@` seconds since the epoch), `Sunset` as an RFC 8594
 * HTTP-date, and links to the policy (rel `deprecation` and `sunset`) and to
 * the version that replaces it (rel `successor-version`, RFC 5829).
 */
export function deprecationHeaders(policy: DeprecationPolicy, baseUrl: string, successorUrl: string): RequestHandler {
  const deprecation = `@${Math.floor(Date.parse(policy.deprecatedSince) / 1000)}`;
  const sunset = new Date(policy.sunset).toUTCString();
  const policyUrl = `${baseUrl}${POLICY_PATH}`;
  const link = `<${policyUrl}>; rel="deprecation"; type="text/markdown", <${policyUrl}>; rel="sunset"; type="text/markdown", <${successorUrl}>; rel="successor-version"`;
  return (_req, res, next) => {
    res.setHeader('Deprecation', deprecation);
    res.setHeader('Sunset', sunset);
    res.setHeader('Link', link);
    next();
  };
}

/** The policy as the `deprecation` link serves it; the README explains the same policy for the people running flexgate. */
export function policyDocument(policy: DeprecationPolicy, successorUrl: string): string {
  return [
    '# flexgate: OpenADR 3.0.1 deprecation policy',
    '',
    `- Deprecated since ${policy.deprecatedSince}; sunset ${policy.sunset}. After the sunset /openadr/3.0.1 may answer 410 Gone.`,
    `- Until then 3.0.1 serves the same programs, events, reports, subscriptions, VENs and resources as OpenADR 3.1.0 (${successorUrl}), translated at the edge; nothing 3.0.1 can express is lost.`,
    '- Move to 3.1.0: resources live at /resources (not /vens/{venID}/resources); targets are strings, not valuesMaps; reports carry no programID;',
    '  the program fields programLongName, retailerName, retailerLongName, programType, country, principalSubdivision, bindingEvents and localPrice are program attributes;',
    '  VENs read with the scopes read_targets and read_ven_objects; authentication failures are 401, not 403; notifications name CREATE/UPDATE/DELETE, not HTTP verbs.',
    '- Tokens from either version work on both (same client, same certificate binding, same scopes).',
    '',
  ].join('\n');
}
