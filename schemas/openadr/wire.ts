import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * OpenADR 3.1.0 message definitions, written for flexgate and wire-compatible
 * with the OpenADR Alliance's published schemas (OpenAPI 3.0 dialect:
 * `nullable`, `$ref` to `#/components/schemas/…`). Each schema is declared
 * once here; the OpenAPI document (openapi.ts) puts them under
 * `components.schemas` by these names, and the TypeScript types come from the
 * same declarations.
 */

/** A reference to a named component (see `openadrSchemas`), typed as the component it names. */
export function ref<T extends TSchema>(name: string, _schema: T) {
  return Type.Unsafe<Static<T>>({ $ref: `#/components/schemas/${name}` });
}

/** OpenAPI 3.0 nullable (no `null` type in that dialect), absent meaning null. */
export function nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true, default: null });
}

function closed<const T extends readonly string[]>(values: T, description: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description });
}

export const ObjectId = Type.String({ pattern: '^[a-zA-Z0-9_-]*$', minLength: 1, maxLength: 128, description: 'URL-safe object id assigned by the VTN' });
export const ClientId = Type.String({ minLength: 1, maxLength: 128, description: 'Client id the bearer token was issued to' });
export const VenName = Type.String({ minLength: 1, maxLength: 128, description: 'VEN name, unique within the VTN' });
export const ClientName = Type.String({ minLength: 1, maxLength: 128, description: 'Client-chosen name, e.g. the VEN name' });
export const Target = Type.String({ minLength: 1, maxLength: 128, description: 'Target string' });
export const ResourceName = Type.String({ minLength: 1, maxLength: 128, description: 'Resource name; AGGREGATED_REPORT aggregates several resources' });
export const Units = nullable(Type.String({ minLength: 1, maxLength: 128, description: 'Unit of measure, e.g. KW' }));
export const ReadingType = nullable(Type.String({ minLength: 1, maxLength: 128, description: 'Reading type, e.g. DIRECT_READ' }));
export const DateTime = Type.String({ format: 'date-time', description: 'RFC 3339 instant' });
export const Duration = Type.String({
  pattern: '^(-?)P(?=\\d|T\\d)(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)([DW]))?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?$',
  default: 'PT0S',
  description: 'ISO 8601 duration',
});

export const OBJECT_TYPES = ['PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];
export const ObjectTypes = closed(OBJECT_TYPES, 'Object types addressable through the API');

export const OPERATIONS = ['READ', 'CREATE', 'UPDATE', 'DELETE'] as const;

const targets = () => nullable(Type.Array(ref('target', Target), { description: 'Targets' }));

export const Point = Type.Object({ x: Type.Number({ format: 'float' }), y: Type.Number({ format: 'float' }) }, { description: 'A pair of numbers' });

export const ValuesMap = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 128, description: 'Nature of the values (enumerated or private)' }),
    values: Type.Array(Type.Union([Type.Number(), Type.Integer(), Type.String(), Type.Boolean(), ref('point', Point)])),
  },
  { description: 'Values of one type' },
);
export type ValuesMap = Static<typeof ValuesMap>;

export const IntervalPeriod = Type.Object(
  {
    start: Type.Optional(ref('dateTime', DateTime)),
    duration: Type.Optional(ref('duration', Duration)),
    randomizeStart: Type.Optional(ref('duration', Duration)),
  },
  { description: 'Start and duration of an interval or of a set of intervals' },
);
export type IntervalPeriod = Static<typeof IntervalPeriod>;

export const Interval = Type.Object(
  {
    id: Type.Integer({ format: 'int32', description: 'Client-chosen interval number' }),
    intervalPeriod: Type.Optional(ref('intervalPeriod', IntervalPeriod)),
    payloads: Type.Array(ref('valuesMap', ValuesMap)),
  },
  { description: 'A temporal window and its payloads' },
);
export type Interval = Static<typeof Interval>;

export const EventPayloadDescriptor = Type.Object(
  {
    objectType: closed(['EVENT_PAYLOAD_DESCRIPTOR'] as const, 'Discriminator'),
    payloadType: Type.String({ minLength: 1, maxLength: 128 }),
    units: Type.Optional(ref('units', Units)),
    currency: Type.Optional(nullable(Type.String())),
  },
  { description: 'How to read an event payload' },
);
export type EventPayloadDescriptor = Static<typeof EventPayloadDescriptor>;

export const ReportPayloadDescriptor = Type.Object(
  {
    objectType: closed(['REPORT_PAYLOAD_DESCRIPTOR'] as const, 'Discriminator'),
    payloadType: Type.String({ minLength: 1, maxLength: 128 }),
    readingType: Type.Optional(ref('readingType', ReadingType)),
    units: Type.Optional(ref('units', Units)),
    accuracy: Type.Optional(nullable(Type.Number({ format: 'float' }))),
    confidence: Type.Optional(nullable(Type.Integer({ format: 'int32', minimum: 0, maximum: 100 }))),
  },
  { description: 'How to read a report payload' },
);
export type ReportPayloadDescriptor = Static<typeof ReportPayloadDescriptor>;

export const ReportDescriptor = Type.Object(
  {
    payloadType: Type.String({ minLength: 1, maxLength: 128 }),
    readingType: Type.Optional(ref('readingType', ReadingType)),
    units: Type.Optional(ref('units', Units)),
    targets: Type.Optional(targets()),
    aggregate: Type.Optional(Type.Boolean({ default: false })),
    startInterval: Type.Optional(Type.Integer({ format: 'int32', default: -1 })),
    numIntervals: Type.Optional(Type.Integer({ format: 'int32', default: -1 })),
    historical: Type.Optional(Type.Boolean({ default: true })),
    frequency: Type.Optional(Type.Integer({ format: 'int32', default: -1 })),
    repeat: Type.Optional(Type.Integer({ format: 'int32', default: 1 })),
    reportIntervals: Type.Optional(closed(['INTERVALS', 'SUB_INTERVALS', 'OPEN_INTERVALS'] as const, 'Report interval options')),
  },
  { description: 'A report the VTN asks VENs for' },
);

export const ObjectMetadata = Type.Object(
  {
    id: ref('objectID', ObjectId),
    createdDateTime: ref('dateTime', DateTime),
    modificationDateTime: ref('dateTime', DateTime),
    objectType: ref('objectTypes', ObjectTypes),
  },
  { description: 'Metadata the VTN gives every object' },
);
export type ObjectMetadata = Static<typeof ObjectMetadata>;

export const ProgramRequest = Type.Object(
  {
    programName: Type.String({ minLength: 1, maxLength: 128 }),
    intervalPeriod: Type.Optional(ref('intervalPeriod', IntervalPeriod)),
    programDescriptions: Type.Optional(nullable(Type.Array(Type.Object({ URL: Type.String({ format: 'uri', minLength: 2, maxLength: 8000 }) })))),
    payloadDescriptors: Type.Optional(
      nullable(Type.Array(Type.Union([ref('eventPayloadDescriptor', EventPayloadDescriptor), ref('reportPayloadDescriptor', ReportPayloadDescriptor)]))),
    ),
    attributes: Type.Optional(nullable(Type.Array(ref('valuesMap', ValuesMap)))),
    targets: Type.Optional(targets()),
  },
  { description: 'A program as the business logic describes it' },
);
export type ProgramRequest = Static<typeof ProgramRequest>;

/** Report payload types that declare availability (ENA declaration of availability). */
export const AVAILABILITY_PAYLOADS = ['LOAD_SHED_DELTA_AVAILABLE', 'GENERATION_DELTA_AVAILABLE'] as const;
/** Report payload types that say what was delivered (ENA post-action), in the order a VEN offers them. */
export const POST_ACTION_PAYLOADS = ['USAGE', 'DEMAND', 'BASELINE'] as const;
/** Private payload types a declaration of availability must carry beside its availability (an optional GHG_INTENSITY needs no check). */
export const DECLARATION_PAYLOADS = { energySourceType: 'ENERGY_SOURCE_TYPE', assetGroupId: 'ASSET_GROUP_ID' } as const;

/** Stages of the ENA dispatch lifecycle an event is in (see gateway/openadr/README.md). */
export const DISPATCH_STAGES = ['REQUESTED', 'DECLARED', 'ACCEPTED', 'SCHEDULED', 'INSTRUCTED', 'CEASED', 'COMPLETED'] as const;
export type DispatchStage = (typeof DISPATCH_STAGES)[number];

export const EventRequest = Type.Object(
  {
    programID: ref('objectID', ObjectId),
    eventName: Type.Optional(nullable(Type.String())),
    duration: Type.Optional(ref('duration', Duration)),
    priority: Type.Optional(nullable(Type.Integer({ minimum: 0 }))),
    targets: Type.Optional(targets()),
    reportDescriptors: Type.Optional(nullable(Type.Array(ref('reportDescriptor', ReportDescriptor)))),
    payloadDescriptors: Type.Optional(nullable(Type.Array(ref('eventPayloadDescriptor', EventPayloadDescriptor)))),
    intervalPeriod: Type.Optional(ref('intervalPeriod', IntervalPeriod)),
    intervals: Type.Optional(Type.Array(ref('interval', Interval))),
    /** flexgate extension: the ENA lifecycle stage (set by the business logic, ignored by plain VENs). */
    dispatchStage: Type.Optional(closed(DISPATCH_STAGES, 'flexgate extension: ENA dispatch lifecycle stage of this event')),
  },
  { description: 'A demand response request to VENs' },
);
export type EventRequest = Static<typeof EventRequest>;

export const ReportResource = Type.Object(
  {
    resourceName: ref('resourceName', ResourceName),
    intervalPeriod: Type.Optional(ref('intervalPeriod', IntervalPeriod)),
    intervals: Type.Array(ref('interval', Interval)),
  },
  { description: 'Report data of one resource' },
);

export const ReportRequest = Type.Object(
  {
    eventID: ref('objectID', ObjectId),
    clientName: ref('clientName', ClientName),
    reportName: Type.Optional(nullable(Type.String())),
    payloadDescriptors: Type.Optional(nullable(Type.Array(ref('reportPayloadDescriptor', ReportPayloadDescriptor)))),
    resources: Type.Array(ReportResource),
  },
  { description: 'A report from a VEN' },
);
export type ReportRequest = Static<typeof ReportRequest>;

export const ObjectOperation = Type.Object({
  objects: Type.Array(ref('objectTypes', ObjectTypes)),
  operations: Type.Array(closed(OPERATIONS, 'Operation to be notified of')),
  callbackUrl: Type.String({ format: 'uri', minLength: 2, maxLength: 8000 }),
  bearerToken: Type.Optional(nullable(Type.String())),
});

export const SubscriptionRequest = Type.Object(
  {
    clientName: ref('clientName', ClientName),
    programID: Type.Optional(ref('objectID', ObjectId)),
    objectOperations: Type.Array(ObjectOperation),
    targets: Type.Optional(targets()),
  },
  { description: 'A request to be notified of operations on objects' },
);
export type SubscriptionRequest = Static<typeof SubscriptionRequest>;

const attributes = () => Type.Optional(nullable(Type.Array(ref('valuesMap', ValuesMap))));

export const BlVenRequest = Type.Object(
  {
    objectType: closed(['BL_VEN_REQUEST'] as const, 'Discriminator'),
    clientID: ref('clientID', ClientId),
    targets: Type.Optional(targets()),
    venName: ref('venName', VenName),
    attributes: attributes(),
  },
  { description: 'A VEN as the business logic registers it' },
);
export type BlVenRequest = Static<typeof BlVenRequest>;

export const VenVenRequest = Type.Object(
  {
    objectType: closed(['VEN_VEN_REQUEST'] as const, 'Discriminator'),
    venName: ref('venName', VenName),
    attributes: attributes(),
  },
  { description: 'A VEN as it registers itself' },
);

export const VenRequest = Type.Union([ref('VenVenRequest', VenVenRequest), ref('BlVenRequest', BlVenRequest)], { description: 'A VEN registration' });
export type VenRequest = Static<typeof VenRequest>;

export const BlResourceRequest = Type.Object(
  {
    objectType: closed(['BL_RESOURCE_REQUEST'] as const, 'Discriminator'),
    clientID: ref('clientID', ClientId),
    targets: Type.Optional(targets()),
    resourceName: ref('resourceName', ResourceName),
    venID: ref('objectID', ObjectId),
    attributes: attributes(),
  },
  { description: 'A resource as the business logic registers it' },
);
export type BlResourceRequest = Static<typeof BlResourceRequest>;

export const VenResourceRequest = Type.Object(
  {
    objectType: closed(['VEN_RESOURCE_REQUEST'] as const, 'Discriminator'),
    resourceName: ref('resourceName', ResourceName),
    venID: ref('objectID', ObjectId),
    attributes: attributes(),
  },
  { description: 'A resource as its VEN registers it' },
);

export const ResourceRequest = Type.Union([ref('BlResourceRequest', BlResourceRequest), ref('VenResourceRequest', VenResourceRequest)], {
  description: 'A resource registration',
});
export type ResourceRequest = Static<typeof ResourceRequest>;

const withMetadata = <T extends TSchema>(name: string, request: T, description: string) =>
  Type.Intersect([ref('objectMetadata', ObjectMetadata), ref(name, request)], { description });
const ownedBy = Type.Object({ clientID: ref('clientID', ClientId) });

export const Program = withMetadata('programRequest', ProgramRequest, 'A program as the VTN serves it');
export type Program = Static<typeof Program>;
export const Event = withMetadata('eventRequest', EventRequest, 'An event as the VTN serves it');
export type Event = Static<typeof Event>;
export const Report = Type.Intersect([ref('objectMetadata', ObjectMetadata), ref('reportRequest', ReportRequest), ownedBy], {
  description: 'A report as the VTN serves it',
});
export type Report = Static<typeof Report>;
export const Subscription = Type.Intersect([ref('objectMetadata', ObjectMetadata), ref('subscriptionRequest', SubscriptionRequest), ownedBy], {
  description: 'A subscription as the VTN serves it',
});
export type Subscription = Static<typeof Subscription>;
// The published `ven` and `resource` are allOf(objectMetadata, BL request); their objectType enums
// (VEN vs BL_VEN_REQUEST) exclude each other, so nothing can validate. Served objects carry the
// metadata's objectType, and these definitions say so.
export const Ven = Type.Intersect([ref('objectMetadata', ObjectMetadata), Type.Omit(BlVenRequest, ['objectType'])], {
  description: 'A VEN as the VTN serves it',
});
export type Ven = Static<typeof Ven>;
export const Resource = Type.Intersect([ref('objectMetadata', ObjectMetadata), Type.Omit(BlResourceRequest, ['objectType'])], {
  description: 'A resource as the VTN serves it',
});
export type Resource = Static<typeof Resource>;

export const Notification = Type.Object(
  {
    objectType: ref('objectTypes', ObjectTypes),
    operation: closed(OPERATIONS, 'Operation that caused the notification'),
    object: Type.Unsafe<Program | Report | Event | Subscription | Ven | Resource>({
      type: 'object',
      oneOf: (['program', 'report', 'event', 'subscription', 'ven', 'resource'] as const).map((name) => ({ $ref: `#/components/schemas/${name}` })),
      discriminator: { propertyName: 'objectType' },
    }),
    targets: Type.Optional(targets()),
  },
  { description: 'What the VTN sends to a subscription callback' },
);

/**
 * The token request. The official file requires client_id and
 * client_secret in the form; flexgate also takes them as HTTP Basic (RFC
 * 6749 §2.3.1 says a server must), so the form may leave them out.
 */
export const ClientCredentialRequest = Type.Object(
  {
    grant_type: closed(['client_credentials'] as const, 'OAuth2 grant type'),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'In the form, or in Authorization: Basic' })),
    client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'In the form, or in Authorization: Basic' })),
    scope: Type.Optional(Type.String({ minLength: 0, maxLength: 4096 })),
  },
  { description: 'OAuth2 client credentials grant (RFC 6749 §4.4)' },
);
export type ClientCredentialRequest = Static<typeof ClientCredentialRequest>;

export const ClientCredentialResponse = Type.Object(
  {
    access_token: Type.String({ minLength: 1, maxLength: 4096 }),
    token_type: closed(['Bearer'] as const, 'Token type'),
    expires_in: Type.Optional(Type.Integer()),
    refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    scope: Type.Optional(Type.String({ minLength: 0, maxLength: 4096 })),
  },
  { description: 'An access token' },
);
export type ClientCredentialResponse = Static<typeof ClientCredentialResponse>;

export const AUTH_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'invalid_scope', 'unauthorized_client', 'unsupported_grant_type'] as const;
export type AuthErrorCode = (typeof AUTH_ERRORS)[number];
export const AuthError = Type.Object(
  {
    error: closed(AUTH_ERRORS, 'RFC 6749 §5.2 error code'),
    error_description: Type.Optional(Type.String()),
    error_uri: Type.Optional(Type.String({ format: 'uri', minLength: 2, maxLength: 8000 })),
  },
  { description: 'Token endpoint error (RFC 6749 §5.2)' },
);

export const AuthServerInfo = Type.Object(
  { tokenURL: Type.String({ format: 'uri', minLength: 2, maxLength: 8000 }) },
  { description: 'Where tokens come from' },
);
export type AuthServerInfo = Static<typeof AuthServerInfo>;

export const ProblemBody = Type.Object(
  {
    type: Type.Optional(Type.String({ format: 'uri', minLength: 2, maxLength: 8000, default: 'about:blank' })),
    title: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer({ format: 'int32', minimum: 100, maximum: 599 })),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ format: 'uri', minLength: 3, maxLength: 8000 })),
  },
  { description: 'Problem details (RFC 7807/9457)' },
);

const MqttAuthentication = {
  anonymous: Type.Object({ method: closed(['ANONYMOUS'] as const, 'Anonymous') }, { description: 'Anonymous MQTT access' }),
  bearer: Type.Object(
    { method: closed(['OAUTH2_BEARER_TOKEN'] as const, 'Bearer token'), username: Type.String() },
    { description: 'MQTT access with the OAuth2 token' },
  ),
  certificate: Type.Object(
    { method: closed(['CERTIFICATE'] as const, 'Client certificate'), caCert: Type.String(), clientCert: Type.String(), clientKey: Type.String() },
    { description: 'MQTT access with a client certificate' },
  ),
};

export const MqttNotifierBindingObject = Type.Object(
  {
    URIS: Type.Array(Type.String({ format: 'uri' })),
    serialization: closed(['JSON'] as const, 'Serialisation'),
    authentication: Type.Union([
      ref('mqttNotifierAuthenticationAnonymous', MqttAuthentication.anonymous),
      ref('mqttNotifierAuthenticationOauth2BearerToken', MqttAuthentication.bearer),
      ref('mqttNotifierAuthenticationCertificate', MqttAuthentication.certificate),
    ]),
  },
  { description: 'How to reach the MQTT notifier' },
);

export const NotifiersResponse = Type.Object(
  { WEBHOOK: Type.Boolean(), MQTT: Type.Optional(ref('mqttNotifierBindingObject', MqttNotifierBindingObject)) },
  { description: 'Notifier bindings this VTN offers' },
);
export type NotifiersResponse = Static<typeof NotifiersResponse>;

export const NotifierOperationsTopics = Type.Object(
  { CREATE: Type.Optional(Type.String()), UPDATE: Type.String(), DELETE: Type.String(), ALL: Type.Optional(Type.String()) },
  { description: 'MQTT topic names per operation' },
);
export type NotifierOperationsTopics = Static<typeof NotifierOperationsTopics>;

export const NotifierTopicsResponse = Type.Object({ topics: ref('notifierOperationsTopics', NotifierOperationsTopics) }, { description: 'MQTT topics' });
export type NotifierTopicsResponse = Static<typeof NotifierTopicsResponse>;

/** Every named component, as `components.schemas` lists them. */
/** The components both OpenADR versions' documents declare alike, under the same names. */
export const openadrCommonSchemas = {
  objectTypes: ObjectTypes,
  dateTime: DateTime,
  duration: Duration,
  clientCredentialRequest: ClientCredentialRequest,
  clientCredentialResponse: ClientCredentialResponse,
  authError: AuthError,
  problem: ProblemBody,
} as const;

export const openadrSchemas = {
  program: Program,
  programRequest: ProgramRequest,
  report: Report,
  reportRequest: ReportRequest,
  event: Event,
  eventRequest: EventRequest,
  subscription: Subscription,
  subscriptionRequest: SubscriptionRequest,
  ven: Ven,
  venRequest: VenRequest,
  BlVenRequest,
  VenVenRequest,
  resource: Resource,
  resourceRequest: ResourceRequest,
  BlResourceRequest,
  VenResourceRequest,
  objectMetadata: ObjectMetadata,
  interval: Interval,
  intervalPeriod: IntervalPeriod,
  valuesMap: ValuesMap,
  point: Point,
  eventPayloadDescriptor: EventPayloadDescriptor,
  reportPayloadDescriptor: ReportPayloadDescriptor,
  reportDescriptor: ReportDescriptor,
  objectID: ObjectId,
  clientID: ClientId,
  venName: VenName,
  clientName: ClientName,
  target: Target,
  resourceName: ResourceName,
  units: Units,
  readingType: ReadingType,
  notification: Notification,
  ...openadrCommonSchemas,
  authServerInfo: AuthServerInfo,
  notifiersResponse: NotifiersResponse,
  mqttNotifierBindingObject: MqttNotifierBindingObject,
  mqttNotifierAuthenticationAnonymous: MqttAuthentication.anonymous,
  mqttNotifierAuthenticationOauth2BearerToken: MqttAuthentication.bearer,
  mqttNotifierAuthenticationCertificate: MqttAuthentication.certificate,
  notifierOperationsTopics: NotifierOperationsTopics,
  notifierTopicsResponse: NotifierTopicsResponse,
} as const;

export type OpenadrSchemaName = keyof typeof openadrSchemas;
