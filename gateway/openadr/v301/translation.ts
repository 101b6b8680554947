import type {
  Event,
  EventRequest,
  Interval,
  IntervalPeriod,
  Program,
  ProgramRequest,
  Report,
  ReportRequest,
  Resource,
  ResourceRequest,
  Subscription,
  SubscriptionRequest,
  ValuesMap,
  Ven,
  VenRequest,
} from '../../../schemas/openadr/wire.ts';
import type { Event301, Program301, Report301, ReportDescriptor301, Resource301, Subscription301, Ven301 } from '../../../schemas/openadr/wire301.ts';
import { durationMs } from '../../../protocol/time/eventTiming.ts';

/**
 * OpenADR 3.0.1 ↔ flexgate's model (the 3.1.0 shapes), field by field. Pure:
 * whatever needs the store (the VEN that owns a resource, a report's
 * program) is looked up by the router and passed in. README, "OpenADR 3.0.1",
 * lists every mapping and what 3.0.1 cannot carry.
 */

/** 3.1.0 targets are untyped strings; 3.0.1 sees them as one valuesMap of this type. */
export const TARGET_TYPE = 'GROUP';

/** 3.1.0 lets a period leave out its start; 3.0.1 requires one, and the User Guides read this one as "now". */
const NOW = '0001-01-01T00:00:00Z';

type Nullable<T> = T | null | undefined;

export function targetsOut(targets: Nullable<string[]>): ValuesMap[] | undefined {
  return targets && targets.length > 0 ? [{ type: TARGET_TYPE, values: [...targets] }] : undefined;
}

/** Every value of every valuesMap, whatever its type: 3.1.0 matches targets by value alone. */
export function targetsIn(maps: Nullable<ValuesMap[]>): string[] | undefined {
  if (!maps) return undefined;
  return maps.flatMap((map) => map.values.filter((v) => typeof v === 'string' || typeof v === 'number').map(String));
}

/** Leaves out what is undefined, so translated bodies carry only what was given. */
function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

const metadataOut = (object: { id: string; createdDateTime: string; modificationDateTime: string; objectType: string }) => ({
  id: object.id,
  createdDateTime: object.createdDateTime,
  modificationDateTime: object.modificationDateTime,
  objectType: object.objectType,
});

function periodOut(period: IntervalPeriod | undefined, start: string | undefined): (IntervalPeriod & { start: string }) | undefined {
  return period ? { ...period, start: period.start ?? start ?? NOW } : undefined;
}

/** Intervals with an explicit start wherever they have a period: in 3.1.0 a period without start follows the previous interval (User Guide 7.3). */
function intervalsOut(event: Pick<Event, 'intervalPeriod' | 'intervals'>): Interval[] {
  const defaultDuration = event.intervalPeriod?.duration ?? 'PT0S';
  let cursor = event.intervalPeriod?.start;
  return (event.intervals ?? []).map((interval) => {
    const period = periodOut(interval.intervalPeriod, cursor);
    const start = period?.start ?? cursor;
    cursor = start === undefined || start === NOW ? undefined : new Date(Date.parse(start) + durationMs(period?.duration ?? defaultDuration)).toISOString();
    return defined({ ...interval, intervalPeriod: period });
  });
}

// ---- programs: 3.0.1's descriptive fields are 3.1.0 program attributes (3.1.0 enumerations, program-attributes)

const PROGRAM_FIELDS = [
  ['programLongName', 'PROGRAM_LONG_NAME'],
  ['retailerName', 'RETAILER_NAME'],
  ['retailerLongName', 'RETAILER_LONG_NAME'],
  ['programType', 'PROGRAM_TYPE'],
  ['country', 'COUNTRY'],
  ['principalSubdivision', 'PRINCIPAL_SUBDIVISION'],
  ['bindingEvents', 'BINDING_EVENTS'],
  ['localPrice', 'LOCAL'],
  // 3.1.0 has no attribute for it; kept under a flexgate name so a 3.0.1 client reads back what it wrote.
  ['timeZoneOffset', 'FLEXGATE_TIME_ZONE_OFFSET'],
] as const satisfies ReadonlyArray<readonly [keyof Program301, string]>;
const FIELD_ATTRIBUTES = new Set<string>(PROGRAM_FIELDS.map(([, type]) => type));

/** 3.0.1 may leave a program's payload descriptor untyped; only report descriptors have reading type, accuracy or confidence. */
const descriptorKind = (descriptor: object) =>
  'readingType' in descriptor || 'accuracy' in descriptor || 'confidence' in descriptor
    ? ('REPORT_PAYLOAD_DESCRIPTOR' as const)
    : ('EVENT_PAYLOAD_DESCRIPTOR' as const);

/** A 3.0.1 program as a 3.1.0 request; attributes 3.0.1 cannot see (signature policy, DSO, zone) are kept from `previous`. */
export function programIn(program: Program301, previous?: Program): ProgramRequest {
  const fromFields: ValuesMap[] = PROGRAM_FIELDS.flatMap(([field, type]) => {
    const value = program[field];
    return value === undefined || value === null ? [] : [{ type, values: [value] }];
  });
  const kept = (previous?.attributes ?? []).filter((a) => !FIELD_ATTRIBUTES.has(a.type));
  const attributes = [...kept, ...fromFields];
  return defined({
    programName: program.programName,
    intervalPeriod: program.intervalPeriod,
    programDescriptions: program.programDescriptions,
    payloadDescriptors: program.payloadDescriptors?.map((d) => ({
      ...d,
      objectType: d.objectType ?? descriptorKind(d),
    })) as ProgramRequest['payloadDescriptors'],
    attributes: attributes.length > 0 ? attributes : undefined,
    targets: targetsIn(program.targets),
  });
}

export function programOut(program: Program): Program301 {
  const fields = Object.fromEntries(
    PROGRAM_FIELDS.flatMap(([field, type]) => {
      const value = program.attributes?.find((a) => a.type === type)?.values[0];
      return value === undefined ? [] : [[field, value]];
    }),
  );
  return defined({
    ...metadataOut(program),
    programName: program.programName,
    ...fields,
    intervalPeriod: periodOut(program.intervalPeriod, undefined),
    programDescriptions: program.programDescriptions,
    payloadDescriptors: program.payloadDescriptors,
    targets: targetsOut(program.targets),
  }) as Program301;
}

// ---- events

function reportDescriptorIn(descriptor: ReportDescriptor301) {
  return defined({ ...descriptor, targets: targetsIn(descriptor.targets) });
}

export function eventIn(event: Event301): EventRequest {
  return defined({
    programID: event.programID,
    eventName: event.eventName,
    priority: event.priority,
    targets: targetsIn(event.targets),
    reportDescriptors: event.reportDescriptors?.map(reportDescriptorIn),
    payloadDescriptors: event.payloadDescriptors?.map((d) => ({ ...d, objectType: 'EVENT_PAYLOAD_DESCRIPTOR' as const })),
    intervalPeriod: event.intervalPeriod,
    intervals: event.intervals,
    dispatchStage: event.dispatchStage,
  });
}

/** 3.1.0's `duration` (looping intervals) and reportDescriptor `reportIntervals` have no 3.0.1 form and are left out. */
export function eventOut(event: Event): Event301 {
  return defined({
    ...metadataOut(event),
    programID: event.programID,
    eventName: event.eventName,
    priority: event.priority,
    targets: targetsOut(event.targets),
    reportDescriptors: event.reportDescriptors?.map(({ reportIntervals: _intervals, targets, ...rest }) => defined({ ...rest, targets: targetsOut(targets) })),
    payloadDescriptors: event.payloadDescriptors,
    intervalPeriod: periodOut(event.intervalPeriod, undefined),
    intervals: intervalsOut(event),
    dispatchStage: event.dispatchStage,
  }) as Event301;
}

// ---- reports: 3.1.0 dropped programID (issue 253); the event decides the program

export function reportIn(report: Report301): ReportRequest {
  return defined({
    eventID: report.eventID,
    clientName: report.clientName,
    reportName: report.reportName,
    payloadDescriptors: report.payloadDescriptors?.map((d) => ({ ...d, objectType: 'REPORT_PAYLOAD_DESCRIPTOR' as const })),
    resources: report.resources,
  });
}

export function reportOut(report: Report, programID: string): Report301 {
  return defined({
    ...metadataOut(report),
    programID,
    eventID: report.eventID,
    clientName: report.clientName,
    reportName: report.reportName,
    payloadDescriptors: report.payloadDescriptors,
    resources: report.resources,
  }) as Report301;
}

// ---- subscriptions: programID is required in 3.0.1, optional in 3.1.0

export function subscriptionIn(subscription: Subscription301): SubscriptionRequest {
  return defined({
    clientName: subscription.clientName,
    programID: subscription.programID,
    objectOperations: subscription.objectOperations,
    targets: targetsIn(subscription.targets),
  });
}

/** Undefined for a subscription 3.0.1 cannot express (made on 3.1.0 without a program). */
export function subscriptionOut(subscription: Subscription): Subscription301 | undefined {
  if (subscription.programID === undefined) return undefined;
  return defined({
    ...metadataOut(subscription),
    clientName: subscription.clientName,
    programID: subscription.programID,
    objectOperations: subscription.objectOperations,
    targets: targetsOut(subscription.targets),
  }) as Subscription301;
}

// ---- VENs and resources: 3.0.1 has one body for VEN and business logic; 3.1.0 tells them apart (VEN_* / BL_*)

/** The owner of a registration the business logic writes; 3.0.1 bodies name none, so it is the existing object's. */
export type Registrar = { businessLogic: false } | { businessLogic: true; ownerClientId: string };

/** A VEN's own update keeps the targets the business logic granted (3.1.0 rule); targets it sends are not read. */
export function venIn(ven: Ven301, registrar: Registrar): VenRequest {
  if (!registrar.businessLogic) return defined({ objectType: 'VEN_VEN_REQUEST' as const, venName: ven.venName, attributes: ven.attributes });
  return defined({
    objectType: 'BL_VEN_REQUEST' as const,
    clientID: registrar.ownerClientId,
    venName: ven.venName,
    attributes: ven.attributes,
    targets: targetsIn(ven.targets),
  });
}

export function venOut(ven: Ven): Ven301 {
  return defined({ ...metadataOut(ven), venName: ven.venName, attributes: ven.attributes, targets: targetsOut(ven.targets) }) as Ven301;
}

export function resourceIn(resource: Resource301, venID: string, registrar: Registrar): ResourceRequest {
  if (!registrar.businessLogic)
    return defined({ objectType: 'VEN_RESOURCE_REQUEST' as const, resourceName: resource.resourceName, venID, attributes: resource.attributes });
  return defined({
    objectType: 'BL_RESOURCE_REQUEST' as const,
    clientID: registrar.ownerClientId,
    resourceName: resource.resourceName,
    venID,
    attributes: resource.attributes,
    targets: targetsIn(resource.targets),
  });
}

export function resourceOut(resource: Resource): Resource301 {
  return defined({
    ...metadataOut(resource),
    resourceName: resource.resourceName,
    venID: resource.venID,
    attributes: resource.attributes,
    targets: targetsOut(resource.targets),
  }) as Resource301;
}
