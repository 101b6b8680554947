import { Type } from '@sinclair/typebox';
import express, { type Request, type Response, type Router } from 'express';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { Problem } from '../../protocol/problem.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import { RegistrySnapshot } from '../../schemas/registry/registry.ts';
import type { Store } from '../store/store.ts';
import { assetsFromPrequalificationCsv } from './prequalificationCsv.ts';
import { importIntoRegistry, listWarnings, readRegistry } from './registryRecords.ts';

export const REGISTRY_PATH = '/admin/v1/registry';

const validSnapshot = compileValidator(RegistrySnapshot);
const validPatch = compileValidator(Type.Partial(RegistrySnapshot));

const COLLECTIONS = {
  parties: (snapshot: RegistrySnapshot, id: string) => snapshot.parties.find((p) => p.partyId === id),
  assets: (snapshot: RegistrySnapshot, id: string) => snapshot.assets.find((a) => a.dsoAssetId === id),
  contracts: (snapshot: RegistrySnapshot, id: string) => snapshot.contracts.find((c) => c.contractId.toLowerCase() === id.toLowerCase()),
} as const;
type Collection = keyof typeof COLLECTIONS;

/**
 * `/admin/v1/registry`: parties, assets and contracts. Administrators only
 * (accessRules.ts). Every write checks the registry as a whole and commits
 * all or nothing.
 *
 * - `GET /admin/v1/registry`: the whole registry (schemas/registry/registry.schema.json)
 * - `PUT /admin/v1/registry`: replace it
 * - `POST /admin/v1/registry/import`: merge by id; JSON (any of the three lists) or
 *   `text/csv` rows of the ENA pre-qualification template (assets)
 * - `GET /admin/v1/registry/{parties|assets|contracts}[/{id}]`
 * - `GET /admin/v1/registry/warnings`: what permissive intake recorded
 */
export function adminRegistryRouter({ store }: { store: Store }): Router {
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: '16mb' });
  router.get(REGISTRY_PATH, async (_req, res) => sendJson(res, 200, await readRegistry(store.db)));
  router.put(REGISTRY_PATH, rawBody, async (req, res) => {
    sendJson(res, 200, await importIntoRegistry(store, validSnapshot(jsonBody(req)), true));
  });
  router.post(`${REGISTRY_PATH}/import`, rawBody, async (req, res) => {
    const isCsv = (req.headers['content-type'] ?? '').toLowerCase().startsWith('text/csv');
    const patch = isCsv ? { assets: assetsFromPrequalificationCsv(decodeUtf8(bodyOf(req))) } : validPatch(jsonBody(req));
    sendJson(res, 200, await importIntoRegistry(store, patch));
  });
  router.get(`${REGISTRY_PATH}/warnings`, async (_req, res) => sendJson(res, 200, { warnings: await listWarnings(store.db) }));
  router.get(`${REGISTRY_PATH}/:collection`, async (req, res) => {
    const collection = collectionOf(req);
    sendJson(res, 200, { [collection]: (await readRegistry(store.db))[collection] });
  });
  router.get(`${REGISTRY_PATH}/:collection/:id`, async (req, res) => {
    const collection = collectionOf(req);
    const id = String(req.params.id);
    const found = COLLECTIONS[collection](await readRegistry(store.db), id);
    if (!found) throw new Problem('registry.not-found', `No ${collection} entry ${id}`);
    sendJson(res, 200, found);
  });
  return router;
}

const bodyOf = (req: Request) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
const jsonBody = (req: Request) => parseJson(decodeUtf8(bodyOf(req)));

function collectionOf(req: Request): Collection {
  const name = String(req.params.collection);
  if (!(name in COLLECTIONS)) throw new Problem('request.not-found', `Nothing at ${req.method} ${req.path}`);
  return name as Collection;
}

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(canonicalJson(body));
}
