import { Type, type Static } from '@sinclair/typebox';
import {
  ClientName,
  DateTime,
  Duration,
  EventPayloadDescriptor,
  EventRequest,
  Interval,
  IntervalPeriod,
  ObjectId,
  ObjectTypes,
  openadrCommonSchemas,
  Point,
  ProgramRequest,
  ReadingType,
  ReportDescriptor,
  ReportPayloadDescriptor,
  ReportRequest,
  ResourceName,
  SubscriptionRequest,
  Units,
  ValuesMap,
  VenName,
  nullable,
  ref,
} from './wire.ts';

/**
 * OpenADR 3.0.1 message definitions, for the deprecated API flexgate serves
 * beside 3.1.0. Where 3.0.1 and 3.1.0 agree, the 3.1.0 declaration in wire.ts
 * is used as it stands (its `$ref`s resolve in the 3.0.1 document to the
 * 3.0.1 components of the same name); only what differs is declared here:
 * objects carry their metadata and are their own request bodies, targets are
 * valuesMaps, a period has a required start, payload descriptors an optional
 * objectType, reports a programID, subscriptions a required programID, and
 * programs the descriptive fields 3.1.0 moved into attributes.
 */

const discriminator = <const V extends string>(value: V) =>
  Type.Optional(Type.Unsafe<V>({ type: 'string', enum: [value], description: 'Used as discriminator' }));

/** 3.0.1 targets: valuesMaps (3.1.0 made them plain strings, issue 316). */
const targets = () => Type.Optional(nullable(Type.Array(ref('valuesMap', ValuesMap), { description: 'A list of valuesMap objects' })));
const optionalText = (description: string) => Type.Optional(nullable(Type.String({ description })));
const optionalFlag = (description: string) => Type.Optional(nullable(Type.Boolean({ description })));

/** What the VTN provisions on every object; optional in 3.0.1 because the same schema is the request body. */
const metadata = {
  id: Type.Optional(ref('objectID', ObjectId)),
  createdDateTime: Type.Optional(ref('dateTime', DateTime)),
  modificationDateTime: Type.Optional(ref('dateTime', DateTime)),
};

export const IntervalPeriod301 = Type.Object(
  { ...IntervalPeriod.properties, start: ref('dateTime', DateTime) },
  { description: 'Start (required in 3.0.1) and duration of intervals' },
);

export const EventPayloadDescriptor301 = Type.Object(
  { ...EventPayloadDescriptor.properties, objectType: discriminator('EVENT_PAYLOAD_DESCRIPTOR') },
  { description: 'How to read an event payload' },
);
export const ReportPayloadDescriptor301 = Type.Object(
  { ...ReportPayloadDescriptor.properties, objectType: discriminator('REPORT_PAYLOAD_DESCRIPTOR') },
  { description: 'How to read a report payload' },
);
export const ReportDescriptor301 = Type.Composite([Type.Omit(ReportDescriptor, ['reportIntervals', 'targets']), Type.Object({ targets: targets() })], {
  description: 'A report the VTN asks VENs for',
});
export type ReportDescriptor301 = Static<typeof ReportDescriptor301>;

export const Program301 = Type.Object(
  {
    ...metadata,
    objectType: discriminator('PROGRAM'),
    programName: ProgramRequest.properties.programName,
    programLongName: optionalText('Long name of program for human readability'),
    retailerName: optionalText('Short name of energy retailer providing the program'),
    retailerLongName: optionalText('Long name of energy retailer for human readability'),
    programType: optionalText('A program defined categorization'),
    country: optionalText('Alpha-2 code per ISO 3166-1'),
    principalSubdivision: optionalText('Coding per ISO 3166-2'),
    timeZoneOffset: Type.Optional(ref('duration', Duration)),
    intervalPeriod: ProgramRequest.properties.intervalPeriod,
    programDescriptions: ProgramRequest.properties.programDescriptions,
    bindingEvents: optionalFlag('True if events are fixed once transmitted'),
    localPrice: optionalFlag('True if events have been adapted from a grid event'),
    payloadDescriptors: ProgramRequest.properties.payloadDescriptors,
    targets: targets(),
  },
  { description: 'A program (OpenADR 3.0.1)' },
);
export type Program301 = Static<typeof Program301>;

export const Event301 = Type.Object(
  {
    ...metadata,
    objectType: discriminator('EVENT'),
    programID: EventRequest.properties.programID,
    eventName: EventRequest.properties.eventName,
    priority: EventRequest.properties.priority,
    targets: targets(),
    reportDescriptors: Type.Optional(nullable(Type.Array(ref('reportDescriptor', ReportDescriptor301)))),
    payloadDescriptors: EventRequest.properties.payloadDescriptors,
    intervalPeriod: EventRequest.properties.intervalPeriod,
    intervals: Type.Array(ref('interval', Interval)),
    dispatchStage: EventRequest.properties.dispatchStage,
  },
  { description: 'An event (OpenADR 3.0.1)' },
);
export type Event301 = Static<typeof Event301>;

export const Report301 = Type.Object(
  { ...metadata, objectType: discriminator('REPORT'), programID: ref('objectID', ObjectId), ...ReportRequest.properties },
  { description: 'A report (OpenADR 3.0.1)' },
);
export type Report301 = Static<typeof Report301>;

export const Subscription301 = Type.Object(
  {
    ...metadata,
    objectType: discriminator('SUBSCRIPTION'),
    clientName: SubscriptionRequest.properties.clientName,
    programID: ref('objectID', ObjectId),
    objectOperations: SubscriptionRequest.properties.objectOperations,
    targets: targets(),
  },
  { description: 'A subscription (OpenADR 3.0.1)' },
);
export type Subscription301 = Static<typeof Subscription301>;

const attributes = () => Type.Optional(nullable(Type.Array(ref('valuesMap', ValuesMap))));

export const Resource301 = Type.Object(
  {
    ...metadata,
    objectType: discriminator('RESOURCE'),
    resourceName: ref('resourceName', ResourceName),
    venID: Type.Optional(ref('objectID', ObjectId)),
    attributes: attributes(),
    targets: targets(),
  },
  { description: 'A resource (OpenADR 3.0.1)' },
);
export type Resource301 = Static<typeof Resource301>;

export const Ven301 = Type.Object(
  {
    ...metadata,
    objectType: discriminator('VEN'),
    venName: ref('venName', VenName),
    attributes: attributes(),
    targets: targets(),
    resources: Type.Optional(nullable(Type.Array(ref('resource', Resource301)))),
  },
  { description: 'A VEN (OpenADR 3.0.1)' },
);
export type Ven301 = Static<typeof Ven301>;

export const Notification301 = Type.Object(
  {
    objectType: ref('objectTypes', ObjectTypes),
    operation: Type.Unsafe<'GET' | 'POST' | 'PUT' | 'DELETE'>({
      type: 'string',
      enum: ['GET', 'POST', 'PUT', 'DELETE'],
      description: 'HTTP verb of the change (3.1.0 uses CRUD names)',
    }),
    object: Type.Unsafe<Program301 | Report301 | Event301 | Subscription301 | Ven301 | Resource301>({
      type: 'object',
      oneOf: (['program', 'report', 'event', 'subscription', 'ven', 'resource'] as const).map((name) => ({ $ref: `#/components/schemas/${name}` })),
      discriminator: { propertyName: 'objectType' },
    }),
    targets: targets(),
  },
  { description: 'What the VTN sends to a subscription callback (OpenADR 3.0.1)' },
);

/** Components of the 3.0.1 document: the official 3.0.1 names, plus the 3.1.0 leaf schemas the shared declarations refer to. */
export const openadr301Schemas = {
  program: Program301,
  report: Report301,
  event: Event301,
  subscription: Subscription301,
  ven: Ven301,
  resource: Resource301,
  interval: Interval,
  intervalPeriod: IntervalPeriod301,
  valuesMap: ValuesMap,
  point: Point,
  eventPayloadDescriptor: EventPayloadDescriptor301,
  reportPayloadDescriptor: ReportPayloadDescriptor301,
  reportDescriptor: ReportDescriptor301,
  objectID: ObjectId,
  notification: Notification301,
  ...openadrCommonSchemas,
  clientName: ClientName,
  venName: VenName,
  resourceName: ResourceName,
  units: Units,
  readingType: ReadingType,
} as const;
