import express, { type Request, type Response, type Router } from 'express';
import { MatchedTradeList, TradeVerificationInput, type OpportunityReport, type RevisionHistory } from '../../schemas/anm/trade.ts';
import { ANM_BASE_PATH } from '../anm/routes.ts';
import { renderMeritOrderTable } from '../../protocol/anmTabular/meritOrderTable.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { chooseRepresentation, requireMediaType } from '../http/negotiation.ts';
import { incomingMessage } from '../http/incoming.ts';
import type { AcceptContext, Accepted, Intake, Produced } from '../intake.ts';
import { Problem } from '../../protocol/problem.ts';
import { getDocument, getRevision, listRevisions, RevisionConflict } from '../store/anmDocuments.ts';
import type { Store } from '../store/store.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import { tradingEligibility } from './eligibility.ts';
import { loadLookAhead, loadMeritOrder, parseList, tradeList, verifyListTrades } from './listTrading.ts';
import { tradingOpportunities } from './opportunities.ts';
import { requireOriginalList } from './tradeAgreement.ts';
import { readTradeBook } from './tradeBook.ts';

const TSV = 'text/tab-separated-values';
const LOOK_AHEADS = `${ANM_BASE_PATH}/constraint-look-aheads`;
const MERIT_ORDER_LISTS = `${ANM_BASE_PATH}/merit-order-lists`;
/** Attempts before a request that keeps losing the race for the list's next revision is refused. */
const REVISION_ATTEMPTS = 3;

const validateTrades = compileValidator(MatchedTradeList);
const validateVerification = compileValidator(TradeVerificationInput);

export interface AdapterRouterOptions {
  intake: Intake;
  maxBodyBytes: number;
}

/**
 * The adapter between the ANM and a market (seed 001 §5.1.1, §7.2): trading
 * opportunities for a look-ahead and a list, matched trades in and re-ordered
 * lists out (each a new revision of the list), and verification on the day.
 */
export function adapterRouter({ intake, maxBodyBytes }: AdapterRouterOptions): Router {
  const { store } = intake;
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: maxBodyBytes });
  router.get(`${LOOK_AHEADS}/:id/opportunities`, (req, res) => opportunities(store, req, res));
  router.post(`${LOOK_AHEADS}/:id/verify`, rawBody, (req, res) => verify(intake, req, res));
  router.post(`${MERIT_ORDER_LISTS}/:id/trades`, rawBody, (req, res) => trade(intake, req, res));
  router.get(`${MERIT_ORDER_LISTS}/:id/revisions`, (req, res) => revisions(store, req, res));
  router.get(`${MERIT_ORDER_LISTS}/:id/revisions/:revision`, (req, res) => revision(store, req, res));
  return router;
}

async function opportunities(store: Store, req: Request, res: Response) {
  const lookAheadId = String(req.params.id);
  const meritOrderListId = requiredQuery(req, 'meritOrderListId');
  const flexibleServiceContractIds = listQuery(req, 'flexibleServiceContractId');
  const lookAhead = await loadLookAhead(store.db, lookAheadId);
  const { base, book } = await loadMeritOrder(store.db, meritOrderListId);
  requireOriginalList(base);
  const eligibility = tradingEligibility([...(book?.book.flexibleServiceContractIds ?? []), ...flexibleServiceContractIds]);
  const report: OpportunityReport = {
    constraintLookAheadId: lookAheadId,
    meritOrderListId,
    constraints: tradingOpportunities(lookAhead, base, eligibility, book?.book.state.trades),
  };
  res.type('application/json').send(canonicalJson(report));
}

async function trade(intake: Intake, req: Request, res: Response) {
  const body = jsonBody(req);
  const request = {
    listId: String(req.params.id),
    trades: validateTrades(parseJson(decodeUtf8(body))),
    lookAheadId: optionalQuery(req, 'constraintLookAheadId'),
    scenario: scenarioQuery(req),
    flexibleServiceContractIds: listQuery(req, 'flexibleServiceContractId'),
  };
  const accepted = await accept(intake, req, body, async ({ tx, journalId, receivedAt }) => {
    const { outcome, derived } = await tradeList(tx, request, { journalId, receivedAt });
    return {
      derived,
      response: { status: 201, headers: { location: revisionLink(request.listId, outcome.revision) }, body: canonicalJson(outcome) },
    };
  });
  send(res, accepted);
}

async function verify(intake: Intake, req: Request, res: Response) {
  const body = jsonBody(req);
  const request = { dayLookAheadId: String(req.params.id), listId: validateVerification(parseJson(decodeUtf8(body))).meritOrderListId };
  const accepted = await accept(intake, req, body, async ({ tx, journalId, receivedAt }) => {
    const { outcome, derived } = await verifyListTrades(tx, request, { journalId, receivedAt });
    return { derived, response: { status: 200, headers: {}, body: canonicalJson(outcome) } };
  });
  send(res, accepted);
}

async function revisions(store: Store, req: Request, res: Response) {
  const id = String(req.params.id);
  const current = await getDocument(store.db, 'merit-order-list', id);
  if (!current) throw new Problem('request.not-found', `No merit-order-list with id ${id}`);
  const [all, stored] = await Promise.all([listRevisions(store.db, id), readTradeBook(store.db, id)]);
  const events = new Map(stored?.book.history.map((e) => [e.molRevision, e]));
  const tradedAgainst = stored ? { constraintLookAheadId: stored.book.constraintLookAheadId } : {};
  const history: RevisionHistory = {
    meritOrderListId: id,
    currentRevision: current.revision,
    revisions: all.map((r) => {
      const event = events.get(r.revision);
      const common = { revision: r.revision, createdAt: r.createdAt, journalId: r.journalId, href: revisionLink(id, r.revision) };
      if (!event) return { ...common, cause: 'original' as const };
      if (event.cause === 'trades') return { ...common, cause: event.cause, ...tradedAgainst, tradeIds: event.tradeIds };
      return { ...common, cause: event.cause, constraintLookAheadId: event.constraintLookAheadId, cancelledTradeIds: event.cancelledTradeIds };
    }),
  };
  res.type('application/json').send(canonicalJson(history));
}

async function revision(store: Store, req: Request, res: Response) {
  const id = String(req.params.id);
  const text = String(req.params.revision);
  const stored = /^[1-9]\d{0,8}$/.test(text) ? await getRevision(store.db, 'merit-order-list', id, Number(text)) : undefined;
  if (!stored) throw new Problem('request.not-found', `No revision ${text} of merit-order-list ${id}`);
  const format = chooseRepresentation(req, ['application/json', TSV] as const);
  res.setHeader('Vary', 'Accept');
  if (format === TSV) {
    res.type(`${TSV}; charset=utf-8`).send(renderMeritOrderTable(parseList(stored)));
    return;
  }
  res.type('application/json').send(canonicalJson({ id: stored.id, revision: stored.revision, acceptedAt: stored.acceptedAt, ...parseList(stored) }));
}

const revisionLink = (id: string, revision: number) => `${MERIT_ORDER_LISTS}/${encodeURIComponent(id)}/revisions/${revision}`;

function jsonBody(req: Request): Buffer {
  requireMediaType(req, ['application/json'] as const);
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/**
 * Journals and answers the request once, as every message is. The query
 * names the partner documents, so it is part of what is journalled and of the
 * idempotency scope. A lost race for the list's next revision is run again
 * against the list as the winner left it.
 */
async function accept(intake: Intake, req: Request, body: Buffer, produce: (context: AcceptContext) => Promise<Produced>): Promise<Accepted> {
  const message = incomingMessage(req, body, 'application/json');
  for (let attempt = 1; ; attempt++) {
    try {
      return await intake.accept(message, produce);
    } catch (error) {
      if (!(error instanceof RevisionConflict)) throw error;
      if (attempt === REVISION_ATTEMPTS) {
        throw new Problem('adapter.concurrent-update', `The list was revised by ${REVISION_ATTEMPTS} other requests while this one ran`);
      }
    }
  }
}

function send(res: Response, { response, replayed }: Accepted) {
  if (replayed) res.setHeader('Idempotency-Replayed', 'true');
  res.status(response.status).set(response.headers).type('application/json').send(response.body);
}

function optionalQuery(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
    throw new Problem('request.invalid-query', `${name} must be given once, as an id of at most 100 characters`);
  }
  return value;
}

function requiredQuery(req: Request, name: string): string {
  const value = optionalQuery(req, name);
  if (value === undefined) throw new Problem('request.invalid-query', `${name} is required`);
  return value;
}

function listQuery(req: Request, name: string): string[] {
  const value = req.query[name];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 60)) {
    throw new Problem('request.invalid-query', `${name} must be contract ids of 1 to 60 characters`);
  }
  return values;
}

function scenarioQuery(req: Request): number | undefined {
  const text = optionalQuery(req, 'scenario');
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new Problem('request.invalid-query', 'scenario must be a whole number');
  return Number(text);
}
