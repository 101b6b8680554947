import { timeOrderedUuid } from '../../protocol/identity/timeOrderedUuid.ts';
import express, { type Request, type Response, type Router } from 'express';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { chooseRepresentation, requireMediaType } from '../http/negotiation.ts';
import { incomingMessage } from '../http/incoming.ts';
import type { Intake } from '../intake.ts';
import { Problem } from '../../protocol/problem.ts';
import { getDocument, insertDocument, type StoredDocument } from '../store/anmDocuments.ts';
import { listSummaries, recordSummary } from './documentSummaries.ts';
import { representationOf, Representations } from './representations.ts';
import type { Store } from '../store/store.ts';
import type { DocumentLimits } from './documentLimits.ts';
import { DEFAULT_BUDGETS, type Budgets } from '../budgets.ts';
import { sharedHeavyWork, type HeavyWork } from '../heavyWork/pool.ts';
import { ANM_MEDIA_TYPES, type AnmDocumentKind } from './decode.ts';

export const ANM_BASE_PATH = '/anm/v1';
const TSV = 'text/tab-separated-values';

interface Collection<K extends AnmDocumentKind> {
  kind: K;
  path: string;
}

const collections = [
  { kind: 'constraint-look-ahead', path: 'constraint-look-aheads' } satisfies Collection<'constraint-look-ahead'>,
  { kind: 'merit-order-list', path: 'merit-order-lists' } satisfies Collection<'merit-order-list'>,
];

export interface AnmRouterOptions {
  intake: Intake;
  maxBodyBytes: number;
  /** What one document may hold and cost, and how long its processing may take; the default budgets otherwise. */
  limits?: DocumentLimits & Pick<Budgets, 'heavyWorkMs'>;
  /** Where large documents are decoded and rendered; the process's shared pool otherwise. */
  heavyWork?: HeavyWork;
}

/** ANM API v1: look-aheads and merit order lists in (JSON or the ANM's tables), stored, and served back. */
export function anmRouter({ intake, maxBodyBytes, limits = DEFAULT_BUDGETS, heavyWork }: AnmRouterOptions): Router {
  const work = heavyWork ?? sharedHeavyWork(limits.heavyWorkMs);
  const { store } = intake;
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: maxBodyBytes });
  const representations = new Representations();
  for (const collection of collections as Collection<AnmDocumentKind>[]) {
    const base = `${ANM_BASE_PATH}/${collection.path}`;
    router
      .route(base)
      .post(rawBody, (req, res) => create(intake, work, collection, limits, req, res))
      .get((req, res) => list(store, collection, req, res));
    router.route(`${base}/:id`).get((req, res) => read(store, work, representations, collection, req, res));
  }
  return router;
}

const selfLink = (collection: Collection<AnmDocumentKind>, id: string) => `${ANM_BASE_PATH}/${collection.path}/${encodeURIComponent(id)}`;

async function create(intake: Intake, work: HeavyWork, collection: Collection<AnmDocumentKind>, limits: DocumentLimits, req: Request, res: Response) {
  const mediaType = requireMediaType(req, ANM_MEDIA_TYPES);
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const document = await work.run('decodeAnm', { kind: collection.kind, body, mediaType, limits }, body.length);
  const { response, replayed } = await intake.accept(incomingMessage(req, body, mediaType), async ({ tx, journalId, receivedAt }) => {
    const stored: StoredDocument = {
      id: timeOrderedUuid(),
      kind: collection.kind,
      acceptedAt: receivedAt,
      revision: 1,
      journalId,
      body: document.body,
    };
    await insertDocument(tx, stored);
    await recordSummary(tx, { documentId: stored.id, revision: 1, summary: document.summary });
    return {
      derived: [{ kind: collection.kind, id: stored.id, revision: 1 }],
      response: { status: 201, headers: { location: selfLink(collection, stored.id) }, body: representationOf(stored) },
    };
  });
  if (replayed) res.setHeader('Idempotency-Replayed', 'true');
  res.status(response.status).set(response.headers).type('application/json').send(response.body);
}

async function read(store: Store, work: HeavyWork, representations: Representations, collection: Collection<AnmDocumentKind>, req: Request, res: Response) {
  const id = String(req.params.id);
  const stored = await getDocument(store.db, collection.kind, id);
  if (!stored) throw new Problem('request.not-found', `No ${collection.kind} with id ${id}`);
  const format = chooseRepresentation(req, ['application/json', TSV] as const);
  res.setHeader('Vary', 'Accept');
  if (format === TSV) {
    res.type(`${TSV}; charset=utf-8`).send(await work.run('renderAnmTable', { kind: collection.kind, body: stored.body }, stored.body.length));
    return;
  }
  res.type('application/json').send(representations.of(stored));
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

async function list(store: Store, collection: Collection<AnmDocumentKind>, req: Request, res: Response) {
  const limit = pageLimit(req.query.limit);
  const before = decodeCursor(req.query.cursor);
  const page = await listSummaries(store.db, collection.kind, limit, before);
  const base = `${ANM_BASE_PATH}/${collection.path}`;
  const next = page.nextBefore === undefined ? null : `${base}?limit=${limit}&cursor=${encodeCursor(page.nextBefore)}`;
  if (next) res.setHeader('Link', `<${next}>; rel="next"`);
  res.type('application/json').send(
    canonicalJson({
      items: page.items.map((stored) => ({
        id: stored.id,
        revision: stored.revision,
        acceptedAt: stored.acceptedAt,
        href: selfLink(collection, stored.id),
        ...stored.summary,
      })),
      next,
    }),
  );
}

function pageLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PAGE;
  const limit = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || limit < 1 || limit > MAX_PAGE) {
    throw new Problem('request.invalid-query', `limit must be a whole number from 1 to ${MAX_PAGE}`);
  }
  return limit;
}

const encodeCursor = (position: number) => Buffer.from(`p${position}`).toString('base64url');

function decodeCursor(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const decoded = typeof raw === 'string' ? /^p(\d{1,15})$/.exec(Buffer.from(raw, 'base64url').toString()) : null;
  if (!decoded) throw new Problem('request.invalid-query', 'cursor is not one this gateway issued; follow the "next" link');
  return Number(decoded[1]);
}
