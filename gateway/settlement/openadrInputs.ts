import { Problem } from '../../protocol/problem.ts';
import { AVAILABILITY_PAYLOADS, type Event, type ReportRequest } from '../../schemas/openadr/wire.ts';
import type { MeterReading } from './meterReadings.ts';
import type { AvailabilityDeclaration, Dispatch } from './verification.ts';

const DURATION = /^PT(?:(\d+)H)?(?:(\d+)M)?$/;

function minutesOf(duration: string | undefined, where: string): number {
  const match = duration ? DURATION.exec(duration) : null;
  const minutes = match ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : 0;
  if (minutes < 1) throw new Problem('settlement.readings-invalid', `${where}: duration must be whole hours and minutes (PT…H…M)`);
  return minutes;
}

/** The dispatch an OpenADR event carries (events the gateway made from merit order lists: targets are resource and contract). */
export function dispatchOfEvent(event: Event, revision: number, tradeIds: string[] = []): Dispatch {
  const [resourceId, contractId] = event.targets ?? [];
  if (typeof resourceId !== 'string' || typeof contractId !== 'string')
    throw new Problem('settlement.not-found', `Event ${event.id} names no resource and contract`);
  const defaultMinutes = event.intervalPeriod?.duration;
  return {
    eventId: event.id,
    eventRevision: revision,
    contractId,
    resourceId,
    tradeIds,
    intervals: (event.intervals ?? []).map((interval, i) => ({
      start: interval.intervalPeriod?.start ?? event.intervalPeriod?.start ?? '',
      minutes: minutesOf(interval.intervalPeriod?.duration ?? defaultMinutes, `event interval ${i}`),
      kW: Number(interval.payloads[0]?.values[0]),
    })),
  };
}

/**
 * Meter readings from a VEN's OpenADR USAGE report: each interval's start
 * and duration (the report's own, else the resource's) and its USAGE value
 * in kW; OpenADR intervals say their start, so the interval-ending
 * convention of `MeterReading` is derived, not assumed.
 */
export function readingsOfUsageReport(report: ReportRequest, resourceName: string): MeterReading[] {
  const resource = report.resources.find((r) => r.resourceName === resourceName);
  if (!resource) throw new Problem('settlement.readings-missing', `Report ${report.reportName ?? ''} has no resource ${resourceName}`);
  return resource.intervals.flatMap((interval, i) => {
    const usage = interval.payloads.find((p) => p.type === 'USAGE');
    if (!usage) return [];
    const period = interval.intervalPeriod ?? resource.intervalPeriod;
    const minutes = minutesOf(period?.duration ?? undefined, `report interval ${i}`);
    const start = Date.parse(period?.start ?? '');
    const kW = Number(usage.values[0]);
    if (!Number.isFinite(start) || !Number.isInteger(kW))
      throw new Problem('settlement.readings-invalid', `Report interval ${i} needs a start and a whole kW USAGE value`);
    return [{ end: new Date(start + minutes * 60_000).toISOString(), minutes, kW }];
  });
}

const isAvailability = (type: string) => (AVAILABILITY_PAYLOADS as readonly string[]).includes(type);

/**
 * A VEN's declarations of availability for one resource: each interval's
 * availability value (kW as declared) with the confidence (0–100 %) its
 * report gives that payload type in `payloadDescriptors` — OpenADR 3's own
 * field, range-checked by the VTN (`openadr.invalid-request`) before the
 * report is stored. An interval without a whole period covers the dispatch.
 */
export function declarationsOfReport(report: ReportRequest, resourceName: string): AvailabilityDeclaration[] {
  const resource = report.resources.find((r) => r.resourceName === resourceName);
  if (!resource) return [];
  return resource.intervals.flatMap((interval, i) => {
    const payload = interval.payloads.find((p) => isAvailability(p.type));
    if (!payload) return [];
    const available_kW = Number(payload.values[0]);
    if (!Number.isInteger(available_kW)) throw new Problem('settlement.readings-invalid', `Declaration interval ${i} needs a whole kW ${payload.type} value`);
    const confidence = report.payloadDescriptors?.find((d) => d.payloadType === payload.type)?.confidence;
    const period = interval.intervalPeriod ?? resource.intervalPeriod;
    const window = period?.start && period.duration ? { start: period.start, minutes: minutesOf(period.duration, `declaration interval ${i}`) } : {};
    return [{ ...window, available_kW, ...(typeof confidence === 'number' ? { confidence_pct: confidence } : {}) }];
  });
}
