import express, { type Router } from 'express';
import { parsePartyUrn } from '../../protocol/identity/partyUrn.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Store } from '../store/store.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import type { OpenadrConfig } from './config.ts';
import { provisionClientCredentials } from './tokens.ts';

export const OPENADR_CLIENTS_PATH = '/admin/v1/openadr/clients';

/**
 * Administration of the VTN: `POST /admin/v1/openadr/clients` with
 * `{"party": "urn:flexgate:fsp:…"}` creates or rotates that party's OAuth
 * client credentials and answers with the secret, once. The access rules
 * let only the admin role here. Not journalled: the response holds the
 * secret, and the store keeps only its scrypt hash.
 */
export function openadrAdminRouter({ store, config }: { store: Store; config: Pick<OpenadrConfig, 'publicBaseUrl'> }): Router {
  // Absolute, as /auth/server answers it: a client of the admin API may run anywhere.
  const tokenUrl = `${config.publicBaseUrl}/auth/token`;
  const router = express.Router();
  router.post(OPENADR_CLIENTS_PATH, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parsed = parseJson(decodeUtf8(body), 4) as { party?: unknown } | null;
    const party = typeof parsed?.party === 'string' ? parsePartyUrn(parsed.party) : undefined;
    if (!party)
      throw new Problem('schema.violation', 'Give {"party": "urn:flexgate:<role>:<id>"}: the party whose certificate the VEN or business logic client uses', {
        pointer: '/party',
      });
    const credentials = await provisionClientCredentials(store.db, party.urn);
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({ ...credentials, tokenUrl });
  });
  return router;
}
