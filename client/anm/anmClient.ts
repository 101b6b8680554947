import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConstraintLookAhead, type ConstraintLookAheadInput } from '../../schemas/anm/constraintLookAhead.ts';
import { MeritOrderList, type MeritOrderListInput } from '../../schemas/anm/meritOrderList.ts';
import { OpportunityReport, RevisionHistory, TradeVerificationOutcome, TradingOutcome } from '../../schemas/anm/trade.ts';
import type { MatchedTrade, TradeVerificationInput } from '../../schemas/anm/trade.ts';
import { compileValidator, type Validator } from '../../protocol/jsonSchema.ts';
import { Problem } from '../../protocol/problem.ts';
import type { FlexgateClient, SignedResponse } from '../flexgateClient.ts';
import { refusalOf, ResponseInvalid } from '../refusal.ts';

const ANM = '/anm/v1';
const LOOK_AHEADS = `${ANM}/constraint-look-aheads`;
const MERIT_ORDER_LISTS = `${ANM}/merit-order-lists`;
const TSV = 'text/tab-separated-values';

/** What the gateway adds to every stored document. */
const StoredIdentity = Type.Object({ id: Type.String({ minLength: 1 }), revision: Type.Integer({ minimum: 1 }), acceptedAt: Type.String() });
type StoredIdentity = Static<typeof StoredIdentity>;

export type StoredLookAhead = StoredIdentity & ConstraintLookAhead;
export type StoredMeritOrderList = StoredIdentity & MeritOrderList;

/** A list page: summaries with their links, and the cursor link to the next page. */
const DocumentPage = Type.Object({
  items: Type.Array(Type.Object({ ...StoredIdentity.properties, href: Type.String() })),
  next: Type.Union([Type.String(), Type.Null()]),
});
/** Each item also carries the document's summary (issue time, counts). */
export type DocumentPage = { items: Array<Static<typeof DocumentPage>['items'][number] & Record<string, unknown>>; next: string | null };

/** An ANM document to send: JSON as the schema defines it, or the ANM's own table (TSV, or CSV) as exported. */
export type AnmUpload<T> = T | { table: Uint8Array | string; format?: 'tsv' | 'csv' };

export interface Accepted<T> {
  document: T;
  /** Where the gateway keeps it (`Location`). */
  location: string;
  /** The gateway answered an earlier identical request again (idempotent replay). */
  replayed: boolean;
  response: SignedResponse;
}

const validators = new Map<TSchema, Validator<unknown>>();
function validatorOf<S extends TSchema>(schema: S): Validator<Static<S>> {
  let validate = validators.get(schema);
  if (!validate) validators.set(schema, (validate = compileValidator(schema)));
  return validate as Validator<Static<S>>;
}

/** The answer's JSON; a refusal thrown as `GatewayRefusal`. */
function answerJson(response: SignedResponse, context: string): unknown {
  if (response.status < 200 || response.status >= 300) throw refusalOf(response.status, response.body, context);
  try {
    return response.json();
  } catch (error) {
    throw new ResponseInvalid(`${context}: the answer is not JSON`, { cause: error });
  }
}

/** A value checked against the schema in schemas/anm/ that defines it. */
function validated<S extends TSchema>(value: unknown, schema: S, context: string): Static<S> {
  try {
    return validatorOf(schema)(value);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    throw new ResponseInvalid(`${context}: the answer does not match its schema: ${error.items.map((i) => i.detail).join('; ')}`, { cause: error });
  }
}

const read = <S extends TSchema>(response: SignedResponse, schema: S, context: string): Static<S> => validated(answerJson(response, context), schema, context);

/** A stored document: the gateway's identity members checked, the rest against the document's own schema. */
function readStored<S extends TSchema>(response: SignedResponse, schema: S, context: string): StoredIdentity & Static<S> {
  const { id, revision, acceptedAt, ...document } = (answerJson(response, context) ?? {}) as Record<string, unknown>;
  const identity = validated({ id, revision, acceptedAt }, StoredIdentity, context);
  return Object.assign(validated(document, schema, context) as object, identity) as StoredIdentity & Static<S>;
}

function upload<T>(document: AnmUpload<T>): { body: string | Uint8Array; contentType: string } {
  if (typeof document === 'object' && document !== null && 'table' in document) {
    return { body: document.table, contentType: document.format === 'csv' ? 'text/csv' : TSV };
  }
  return { body: JSON.stringify(document), contentType: 'application/json' };
}

const text = (response: SignedResponse, context: string): string => {
  if (response.status !== 200) throw refusalOf(response.status, response.body, context);
  return response.text();
};

const pageQuery = (page: { limit?: number; cursor?: string } = {}) => {
  const query = new URLSearchParams();
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  if (page.cursor !== undefined) query.set('cursor', page.cursor);
  return query.size > 0 ? `?${query.toString()}` : '';
};

/**
 * The ANM API (and the adapter's trading routes under it) as typed calls
 * over a signing `FlexgateClient`: look-aheads and merit order lists in
 * (JSON or the ANM's tables) and out (JSON or TSV), trading opportunities,
 * matched trades, verification on the day and revision history. Every answer
 * is checked against the schema in `schemas/anm/` that defines it; every
 * refusal is thrown as `GatewayRefusal` with its problem document.
 */
export class AnmClient {
  constructor(readonly client: FlexgateClient) {}

  private async post<S extends TSchema>(
    path: string,
    document: AnmUpload<unknown>,
    schema: S,
    idempotencyKey?: string,
  ): Promise<Accepted<StoredIdentity & Static<S>>> {
    const response = await this.client.request('POST', path, {
      ...upload(document),
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    });
    const stored = readStored(response, schema, `POST ${path}`);
    return { document: stored, location: String(response.headers.location ?? ''), replayed: response.headers['idempotency-replayed'] === 'true', response };
  }

  postLookAhead(document: AnmUpload<ConstraintLookAheadInput>, options: { idempotencyKey?: string } = {}): Promise<Accepted<StoredLookAhead>> {
    return this.post(LOOK_AHEADS, document, ConstraintLookAhead, options.idempotencyKey);
  }

  postMeritOrderList(document: AnmUpload<MeritOrderListInput>, options: { idempotencyKey?: string } = {}): Promise<Accepted<StoredMeritOrderList>> {
    return this.post(MERIT_ORDER_LISTS, document, MeritOrderList, options.idempotencyKey);
  }

  async lookAhead(id: string): Promise<StoredLookAhead> {
    const path = `${LOOK_AHEADS}/${encodeURIComponent(id)}`;
    return readStored(await this.client.request('GET', path), ConstraintLookAhead, `GET ${path}`);
  }

  async lookAheadTable(id: string): Promise<string> {
    const path = `${LOOK_AHEADS}/${encodeURIComponent(id)}`;
    return text(await this.client.request('GET', path, { headers: { accept: TSV } }), `GET ${path}`);
  }

  async lookAheads(page?: { limit?: number; cursor?: string }): Promise<DocumentPage> {
    const path = `${LOOK_AHEADS}${pageQuery(page)}`;
    return read(await this.client.request('GET', path), DocumentPage, `GET ${path}`) as DocumentPage;
  }

  async meritOrderList(id: string): Promise<StoredMeritOrderList> {
    const path = `${MERIT_ORDER_LISTS}/${encodeURIComponent(id)}`;
    return readStored(await this.client.request('GET', path), MeritOrderList, `GET ${path}`);
  }

  /** The list as the ANM's own table. */
  async meritOrderListTable(id: string): Promise<string> {
    const path = `${MERIT_ORDER_LISTS}/${encodeURIComponent(id)}`;
    return text(await this.client.request('GET', path, { headers: { accept: TSV } }), `GET ${path}`);
  }

  async meritOrderLists(page?: { limit?: number; cursor?: string }): Promise<DocumentPage> {
    const path = `${MERIT_ORDER_LISTS}${pageQuery(page)}`;
    return read(await this.client.request('GET', path), DocumentPage, `GET ${path}`) as DocumentPage;
  }

  /** Who may trade under each constraint of a look-ahead, and how much, for a merit order list. */
  async opportunities(lookAheadId: string, meritOrderListId: string, flexibleServiceContractIds: readonly string[] = []): Promise<OpportunityReport> {
    const query = new URLSearchParams({ meritOrderListId });
    for (const id of flexibleServiceContractIds) query.append('flexibleServiceContractId', id);
    const path = `${LOOK_AHEADS}/${encodeURIComponent(lookAheadId)}/opportunities?${query.toString()}`;
    return read(await this.client.request('GET', path), OpportunityReport, `GET ${path}`);
  }

  /** Matched trades in; the re-ordered list (a new revision) out. */
  async trade(
    listId: string,
    trades: readonly MatchedTrade[],
    options: { constraintLookAheadId?: string; scenario?: string; flexibleServiceContractIds?: readonly string[] } = {},
  ): Promise<Accepted<TradingOutcome>> {
    const query = new URLSearchParams();
    if (options.constraintLookAheadId) query.set('constraintLookAheadId', options.constraintLookAheadId);
    if (options.scenario) query.set('scenario', options.scenario);
    for (const id of options.flexibleServiceContractIds ?? []) query.append('flexibleServiceContractId', id);
    const path = `${MERIT_ORDER_LISTS}/${encodeURIComponent(listId)}/trades${query.size > 0 ? `?${query.toString()}` : ''}`;
    const response = await this.client.request('POST', path, { body: JSON.stringify(trades), contentType: 'application/json' });
    const document = read(response, TradingOutcome, `POST ${path}`);
    return { document, location: String(response.headers.location ?? ''), replayed: response.headers['idempotency-replayed'] === 'true', response };
  }

  /** On the day: the trades of a list checked against the day's look-ahead; those whose parties are no longer together are cancelled. */
  async verify(dayLookAheadId: string, meritOrderListId: string): Promise<TradeVerificationOutcome> {
    const path = `${LOOK_AHEADS}/${encodeURIComponent(dayLookAheadId)}/verify`;
    const body: TradeVerificationInput = { meritOrderListId };
    return read(
      await this.client.request('POST', path, { body: JSON.stringify(body), contentType: 'application/json' }),
      TradeVerificationOutcome,
      `POST ${path}`,
    );
  }

  async revisions(listId: string): Promise<RevisionHistory> {
    const path = `${MERIT_ORDER_LISTS}/${encodeURIComponent(listId)}/revisions`;
    return read(await this.client.request('GET', path), RevisionHistory, `GET ${path}`);
  }

  async revision(listId: string, revision: number): Promise<StoredMeritOrderList> {
    const path = `${MERIT_ORDER_LISTS}/${encodeURIComponent(listId)}/revisions/${revision}`;
    return readStored(await this.client.request('GET', path), MeritOrderList, `GET ${path}`);
  }
}
