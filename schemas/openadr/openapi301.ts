import type { OpenApiDocument } from './openapi.ts';
import { openadr301Schemas } from './wire301.ts';

/**
 * flexgate's OpenAPI document for the deprecated OpenADR 3.0.1 API, served
 * beside 3.1.0 on the same objects (gateway/openadr/v301/). Paths, operation
 * ids, query parameters, statuses and scopes are 3.0.1's; the schemas come
 * from wire301.ts. It drives routing and request validation only: the scope
 * enforced is that of the 3.1.0 operation a request is translated into.
 */

export const OPENADR_301_VERSION = '3.0.1';
export const OPENADR_301_BASE_PATH = `/openadr/${OPENADR_301_VERSION}`;

/** The 3.0.1 scope vocabulary: one `read_all` for VENs and business logic alike. */
export const SCOPES_301 = {
  read_all: 'VENs and BL can read all resources (flexgate: what the caller may see)',
  write_programs: 'Only BL can write to programs',
  write_events: 'Only BL can write to events',
  write_reports: 'Only VENs can write to reports',
  write_subscriptions: 'VENs and BL can write to subscriptions',
  write_vens: 'VENs and BL can write to vens and resources',
} as const;
type Scope301 = keyof typeof SCOPES_301;

type Status = 400 | 403 | 404 | 409 | 500;
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const text = { type: 'string' };

const queryParameters: Record<string, object> = {
  targetType: {
    name: 'targetType',
    in: 'query',
    required: false,
    description: 'Targeting type, e.g. GROUP (accepted; 3.1.0 targets carry no type)',
    schema: text,
  },
  targetValues: { name: 'targetValues', in: 'query', required: false, description: 'Target values to match', schema: { type: 'array', items: text } },
  skip: { name: 'skip', in: 'query', required: false, description: 'Number of records to skip', schema: { type: 'integer', format: 'int32', minimum: 0 } },
  limit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Largest number of records to return',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 50 },
  },
  programID: { name: 'programID', in: 'query', required: false, description: 'Only objects of this program', schema: schemaRef('objectID') },
  eventID: { name: 'eventID', in: 'query', required: false, description: 'Only reports on this event', schema: schemaRef('objectID') },
  clientName: { name: 'clientName', in: 'query', required: false, description: 'Only objects with this clientName', schema: text },
  objects: {
    name: 'objects',
    in: 'query',
    required: false,
    description: 'Only subscriptions to these object types',
    schema: { type: 'array', items: schemaRef('objectTypes') },
  },
  venName: { name: 'venName', in: 'query', required: false, description: 'Only the VEN with this name', schema: text },
  resourceName: { name: 'resourceName', in: 'query', required: false, description: 'Only resources with this name', schema: text },
};
const pathParameter = (name: string) => ({ name, in: 'path', required: true, description: `Object id (${name})`, schema: schemaRef('objectID') });

const STATUSES = {
  search: [400, 403, 500],
  create: [400, 403, 409, 500],
  read: [400, 403, 404, 500],
  update: [400, 403, 404, 409, 500],
  remove: [400, 403, 404, 500],
} satisfies Record<string, Status[]>;
const DESCRIPTIONS: Record<Status, string> = {
  400: 'Bad Request',
  403: 'Forbidden (also: no valid bearer token; 3.0.1 lists no 401)',
  404: 'Not Found, or not visible to the caller',
  409: 'Conflict: a unique name, a reference or the dispatch lifecycle refuses the change',
  500: 'Internal Server Error',
};

interface Collection {
  path: string;
  /** Parameters of the collection path itself (`/vens/{venID}/resources`). */
  parents: string[];
  idParameter: string;
  tag: string;
  schema: string;
  writeScope: Scope301;
  searchParameters: string[];
  ids: { search: string; create: string; read: string; update: string; remove: string };
  /** Extra statuses of the collection operations (resources under an unknown VEN: 404). */
  collectionStatuses?: Status[];
}

const collections: Collection[] = [
  {
    path: '/programs',
    parents: [],
    idParameter: 'programID',
    tag: 'programs',
    schema: 'program',
    writeScope: 'write_programs',
    searchParameters: ['targetType', 'targetValues', 'skip', 'limit'],
    ids: { search: 'searchAllPrograms', create: 'createProgram', read: 'searchProgramByProgramId', update: 'updateProgram', remove: 'deleteProgram' },
  },
  {
    path: '/reports',
    parents: [],
    idParameter: 'reportID',
    tag: 'reports',
    schema: 'report',
    writeScope: 'write_reports',
    searchParameters: ['programID', 'eventID', 'clientName', 'skip', 'limit'],
    ids: { search: 'searchAllReports', create: 'createReport', read: 'searchReportsByReportID', update: 'updateReport', remove: 'deleteReport' },
  },
  {
    path: '/events',
    parents: [],
    idParameter: 'eventID',
    tag: 'events',
    schema: 'event',
    writeScope: 'write_events',
    searchParameters: ['programID', 'targetType', 'targetValues', 'skip', 'limit'],
    ids: { search: 'searchAllEvents', create: 'createEvent', read: 'searchEventsByID', update: 'updateEvent', remove: 'deleteEvent' },
  },
  {
    path: '/subscriptions',
    parents: [],
    idParameter: 'subscriptionID',
    tag: 'subscriptions',
    schema: 'subscription',
    writeScope: 'write_subscriptions',
    searchParameters: ['programID', 'clientName', 'targetType', 'targetValues', 'objects', 'skip', 'limit'],
    ids: {
      search: 'searchSubscriptions',
      create: 'createSubscription',
      read: 'searchSubscriptionByID',
      update: 'updateSubscription',
      remove: 'deleteSubscription',
    },
  },
  {
    path: '/vens',
    parents: [],
    idParameter: 'venID',
    tag: 'vens',
    schema: 'ven',
    writeScope: 'write_vens',
    searchParameters: ['venName', 'targetType', 'targetValues', 'skip', 'limit'],
    ids: { search: 'searchVens', create: 'createVen', read: 'searchVenByID', update: 'updateVen', remove: 'deleteVen' },
  },
  {
    path: '/vens/{venID}/resources',
    parents: ['venID'],
    idParameter: 'resourceID',
    tag: 'vens',
    schema: 'resource',
    writeScope: 'write_vens',
    searchParameters: ['resourceName', 'targetType', 'targetValues', 'skip', 'limit'],
    ids: { search: 'searchVenResources', create: 'createResource', read: 'searchVenResourceByID', update: 'updateVenResource', remove: 'deleteVenResource' },
    collectionStatuses: [404],
  },
];

interface OperationSpec {
  operationId: string;
  tag: string;
  scope: Scope301;
  parameters?: string[];
  body?: string;
  success: { status: 200 | 201; schema: string; list?: boolean };
  errors: Status[];
}

function operation(spec: OperationSpec): object {
  const content = (schema: object) => ({ 'application/json': { schema } });
  const responses: Record<string, object> = {
    [spec.success.status]: {
      description: spec.success.status === 201 ? 'Created' : 'OK',
      content: content(spec.success.list ? { type: 'array', items: schemaRef(spec.success.schema) } : schemaRef(spec.success.schema)),
    },
  };
  for (const status of [...new Set(spec.errors)].sort()) responses[status] = { description: DESCRIPTIONS[status], content: content(schemaRef('problem')) };
  return {
    tags: [spec.tag],
    operationId: spec.operationId,
    security: [{ oAuth2ClientCredentials: [spec.scope] }, { bearerAuth: [] }],
    ...(spec.parameters ? { parameters: spec.parameters.map((name) => queryParameters[name]) } : {}),
    ...(spec.body ? { requestBody: { required: true, content: content(schemaRef(spec.body)) } } : {}),
    responses,
  };
}

function buildPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const c of collections) {
    const { tag, schema, writeScope: write } = c;
    const extra = c.collectionStatuses ?? [];
    paths[c.path] = {
      ...(c.parents.length > 0 ? { parameters: c.parents.map(pathParameter) } : {}),
      get: operation({
        operationId: c.ids.search,
        tag,
        scope: 'read_all',
        parameters: c.searchParameters,
        success: { status: 200, schema, list: true },
        errors: [...STATUSES.search, ...extra],
      }),
      post: operation({ operationId: c.ids.create, tag, scope: write, body: schema, success: { status: 201, schema }, errors: [...STATUSES.create, ...extra] }),
    };
    paths[`${c.path}/{${c.idParameter}}`] = {
      parameters: [...c.parents, c.idParameter].map(pathParameter),
      get: operation({ operationId: c.ids.read, tag, scope: 'read_all', success: { status: 200, schema }, errors: STATUSES.read }),
      put: operation({ operationId: c.ids.update, tag, scope: write, body: schema, success: { status: 200, schema }, errors: STATUSES.update }),
      delete: operation({ operationId: c.ids.remove, tag, scope: write, success: { status: 200, schema }, errors: STATUSES.remove }),
    };
  }
  paths['/auth/token'] = {
    post: {
      tags: ['Auth'],
      operationId: 'fetchToken',
      requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: schemaRef('clientCredentialRequest') } } },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: schemaRef('clientCredentialResponse') } } },
        400: {
          description: 'Bad Request (RFC 6749 §5.2; also invalid_client, 3.0.1 lists no 401)',
          content: { 'application/json': { schema: schemaRef('authError') } },
        },
        403: { description: DESCRIPTIONS[403], content: { 'application/json': { schema: schemaRef('problem') } } },
        500: { description: DESCRIPTIONS[500], content: { 'application/json': { schema: schemaRef('problem') } } },
      },
    },
  };
  return paths;
}

/** The document, as plain JSON (TypeBox's symbol-keyed metadata dropped). */
export const openadr301OpenApi = JSON.parse(
  JSON.stringify({
    openapi: '3.0.3',
    info: {
      title: 'flexgate OpenADR 3.0.1 VTN (deprecated)',
      version: OPENADR_301_VERSION,
      description:
        'OpenADR 3.0.1, served on the same objects as flexgate’s OpenADR 3.1.0 VTN and translated at the edge. Deprecated: every response carries Deprecation, Sunset and Link headers naming the policy.',
    },
    servers: [{ url: OPENADR_301_BASE_PATH }],
    paths: buildPaths(),
    components: {
      schemas: openadr301Schemas,
      securitySchemes: {
        oAuth2ClientCredentials: {
          type: 'oauth2',
          description: 'Client credentials over mutual TLS',
          flows: { clientCredentials: { tokenUrl: 'auth/token', scopes: SCOPES_301 } },
        },
        bearerAuth: { type: 'http', scheme: 'bearer' },
      },
    },
  }),
) as OpenApiDocument;

/** Every operation id of the document. */
export function operationIds301(): string[] {
  return Object.values(openadr301OpenApi.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => method !== 'parameters')
      .map(([, op]) => (op as { operationId: string }).operationId),
  );
}
