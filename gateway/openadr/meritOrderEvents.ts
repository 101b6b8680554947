import type { FlexibilityService } from '../../schemas/anm/trade.ts';
import type { MeritOrderEntry, MeritOrderList, OperationType } from '../../schemas/anm/meritOrderList.ts';
import type { EventRequest, IntervalPeriod } from '../../schemas/openadr/wire.ts';
import type { Asset } from '../../schemas/registry/registry.ts';
import { enaTargetsOf } from './enaTargets.ts';

/** The constraint period a list's instructions hold for: its trades' period, or the list's own. */
export interface ConstraintPeriod {
  start: string;
  end: string;
  constraintId?: string;
}

/** Which OpenADR payload carries an instruction to each kind of connection (README, "ANM → events"). */
export const PAYLOAD_OF_OPERATION: Record<OperationType, 'IMPORT_CAPACITY_LIMIT' | 'EXPORT_CAPACITY_LIMIT' | 'DISPATCH_SETPOINT_RELATIVE'> = {
  ConstrainedDemand: 'IMPORT_CAPACITY_LIMIT',
  ConstrainedGeneration: 'EXPORT_CAPACITY_LIMIT',
  FlexibleOutputChange: 'DISPATCH_SETPOINT_RELATIVE',
};

/** Services that relieve an import constraint lower net consumption; the others raise it. */
const LOWERS_CONSUMPTION: Record<FlexibilityService, boolean> = {
  'demand-turn-down': true,
  'generation-turn-up': true,
  'demand-turn-up': false,
  'generation-turn-down': false,
};

export interface ListReference {
  id: string;
  revision: number;
}

/**
 * The value an entry's event carries, in kW. A buyer's instruction is the
 * capacity its trade keeps firm, which is its import (or export) limit for
 * the period when the constraint curtails its contract in full; a seller's is
 * the change of its net consumption, negative for a service that lowers it.
 */
function instructedValue(entry: MeritOrderEntry, sellerService: FlexibilityService | undefined): number {
  if (entry.operationType !== 'FlexibleOutputChange') return entry.value_kW;
  const magnitude = Math.abs(entry.value_kW);
  return sellerService === undefined || LOWERS_CONSUMPTION[sellerService] ? -magnitude : magnitude;
}

const isoMinutes = (minutes: number) => `PT${minutes}M`;

/** A value several events share: frozen, so that no one event's change can reach the others (it throws instead). */
const shared = <T extends object>(value: T): T => Object.freeze(value) as T;

const USAGE_REPORT: EventRequest['reportDescriptors'] = shared([shared({ payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' })]);

/** The settlement-period intervals of a constraint period, each with its own `intervalPeriod`. */
function intervalPeriodsOver(period: ConstraintPeriod, intervalMinutes: number): IntervalPeriod[] {
  const periods: IntervalPeriod[] = [];
  const step = intervalMinutes * 60_000;
  for (let at = Date.parse(period.start); at < Date.parse(period.end); at += step) {
    periods.push(shared({ start: new Date(at).toISOString(), duration: isoMinutes(intervalMinutes) }));
  }
  return periods;
}

/** Where an entry's event comes from: the list and the contract, stable across the list's revisions. */
export const sourceKeyOf = (listId: string, contractId: string) => `${listId}/${contractId}`;

/**
 * One event per entry with a non-zero instruction: the payload for its kind
 * of connection over the constraint period in settlement-period intervals,
 * kW in the payload descriptor, targeted at its resource and DSO contract
 * (then, for a registered asset, its ENA fields: enaTargets.ts), and named
 * after the list and revision it comes from.
 */
export function meritOrderEvents(
  list: MeritOrderList,
  source: ListReference,
  period: ConstraintPeriod,
  options: {
    programID: string;
    intervalMinutes: number;
    sellerServices: ReadonlyMap<string, FlexibilityService>;
    /** The registered asset behind an ANM resource, if any. */
    assetOf?: (resourceId: string) => Asset | undefined;
  },
): Map<string, EventRequest> {
  // What every event of the list says alike is made once and shared, frozen (a list may have 100k entries).
  const intervalPeriod = shared({ start: period.start, duration: isoMinutes(options.intervalMinutes) });
  const intervalPeriods = intervalPeriodsOver(period, options.intervalMinutes);
  const descriptorsOf = new Map<string, EventRequest['payloadDescriptors']>();
  const events = new Map<string, EventRequest>();
  for (const entry of list.entries) {
    if (entry.value_kW === 0) continue;
    const payloadType = PAYLOAD_OF_OPERATION[entry.operationType];
    const value = instructedValue(entry, options.sellerServices.get(entry.contractId.toLowerCase()));
    const asset = options.assetOf?.(entry.resourceId);
    let payloadDescriptors = descriptorsOf.get(payloadType);
    if (!payloadDescriptors) {
      payloadDescriptors = shared([shared({ objectType: 'EVENT_PAYLOAD_DESCRIPTOR' as const, payloadType, units: 'KW' })]);
      descriptorsOf.set(payloadType, payloadDescriptors);
    }
    events.set(sourceKeyOf(source.id, entry.contractId), {
      programID: options.programID,
      eventName: `merit-order-list ${source.id} revision ${source.revision} contract ${entry.contractId}`,
      priority: entry.order,
      // Resource and contract first: settlement reads them by position.
      targets: [entry.resourceId, entry.contractId, ...(asset ? enaTargetsOf(asset) : [])],
      payloadDescriptors,
      reportDescriptors: USAGE_REPORT,
      intervalPeriod,
      intervals: intervalPeriods.map((each, id) => ({ id, intervalPeriod: each, payloads: [{ type: payloadType, values: [value] }] })),
      dispatchStage: 'SCHEDULED',
    });
  }
  return events;
}
