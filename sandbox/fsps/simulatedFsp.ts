import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { Event } from '../../schemas/openadr/wire.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { pollEvents } from '../../client/openadr/eventWatch.ts';
import { MqttNotifications } from '../../client/openadr/mqttNotifications.ts';
import type { NotificationQueue } from '../../client/openadr/notificationQueue.ts';
import { NotificationVerifier } from '../../client/openadr/notificationVerifier.ts';
import { postActionReport } from '../../client/openadr/reports.ts';
import { VenClient } from '../../client/openadr/venClient.ts';
import { WebhookReceiver } from '../../client/openadr/webhookReceiver.ts';
import { provisionCredentials } from '../sandboxParties.ts';
import { SCENARIO_DIR } from '../scenarioCatalogue.ts';
import { ensurePartyCertificate } from './partyCertificate.ts';

export const MISBEHAVIOURS = ['none', 'late-report', 'under-delivery', 'offline'] as const;

const FspConfig = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    channel: Type.Union([Type.Literal('webhook'), Type.Literal('mqtt')]),
    misbehaviour: Type.Union(MISBEHAVIOURS.map((m) => Type.Literal(m))),
    /** Resources the DSO grants as the VEN's targets: it sees the events of their contracts. */
    resources: Type.Array(Type.String(), { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type FspConfig = Static<typeof FspConfig>;
const validateFsps = compileValidator(Type.Object({ fsps: Type.Array(FspConfig) }, { additionalProperties: false }));

export function loadFspConfigs(dir: string = SCENARIO_DIR): FspConfig[] {
  return validateFsps(JSON.parse(readFileSync(join(dir, 'fsps.json'), 'utf8'))).fsps;
}

export interface FspTimings {
  /** How late a `late-report` FSP reports (real ms). */
  lateReportMs: number;
}
const DEFAULT_TIMINGS: FspTimings = { lateReportMs: 15_000 };
/** An `under-delivery` FSP delivers this share of what it was instructed. */
const UNDER_DELIVERY = 0.5;

export interface SeenEvent {
  event: Event;
  /** How it arrived last: webhook, mqtt or poll. */
  channel: string;
  notifications: number;
  report?: { id: string; values: number[]; at: string };
  reportError?: string;
}

/** What a business logic client the FSP needs from the DSO: targets granted on its VEN. */
export interface TargetGrantor {
  updateVen: VenClient['updateVen'];
}

/**
 * A simulated FSP: a reference VEN from client/ with its own certificate
 * and client credentials. It registers, is granted targets by the DSO,
 * hears of events by webhook or MQTT (polling when no broker answers) and
 * answers each event with the post-action (USAGE) report it asks for —
 * unless configured to misbehave: report late, deliver half, or be offline
 * (its webhook gone, so the gateway's deliveries retry and dead-letter).
 */
export class SimulatedFsp extends EventEmitter<{ change: [] }> {
  readonly events = new Map<string, SeenEvent>();
  venId = '';
  channelInUse = '';
  problems: string[] = [];
  private stopped = false;
  private channel: WebhookReceiver | MqttNotifications | undefined;
  private poller: AbortController | undefined;
  private timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly config: FspConfig,
    readonly party: string,
    readonly ven: VenClient,
    private readonly timings: FspTimings,
  ) {
    super();
  }

  static async start(options: {
    config: FspConfig;
    gatewayUrl: string;
    pkiDir: string;
    admin: FlexgateClient;
    businessLogic: TargetGrantor;
    timings?: Partial<FspTimings>;
  }): Promise<SimulatedFsp> {
    const { config } = options;
    const tls = await ensurePartyCertificate(options.pkiDir, 'fsp', config.id);
    const party = `urn:flexgate:fsp:${config.id}`;
    const credentials = await provisionCredentials(options.admin, party);
    const ven = new VenClient(new FlexgateClient(options.gatewayUrl, tls, { userAgent: `flexgate-sandbox-fsp/${config.id}` }), { credentials });
    const fsp = new SimulatedFsp(config, party, ven, { ...DEFAULT_TIMINGS, ...options.timings });
    const venName = `${config.id}-ven`;
    const registered = await ven.registerVen(venName);
    fsp.venId = registered.id;
    await options.businessLogic.updateVen(registered.id, { objectType: 'BL_VEN_REQUEST', clientID: party, venName, targets: config.resources });
    await fsp.listen();
    return fsp;
  }

  private async listen(): Promise<void> {
    const verifier = new NotificationVerifier({ gateway: await this.ven.gatewayIdentity(), audience: this.party });
    if (this.config.channel === 'webhook') {
      const bearerToken = randomBytes(24).toString('base64url');
      const receiver = await WebhookReceiver.start({ verifier, bearerToken });
      await this.ven.createSubscription({
        clientName: `${this.config.id}-ven`,
        objectOperations: [{ objects: ['EVENT'], operations: ['CREATE', 'UPDATE'], callbackUrl: receiver.callbackUrl, bearerToken }],
      });
      if (this.config.misbehaviour === 'offline') {
        // Subscribed, then gone: every notification to it fails, retries and is dead-lettered.
        await receiver.close();
        this.channelInUse = 'webhook (offline)';
        return;
      }
      this.channel = receiver;
      this.channelInUse = 'webhook';
    } else {
      try {
        const brokerUrl = (await this.ven.notifiers()).MQTT?.URIS[0];
        if (!brokerUrl) throw new Error('the VTN advertises no MQTT broker');
        const topics = await this.ven.venTopics(this.venId, 'events');
        this.channel = await MqttNotifications.subscribe({
          brokerUrl,
          topics: [topics.ALL ?? topics.UPDATE ?? topics.CREATE!],
          verifier,
          connectTimeoutMs: 3000,
        });
        this.channelInUse = 'mqtt';
      } catch (error) {
        this.problems.push(`MQTT unavailable (${(error as Error).message}); polling instead`);
        this.channelInUse = 'poll';
        void this.poll();
        return;
      }
    }
    void this.consume(this.channel);
  }

  private async consume(channel: NotificationQueue): Promise<void> {
    try {
      for await (const { notification, channel: via } of channel) {
        if (notification.objectType !== 'EVENT') continue;
        this.seen(notification.object as Event, via);
      }
    } catch (error) {
      if (!this.stopped) this.problems.push(`notifications stopped: ${(error as Error).message}`);
    }
  }

  private async poll(): Promise<void> {
    this.poller = new AbortController();
    try {
      for await (const change of pollEvents(this.ven, { intervalMs: 2000, signal: this.poller.signal })) {
        if (change.operation !== 'DELETE') this.seen(change.event, 'poll');
      }
    } catch (error) {
      if (!this.stopped) this.problems.push(`polling stopped: ${(error as Error).message}`);
    }
  }

  private seen(event: Event, channel: string): void {
    const known = this.events.get(event.id);
    this.events.set(event.id, { ...known, event, channel, notifications: (known?.notifications ?? 0) + 1 });
    this.emit('change');
    if (!known && (event.intervals?.length ?? 0) > 0) this.scheduleReport(event.id);
  }

  private scheduleReport(eventId: string): void {
    const delay = this.config.misbehaviour === 'late-report' ? this.timings.lateReportMs : 0;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.report(eventId);
    }, delay);
    this.timers.add(timer);
  }

  /** The USAGE report: per interval what was delivered, the instruction (or half of it when under-delivering). */
  private async report(eventId: string): Promise<void> {
    const seen = this.events.get(eventId);
    if (!seen || this.stopped) return;
    const { event } = seen;
    const share = this.config.misbehaviour === 'under-delivery' ? UNDER_DELIVERY : 1;
    const values = (event.intervals ?? []).map((interval) => Math.round(Number(interval.payloads[0]?.values[0] ?? 0) * share));
    try {
      const report = await this.ven.createReport(
        postActionReport(event, { clientName: `${this.config.id}-ven`, resourceName: event.targets?.[0] ?? this.config.resources[0]!, values }),
      );
      seen.report = { id: report.id, values, at: new Date().toISOString() };
      seen.event = await this.ven.event(eventId).catch(() => event);
    } catch (error) {
      seen.reportError = (error as Error).message;
    }
    this.emit('change');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.poller?.abort();
    await this.channel?.close();
    this.ven.client.close();
  }
}
