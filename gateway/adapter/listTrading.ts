import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { MatchedTrade, TradeVerificationOutcome, TradingOutcome } from '../../schemas/anm/trade.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { Problem } from '../../protocol/problem.ts';
import { addRevision, getDocument, getRevision, type StoredDocument } from '../store/anmDocuments.ts';
import { summaryJson, summaryOf } from '../anm/documentSummaries.ts';
import type { DerivedReference } from '../store/journal.ts';
import type { StoreExecutor } from '../store/store.ts';
import { viewConstraint } from './constraintView.ts';
import { tradingEligibility } from './eligibility.ts';
import { reorderMeritOrder, type ReorderedList } from './reorder.ts';
import { agreeTrades, constraintUnder } from './tradeAgreement.ts';
import { readTradeBook, writeTradeBook, type StoredTradeBook, type TradeBook, type TradeBookEvent } from './tradeBook.ts';
import { verifyTrades } from './verification.ts';

/** Where a change is recorded: the journal entry of the request and when it arrived. */
export interface Receipt {
  journalId: string;
  receivedAt: string;
}

export interface MeritOrderState {
  current: StoredDocument;
  /** The list trades re-order: the ANM's original, whatever revision is current. */
  base: MeritOrderList;
  book: StoredTradeBook | undefined;
}

export async function loadMeritOrder(db: StoreExecutor, id: string, pointer?: string): Promise<MeritOrderState> {
  const current = await getDocument(db, 'merit-order-list', id);
  if (!current) throw new Problem('request.not-found', `No merit-order-list with id ${id}`, pointer ? { pointer } : {});
  const book = await readTradeBook(db, id);
  if (!book) return { current, base: parseList(current), book };
  const original = await getRevision(db, 'merit-order-list', id, book.book.baseRevision);
  if (!original) throw new Error(`Trade book of ${id} names missing revision ${book.book.baseRevision}`);
  return { current, base: parseList(original), book };
}

export async function loadLookAhead(db: StoreExecutor, id: string): Promise<ConstraintLookAhead> {
  const stored = await getDocument(db, 'constraint-look-ahead', id);
  if (!stored) throw new Problem('request.not-found', `No constraint-look-ahead with id ${id}`);
  return JSON.parse(stored.body) as ConstraintLookAhead;
}

export const parseList = (stored: StoredDocument) => JSON.parse(stored.body) as MeritOrderList;

export interface TradeRequest {
  listId: string;
  trades: readonly MatchedTrade[];
  /** Required for a list's first trades; later ones may only repeat it. */
  lookAheadId: string | undefined;
  scenario: number | undefined;
  flexibleServiceContractIds: readonly string[];
}

export interface Recorded<T> {
  outcome: T;
  /** The list revision made, if any, then the trade book's. */
  derived: DerivedReference[];
}

/** Agrees matched trades with a stored list and stores the re-ordered list as its next revision. */
export async function tradeList(tx: StoreExecutor, request: TradeRequest, receipt: Receipt): Promise<Recorded<TradingOutcome>> {
  const { current, base, book: stored } = await loadMeritOrder(tx, request.listId);
  const book = stored?.book;
  const lookAheadId = request.lookAheadId ?? book?.constraintLookAheadId;
  if (!lookAheadId) throw new Problem('request.invalid-query', 'constraintLookAheadId is required for the first trades on a list');
  if (book && lookAheadId !== book.constraintLookAheadId) {
    throw new Problem(
      'adapter.look-ahead-mismatch',
      `List ${request.listId} is traded against look-ahead ${book.constraintLookAheadId}; later trades must be too (verify checks trades against a new look-ahead)`,
    );
  }
  const lookAhead = await loadLookAhead(tx, lookAheadId);
  const exclusions = [...new Set([...(book?.flexibleServiceContractIds ?? []), ...request.flexibleServiceContractIds])];
  const state = agreeTrades({ lookAhead, list: base, eligibility: tradingEligibility(exclusions) }, book?.state, request.trades);
  const added = state.trades.slice(book?.state.trades.length ?? 0).map((t) => t.tradeId);
  const { revision, reordered, derived } = await storeReordering(tx, receipt, {
    current,
    base,
    stored,
    lookAhead,
    scenario: request.scenario,
    book: {
      meritOrderListId: request.listId,
      baseRevision: book?.baseRevision ?? current.revision,
      constraintLookAheadId: lookAheadId,
      flexibleServiceContractIds: exclusions,
      state,
      cancelled: book?.cancelled ?? [],
      history: book?.history ?? [],
    },
    event: (molRevision) => ({ molRevision, cause: 'trades', tradeIds: added }),
  });
  return {
    outcome: {
      meritOrderListId: request.listId,
      revision,
      constraintLookAheadId: lookAheadId,
      trades: state.trades,
      splits: reordered.splits,
      meritOrderList: reordered.list,
    },
    derived,
  };
}

/** Checks a list's trades against the day's look-ahead; cancellations re-order the list as its next revision. */
export async function verifyListTrades(
  tx: StoreExecutor,
  request: { dayLookAheadId: string; listId: string },
  receipt: Receipt,
): Promise<Recorded<TradeVerificationOutcome>> {
  const dayLookAhead = await loadLookAhead(tx, request.dayLookAheadId);
  const { current, base, book: stored } = await loadMeritOrder(tx, request.listId, '/meritOrderListId');
  const { kept, cancelled } = verifyTrades(stored?.book.state.trades ?? [], dayLookAhead, base);
  const outcome = (revision: number, reordered: boolean): TradeVerificationOutcome => ({
    meritOrderListId: request.listId,
    constraintLookAheadId: request.dayLookAheadId,
    revision,
    reordered,
    kept: kept.map((t) => t.tradeId),
    cancelled,
  });
  if (!stored || cancelled.length === 0) return { outcome: outcome(current.revision, false), derived: [] };

  const { book } = stored;
  const { revision, derived } = await storeReordering(tx, receipt, {
    current,
    base,
    stored,
    // Remainders keep the place the trading constraint gave them: the kept trades were agreed under it.
    lookAhead: await loadLookAhead(tx, book.constraintLookAheadId),
    scenario: undefined,
    book: { ...book, state: { ...book.state, trades: kept }, cancelled: [...book.cancelled, ...cancelled] },
    event: (molRevision) => ({
      molRevision,
      cause: 'verification',
      constraintLookAheadId: request.dayLookAheadId,
      cancelledTradeIds: cancelled.map((c) => c.tradeId),
    }),
  });
  return { outcome: outcome(revision, true), derived };
}

interface Reordering {
  current: StoredDocument;
  base: MeritOrderList;
  stored: StoredTradeBook | undefined;
  /** The look-ahead the trades in `book` were agreed against. */
  lookAhead: ConstraintLookAhead;
  /** As given, else the current revision's. */
  scenario: number | undefined;
  /** The book as it is to be, but for the event of this revision. */
  book: TradeBook;
  event: (molRevision: number) => TradeBookEvent;
}

/**
 * Re-orders the original list by the book's trades in effect and stores it as
 * the list's next revision, with the book beside it, in the caller's
 * transaction. Either write fails with RevisionConflict if another request
 * got there first.
 */
async function storeReordering(
  tx: StoreExecutor,
  { journalId, receivedAt }: Receipt,
  { current, base, stored, lookAhead, scenario, book, event }: Reordering,
): Promise<{ revision: number; reordered: ReorderedList; derived: DerivedReference[] }> {
  const { terms, trades } = book.state;
  const listScenario = scenario ?? parseList(current).scenario;
  const reordered = reorderMeritOrder({
    list: base,
    view: viewConstraint(constraintUnder(lookAhead, terms), base, tradingEligibility(book.flexibleServiceContractIds)),
    trades,
    periodStart: terms.start,
    ...(listScenario !== undefined ? { scenario: listScenario } : {}),
    receivedAt,
  });
  const revision = await addRevision(tx, {
    documentId: book.meritOrderListId,
    basedOn: current.revision,
    createdAt: receivedAt,
    journalId,
    body: canonicalJson(reordered.list),
    summary: summaryJson(summaryOf('merit-order-list', reordered.list)),
  });
  const bookReference = await writeTradeBook(tx, stored, { ...book, history: [...book.history, event(revision)] }, { createdAt: receivedAt, journalId });
  return { revision, reordered, derived: [{ kind: 'merit-order-list', id: book.meritOrderListId, revision }, bookReference] };
}
