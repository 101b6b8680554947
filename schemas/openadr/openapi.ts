import { openadrSchemas } from './wire.ts';

/**
 * flexgate's OpenAPI document for the OpenADR 3.1.0 VTN, built from the wire
 * definitions in wire.ts. It drives routing and request validation
 * (openapi-backend) and lists, per operation, the scope a token needs. Written
 * in the OpenAPI 3.0 dialect, as the Alliance's own 3.1.0 file is, so the
 * schemas compare one to one.
 */

export const OPENADR_VERSION = '3.1.0';
export const OPENADR_BASE_PATH = `/openadr/${OPENADR_VERSION}`;

export const SCOPES = {
  read_all: 'Business logic reads every object',
  read_bl: 'Business logic reads notifier topics of every object',
  read_targets: 'VENs read programs and events targeted at them',
  read_ven_objects: 'VENs read their own VEN, resources, reports and subscriptions',
  write_programs: 'Business logic writes programs',
  write_events: 'Business logic writes events',
  write_reports: 'VENs write reports',
  write_subscriptions: 'VENs and business logic write subscriptions',
  write_vens: 'VENs and business logic write VENs and resources',
} as const;
export type Scope = keyof typeof SCOPES;

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 500 | 501;

interface OperationSpec {
  operationId: string;
  tag: string;
  summary: string;
  /** The scope a token needs; none for the auth endpoints. */
  scope?: Scope;
  parameters?: string[];
  /** Component name of the JSON request body. */
  body?: string;
  success: { status: 200 | 201; schema: string; list?: boolean; sharedResponse?: boolean };
  errors: ErrorStatus[];
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const page = {
  skip: { name: 'skip', in: 'query', required: false, description: 'Number of records to skip', schema: { type: 'integer', format: 'int32', minimum: 0 } },
  limit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Largest number of records to return',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 50 },
  },
};
const queryParameters: Record<string, object> = {
  ...page,
  targets: { name: 'targets', in: 'query', required: false, description: 'Targets to match', schema: { type: 'array', items: schemaRef('target') } },
  programID: { name: 'programID', in: 'query', required: false, description: 'Only objects of this program', schema: schemaRef('objectID') },
  eventID: { name: 'eventID', in: 'query', required: false, description: 'Only reports on this event', schema: schemaRef('objectID') },
  clientName: { name: 'clientName', in: 'query', required: false, description: 'Only objects with this clientName', schema: schemaRef('clientName') },
  active: { name: 'active', in: 'query', required: false, description: 'Leave out events that are over', schema: { type: 'boolean' } },
  objects: {
    name: 'objects',
    in: 'query',
    required: false,
    description: 'Only subscriptions to these object types',
    schema: { type: 'array', items: schemaRef('objectTypes') },
  },
  venName: { name: 'venName', in: 'query', required: false, description: 'Only the VEN with this name', schema: schemaRef('venName') },
  resourceName: { name: 'resourceName', in: 'query', required: false, description: 'Only resources with this name', schema: schemaRef('resourceName') },
  venID: { name: 'venID', in: 'query', required: false, description: 'Only resources of this VEN', schema: schemaRef('objectID') },
};
const pathParameter = (name: string) => ({ name, in: 'path', required: true, description: `Object id (${name})`, schema: schemaRef('objectID') });

const CRUD_ERRORS = {
  search: [400, 401, 403, 500],
  create: [400, 401, 403, 409, 500],
  read: [400, 401, 403, 404, 500],
  update: [400, 401, 403, 404, 409, 500],
  remove: [400, 401, 403, 404, 500],
} satisfies Record<string, ErrorStatus[]>;

interface Collection {
  path: string;
  idParameter: string;
  tag: string;
  schema: string;
  requestSchema: string;
  readScope: Scope;
  writeScope: Scope;
  searchParameters: string[];
  ids: { search: string; create: string; read: string; update: string; remove: string };
}

const collections: Collection[] = [
  {
    path: '/programs',
    idParameter: 'programID',
    tag: 'programs',
    schema: 'program',
    requestSchema: 'programRequest',
    readScope: 'read_targets',
    writeScope: 'write_programs',
    searchParameters: ['targets', 'skip', 'limit'],
    ids: { search: 'searchAllPrograms', create: 'createProgram', read: 'searchProgramByProgramId', update: 'updateProgram', remove: 'deleteProgram' },
  },
  {
    path: '/reports',
    idParameter: 'reportID',
    tag: 'reports',
    schema: 'report',
    requestSchema: 'reportRequest',
    readScope: 'read_ven_objects',
    writeScope: 'write_reports',
    searchParameters: ['programID', 'eventID', 'clientName', 'skip', 'limit'],
    ids: { search: 'searchAllReports', create: 'createReport', read: 'searchReportsByReportID', update: 'updateReport', remove: 'deleteReport' },
  },
  {
    path: '/events',
    idParameter: 'eventID',
    tag: 'events',
    schema: 'event',
    requestSchema: 'eventRequest',
    readScope: 'read_targets',
    writeScope: 'write_events',
    searchParameters: ['programID', 'targets', 'skip', 'limit', 'active'],
    ids: { search: 'searchAllEvents', create: 'createEvent', read: 'searchEventsByID', update: 'updateEvent', remove: 'deleteEvent' },
  },
  {
    path: '/subscriptions',
    idParameter: 'subscriptionID',
    tag: 'subscriptions',
    schema: 'subscription',
    requestSchema: 'subscriptionRequest',
    readScope: 'read_ven_objects',
    writeScope: 'write_subscriptions',
    searchParameters: ['programID', 'clientName', 'objects', 'skip', 'limit'],
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
    idParameter: 'venID',
    tag: 'vens',
    schema: 'ven',
    requestSchema: 'venRequest',
    readScope: 'read_ven_objects',
    writeScope: 'write_vens',
    searchParameters: ['venName', 'targets', 'skip', 'limit'],
    ids: { search: 'searchVens', create: 'createVen', read: 'searchVenByID', update: 'updateVen', remove: 'deleteVen' },
  },
  {
    path: '/resources',
    idParameter: 'resourceID',
    tag: 'resources',
    schema: 'resource',
    requestSchema: 'resourceRequest',
    readScope: 'read_ven_objects',
    writeScope: 'write_vens',
    searchParameters: ['resourceName', 'venID', 'targets', 'skip', 'limit'],
    ids: {
      search: 'searchVenResources',
      create: 'createResource',
      read: 'searchVenResourceByID',
      update: 'updateVenResource',
      remove: 'deleteVenResource',
    },
  },
];

/**
 * MQTT topic listings: path, operation id, scope. The specification gives
 * /notifiers and the program topics `read_all` yet lists no 403 for them: a
 * VEN must be able to discover notifiers, so flexgate asks `read_targets`
 * there (what reading programs needs) and `read_bl` where the specification does.
 */
const mqttTopicOperations: Array<[string, string, Scope]> = [
  ['/notifiers/mqtt/topics/programs', 'listAllMqttNotifierTopicsPrograms', 'read_targets'],
  ['/notifiers/mqtt/topics/programs/{programID}', 'listAllMqttNotifierTopicsProgram', 'read_targets'],
  ['/notifiers/mqtt/topics/events', 'listAllMqttNotifierTopicsEvents', 'read_bl'],
  ['/notifiers/mqtt/topics/programs/{programID}/events', 'listAllMqttNotifierTopicsProgramEvents', 'read_targets'],
  ['/notifiers/mqtt/topics/reports', 'listAllMqttNotifierTopicsReports', 'read_bl'],
  ['/notifiers/mqtt/topics/subscriptions', 'listAllMqttNotifierTopicsSubscriptions', 'read_bl'],
  ['/notifiers/mqtt/topics/vens', 'listAllMqttNotifierTopicsVens', 'read_bl'],
  ['/notifiers/mqtt/topics/vens/{venID}', 'listAllMqttNotifierTopicsVen', 'read_ven_objects'],
  ['/notifiers/mqtt/topics/resources', 'listAllMqttNotifierTopicsResources', 'read_bl'],
  ['/notifiers/mqtt/topics/vens/{venID}/events', 'listAllMqttNotifierTopicsVenEvents', 'read_ven_objects'],
  ['/notifiers/mqtt/topics/vens/{venID}/programs', 'listAllMqttNotifierTopicsVenPrograms', 'read_ven_objects'],
  ['/notifiers/mqtt/topics/vens/{venID}/resources', 'listAllMqttNotifierTopicsVenResources', 'read_ven_objects'],
];

const responseNames: Record<ErrorStatus, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  500: 'internalServerError',
  501: 'notImplemented',
};
const responseDescriptions: Record<ErrorStatus, string> = {
  400: 'The request is malformed or invalid',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found, or not visible to the caller',
  409: 'Conflict: a unique name, a reference or the dispatch lifecycle refuses the change',
  500: 'Internal server error',
  501: 'Not implemented',
};

function operation(spec: OperationSpec): object {
  const content = (schema: object) => ({ 'application/json': { schema } });
  const successSchema = spec.success.list ? { type: 'array', items: schemaRef(spec.success.schema) } : schemaRef(spec.success.schema);
  const responses: Record<string, object> = {
    [spec.success.status]: spec.success.sharedResponse
      ? { $ref: '#/components/responses/notifiersTopicsResponse' }
      : { description: spec.success.status === 201 ? 'Created' : 'OK', content: content(successSchema) },
  };
  for (const status of spec.errors) responses[status] = { $ref: `#/components/responses/${responseNames[status]}` };
  return {
    tags: [spec.tag],
    summary: spec.summary,
    operationId: spec.operationId,
    ...(spec.scope ? { security: [{ oAuth2ClientCredentials: [spec.scope] }, { bearerAuth: [] }] } : {}),
    ...(spec.parameters ? { parameters: spec.parameters.map((name) => queryParameters[name]) } : {}),
    ...(spec.body ? { requestBody: { required: true, content: content(schemaRef(spec.body)) } } : {}),
    responses,
  };
}

function buildPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const c of collections) {
    const one = `${c.path}/{${c.idParameter}}`;
    paths[c.path] = {
      get: operation({
        operationId: c.ids.search,
        tag: c.tag,
        summary: `Search ${c.tag}`,
        scope: c.readScope,
        parameters: c.searchParameters,
        success: { status: 200, schema: c.schema, list: true },
        errors: c.path === '/resources' ? [...CRUD_ERRORS.search, 404] : CRUD_ERRORS.search,
      }),
      post: operation({
        operationId: c.ids.create,
        tag: c.tag,
        summary: `Create a ${c.schema}`,
        scope: c.writeScope,
        body: c.requestSchema,
        success: { status: 201, schema: c.schema },
        errors: c.path === '/resources' ? [...CRUD_ERRORS.create, 404] : CRUD_ERRORS.create,
      }),
    };
    paths[one] = {
      parameters: [pathParameter(c.idParameter)],
      get: operation({
        operationId: c.ids.read,
        tag: c.tag,
        summary: `Read a ${c.schema}`,
        scope: c.readScope,
        success: { status: 200, schema: c.schema },
        errors: CRUD_ERRORS.read,
      }),
      put: operation({
        operationId: c.ids.update,
        tag: c.tag,
        summary: `Update a ${c.schema}`,
        scope: c.writeScope,
        body: c.requestSchema,
        success: { status: 200, schema: c.schema },
        errors: CRUD_ERRORS.update,
      }),
      delete: operation({
        operationId: c.ids.remove,
        tag: c.tag,
        summary: `Delete a ${c.schema}`,
        scope: c.writeScope,
        success: { status: 200, schema: c.schema },
        errors: CRUD_ERRORS.remove,
      }),
    };
  }
  paths['/auth/server'] = {
    get: operation({
      operationId: 'getAuthServerInfo',
      tag: 'Auth',
      summary: 'Where to get a token',
      success: { status: 200, schema: 'authServerInfo' },
      errors: [500],
    }),
  };
  paths['/auth/token'] = {
    post: {
      ...operation({
        operationId: 'fetchToken',
        tag: 'Auth',
        summary: 'Exchange client credentials for a certificate-bound token',
        success: { status: 200, schema: 'clientCredentialResponse' },
        errors: [400, 401, 500, 501],
      }),
      requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: schemaRef('clientCredentialRequest') } } },
    },
  };
  paths['/notifiers'] = {
    get: operation({
      operationId: 'listAllNotifiers',
      tag: 'notifiers',
      summary: 'Notifier bindings offered',
      scope: 'read_targets',
      success: { status: 200, schema: 'notifiersResponse' },
      errors: [],
    }),
  };
  for (const [path, operationId, scope] of mqttTopicOperations) {
    const parameter = /\{(\w+)\}/.exec(path)?.[1];
    const errors: ErrorStatus[] = scope === 'read_targets' ? [400, 401, 404, 500] : [400, 401, 403, 404, 500];
    paths[path] = {
      ...(parameter ? { parameters: [pathParameter(parameter)] } : {}),
      get: operation({
        operationId,
        tag: 'MQTT_notifier',
        summary: 'MQTT topic names',
        scope,
        success: { status: 200, schema: 'notifierTopicsResponse', sharedResponse: true },
        errors,
      }),
    };
  }
  return paths;
}

function buildResponses(): Record<string, object> {
  const responses: Record<string, object> = {};
  for (const [status, name] of Object.entries(responseNames) as Array<[`${ErrorStatus}`, string]>) {
    responses[name] = { description: responseDescriptions[Number(status) as ErrorStatus], content: { 'application/json': { schema: schemaRef('problem') } } };
  }
  responses.notifiersTopicsResponse = { description: 'OK', content: { 'application/json': { schema: schemaRef('notifierTopicsResponse') } } };
  return responses;
}

/** The document, as plain JSON (TypeBox's symbol-keyed metadata dropped). */
export const openadrOpenApi = JSON.parse(
  JSON.stringify({
    openapi: '3.0.3',
    info: {
      title: 'flexgate OpenADR 3.1.0 VTN',
      version: OPENADR_VERSION,
      description:
        'OpenADR 3.1.0 VTN of flexgate. Mutual TLS is required on every request; tokens from /auth/token are bound to the client certificate (RFC 8705).',
    },
    servers: [{ url: OPENADR_BASE_PATH }],
    paths: buildPaths(),
    components: {
      schemas: openadrSchemas,
      responses: buildResponses(),
      securitySchemes: {
        oAuth2ClientCredentials: {
          type: 'oauth2',
          description: 'Client credentials over mutual TLS',
          flows: { clientCredentials: { tokenUrl: 'auth/token', scopes: SCOPES } },
        },
        bearerAuth: { type: 'http', scheme: 'bearer' },
      },
    },
  }),
) as OpenApiDocument;

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; security?: Array<Record<string, string[]>> } | unknown>>;
  components: { schemas: Record<string, unknown> };
}

/** The scope each operation needs, read from the document itself. */
export function operationScopes(): Map<string, Scope | undefined> {
  const scopes = new Map<string, Scope | undefined>();
  for (const item of Object.values(openadrOpenApi.paths)) {
    for (const [method, value] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const op = value as { operationId: string; security?: Array<Record<string, Scope[]>> };
      scopes.set(op.operationId, op.security?.[0]?.oAuth2ClientCredentials?.[0]);
    }
  }
  return scopes;
}
