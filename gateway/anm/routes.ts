import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { chooseRepresentation, requireMediaType } from '../http/negotiation.ts';
import { incomingMessage } from '../http/incoming.ts';
import type { Intake } from '../intake.ts';
import { Problem } from '../../protocol/problem.ts';
import { getDocument, insertDocument, listDocuments, type StoredDocument } from '../store/anmDocuments.ts';
import type { Store } from '../store/store.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './documentLimits.ts';
import { ANM_MEDIA_TYPES, decodeAnmDocument, type AnmDocumentKind, type AnmDocuments } from './decode.ts';
import { renderLookAheadTable } from '../../protocol/anmTabular/lookAheadTable.ts';
import { renderMeritOrderTable } from '../../protocol/anmTabular/meritOrderTable.ts';

export const ANM_BASE_PATH = '/anm/v1';
const TSV = 'text/tab-separated-values';

interface Collection<K extends AnmDocumentKind> {
  kind: K;
  path: string;
  renderTable: (document: AnmDocuments[K]) => string;
  summarise: (document: AnmDocuments[K]) => Record<string, unknown>;
}

const collections = [
  {
    kind: 'constraint-look-ahead',
    path: 'constraint-look-aheads',
    renderTable: renderLookAheadTable,
    summarise: (doc: ConstraintLookAhead) => ({
      issuedAt: doc.issuedAt,
      constraints: doc.constraints.map(({ resources, ...constraint }) => ({ ...constraint, resourceCount: resources.length })),
    }),
  } satisfies Collection<'constraint-look-ahead'>,
  {
    kind: 'merit-order-list',
    path: 'merit-order-lists',
    renderTable: renderMeritOrderTable,
    summarise: (doc: MeritOrderList) => ({
      issuedAt: doc.issuedAt,
      periodStart: doc.periodStart,
      scenario: doc.scenario,
      receivedAt: doc.receivedAt,
      entryCount: doc.entries.length,
    }),
  } satisfies Collection<'merit-order-list'>,
];

export interface AnmRouterOptions {
  intake: Intake;
  maxBodyBytes: number;
  /** What one document may hold and cost; the default budgets otherwise. */
  limits?: DocumentLimits;
}

/** ANM API v1: look-aheads and merit order lists in (JSON or the ANM's tables), stored, and served back. */
export function anmRouter({ intake, maxBodyBytes, limits = DEFAULT_DOCUMENT_LIMITS }: AnmRouterOptions): Router {
  const { store } = intake;
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: maxBodyBytes });
  for (const collection of collections as Collection<AnmDocumentKind>[]) {
    const base = `${ANM_BASE_PATH}/${collection.path}`;
    router
      .route(base)
      .post(rawBody, (req, res) => create(intake, collection, limits, req, res))
      .get((req, res) => list(store, collection, req, res));
    router.route(`${base}/:id`).get((req, res) => read(store, collection, req, res));
  }
  return router;
}

const selfLink = (collection: Collection<AnmDocumentKind>, id: string) => `${ANM_BASE_PATH}/${collection.path}/${encodeURIComponent(id)}`;

/** The JSON representation: the canonical document with its identity and revision. */
function representation(stored: StoredDocument): string {
  return canonicalJson({ id: stored.id, revision: stored.revision, acceptedAt: stored.acceptedAt, ...(JSON.parse(stored.body) as object) });
}

async function create(intake: Intake, collection: Collection<AnmDocumentKind>, limits: DocumentLimits, req: Request, res: Response) {
  const mediaType = requireMediaType(req, ANM_MEDIA_TYPES);
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const document = decodeAnmDocument(collection.kind, body, mediaType, limits);
  const { response, replayed } = await intake.accept(incomingMessage(req, body, mediaType), async ({ tx, journalId, receivedAt }) => {
    const stored: StoredDocument = {
      id: randomUUID(),
      kind: collection.kind,
      acceptedAt: receivedAt,
      revision: 1,
      journalId,
      body: canonicalJson(document),
    };
    await insertDocument(tx, stored);
    return {
      derived: [{ kind: collection.kind, id: stored.id, revision: 1 }],
      response: { status: 201, headers: { location: selfLink(collection, stored.id) }, body: representation(stored) },
    };
  });
  if (replayed) res.setHeader('Idempotency-Replayed', 'true');
  res.status(response.status).set(response.headers).type('application/json').send(response.body);
}

async function read(store: Store, collection: Collection<AnmDocumentKind>, req: Request, res: Response) {
  const id = String(req.params.id);
  const stored = await getDocument(store.db, collection.kind, id);
  if (!stored) throw new Problem('request.not-found', `No ${collection.kind} with id ${id}`);
  const format = chooseRepresentation(req, ['application/json', TSV] as const);
  res.setHeader('Vary', 'Accept');
  if (format === TSV) {
    res.type(`${TSV}; charset=utf-8`).send(collection.renderTable(JSON.parse(stored.body) as never));
    return;
  }
  res.type('application/json').send(representation(stored));
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

async function list(store: Store, collection: Collection<AnmDocumentKind>, req: Request, res: Response) {
  const limit = pageLimit(req.query.limit);
  const before = decodeCursor(req.query.cursor);
  const page = await listDocuments(store.db, collection.kind, limit, before);
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
        ...collection.summarise(JSON.parse(stored.body) as never),
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
