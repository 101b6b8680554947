import { POST_ACTION_PAYLOADS, type Event, type Interval, type ReportPayloadDescriptor, type ReportRequest } from '../../schemas/openadr/wire.ts';
import { FlexgateError } from '../../protocol/errors.ts';

/** The event does not ask for the report a VEN was about to build (its `reportDescriptors` name another payload type). */
export class ReportNotRequested extends FlexgateError {
  readonly code = 'client.report-not-requested';
}

/** A reading's count does not match the intervals it reports on. */
export class ReadingsMismatch extends FlexgateError {
  readonly code = 'client.readings-mismatch';
}

type ReportDescriptor = NonNullable<Event['reportDescriptors']>[number];

/** The reports an event asks its VENs for. */
export function reportsAskedFor(event: Event): ReportDescriptor[] {
  return event.reportDescriptors ?? [];
}

/** The descriptor of the post-action report the event asks for (USAGE first), if any. */
export function postActionDescriptor(event: Event): ReportDescriptor | undefined {
  const asked = reportsAskedFor(event);
  for (const type of POST_ACTION_PAYLOADS) {
    const found = asked.find((d) => d.payloadType === type);
    if (found) return found;
  }
  return undefined;
}

export interface Readings {
  /** What the VEN calls itself in reports (`clientName`). */
  clientName: string;
  /** The resource the values were read at, as registered. */
  resourceName: string;
  /** One value per interval of the event, in its order. */
  values: ReadonlyArray<number>;
  reportName?: string;
}

/**
 * The post-action report an event's `reportDescriptors` ask for (USAGE,
 * else DEMAND or BASELINE): one interval per event interval, same ids and
 * periods, the descriptor's reading type and units (else the event's payload
 * units). Refused when the event asks for no post-action report.
 */
export function postActionReport(event: Event, readings: Readings, payloadType?: string): ReportRequest {
  const descriptor = payloadType ? reportsAskedFor(event).find((d) => d.payloadType === payloadType) : postActionDescriptor(event);
  if (!descriptor) {
    const asked = reportsAskedFor(event).map((d) => d.payloadType);
    throw new ReportNotRequested(
      `Event ${event.id} asks for ${asked.length > 0 ? asked.join(', ') : 'no report'}${payloadType ? `, not ${payloadType}` : ', and no post-action report (USAGE, DEMAND, BASELINE)'}`,
    );
  }
  const intervals = event.intervals ?? [];
  if (readings.values.length !== intervals.length) {
    throw new ReadingsMismatch(`Event ${event.id} has ${intervals.length} interval(s); ${readings.values.length} reading(s) were given`);
  }
  const units = descriptor.units ?? event.payloadDescriptors?.[0]?.units;
  const payloadDescriptor: ReportPayloadDescriptor = {
    objectType: 'REPORT_PAYLOAD_DESCRIPTOR',
    payloadType: descriptor.payloadType,
    readingType: descriptor.readingType ?? 'DIRECT_READ',
    ...(units ? { units } : {}),
  };
  return {
    eventID: event.id,
    clientName: readings.clientName,
    reportName: readings.reportName ?? `${descriptor.payloadType} for ${event.eventName ?? event.id}`,
    payloadDescriptors: [payloadDescriptor],
    resources: [
      {
        resourceName: readings.resourceName,
        intervals: intervals.map((interval: Interval, i): Interval => ({
          id: interval.id,
          ...(interval.intervalPeriod ? { intervalPeriod: interval.intervalPeriod } : event.intervalPeriod ? { intervalPeriod: event.intervalPeriod } : {}),
          payloads: [{ type: descriptor.payloadType, values: [readings.values[i]!] }],
        })),
      },
    ],
  };
}

/** A status report (e.g. `OPERATING_STATE` `NORMAL`): it moves no dispatch stage. */
export function statusReport(event: Event, status: { clientName: string; resourceName: string; type?: string; value: string | number }): ReportRequest {
  const type = status.type ?? 'OPERATING_STATE';
  return {
    eventID: event.id,
    clientName: status.clientName,
    reportName: `${type} for ${event.eventName ?? event.id}`,
    payloadDescriptors: [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: type }],
    resources: [{ resourceName: status.resourceName, intervals: [{ id: 0, payloads: [{ type, values: [status.value] }] }] }],
  };
}

export interface Availability {
  clientName: string;
  resourceName: string;
  /** kW the resource can deliver (negative: load shed). */
  available_kW: number;
  /** `LOAD_SHED_DELTA_AVAILABLE` (default) or `GENERATION_DELTA_AVAILABLE`. */
  payloadType?: 'LOAD_SHED_DELTA_AVAILABLE' | 'GENERATION_DELTA_AVAILABLE';
  energySourceType: string;
  assetGroupId: string;
  /** 0-100, in the report payload descriptor. */
  confidence?: number;
  ghgIntensity?: number;
}

/** A declaration of availability (ENA): the availability with the energy source type and asset group it must carry. */
export function declarationReport(event: Event, availability: Availability): ReportRequest {
  const type = availability.payloadType ?? 'LOAD_SHED_DELTA_AVAILABLE';
  return {
    eventID: event.id,
    clientName: availability.clientName,
    reportName: `declaration of availability for ${event.eventName ?? event.id}`,
    payloadDescriptors: [
      {
        objectType: 'REPORT_PAYLOAD_DESCRIPTOR',
        payloadType: type,
        units: 'KW',
        ...(availability.confidence === undefined ? {} : { confidence: availability.confidence }),
      },
    ],
    resources: [
      {
        resourceName: availability.resourceName,
        intervals: [
          {
            id: 0,
            payloads: [
              { type, values: [availability.available_kW] },
              { type: 'ENERGY_SOURCE_TYPE', values: [availability.energySourceType] },
              { type: 'ASSET_GROUP_ID', values: [availability.assetGroupId] },
              ...(availability.ghgIntensity === undefined ? [] : [{ type: 'GHG_INTENSITY', values: [availability.ghgIntensity] }]),
            ],
          },
        ],
      },
    ],
  };
}
