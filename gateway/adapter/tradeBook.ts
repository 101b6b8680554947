import type { TradeCancellation } from '../../schemas/anm/trade.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { addRevision, getDocument, insertDocument } from '../store/anmDocuments.ts';
import type { DerivedReference } from '../store/journal.ts';
import type { StoreExecutor } from '../store/store.ts';
import type { TradingState } from './tradeAgreement.ts';

/**
 * What a merit order list has been traded for and which trades are in
 * effect: the record a re-ordering starts from and verification checks. It
 * lives beside the list as a document of its own (the list's schema has no
 * room for trades), revised in the same transaction as the list.
 */
export interface TradeBook {
  meritOrderListId: string;
  /** The revision the ANM issued; every re-ordering starts from it. */
  baseRevision: number;
  constraintLookAheadId: string;
  /** Held for later trades on the same list, so an exclusion is not lost by omitting it once. */
  flexibleServiceContractIds: string[];
  state: TradingState;
  cancelled: TradeCancellation[];
  /** One event per list revision the book produced. */
  history: TradeBookEvent[];
}

export type TradeBookEvent =
  | { molRevision: number; cause: 'trades'; tradeIds: string[] }
  | { molRevision: number; cause: 'verification'; constraintLookAheadId: string; cancelledTradeIds: string[] };

export interface StoredTradeBook {
  book: TradeBook;
  revision: number;
}

export const TRADE_BOOK_KIND = 'merit-order-trade-book';

/** One book per list, found from the list's id alone. */
const tradeBookId = (meritOrderListId: string) => `${meritOrderListId}/trade-book`;

export async function readTradeBook(db: StoreExecutor, meritOrderListId: string): Promise<StoredTradeBook | undefined> {
  const stored = await getDocument(db, TRADE_BOOK_KIND, tradeBookId(meritOrderListId));
  return stored && { book: JSON.parse(stored.body) as TradeBook, revision: stored.revision };
}

/** Stores the book's next revision, refusing (RevisionConflict) if another writer got there first. */
export async function writeTradeBook(
  db: StoreExecutor,
  previous: StoredTradeBook | undefined,
  book: TradeBook,
  at: { createdAt: string; journalId: string },
): Promise<DerivedReference> {
  const id = tradeBookId(book.meritOrderListId);
  const body = canonicalJson(book);
  if (!previous) {
    await insertDocument(db, { id, kind: TRADE_BOOK_KIND, acceptedAt: at.createdAt, journalId: at.journalId, body });
    return { kind: TRADE_BOOK_KIND, id, revision: 1 };
  }
  const revision = await addRevision(db, { documentId: id, basedOn: previous.revision, ...at, body });
  return { kind: TRADE_BOOK_KIND, id, revision };
}
