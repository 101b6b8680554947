import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Event, Interval } from '../../../schemas/openadr/wire.ts';
import { durationMs } from '../../../protocol/time/eventTiming.ts';

/** The 2.0b namespaces, by the prefixes the specification's own examples use. */
export const OADR_NAMESPACES = {
  oadr: 'http://openadr.org/oadr-2.0b/2012/07',
  ei: 'http://docs.oasis-open.org/ns/energyinterop/201110',
  pyld: 'http://docs.oasis-open.org/ns/energyinterop/201110/payloads',
  emix: 'http://docs.oasis-open.org/ns/emix/2011/06',
  xcal: 'urn:ietf:params:xml:ns:icalendar-2.0',
  strm: 'urn:ietf:params:xml:ns:icalendar-2.0:stream',
  power: 'http://docs.oasis-open.org/ns/emix/2011/06/power',
  scale: 'http://docs.oasis-open.org/ns/emix/2011/06/siscale',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

type SignalType = 'delta' | 'level' | 'setpoint' | 'price';

/**
 * 3.x payload types as 2.0b signals. A relative set point is LOAD_DISPATCH
 * `delta` (a change of kW), an absolute one `setpoint`; 2.0b has no capacity
 * limit signal, so the limits travel as extension signals (`x-…`, which the
 * 2.0b signalName allows) of type `setpoint`. Any other payload type becomes
 * `x-<type>` of type `level`.
 */
const SIGNALS: Record<string, { name: string; type: SignalType }> = {
  DISPATCH_SETPOINT_RELATIVE: { name: 'LOAD_DISPATCH', type: 'delta' },
  DISPATCH_SETPOINT: { name: 'LOAD_DISPATCH', type: 'setpoint' },
  IMPORT_CAPACITY_LIMIT: { name: 'x-IMPORT_CAPACITY_LIMIT', type: 'setpoint' },
  EXPORT_CAPACITY_LIMIT: { name: 'x-EXPORT_CAPACITY_LIMIT', type: 'setpoint' },
  SIMPLE: { name: 'SIMPLE', type: 'level' },
  PRICE: { name: 'ELECTRICITY_PRICE', type: 'price' },
};
export const signalOf = (payloadType: string) => SIGNALS[payloadType] ?? { name: `x-${payloadType}`, type: 'level' as const };

/** Real power scales 2.0b can name; other units go without an itemBase. */
const POWER_SCALES: Record<string, string> = { W: 'none', KW: 'k', MW: 'M' };

/** An event starting within this long is `near`; further out, `far`. */
export const NEAR_WINDOW_MS = 60 * 60 * 1000;

export type EventStatus = 'none' | 'far' | 'near' | 'active' | 'completed' | 'cancelled';

/** One event as a 2.0b VEN is sent it. */
export interface DistributedEvent {
  event: Event;
  /** 2.0b's modificationNumber: 0 when created, one more on every change (the stored object's version − 1). */
  modificationNumber: number;
  cancelled: boolean;
  /** The market context: a URI naming the event's program. */
  marketContext: string;
  /** Targets that name one of the requesting VEN's resources (the others are groups, e.g. DSO contracts). */
  resourceNames: ReadonlySet<string>;
}

export interface DistributeEventMessage {
  requestID: string;
  vtnID: string;
  events: readonly DistributedEvent[];
  now: Date;
}

interface TimedInterval {
  uid: number;
  start: number;
  durationMs: number;
  payloads: Interval['payloads'];
}

/** Each interval with its start and length; a period without start follows the previous interval (3.1.0 User Guide 7.3). */
function timeline(event: Event): TimedInterval[] | undefined {
  const defaultDuration = event.intervalPeriod?.duration ?? 'PT0S';
  let cursor = event.intervalPeriod?.start === undefined ? undefined : Date.parse(event.intervalPeriod.start);
  const intervals: TimedInterval[] = [];
  for (const [uid, interval] of (event.intervals ?? []).entries()) {
    const start = interval.intervalPeriod?.start === undefined ? cursor : Date.parse(interval.intervalPeriod.start);
    if (start === undefined || Number.isNaN(start)) return undefined;
    const length = durationMs(interval.intervalPeriod?.duration ?? defaultDuration);
    intervals.push({ uid, start, durationMs: length, payloads: interval.payloads });
    cursor = start + length;
  }
  return intervals.length > 0 ? intervals : undefined;
}

/** xcal durations: whole minutes where they are, else whole seconds (the 2.0b pattern has no fractions). */
export function xcalDuration(ms: number): string {
  return ms % 60_000 === 0 ? `PT${ms / 60_000}M` : `PT${Math.round(ms / 1000)}S`;
}

const xcalDateTime = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** far / near / active / completed from the event's times against `now`; cancelled from its dispatch; none when it has no times. */
export function eventStatus(times: { start: number; end: number } | undefined, cancelled: boolean, now: Date): EventStatus {
  if (cancelled) return 'cancelled';
  if (!times) return 'none';
  const at = now.getTime();
  if (at >= times.end) return 'completed';
  if (at >= times.start) return 'active';
  return times.start - at <= NEAR_WINDOW_MS ? 'near' : 'far';
}

function appendDuration(parent: XMLBuilder, ms: number): void {
  parent.ele(OADR_NAMESPACES.xcal, 'xcal:duration').ele(OADR_NAMESPACES.xcal, 'xcal:duration').txt(xcalDuration(ms));
}

function appendSignals(parent: XMLBuilder, event: Event, intervals: TimedInterval[], now: Date): void {
  const { ei, strm, xcal, power, scale } = OADR_NAMESPACES;
  const signals = parent.ele(ei, 'ei:eiEventSignals');
  const types = [...new Set(intervals.flatMap((i) => i.payloads.filter((p) => typeof p.values[0] === 'number').map((p) => p.type)))];
  for (const type of types) {
    const signal = signals.ele(ei, 'ei:eiEventSignal');
    const list = signal.ele(strm, 'strm:intervals');
    let current: number | undefined;
    for (const interval of intervals) {
      const value = interval.payloads.find((p) => p.type === type)?.values[0];
      if (typeof value !== 'number') continue;
      const element = list.ele(ei, 'ei:interval');
      appendDuration(element, interval.durationMs);
      element.ele(xcal, 'xcal:uid').ele(xcal, 'xcal:text').txt(String(interval.uid));
      element.ele(ei, 'ei:signalPayload').ele(ei, 'ei:payloadFloat').ele(ei, 'ei:value').txt(String(value));
      if (now.getTime() >= interval.start && now.getTime() < interval.start + interval.durationMs) current = value;
    }
    const { name, type: signalType } = signalOf(type);
    signal.ele(ei, 'ei:signalName').txt(name);
    signal.ele(ei, 'ei:signalType').txt(signalType);
    signal.ele(ei, 'ei:signalID').txt(`${event.id}-${type}`);
    const units = event.payloadDescriptors?.find((d) => d.payloadType === type)?.units?.toUpperCase();
    const scaleCode = units === undefined ? undefined : POWER_SCALES[units];
    if (scaleCode !== undefined) {
      // 2.0b requires power attributes with a real power item; flexgate states the GB nominal values, not a measurement.
      const item = signal.ele(power, 'power:powerReal');
      item.ele(power, 'power:itemDescription').txt('RealPower');
      item.ele(power, 'power:itemUnits').txt('W');
      item.ele(scale, 'scale:siScaleCode').txt(scaleCode);
      const attributes = item.ele(power, 'power:powerAttributes');
      attributes.ele(power, 'power:hertz').txt('50');
      attributes.ele(power, 'power:voltage').txt('230');
      attributes.ele(power, 'power:ac').txt('true');
    }
    // Only while an interval is running: 0 would read as a limit of 0 kW, not as "nothing now".
    if (current !== undefined) signal.ele(ei, 'ei:currentValue').ele(ei, 'ei:payloadFloat').ele(ei, 'ei:value').txt(String(current));
  }
}

function appendEvent(parent: XMLBuilder, distributed: DistributedEvent, now: Date): void {
  const { oadr, ei, emix, xcal, xsi } = OADR_NAMESPACES;
  const { event } = distributed;
  const intervals = timeline(event);
  if (!intervals) return;
  const start = intervals[0]!.start;
  const end = Math.max(...intervals.map((i) => i.start + i.durationMs));
  const container = parent.ele(oadr, 'oadr:oadrEvent');
  const eiEvent = container.ele(ei, 'ei:eiEvent');
  const descriptor = eiEvent.ele(ei, 'ei:eventDescriptor');
  descriptor.ele(ei, 'ei:eventID').txt(event.id);
  descriptor.ele(ei, 'ei:modificationNumber').txt(String(distributed.modificationNumber));
  descriptor.ele(ei, 'ei:modificationDateTime').txt(xcalDateTime(Date.parse(event.modificationDateTime)));
  if (event.priority !== undefined && event.priority !== null) descriptor.ele(ei, 'ei:priority').txt(String(event.priority));
  descriptor.ele(ei, 'ei:eiMarketContext').ele(emix, 'emix:marketContext').txt(distributed.marketContext);
  descriptor.ele(ei, 'ei:createdDateTime').txt(xcalDateTime(Date.parse(event.createdDateTime)));
  descriptor.ele(ei, 'ei:eventStatus').txt(eventStatus({ start, end }, distributed.cancelled, now));
  descriptor.ele(ei, 'ei:testEvent').txt('false');
  if (event.eventName) descriptor.ele(ei, 'ei:vtnComment').txt(event.eventName);
  const active = eiEvent.ele(ei, 'ei:eiActivePeriod');
  const properties = active.ele(xcal, 'xcal:properties');
  properties.ele(xcal, 'xcal:dtstart').ele(xcal, 'xcal:date-time').txt(xcalDateTime(start));
  appendDuration(properties, end - start);
  active.ele(xcal, 'xcal:components').att(xsi, 'xsi:nil', 'true');
  appendSignals(eiEvent, event, intervals, now);
  // EiTargetType's sequence puts groupID before resourceID.
  const target = eiEvent.ele(ei, 'ei:eiTarget');
  const targets = event.targets ?? [];
  for (const group of targets.filter((t) => !distributed.resourceNames.has(t))) target.ele(ei, 'ei:groupID').txt(group);
  for (const resource of targets.filter((t) => distributed.resourceNames.has(t))) target.ele(ei, 'ei:resourceID').txt(resource);
  // flexgate takes no oadrCreatedEvent opt-in/opt-out: the dispatch lifecycle runs on 3.x reports.
  container.ele(oadr, 'oadr:oadrResponseRequired').txt('never');
}

/**
 * An `oadrPayload` carrying one `oadrDistributeEvent` (OpenADR 2.0b): the
 * events in the order given, each with its signals, intervals (ISO 8601
 * durations), targets, market context, status from its times and
 * modification number. Events without a resolvable start are left out.
 */
export function oadrDistributeEvent({ requestID, vtnID, events, now }: DistributeEventMessage): string {
  const { oadr, ei, pyld } = OADR_NAMESPACES;
  const document = create({ version: '1.0', encoding: 'UTF-8' });
  const payload = document.ele(oadr, 'oadr:oadrPayload');
  for (const [prefix, uri] of Object.entries(OADR_NAMESPACES)) payload.att('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, uri);
  const distribute = payload.ele(oadr, 'oadr:oadrSignedObject').ele(oadr, 'oadr:oadrDistributeEvent').att(ei, 'ei:schemaVersion', '2.0b');
  const response = distribute.ele(ei, 'ei:eiResponse');
  response.ele(ei, 'ei:responseCode').txt('200');
  response.ele(ei, 'ei:responseDescription').txt('OK');
  response.ele(pyld, 'pyld:requestID').txt(requestID);
  distribute.ele(pyld, 'pyld:requestID').txt(requestID);
  distribute.ele(ei, 'ei:vtnID').txt(vtnID);
  for (const event of events) appendEvent(distribute, event, now);
  return document.end({ prettyPrint: true });
}
