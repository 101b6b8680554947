import { isPartyId, isPartyRole, PARTY_ID_RULE, PARTY_ROLES, PARTY_URN_PREFIX, type PartyIdentity } from '../protocol/identity/partyUrn.ts';
import { PkiError } from './errors.ts';

/** The identity for a role and id, or a `pki.invalid-party` error saying what is wrong. */
export function partyIdentity(role: string, id: string): PartyIdentity {
  if (!isPartyRole(role)) throw new PkiError('pki.invalid-party', `role "${role}" is not one of ${PARTY_ROLES.join(', ')}`);
  if (!isPartyId(id)) throw new PkiError('pki.invalid-party', `party id "${id}" is not valid: ${PARTY_ID_RULE}`);
  return { role, id, urn: `${PARTY_URN_PREFIX}${role}:${id}` };
}
