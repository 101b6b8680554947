export const PARTY_ROLES = ['dso', 'anm', 'fsp', 'admin', 'gateway'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** Who a certificate speaks for; `urn` is what the certificate carries as its SAN URI and what envelopes name as `iss` and `aud`. */
export interface PartyIdentity {
  role: PartyRole;
  id: string;
  urn: string;
}

export const PARTY_URN_PREFIX = 'urn:flexgate:';

/**
 * Lower case only, so two parties can never differ by case alone; the id also
 * names a folder and fits a 60-character CIM mRID.
 */
const PARTY_ID = /^[a-z0-9](?:[a-z0-9._-]{0,58}[a-z0-9])?$/;

export const PARTY_ID_RULE = '1 to 60 characters of a-z, 0-9, ".", "_" or "-", starting and ending with a letter or digit';

export function isPartyRole(text: string): text is PartyRole {
  return (PARTY_ROLES as readonly string[]).includes(text);
}

export function isPartyId(text: string): boolean {
  return PARTY_ID.test(text);
}

/** Parses `urn:flexgate:<role>:<id>`; anything else (other roles, bad ids, extra parts) is undefined. */
export function parsePartyUrn(urn: string): PartyIdentity | undefined {
  if (!urn.startsWith(PARTY_URN_PREFIX)) return undefined;
  const [role, id, ...extra] = urn.slice(PARTY_URN_PREFIX.length).split(':');
  if (role === undefined || id === undefined || extra.length > 0) return undefined;
  if (!isPartyRole(role) || !isPartyId(id)) return undefined;
  return { role, id, urn };
}
