import express, { type Request, type Response, type Router } from 'express';
import { PROFILES, profileById, type CimProfile } from '../../profiles/catalogue.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { chooseRepresentation, requireMediaType } from '../http/negotiation.ts';
import { incomingMessage } from '../http/incoming.ts';
import type { Intake } from '../intake.ts';
import { Problem } from '../../protocol/problem.ts';
import { addRevision, insertDocument, RevisionConflict } from '../store/anmDocuments.ts';
import type { Store, StoreExecutor } from '../store/store.ts';
import { acceptance, rejection } from './acknowledgements.ts';
import { documentIdOfMrid, mridOfDocument } from './documentIdentity.ts';
import { summaryJson } from '../anm/documentSummaries.ts';
import type { HeaderPeek } from './inbound.ts';
import { DEFAULT_CIM_PARTIES, type CimParties } from './outbound.ts';
import { sharedHeavyWork, type HeavyWork } from '../heavyWork/pool.ts';
import { profileOfReading, type CimReading } from '../heavyWork/tasks.ts';
import { findRevision, listCurrent } from './storedDocuments.ts';
import { xmlLimitsOf, type XmlLimits } from './xmlSafety.ts';
import { DEFAULT_BUDGETS, type Budgets } from '../budgets.ts';
import type { DocumentLimits } from '../anm/documentLimits.ts';
import { locateField } from '../../profiles/machinery/locate.ts';
import type { ConsistencyMode } from '../../schemas/registry/registry.ts';
import { DEFAULT_CONSISTENCY_MODE } from '../registry/intakeConsistency.ts';
import { RegistryIndexCache } from '../registry/registryIndexCache.ts';
import { recordWarnings } from '../registry/registryRecords.ts';
import { assetContradictions, type StatedAsset } from './registeredAssets.ts';

export const CIM_DOCUMENTS_PATH = '/cim/v1/documents';
const XML_MEDIA_TYPES = ['application/xml', 'text/xml'] as const;
const XML = 'application/xml; charset=utf-8';

export interface CimRouterOptions {
  intake: Intake;
  /** Largest request body read; also the XML size limit unless `xmlLimits` says otherwise. */
  maxBodyBytes: number;
  parties?: CimParties;
  xmlLimits?: Partial<XmlLimits>;
  /** What one document may hold and cost (XML limits included, unless `xmlLimits` says otherwise); the default budgets otherwise. */
  budgets?: Budgets;
  /** Where large documents are read and rendered; the process's shared pool otherwise. */
  heavyWork?: HeavyWork;
  /** What a document stating registered assets the registry contradicts gets: refused (the default) or a recorded warning. */
  registryConsistency?: ConsistencyMode;
  /** The registry's index, shared with the intake's reactions by the composition root; one of the router's own otherwise. */
  registry?: RegistryIndexCache;
}

/** How documents are checked against the registry, and where its index is kept. */
interface RegistryCheck {
  mode: ConsistencyMode;
  registry: RegistryIndexCache;
}

/**
 * CIM API v1: every stored document as the CIM document of its profile, and
 * CIM documents of any supported profile in. An inbound document is checked
 * (safety, XSD, profile rules, ANM rules), journalled, stored as a model
 * like any other (a look-ahead or merit order list is then also served by
 * the ANM API) and answered with an Acknowledgement_MarketDocument. A body
 * that is hostile or not a document of a supported profile gets problem+json:
 * there is nothing to acknowledge.
 */
export function cimRouter(options: CimRouterOptions): Router {
  const { intake } = options;
  const { store } = intake;
  const parties = options.parties ?? DEFAULT_CIM_PARTIES;
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  const limits: XmlLimits = { ...xmlLimitsOf(budgets), maxBytes: options.maxBodyBytes, ...options.xmlLimits };
  const work = options.heavyWork ?? sharedHeavyWork(budgets.heavyWorkMs);
  const consistency: RegistryCheck = { mode: options.registryConsistency ?? DEFAULT_CONSISTENCY_MODE, registry: options.registry ?? new RegistryIndexCache() };
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: options.maxBodyBytes });
  router
    .route(CIM_DOCUMENTS_PATH)
    .post(rawBody, (req, res) => create(intake, work, parties, limits, budgets, consistency, req, res))
    .get((req, res) => list(store, req, res));
  router.get(`${CIM_DOCUMENTS_PATH}/:id`, (req, res) => read(store, work, parties, budgets, consistency.registry, req, res));
  return router;
}

const selfLink = (id: string) => `${CIM_DOCUMENTS_PATH}/${encodeURIComponent(id)}`;

function sendRejection(res: Response, parties: CimParties, profile: CimProfile, peek: HeaderPeek, problem: Problem): void {
  // A rejection goes back to the sender the document names; without one, problem+json is all there is.
  if (!peek.sender) throw problem;
  res
    .status(problem.status)
    .type(XML)
    .send(rejection(profile, peek, { sender: parties.dso, receiver: peek.sender }, problem));
}

async function create(
  intake: Intake,
  work: HeavyWork,
  parties: CimParties,
  xmlLimits: XmlLimits,
  limits: DocumentLimits,
  consistency: RegistryCheck,
  req: Request,
  res: Response,
) {
  requireMediaType(req, XML_MEDIA_TYPES);
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const reading = await work.run('readCim', { body, xmlLimits, limits }, body.length);
  if (!reading.accepted) return sendRejection(res, parties, profileOfReading(reading.profileId), reading.peek, Problem.of(reading.problem));
  const document = { ...reading, profile: profileOfReading(reading.kind) };
  const peek: HeaderPeek = document.header;
  const id = documentIdOfMrid(document.header.mRID);
  try {
    const { response, replayed } = await intake.accept(incomingMessage(req, body, 'application/xml'), async ({ tx, journalId, receivedAt }) => {
      const revision = await storeRevision(tx, document, id, journalId, receivedAt);
      await checkStatedAssets(tx, document.profile, reading.statedAssets, consistency, { source: `${document.kind}/${id}/${revision}`, receivedAt });
      const outcome = `Accepted and stored as ${document.kind} ${id}, revision ${revision}`;
      return {
        derived: [{ kind: document.kind, id, revision }],
        response: {
          status: 201,
          headers: { location: selfLink(id) },
          body: acceptance(document.profile, peek, { sender: parties.dso, receiver: document.header.sender }, outcome),
        },
      };
    });
    if (replayed) res.setHeader('Idempotency-Replayed', 'true');
    res.status(response.status).set(response.headers).type(XML).send(response.body);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    sendRejection(res, parties, document.profile, peek, error);
  }
}

/**
 * The registered assets a document states must be the registry's (ENA D2:
 * an instruction whose DSO asset id does not match is rejected); they are
 * never stored, since documents are rendered with the registry's own. As
 * for merit order lists, nothing is checked while the registry is empty.
 */
async function checkStatedAssets(
  tx: StoreExecutor,
  profile: CimProfile,
  stated: readonly StatedAsset[],
  { mode, registry }: RegistryCheck,
  at: { source: string; receivedAt: string },
): Promise<void> {
  if (stated.length === 0) return;
  const index = await registry.indexOf(tx);
  if (index.empty) return;
  const items = assetContradictions(stated, (resourceId) => index.assetOfResource(resourceId)).map((item) => ({
    ...item,
    pointer: locateField(profile, item.pointer ?? ''),
  }));
  if (items.length === 0) return;
  if (mode === 'enforced') throw Problem.of(items);
  await recordWarnings(
    tx,
    items.map((item) => ({ code: item.code, detail: item.detail, source: at.source, recordedAt: at.receivedAt })),
  );
}

/** An accepted document as read off the event loop: its kind, profile, header, canonical body and summary. */
type ReadDocument = Extract<CimReading, { accepted: true }> & { readonly profile: CimProfile };

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The mRID names the document and revisionNumber its revision: revision 1
 * creates it, revision n + 1 replaces revision n (a traded merit order list
 * after the original). Anything else conflicts with what is stored.
 */
async function storeRevision(tx: StoreExecutor, document: ReadDocument, id: string, journalId: string, receivedAt: string): Promise<number> {
  const { header, profile } = document;
  const revisionNumber = 'revisionNumber' in header ? header.revisionNumber : 1;
  const at = (element: string) => ({ pointer: `/${profile.root}/${element}` });
  const conflict = (detail: string, element: string) => new Problem('cim.revision-conflict', detail, at(element));
  const { body, summary } = document;
  const existing = await findRevision(tx, id);
  if (!existing) {
    if (revisionNumber !== 1) throw conflict(`flexgate has no document ${header.mRID}: its first revision must be 1, not ${revisionNumber}`, 'revisionNumber');
    try {
      await insertDocument(tx, { id, kind: document.kind, acceptedAt: receivedAt, journalId, body, summary: summaryJson(summary) });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`Document ${header.mRID} was created by another request at the same time`, 'mRID');
      throw error;
    }
    return 1;
  }
  if (existing.kind !== document.kind) throw conflict(`mRID ${header.mRID} names a ${existing.kind}, not a ${document.kind}`, 'mRID');
  const next = existing.currentRevision + 1;
  if (revisionNumber !== next)
    throw conflict(`Document ${header.mRID} is at revision ${existing.currentRevision}: the next revision is ${next}, not ${revisionNumber}`, 'revisionNumber');
  let revision: number;
  try {
    revision = await addRevision(tx, {
      documentId: id,
      basedOn: existing.currentRevision,
      createdAt: receivedAt,
      journalId,
      body,
      summary: summaryJson(summary),
    });
  } catch (error) {
    if (error instanceof RevisionConflict) throw conflict(`Document ${header.mRID} gained revision ${next} from another request first`, 'revisionNumber');
    throw error;
  }
  return revision;
}

async function read(store: Store, work: HeavyWork, parties: CimParties, limits: DocumentLimits, registry: RegistryIndexCache, req: Request, res: Response) {
  const id = String(req.params.id);
  const revision = revisionQuery(req.query.revision);
  chooseRepresentation(req, ['application/xml'] as const);
  const stored = await findRevision(store.db, id, revision);
  if (!stored) throw new Problem('request.not-found', revision === undefined ? `No document with id ${id}` : `Document ${id} has no revision ${revision}`);
  res.setHeader('Vary', 'Accept');
  const { assets } = (await registry.indexOf(store.db)).snapshot;
  res.type(XML).send(await work.run('renderCim', { stored, parties, limits, assets }, stored.body.length));
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

async function list(store: Store, req: Request, res: Response) {
  const limit = pageLimit(req.query.limit);
  const before = decodeCursor(req.query.cursor);
  const kind = req.query.kind;
  if (kind !== undefined && (typeof kind !== 'string' || !profileById(kind))) {
    throw new Problem('request.invalid-query', `kind must be one of ${PROFILES.map((p) => p.id).join(', ')}`);
  }
  const kinds = kind === undefined ? PROFILES.map((p) => p.id) : [kind];
  const page = await listCurrent(store.db, kinds, limit, before);
  const query = `limit=${limit}${kind === undefined ? '' : `&kind=${encodeURIComponent(kind)}`}`;
  const next = page.nextBefore === undefined ? null : `${CIM_DOCUMENTS_PATH}?${query}&cursor=${encodeCursor(page.nextBefore)}`;
  if (next) res.setHeader('Link', `<${next}>; rel="next"`);
  res.type('application/json').send(
    canonicalJson({
      items: page.items.map((stored) => ({
        id: stored.id,
        mRID: mridOfDocument(stored.id),
        kind: stored.kind,
        document: profileById(stored.kind)?.root,
        revision: stored.revision,
        acceptedAt: stored.acceptedAt,
        href: selfLink(stored.id),
      })),
      next,
    }),
  );
}

function revisionQuery(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,5}$/.test(raw)) throw new Problem('request.invalid-query', 'revision must be a whole number from 1');
  return Number(raw);
}

function pageLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PAGE;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE) {
    throw new Problem('request.invalid-query', `limit must be a whole number from 1 to ${MAX_PAGE}`);
  }
  return Number(raw);
}

const encodeCursor = (position: number) => Buffer.from(`c${position}`).toString('base64url');

function decodeCursor(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const decoded = typeof raw === 'string' ? /^c(\d{1,15})$/.exec(Buffer.from(raw, 'base64url').toString()) : null;
  if (!decoded) throw new Problem('request.invalid-query', 'cursor is not one this gateway issued; follow the "next" link');
  return Number(decoded[1]);
}
