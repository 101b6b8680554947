import { timeOrderedUuid } from '../../protocol/identity/timeOrderedUuid.ts';
import express, { type Request, type Response, type Router } from 'express';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { chooseRepresentation, requireMediaType } from '../http/negotiation.ts';
import { incomingMessage, incomingMessageOf } from '../http/incoming.ts';
import type { DirectAnswer, DirectRoute } from '../http/directLane.ts';
import type { IncomingMessage, Intake } from '../intake.ts';
import { Problem } from '../../protocol/problem.ts';
import { getDocument, insertDocument, type StoredDocument } from '../store/anmDocuments.ts';
import { listSummaries, summaryJson } from './documentSummaries.ts';
import { representationOf, Representations } from './representations.ts';
import type { Store, StoreExecutor } from '../store/store.ts';
import type { DocumentLimits } from './documentLimits.ts';
import { DEFAULT_BUDGETS, type Budgets } from '../budgets.ts';
import { sharedHeavyWork, type HeavyWork } from '../heavyWork/pool.ts';
import { ANM_MEDIA_TYPES, type AnmDocumentKind, type AnmMediaType } from './decode.ts';

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
export function anmRouter(options: AnmRouterOptions, documents = new AnmDocuments(options)): Router {
  const { store } = options.intake;
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: options.maxBodyBytes });
  for (const collection of collections as Collection<AnmDocumentKind>[]) {
    const base = `${ANM_BASE_PATH}/${collection.path}`;
    router
      .route(base)
      .post(rawBody, async (req, res) => {
        const mediaType = requireMediaType(req, ANM_MEDIA_TYPES);
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        send(res, await documents.create(collection, incomingMessage(req, body, mediaType), mediaType));
      })
      .get((req, res) => list(store, collection, req, res));
    router.route(`${base}/:id`).get(async (req, res) => {
      send(res, await documents.read(collection, String(req.params.id), chooseRepresentation(req, ['application/json', TSV] as const)));
    });
  }
  return router;
}

const send = (res: Response, answer: DirectAnswer) => res.status(answer.status).set(answer.headers).type(answer.contentType).send(answer.body);

const selfLink = (collection: Collection<AnmDocumentKind>, id: string) => `${ANM_BASE_PATH}/${collection.path}/${encodeURIComponent(id)}`;

/**
 * What the ANM API does with a document posted or read, apart from HTTP:
 * answered through the Express router, or the direct lane for the requests
 * it takes (a JSON read, every post; gateway/http/directLane.ts).
 */
export class AnmDocuments {
  private readonly intake: Intake;
  private readonly limits: DocumentLimits;
  private readonly work: HeavyWork;
  private readonly representations = new Representations();

  constructor({ intake, limits = DEFAULT_BUDGETS, heavyWork }: Omit<AnmRouterOptions, 'maxBodyBytes'>) {
    this.intake = intake;
    this.limits = limits;
    this.work = heavyWork ?? sharedHeavyWork(limits.heavyWorkMs);
  }

  /** Decodes and stores a posted document; 201 with its representation. */
  async create(collection: Collection<AnmDocumentKind>, message: IncomingMessage, mediaType: AnmMediaType): Promise<DirectAnswer> {
    const { body } = message;
    const document = await this.work.run('decodeAnm', { kind: collection.kind, body, mediaType, limits: this.limits }, body.length);
    const { response, replayed } = await this.intake.accept(message, async ({ tx, journalId, receivedAt }) => {
      const stored: StoredDocument = {
        id: timeOrderedUuid(),
        kind: collection.kind,
        acceptedAt: receivedAt,
        revision: 1,
        journalId,
        body: document.body,
      };
      await insertDocument(tx, { ...stored, summary: summaryJson(document.summary) });
      return {
        derived: [{ kind: collection.kind, id: stored.id, revision: 1 }],
        response: { status: 201, headers: { location: selfLink(collection, stored.id) }, body: representationOf(stored) },
      };
    });
    const headers = replayed ? { ...response.headers, 'Idempotency-Replayed': 'true' } : response.headers;
    return { status: response.status, headers, contentType: JSON_UTF8, body: response.body };
  }

  /** A stored document, as JSON or the ANM's table. */
  async read(
    collection: Collection<AnmDocumentKind>,
    id: string,
    format: 'application/json' | typeof TSV,
    db: StoreExecutor = this.intake.store.db,
  ): Promise<DirectAnswer> {
    const stored = await getDocument(db, collection.kind, id);
    if (!stored) throw new Problem('request.not-found', `No ${collection.kind} with id ${id}`);
    const headers = { Vary: 'Accept' };
    if (format === TSV) {
      const table = await this.work.run('renderAnmTable', { kind: collection.kind, body: stored.body }, stored.body.length);
      return { status: 200, headers, contentType: `${TSV}; charset=utf-8`, body: table };
    }
    return { status: 200, headers, contentType: JSON_UTF8, body: this.representations.of(stored) };
  }

  /**
   * The routes the direct lane answers: every post of a document, and a
   * read of one that asks for JSON (or names no representation).
   */
  directRoutes(): DirectRoute[] {
    return (collections as Collection<AnmDocumentKind>[]).flatMap((collection): DirectRoute[] => [
      {
        method: 'POST',
        path: new RegExp(`^${ANM_BASE_PATH}/${collection.path}$`),
        answer: (request) => {
          const mediaType = requireMediaType(request, ANM_MEDIA_TYPES);
          return this.create(collection, incomingMessageOf(request, mediaType), mediaType);
        },
      },
      {
        method: 'GET',
        path: new RegExp(`^${ANM_BASE_PATH}/${collection.path}/(${DIRECT_ID})$`),
        takes: (headers) => headers.accept === undefined || JSON_ACCEPTS.has(headers.accept),
        answersInAdmission: true,
        answer: (request) => this.read(collection, request.params[0]!, 'application/json', request.tx),
      },
    ]);
  }
}

const JSON_UTF8 = 'application/json; charset=utf-8';
/** Accept headers that choose JSON here with no negotiation to do; any other goes through Express's. */
const JSON_ACCEPTS: ReadonlySet<string> = new Set(['*/*', 'application/json', 'application/*']);
/** Ids as the gateway issues them, in unreserved characters only: nothing to decode, nothing to refuse. */
const DIRECT_ID = '[A-Za-z0-9._~-]{1,128}';

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
