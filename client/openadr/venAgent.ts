import { AVAILABILITY_PAYLOADS, type Event } from '../../schemas/openadr/wire.ts';
import { eventEnd } from '../../protocol/time/eventTiming.ts';
import { GatewayRefusal } from '../refusal.ts';
import { declarationReport, postActionDescriptor, postActionReport, reportsAskedFor } from './reports.ts';
import type { VenClient } from './venClient.ts';

/** What the VEN's site is and what it offers, as its reports say it. */
export interface Site {
  /** The VEN's name: `venName` of its registration and `clientName` of its reports. */
  venName: string;
  resourceName: string;
  /** Declared when an event asks for availability, kW (negative: load shed). */
  available_kW: number;
  energySourceType: string;
  assetGroupId: string;
}

/** Watts per unit of the power units events and reports use. */
const WATTS: Record<string, number> = { W: 1, KW: 1000, MW: 1_000_000 };

/** A value from one power unit to another; unchanged when either is not a power unit the VEN knows. */
export function convertPower(value: number, from: string | null | undefined, to: string | null | undefined): number {
  const [a, b] = [WATTS[(from ?? '').toUpperCase()], WATTS[(to ?? '').toUpperCase()]];
  return a === undefined || b === undefined ? value : (value * a) / b;
}

/** What the agent asks of the VTN: an event afresh, and posting a report. */
export type AgentVtn = Pick<VenClient, 'event' | 'createReport'>;

const STAGES_BEFORE_INTERVALS = new Set(['REQUESTED', 'DECLARED', 'ACCEPTED']);

/**
 * The reference VEN's conduct through the ENA dispatch lifecycle, whichever
 * channel (poll, webhook, MQTT) brought the event: it declares availability
 * when a request for services asks for it, and posts the post-action report
 * the event's `reportDescriptors` ask for once the dispatch has ceased or its
 * last interval has ended — never for an event cancelled before then. Each
 * report is sent once per event.
 *
 * The site follows every instruction exactly, so it reports each interval's
 * instructed value as delivered; a VEN with meters reports what they read.
 */
export class VenAgent {
  private readonly declared = new Set<string>();
  private readonly reported = new Set<string>();
  private readonly cancelled = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    protected readonly ven: AgentVtn,
    protected readonly site: Site,
    protected readonly log: (line: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** An event as the VTN sent it (created or updated). */
  async onEvent(event: Event): Promise<void> {
    if (this.cancelled.has(event.id)) return;
    if (this.asksForDeclaration(event)) await this.declare(event);
    if (this.reported.has(event.id) || !postActionDescriptor(event) || !event.intervals?.length) return;
    if (event.dispatchStage !== undefined && STAGES_BEFORE_INTERVALS.has(event.dispatchStage)) return;
    const end = eventEnd(event);
    if (event.dispatchStage === 'CEASED' || end === undefined || end <= this.now()) return this.report(event);
    this.reportAt(event.id, end);
  }

  /** The event was cancelled (deleted, or gone from a poll): nothing more is sent about it. */
  onCancelled(eventID: string): void {
    this.cancelled.add(eventID);
    clearTimeout(this.timers.get(eventID));
    this.timers.delete(eventID);
    this.log(`cancelled ${eventID}`);
  }

  /** Stops the pending report timers. */
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  protected asksForDeclaration(event: Event): boolean {
    const asked = reportsAskedFor(event).some((d) => (AVAILABILITY_PAYLOADS as readonly string[]).includes(d.payloadType));
    const requested = event.dispatchStage === 'REQUESTED' || (event.dispatchStage === undefined && !event.intervals?.length);
    return asked && requested && !this.declared.has(event.id);
  }

  protected async declare(event: Event): Promise<void> {
    this.declared.add(event.id);
    const descriptor = reportsAskedFor(event).find((d) => (AVAILABILITY_PAYLOADS as readonly string[]).includes(d.payloadType))!;
    await this.send(
      event,
      'declaration',
      declarationReport(event, {
        clientName: this.site.venName,
        resourceName: this.site.resourceName,
        available_kW: this.site.available_kW,
        payloadType: descriptor.payloadType as (typeof AVAILABILITY_PAYLOADS)[number],
        energySourceType: this.site.energySourceType,
        assetGroupId: this.site.assetGroupId,
      }),
    );
  }

  protected async report(event: Event): Promise<void> {
    this.reported.add(event.id);
    const wanted = postActionDescriptor(event)!.units;
    const values = (event.intervals ?? []).map((interval) => {
      const payload = interval.payloads.find((p) => typeof p.values[0] === 'number');
      const units = event.payloadDescriptors?.find((d) => d.payloadType === payload?.type)?.units;
      return convertPower(Number(payload?.values[0] ?? 0), units, wanted);
    });
    await this.send(event, 'post-action report', postActionReport(event, { clientName: this.site.venName, resourceName: this.site.resourceName, values }));
  }

  /** Fetches the event again when its last interval ends (it may have been varied or cancelled meanwhile) and reports then. */
  private reportAt(eventID: string, end: number): void {
    clearTimeout(this.timers.get(eventID));
    const timer = setTimeout(
      () => {
        this.timers.delete(eventID);
        this.ven
          .event(eventID)
          .then((event) => this.onEvent(event))
          .catch((error: unknown) => {
            if (error instanceof GatewayRefusal && error.status === 404) this.onCancelled(eventID);
            else this.log(`event ${eventID}: ${(error as Error).message}`);
          });
      },
      Math.max(0, end - this.now()),
    );
    this.timers.set(eventID, timer);
  }

  private async send(event: Event, what: string, request: Parameters<VenClient['createReport']>[0]): Promise<void> {
    try {
      const posted = await this.ven.createReport(request);
      this.log(`${what} ${posted.id} on event ${event.id}`);
    } catch (error) {
      if (!(error instanceof GatewayRefusal)) throw error;
      this.log(`${what} on event ${event.id} refused: ${error.code}: ${error.problem.detail ?? ''}`);
    }
  }
}
