import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, ReportRequest } from '../../schemas/openadr/wire.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { NotificationVerifier, type VerifiedNotification } from '../../client/openadr/notificationVerifier.ts';
import { postActionDescriptor, postActionReport } from '../../client/openadr/reports.ts';
import { VenAgent, type Site } from '../../client/openadr/venAgent.ts';
import { VenClient } from '../../client/openadr/venClient.ts';
import { runVenLoop } from '../../client/openadr/venLoop.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { eventEnd } from '../../protocol/time/eventTiming.ts';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import type { VenEnvironment } from '../runner/testVtn.ts';
import type { VenLauncher } from '../runner/venUnderTest.ts';

/** The reference VEN as an FSP runs it: `flexgate ven run` in its own process, given the suite's variables (polls every second). */
export const REFERENCE_VEN_COMMAND = [
  `"${process.execPath}" --import tsx "${join(PACKAGE_ROOT, 'bin', 'flexgate.ts')}" ven run`,
  '--url "$FLEXGATE_VTN_URL" --cert "$FLEXGATE_VEN_CERT" --key "$FLEXGATE_VEN_KEY" --ca "$FLEXGATE_VEN_CA"',
  '--client-id "$FLEXGATE_CLIENT_ID" --state-dir "$FLEXGATE_VEN_STATE_DIR" --name "$FLEXGATE_VEN_NAME" --webhook 0 --poll 1',
].join(' ');

/** The reference VEN's pieces with one swapped for a faulty one. */
interface Faults {
  ven?: (client: FlexgateClient, secret: { clientId: string; clientSecret: string }) => VenClient;
  agent?: (ven: VenClient, site: Site) => VenAgent;
  verifier?: (ven: VenClient) => Promise<NotificationVerifier>;
}

/** A deliberately faulty VEN: the reference VEN (in this process) with one fault, and the cases expected to catch it. */
export interface FaultyVen {
  name: string;
  description: string;
  /** The cases to run against it (the kill table's scope). */
  cases: string[];
  faults: Faults;
}

/** Divides every USAGE value by 1000: MW sent under the kW the descriptor asks for. */
class MegawattVenClient extends VenClient {
  override createReport(request: ReportRequest) {
    const resources = request.resources.map((resource) => ({
      ...resource,
      intervals: resource.intervals.map((interval) => ({
        ...interval,
        payloads: interval.payloads.map((p) => (p.type === 'USAGE' ? { ...p, values: p.values.map((v) => (typeof v === 'number' ? v / 1000 : v)) } : p)),
      })),
    }));
    return super.createReport({ ...request, resources });
  }
}

/** Takes any notification that parses, signed or not. */
class TrustingVerifier extends NotificationVerifier {
  override async verify(arrival: Parameters<NotificationVerifier['verify']>[0], body: Uint8Array): Promise<VerifiedNotification> {
    return {
      notification: JSON.parse(Buffer.from(body).toString('utf8')) as VerifiedNotification['notification'],
      envelope: {} as VerifiedEnvelope,
      channel: arrival.channel,
      destination: arrival.destination,
      repeat: false,
    };
  }
}

/** Reports USAGE the moment it sees an event that asks for it, whatever its stage; declares nothing. */
class LifecycleSkippingAgent extends VenAgent {
  private readonly done = new Set<string>();
  override async onEvent(event: Event): Promise<void> {
    if (this.done.has(event.id) || !postActionDescriptor(event)) return;
    this.done.add(event.id);
    const values = (event.intervals ?? [{ id: 0, payloads: [] }]).map(() => 100);
    await this.ven
      .createReport(
        postActionReport(
          { ...event, intervals: event.intervals ?? [{ id: 0, payloads: [] }] },
          { clientName: this.site.venName, resourceName: this.site.resourceName, values },
        ),
      )
      .catch(() => undefined);
  }
}

/** Learns of events and does nothing about them. */
class SilentAgent extends VenAgent {
  override async onEvent(): Promise<void> {}
}

/** Reports at the end of its events' intervals from what it was told then, even when they were cancelled meanwhile. */
class CancellationDeafAgent extends VenAgent {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  override async onEvent(event: Event): Promise<void> {
    const end = eventEnd(event);
    if (end === undefined || end <= Date.now() || event.dispatchStage === 'CEASED' || !postActionDescriptor(event)) return super.onEvent(event);
    if (this.pending.has(event.id)) return;
    this.pending.set(
      event.id,
      setTimeout(() => void this.report(event).catch(() => undefined), end - Date.now()),
    );
  }
  override onCancelled(): void {}
  override close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    super.close();
  }
}

export const FAULTY_VENS: readonly FaultyVen[] = [
  {
    name: 'reports-mw-not-kw',
    description: 'reports USAGE in MW (divided by 1000) under the KW units the event asks for',
    cases: ['VEN-RPT-002'],
    faults: { ven: (client, credentials) => new MegawattVenClient(client, { credentials }) },
  },
  {
    name: 'ignores-notification-signatures',
    description: 'takes notifications whatever their signature, forged or none, and acts on the events they announce',
    cases: ['VEN-NTF-001', 'VEN-NTF-002', 'VEN-NTF-003'],
    faults: { verifier: async (ven) => new TrustingVerifier({ gateway: await ven.gatewayIdentity(), audience: ven.party }) },
  },
  {
    name: 'skips-lifecycle',
    description: 'declares no availability and reports USAGE as soon as an event asks for it, whatever its stage',
    cases: ['VEN-LC-001', 'VEN-LC-002'],
    faults: { agent: (ven, site) => new LifecycleSkippingAgent(ven, site) },
  },
  {
    name: 'never-reports',
    description: 'learns of events (polls and subscribes) and reports nothing',
    cases: ['VEN-LC-003', 'VEN-RPT-001'],
    faults: { agent: (ven, site) => new SilentAgent(ven, site) },
  },
  {
    name: 'ignores-cancellation',
    description: 'reports on its events when their intervals end, cancelled or not',
    cases: ['VEN-EVT-003'],
    faults: { agent: (ven, site) => new CancellationDeafAgent(ven, site) },
  },
];

/** Starts a faulty VEN in this process from the suite's variables, as `flexgate ven run --webhook 0 --poll 1` would run. */
export function faultyVenLauncher(faulty: FaultyVen): VenLauncher {
  return async (env: VenEnvironment) => {
    const client = new FlexgateClient(env.FLEXGATE_VTN_URL, {
      cert: readFileSync(env.FLEXGATE_VEN_CERT, 'utf8'),
      key: readFileSync(env.FLEXGATE_VEN_KEY, 'utf8'),
      ca: [readFileSync(env.FLEXGATE_VEN_CA, 'utf8')],
    });
    const credentials = { clientId: env.FLEXGATE_CLIENT_ID, clientSecret: env.FLEXGATE_CLIENT_SECRET };
    const ven = faulty.faults.ven?.(client, credentials) ?? new VenClient(client, { credentials });
    const site: Site = { venName: env.FLEXGATE_VEN_NAME, resourceName: 'r1', available_kW: 100, energySourceType: 'battery', assetGroupId: 'g1' };
    const controller = new AbortController();
    const lines: string[] = [];
    const log = (line: string) => void lines.push(line);
    const options = {
      ven,
      site,
      agent: faulty.faults.agent?.(ven, site) ?? new VenAgent(ven, site, log),
      pollMs: 1000,
      webhook: { port: 0 },
      ...(faulty.faults.verifier ? { verifier: await faulty.faults.verifier(ven) } : {}),
      signal: controller.signal,
      log,
    };
    const loop = runVenLoop(options).catch((error: unknown) => log(`stopped: ${(error as Error).message}`));
    return {
      output: () => lines.join('\n'),
      async stop() {
        controller.abort();
        await loop;
        client.close();
      },
    };
  };
}
