import { Type, type TSchema } from '@sinclair/typebox';
import { ConstraintLookAhead, ConstraintLookAheadInput } from '../anm/constraintLookAhead.ts';
import { MeritOrderList, MeritOrderListInput } from '../anm/meritOrderList.ts';
import { MatchedTradeList, OpportunityReport, RevisionHistory, TradeVerificationInput, TradeVerificationOutcome, TradingOutcome } from '../anm/trade.ts';
import { ENVELOPE_REFUSALS, MUTUAL_TLS, PAGING_PARAMETERS, pathId, problemResponse, ProblemSchema, signatureParameter } from './common.ts';

/** What the gateway adds to a stored document: its id, revision and when it was accepted. */
const Stored = (document: TSchema) =>
  Type.Intersect([
    Type.Object({ id: Type.String({ format: 'uuid' }), revision: Type.Integer({ minimum: 1 }), acceptedAt: Type.String({ format: 'date-time' }) }),
    document,
  ]);

const page = (summary: TSchema) =>
  Type.Object({ items: Type.Array(summary), next: Type.Union([Type.String(), Type.Null()], { description: 'The next page, or null at the end' }) });

const ItemSummary = Type.Object(
  { id: Type.String(), revision: Type.Integer(), acceptedAt: Type.String(), href: Type.String(), issuedAt: Type.Optional(Type.String()) },
  { additionalProperties: true, description: 'Identity and a summary of the document (see the document schema for the fields)' },
);

const TSV = 'text/tab-separated-values';
const tableBody = { schema: { type: 'string', description: 'The ANM export as it is (BiTraDER figures 5, 6, 7): one header block, then one line per row' } };

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const ok = (description: string, ref: string) => ({ description, content: json(ref) });
const sig = signatureParameter(true);

function documentCollection(path: string, noun: string, input: string, stored: string, listRef: string) {
  return {
    [`/anm/v1/${path}`]: {
      post: {
        operationId: `post${noun}`,
        tags: ['ANM'],
        summary: `Send a ${noun
          .replace(/([A-Z])/g, ' $1')
          .trim()
          .toLowerCase()} (JSON, or the ANM's TSV or CSV export)`,
        parameters: [sig, { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
        requestBody: { required: true, content: { ...json(input), [TSV]: tableBody, 'text/csv': tableBody } },
        responses: {
          '201': {
            description: 'Stored; Location names it. A repeat of the same message answers with the original response and Idempotency-Replayed: true.',
            content: json(stored),
          },
          '400': problemResponse(
            'The document breaks a schema, time or business rule (schema.*, time.*, units.*, tabular.*, anm.* problem types), each at its pointer or row and column',
          ),
          '415': problemResponse('Not JSON, TSV or CSV in UTF-8'),
          ...ENVELOPE_REFUSALS,
        },
      },
      get: {
        operationId: `list${noun}s`,
        tags: ['ANM'],
        summary: 'List, newest first',
        parameters: [sig, ...PAGING_PARAMETERS],
        responses: { '200': ok('A page of documents', listRef), '400': problemResponse('request.invalid-query'), ...ENVELOPE_REFUSALS },
      },
    },
    [`/anm/v1/${path}/{id}`]: {
      get: {
        operationId: `get${noun}`,
        tags: ['ANM'],
        summary: 'One document, as stored (instants in UTC)',
        parameters: [sig, pathId('id', 'The id the POST answered with')],
        responses: {
          '200': {
            description: 'The document',
            content: { ...json(stored), ...(noun === 'MeritOrderList' ? { [TSV]: { schema: { type: 'string' } } } : {}) },
          },
          '404': problemResponse('request.not-found'),
          '406': problemResponse('request.not-acceptable'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the ANM API v1, with the adapter's routes
 * under it (trading opportunities, trades, verification, revisions): built
 * from the same TypeBox definitions the gateway validates with.
 */
export const anmOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'flexgate ANM API',
    version: 'v1',
    description:
      'Constraint look-aheads and merit order lists from an ANM, trading opportunities, matched trades and the re-ordered merit order lists they produce. Every request over mutual TLS and signed; every response signed by the gateway, with a receipt on success.',
  },
  servers: [{ url: '/' }],
  ...MUTUAL_TLS,
  paths: {
    ...documentCollection('constraint-look-aheads', 'ConstraintLookAhead', 'ConstraintLookAheadInput', 'StoredConstraintLookAhead', 'ConstraintLookAheadPage'),
    ...documentCollection('merit-order-lists', 'MeritOrderList', 'MeritOrderListInput', 'StoredMeritOrderList', 'MeritOrderListPage'),
    '/anm/v1/constraint-look-aheads/{id}/opportunities': {
      get: {
        operationId: 'getTradingOpportunities',
        tags: ['Adapter'],
        summary: 'Who may trade under each constraint, and how much (FSPs may read this)',
        parameters: [
          sig,
          pathId('id', 'Constraint look-ahead id'),
          { name: 'meritOrderListId', in: 'query', required: true, schema: { type: 'string', maxLength: 100 } },
          {
            name: 'flexibleServiceContractId',
            in: 'query',
            required: false,
            description: 'Contracts under a flexible-service agreement, which may not trade',
            schema: { type: 'array', items: { type: 'string' } },
          },
        ],
        responses: {
          '200': ok('Opportunities per constraint', 'OpportunityReport'),
          '400': problemResponse('request.invalid-query'),
          '404': problemResponse('request.not-found'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
    '/anm/v1/merit-order-lists/{id}/trades': {
      post: {
        operationId: 'postTrades',
        tags: ['Adapter'],
        summary: 'Matched trades in; the re-ordered merit order list (a new revision) out',
        parameters: [
          sig,
          pathId('id', 'Merit order list id'),
          { name: 'constraintLookAheadId', in: 'query', required: false, schema: { type: 'string', maxLength: 100 } },
          { name: 'scenario', in: 'query', required: false, schema: { type: 'integer' } },
          { name: 'flexibleServiceContractId', in: 'query', required: false, schema: { type: 'array', items: { type: 'string' } } },
        ],
        requestBody: { required: true, content: json('MatchedTradeList') },
        responses: {
          '201': ok('Re-ordered; Location names the new revision', 'TradingOutcome'),
          '400': problemResponse('schema.violation'),
          '404': problemResponse('request.not-found'),
          '409': problemResponse('adapter.* problem types: over capacity, wrong constraint, direction unknown, concurrent update, …'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
    '/anm/v1/constraint-look-aheads/{id}/verify': {
      post: {
        operationId: 'verifyTrades',
        tags: ['Adapter'],
        summary: 'On-the-day re-check: cancels trades whose counterparties are no longer behind the same constraint',
        parameters: [sig, pathId('id', 'The day’s constraint look-ahead id')],
        requestBody: { required: true, content: json('TradeVerificationInput') },
        responses: {
          '200': ok('Cancellations and the re-ordered list', 'TradeVerificationOutcome'),
          '404': problemResponse('request.not-found'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
    '/anm/v1/merit-order-lists/{id}/revisions': {
      get: {
        operationId: 'listRevisions',
        tags: ['Adapter'],
        summary: 'Revision history of a merit order list',
        parameters: [sig, pathId('id', 'Merit order list id')],
        responses: { '200': ok('Every revision and what caused it', 'RevisionHistory'), '404': problemResponse('request.not-found'), ...ENVELOPE_REFUSALS },
      },
    },
    '/anm/v1/merit-order-lists/{id}/revisions/{revision}': {
      get: {
        operationId: 'getRevision',
        tags: ['Adapter'],
        summary: 'One revision of a merit order list',
        parameters: [sig, pathId('id', 'Merit order list id'), { name: 'revision', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        responses: { '200': ok('The list at that revision', 'StoredMeritOrderList'), '404': problemResponse('request.not-found'), ...ENVELOPE_REFUSALS },
      },
    },
  },
  components: {
    schemas: {
      Problem: ProblemSchema,
      ConstraintLookAheadInput,
      StoredConstraintLookAhead: Stored(ConstraintLookAhead),
      ConstraintLookAheadPage: page(ItemSummary),
      MeritOrderListInput,
      StoredMeritOrderList: Stored(MeritOrderList),
      MeritOrderListPage: page(ItemSummary),
      OpportunityReport,
      MatchedTradeList,
      TradingOutcome,
      TradeVerificationInput,
      TradeVerificationOutcome,
      RevisionHistory,
    },
  },
} as const;
