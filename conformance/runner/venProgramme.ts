import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Event, Report, Subscription, Ven } from '../../schemas/openadr/wire.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { clockSequence, signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';
import { CaseFailed } from './exchange.ts';
import type { TestVtn, VenParty } from './testVtn.ts';
import type { RunningVen, VenLauncher } from './venUnderTest.ts';

const OPENADR = '/openadr/3.1.0';

/** How long the programme waits for the VEN: to start and register, to act on a change, and for quiet after something it must not act on. */
export interface ProgrammeTimings {
  startMs: number;
  actMs: number;
  quietMs: number;
}

export const DEFAULT_TIMINGS: ProgrammeTimings = { startMs: 30_000, actMs: 15_000, quietMs: 4_000 };

/** The instruction the programme sends, kW, and its variation: the post-action report is held to the varied one. */
export const INSTRUCTED_KW = 250;
export const VARIED_KW = 400;

const REPORT_DESCRIPTORS = [
  { payloadType: 'LOAD_SHED_DELTA_AVAILABLE', readingType: 'DIRECT_READ', units: 'KW' },
  { payloadType: 'USAGE', readingType: 'DIRECT_READ', units: 'KW' },
];
const PAYLOAD_DESCRIPTORS = [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IMPORT_CAPACITY_LIMIT', units: 'KW' }];

export interface Registration {
  ven: Ven;
  afterMs: number;
}

/** When the VEN learned of a change: by a GET of events, or a notification its webhook took. */
export type Learned = { via: 'poll' | 'notification'; afterMs: number } | undefined;

export interface Dispatch {
  event: Event;
  learnedOfCreation: Learned;
  declaration: Report | undefined;
  stageAfterDeclaration: string | undefined;
  learnedOfVariation: Learned;
  /** The post-action report (USAGE) after the cease, and the event as it was instructed (varied). */
  postAction: Report | undefined;
  instructed: Event;
  stageAfterReport: string | undefined;
  /** Every report the VEN posted in the phase that the VTN refused: `status problem`. */
  refusedReports: string[];
}

export interface Cancellation {
  event: Event;
  learned: Learned;
  cancelStatus: number;
  /** Reports the VEN posted after the cancellation (accepted or refused): `status problem`. */
  reportsAfterCancel: string[];
}

export interface Forgery {
  /** Undefined: the VEN has no webhook subscription, so there is nothing to forge. */
  webhook?: string;
  forgedAnswer?: number;
  unsignedAnswer?: number;
  /** Requests of the VEN that acted on a forged event (named it, or reported on an event the VTN does not know). */
  actedOn: string[];
}

/**
 * The scripted programme the `ven` role drives a VEN through, as the
 * business logic of the test VTN: each phase runs once, on the first case
 * that needs it (earlier phases first), and keeps what it observed through
 * the VTN's public API and its wire tap for the cases to judge.
 */
export class VenProgramme {
  private readonly unique = randomBytes(4).toString('hex');
  private readonly phases = new Map<string, Promise<unknown>>();
  private running: RunningVen | undefined;
  private programID: string | undefined;
  /** What the programme did and saw, in order: every case's notes. */
  readonly timeline: string[] = [];

  constructor(
    readonly vtn: TestVtn,
    readonly ven: VenParty,
    private readonly launch: VenLauncher,
    readonly timings: ProgrammeTimings = DEFAULT_TIMINGS,
  ) {}

  get implementation(): { party: string; fingerprint: string } {
    return { party: this.ven.party, fingerprint: this.ven.fingerprint };
  }

  /** What the VEN printed so far (for a failing case's report). */
  output(): string {
    return this.running?.output() ?? '';
  }

  registration(): Promise<Registration> {
    return this.once('registration', async () => {
      const started = Date.now();
      this.running = await this.launch(this.ven.env);
      this.note(`started the VEN as ${this.ven.party}`);
      const ven = await this.waitFor(this.timings.startMs, async () =>
        (await this.bl<Ven[]>('GET', `${OPENADR}/vens`)).body.find((v) => v.clientID === this.ven.clientId),
      );
      if (!ven) throw new CaseFailed(`the VEN registered no VEN object within ${this.timings.startMs / 1000} s${this.outputTail()}`);
      this.note(`VEN ${ven.id} "${ven.venName}" registered after ${Date.now() - started} ms`);
      return { ven, afterMs: Date.now() - started };
    });
  }

  dispatch(): Promise<Dispatch> {
    return this.once('dispatch', async () => {
      await this.registration();
      const since = Date.now();
      const eventName = `ven-conformance-${this.unique}-dispatch`;
      const base = { programID: await this.program(), eventName, payloadDescriptors: PAYLOAD_DESCRIPTORS, reportDescriptors: REPORT_DESCRIPTORS };
      const event = (await this.bl<Event>('POST', `${OPENADR}/events`, { ...base, dispatchStage: 'REQUESTED' }, 201)).body;
      this.note(`created event ${event.id} (REQUESTED), asking for availability and a USAGE report in KW`);
      const learnedOfCreation = await this.learned(since);
      const declaration = await this.waitFor(this.timings.actMs, async () => (await this.reportsOn(event.id)).find((r) => hasPayload(r, AVAILABILITY)));
      this.note(declaration ? `declaration ${declaration.id}` : `no declaration of availability within ${this.timings.actMs / 1000} s`);
      const stageAfterDeclaration = (await this.event(event.id))?.dispatchStage ?? undefined;
      const instruction = (kW: number, dispatchStage: string) => ({
        ...base,
        dispatchStage,
        intervalPeriod: { start: new Date(since).toISOString(), duration: 'PT30M' },
        intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [kW] }] }],
      });
      // Without a declaration the request cannot be accepted: the instruction comes as a new event, so the report cases still run.
      let dispatched = event;
      if (declaration) {
        await this.bl('PUT', `${OPENADR}/events/${event.id}`, { ...base, dispatchStage: 'ACCEPTED' }, 200);
        await this.bl('PUT', `${OPENADR}/events/${event.id}`, instruction(INSTRUCTED_KW, 'INSTRUCTED'), 200);
      } else {
        await this.bl('DELETE', `${OPENADR}/events/${event.id}`);
        dispatched = (await this.bl<Event>('POST', `${OPENADR}/events`, instruction(INSTRUCTED_KW, 'INSTRUCTED'), 201)).body;
      }
      this.note(`instructed ${INSTRUCTED_KW} kW (event ${dispatched.id})`);
      const variedAt = Date.now();
      // A VEN that reported out of turn has completed the dispatch already: the VTN then refuses the variation and the cease.
      const varied = await this.bl<Event>('PUT', `${OPENADR}/events/${dispatched.id}`, instruction(VARIED_KW, 'INSTRUCTED'));
      this.note(`varied the instruction to ${VARIED_KW} kW: ${varied.status}`);
      const instructed = varied.status === 200 ? varied.body : ((await this.event(dispatched.id)) ?? dispatched);
      const learnedOfVariation = await this.learned(variedAt);
      const ceased = await this.bl('PUT', `${OPENADR}/events/${dispatched.id}`, instruction(VARIED_KW, 'CEASED'));
      this.note(`ceased the dispatch: ${ceased.status}`);
      const postAction = await this.waitFor(this.timings.actMs, async () => (await this.reportsOn(dispatched.id)).find((r) => hasPayload(r, ['USAGE'])));
      this.note(
        postAction ? `post-action report ${postAction.id}: ${JSON.stringify(postAction.resources)}` : `no USAGE report within ${this.timings.actMs / 1000} s`,
      );
      const stageAfterReport = (await this.event(dispatched.id))?.dispatchStage ?? undefined;
      const refusedReports = this.reportPosts(since)
        .filter((r) => r.status >= 400)
        .map((r) => `${r.status} ${r.problem ?? ''}`);
      return { event, learnedOfCreation, declaration, stageAfterDeclaration, learnedOfVariation, postAction, instructed, stageAfterReport, refusedReports };
    });
  }

  cancellation(): Promise<Cancellation> {
    return this.once('cancellation', async () => {
      await this.registration();
      const since = Date.now();
      const durationSeconds = Math.ceil((this.timings.quietMs + 2000) / 1000);
      const event = (
        await this.bl<Event>(
          'POST',
          `${OPENADR}/events`,
          {
            programID: await this.program(),
            eventName: `ven-conformance-${this.unique}-cancelled`,
            dispatchStage: 'SCHEDULED',
            payloadDescriptors: PAYLOAD_DESCRIPTORS,
            reportDescriptors: [REPORT_DESCRIPTORS[1]],
            intervalPeriod: { start: new Date(since).toISOString(), duration: `PT${durationSeconds}S` },
            intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [INSTRUCTED_KW] }] }],
          },
          201,
        )
      ).body;
      this.note(`created event ${event.id} (SCHEDULED, ${durationSeconds} s from now)`);
      const learned = await this.learned(since);
      const cancelledAt = Date.now();
      const cancelStatus = (await this.bl('DELETE', `${OPENADR}/events/${event.id}`)).status;
      this.note(`cancelled event ${event.id}: ${cancelStatus}`);
      await sleep(Math.max(0, since + durationSeconds * 1000 - Date.now()) + this.timings.quietMs);
      const reportsAfterCancel = this.reportPosts(cancelledAt).map((r) => `${r.status} ${r.problem ?? ''}`.trim());
      return { event, learned, cancelStatus, reportsAfterCancel };
    });
  }

  forgery(): Promise<Forgery> {
    return this.once('forgery', async () => {
      await this.registration();
      // A VEN subscribes after it registers: a VEN that only polls costs this wait.
      const subscription = await this.waitFor(this.timings.actMs, async () =>
        (await this.subscriptions()).flatMap((s) => s.objectOperations).find((o) => o.objects.includes('EVENT') && o.callbackUrl),
      );
      if (!subscription) return { actedOn: [] };
      const since = Date.now();
      const forgedIds = [`forged-${this.unique}-a`, `forged-${this.unique}-b`];
      const forgedAnswer = await this.notify(subscription.callbackUrl, subscription.bearerToken ?? undefined, forgedIds[0]!, 'forged');
      const unsignedAnswer = await this.notify(subscription.callbackUrl, subscription.bearerToken ?? undefined, forgedIds[1]!, 'unsigned');
      this.note(`forged notification to ${subscription.callbackUrl}: ${forgedAnswer}; unsigned: ${unsignedAnswer}`);
      await sleep(this.timings.quietMs);
      const actedOn = this.vtn.tap
        .of(this.ven.party, since)
        .filter((r) => forgedIds.some((id) => r.path.includes(id)) || r.problem === 'openadr.lifecycle-unknown-event')
        .map((r) => `${r.method} ${r.path} ${r.status} ${r.problem ?? ''}`.trim());
      return { webhook: subscription.callbackUrl, forgedAnswer, unsignedAnswer, actedOn };
    });
  }

  /** The VEN's subscriptions as the business logic sees them. */
  async subscriptions(): Promise<Subscription[]> {
    return (await this.bl<Subscription[]>('GET', `${OPENADR}/subscriptions`)).body.filter((s) => s.clientID === this.ven.clientId);
  }

  async close(): Promise<void> {
    await this.running?.stop();
  }

  private note(line: string): void {
    this.timeline.push(`${new Date().toISOString()} ${line}`);
  }

  private outputTail(): string {
    const tail = this.output().trim().split('\n').slice(-10).join('\n');
    return tail ? `; the VEN printed:\n${tail}` : '';
  }

  private once<T>(name: string, run: () => Promise<T>): Promise<T> {
    let phase = this.phases.get(name) as Promise<T> | undefined;
    if (!phase) {
      phase = run();
      phase.catch(() => undefined);
      this.phases.set(name, phase);
    }
    return phase;
  }

  private async program(): Promise<string> {
    this.programID ??= (await this.bl<{ id: string }>('POST', `${OPENADR}/programs`, { programName: `ven-conformance-${this.unique}` }, 201)).body.id;
    return this.programID;
  }

  private async bl<T = unknown>(method: string, path: string, json?: unknown, expected?: number): Promise<{ status: number; body: T }> {
    const target = this.vtn.target;
    const answer = await target.client('dso').request(method, path, {
      headers: { authorization: `Bearer ${await target.bearer('dso')}` },
      ...(json === undefined ? {} : { body: JSON.stringify(json), contentType: 'application/json' }),
    });
    if (expected !== undefined && answer.status !== expected)
      throw new CaseFailed(`the test VTN answered ${method} ${path} with ${answer.status}: ${answer.text()}`);
    return { status: answer.status, body: (answer.body.length ? answer.json<T>() : undefined) as T };
  }

  private async event(id: string): Promise<Event | undefined> {
    const answer = await this.bl<Event>('GET', `${OPENADR}/events/${id}`);
    return answer.status === 200 ? answer.body : undefined;
  }

  private async reportsOn(eventID: string): Promise<Report[]> {
    const answer = await this.bl<Report[]>('GET', `${OPENADR}/reports?eventID=${encodeURIComponent(eventID)}`);
    return answer.status === 200 ? answer.body.filter((r) => r.eventID === eventID && r.clientID === this.ven.clientId) : [];
  }

  private reportPosts(since: number) {
    return this.vtn.tap.of(this.ven.party, since).filter((r) => r.method === 'POST' && r.path.split('?')[0] === `${OPENADR}/reports`);
  }

  /** The VEN fetched events after `since`, or its webhook took a notification sent after it. */
  private async learned(since: number): Promise<Learned> {
    const callbacks = new Set((await this.subscriptions()).flatMap((s) => s.objectOperations.map((o) => o.callbackUrl)));
    const found = await this.waitFor(this.timings.actMs, async () => {
      const poll = this.vtn.tap.of(this.ven.party, since).find((r) => r.method === 'GET' && r.path.startsWith(`${OPENADR}/events`) && r.status === 200);
      if (poll) return { via: 'poll' as const, at: poll.at };
      if (!callbacks.size) return undefined;
      const answer = await this.vtn.target.client('admin').request('GET', '/admin/v1/deliveries?limit=100');
      const delivered = answer
        .json<{ deliveries: { channel: { url?: string }; deliveredAt: string | null }[] }>()
        .deliveries.find((d) => d.channel.url !== undefined && callbacks.has(d.channel.url) && d.deliveredAt !== null && Date.parse(d.deliveredAt) >= since);
      return delivered ? { via: 'notification' as const, at: Date.parse(delivered.deliveredAt!) } : undefined;
    });
    this.note(
      found ? `the VEN learned of it by ${found.via} after ${found.at - since} ms` : `the VEN did not learn of it within ${this.timings.actMs / 1000} s`,
    );
    return found ? { via: found.via, afterMs: found.at - since } : undefined;
  }

  private async waitFor<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined || Date.now() > deadline) return found;
      await sleep(250);
    }
  }

  /** Posts a notification of a new event that does not exist to the VEN's webhook: signed with a key not the gateway's, or not signed. */
  private async notify(callbackUrl: string, bearerToken: string | undefined, eventID: string, how: 'forged' | 'unsigned'): Promise<number> {
    const now = new Date().toISOString();
    const body = Buffer.from(
      JSON.stringify({
        objectType: 'EVENT',
        operation: 'CREATE',
        object: {
          id: eventID,
          objectType: 'EVENT',
          createdDateTime: now,
          modificationDateTime: now,
          programID: await this.program(),
          eventName: eventID,
          dispatchStage: 'REQUESTED',
          payloadDescriptors: PAYLOAD_DESCRIPTORS,
          reportDescriptors: REPORT_DESCRIPTORS,
        },
      }),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': randomUUID() };
    if (bearerToken) headers.authorization = `Bearer ${bearerToken}`;
    if (how === 'forged') {
      const gateway = await this.vtn.target.gatewayIdentity();
      const impostor = signerFromCredentials(this.vtn.target.credentials('dso'));
      const url = new URL(callbackUrl);
      headers[SIGNATURE_HEADER] = await signEnvelope(
        { ...impostor, issuer: gateway.party, certificateThumbprint: gateway.thumbprint },
        { audience: this.ven.party, sequence: clockSequence()(), method: 'POST', path: `${url.pathname}${url.search}`, apiVersion: 'openadr/3.1.0' },
        body,
      );
    }
    try {
      const answer = await fetch(callbackUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timings.actMs) });
      await answer.arrayBuffer();
      return answer.status;
    } catch {
      return 0;
    }
  }
}

const AVAILABILITY = ['LOAD_SHED_DELTA_AVAILABLE', 'GENERATION_DELTA_AVAILABLE'];

function hasPayload(report: Report, types: readonly string[]): boolean {
  return report.resources.some((r) => r.intervals.some((i) => i.payloads.some((p) => types.includes(p.type))));
}
