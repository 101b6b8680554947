import type { PartyIdentity } from '../../protocol/identity/partyUrn.ts';
import { Problem } from '../../protocol/problem.ts';
import type { StoreExecutor } from '../store/store.ts';

/**
 * An FSP reads its own statements only: the registry party the query names
 * must carry the URN of the caller's certificate. Administrators read any;
 * the access rules keep every other role out before this is asked.
 */
export async function checkStatementReader(db: StoreExecutor, fspPartyId: string, caller: PartyIdentity | undefined): Promise<void> {
  if (caller?.role !== 'fsp') return;
  const party = await db.selectFrom('registry_parties').select('party_urn').where('party_id', '=', fspPartyId).executeTakeFirst();
  if (party?.party_urn !== caller.urn)
    throw new Problem('auth.role-forbidden', `${caller.urn} may read its own settlement statements only, not those of ${fspPartyId}`, { pointer: '/fsp' });
}
