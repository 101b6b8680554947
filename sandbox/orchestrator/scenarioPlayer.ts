import { EventEmitter } from 'node:events';
import type { ConstraintLookAheadInput } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderEntry } from '../../schemas/anm/meritOrderList.ts';
import type { AgreedTrade, MatchedTrade, OpportunityReport, SplitContract, TradeCancellation } from '../../schemas/anm/trade.ts';
import { formatUtc } from '../../protocol/time/ukTime.ts';
import type { AnmClient } from '../../client/anm/anmClient.ts';
import { dayLookAheadOf, listPeriod, lookAheadOf, meritOrderListOf, type ListPeriod } from '../anmDocuments.ts';
import { GATE_CLOSURE_MS, matchOrders, type Order, type RefusalReason } from '../market/matching.ts';
import type { LookAheadList, Scenario, ScenarioStep } from '../scenarioCatalogue.ts';
import { scenarioDate } from '../scenarioDay.ts';

/** The BiTraDER roles the orchestrator plays: the ANM posts lists and verifies on the day, the trading platform posts matched trades. */
export interface ScenarioParties {
  anm: AnmClient;
  market: AnmClient;
}

export type PlayerStatus = 'ready' | 'playing' | 'paused' | 'finished' | 'failed';

/** 300×: the two-hour trading window passes in 24 seconds, so scenario 1 plays end to end in well under a minute. */
export const DEFAULT_SPEED = 300;
const MINUTE_MS = 60_000;
const TICK_MS = 100;

export interface TimelineEntry {
  /** Scenario minute. */
  at: number;
  kind: 'look-ahead' | 'merit-order-list' | 'bid' | 'offer' | 'gate-closure' | 'trades' | 'verify' | 'error';
  text: string;
}

export interface PostedLookAhead {
  id: string;
  at: number;
  purpose: 'look-ahead' | 'on-the-day';
  document: ConstraintLookAheadInput;
}

export interface PostedMeritOrderList {
  id: string;
  at: number;
  /** As the ANM sent it (revision 1). */
  original: MeritOrderEntry[];
  /** The current revision after trading or verification, when there is one. */
  current?: { revision: number; entries: MeritOrderEntry[] };
}

export interface BookedOrder extends Order {
  at: number;
  status: 'open' | 'filled' | 'part-filled' | 'unfilled' | RefusalReason;
  filled_kW: number;
}

/** Everything a run has done so far: what the web UI shows and the tests assert. */
export interface ScenarioRun {
  scenario: Scenario;
  list: LookAheadList;
  /** UK date the scenario plays on. */
  date: string;
  period: ListPeriod;
  lookAheads: PostedLookAhead[];
  meritOrderLists: PostedMeritOrderList[];
  opportunities?: OpportunityReport;
  orders: BookedOrder[];
  trades: AgreedTrade[];
  splits: SplitContract[];
  cancellations: TradeCancellation[];
  gateClosureAt?: number;
  timeline: TimelineEntry[];
  error?: string;
}

type Action = { at: number; step: ScenarioStep } | { at: number; gateClosure: true };

/**
 * Plays a scenario file against the gateway through client/, as the ANM
 * orchestrator and the trading platform would: look-aheads and merit order
 * lists posted signed over mTLS, orders collected until gate closure two
 * hours after publication, matched, and the trades posted; on the day,
 * the topology's look-ahead and verification. Scenario time runs at
 * `speed` × real time and can be paused and reset.
 */
export class ScenarioPlayer extends EventEmitter<{ change: [] }> {
  status: PlayerStatus = 'ready';
  run!: ScenarioRun;
  private queue: Action[] = [];
  private generation = 0;
  private basePosition = 0;
  private baseReal = 0;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly parties: ScenarioParties,
    private readonly lists: ReadonlyMap<string, LookAheadList>,
    scenario: Scenario,
    public speed: number = DEFAULT_SPEED,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.load(scenario);
  }

  /** Scenario time played so far, in ms. */
  position(): number {
    return this.status === 'playing' ? this.basePosition + (this.now() - this.baseReal) * this.speed : this.basePosition;
  }

  /** Loads a scenario (or the same one again): nothing posted yet, clock at zero. Documents already in the gateway stay there. */
  load(scenario: Scenario): void {
    this.generation++;
    const list = this.lists.get(scenario.list)!;
    const date = scenarioDate(scenario.day, this.now());
    this.run = {
      scenario,
      list,
      date,
      period: listPeriod(list, date),
      lookAheads: [],
      meritOrderLists: [],
      orders: [],
      trades: [],
      splits: [],
      cancellations: [],
      timeline: [],
    };
    this.queue = scenario.steps.map((step) => ({ at: step.at, step })).sort((a, b) => a.at - b.at);
    this.status = 'ready';
    this.basePosition = 0;
    this.loop = undefined;
    this.emit('change');
  }

  reset(): void {
    this.load(this.run.scenario);
  }

  play(): void {
    if (this.status === 'finished' || this.status === 'failed') this.reset();
    if (this.status === 'playing') return;
    this.baseReal = this.now();
    this.status = 'playing';
    this.loop ??= this.playLoop(this.generation);
    this.emit('change');
  }

  pause(): void {
    if (this.status !== 'playing') return;
    this.basePosition = this.position();
    this.status = 'paused';
    this.emit('change');
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new RangeError('speed must be positive');
    this.basePosition = this.position();
    this.baseReal = this.now();
    this.speed = speed;
    this.emit('change');
  }

  /** Plays from where it is to the end; resolves with the run, rejects with the first failure. */
  async playToEnd(): Promise<ScenarioRun> {
    this.play();
    await this.loop;
    if (this.status === 'failed') throw new Error(this.run.error);
    return this.run;
  }

  private async playLoop(generation: number): Promise<void> {
    const current = () => generation === this.generation;
    while (current()) {
      const next = this.queue[0];
      if (!next) {
        this.basePosition = this.position();
        this.status = 'finished';
        this.emit('change');
        return;
      }
      const wait = (next.at * MINUTE_MS - this.position()) / this.speed;
      if (this.status !== 'playing' || wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.status === 'playing' ? Math.min(wait, TICK_MS) : TICK_MS));
        continue;
      }
      this.queue.shift();
      try {
        await this.perform(next);
      } catch (error) {
        if (!current()) return;
        this.run.error = `minute ${next.at}: ${(error as Error).message}`;
        this.log(next.at, 'error', this.run.error);
        this.status = 'failed';
        this.emit('change');
        return;
      }
      if (current()) this.emit('change');
    }
  }

  private log(at: number, kind: TimelineEntry['kind'], text: string): void {
    this.run.timeline.push({ at, kind, text });
  }

  private async perform(action: Action): Promise<void> {
    const { run } = this;
    const { at } = action;
    if ('gateClosure' in action) return this.closeGate(at);
    const step = action.step;
    if ('post' in step && step.post === 'look-ahead') {
      const document = lookAheadOf(run.list, run.period, this.now());
      const { document: stored } = await this.parties.anm.postLookAhead(document);
      run.lookAheads.push({ id: stored.id, at, purpose: 'look-ahead', document });
      this.log(
        at,
        'look-ahead',
        `ANM posted look-ahead ${stored.id}: ${run.list.constraint.constraintId} ${run.list.constraint.size_kW} kW ${run.list.constraint.direction}`,
      );
    } else if ('post' in step) {
      const document = meritOrderListOf(run.list, run.period, this.now(), step.curtailmentIndex);
      const { document: stored } = await this.parties.anm.postMeritOrderList(document);
      run.meritOrderLists.push({ id: stored.id, at, original: stored.entries });
      // Publication opens the trading window; a re-issued list re-opens it.
      run.gateClosureAt = at + GATE_CLOSURE_MS / MINUTE_MS;
      this.queue = this.queue.filter((a) => !('gateClosure' in a));
      this.queue.push({ at: run.gateClosureAt, gateClosure: true });
      this.queue.sort((a, b) => a.at - b.at);
      this.log(
        at,
        'merit-order-list',
        `ANM posted merit order list ${stored.id}${step.curtailmentIndex ? ' with updated curtailment indexes' : ''}; gate closes at minute ${run.gateClosureAt}`,
      );
    } else if ('bid' in step || 'offer' in step) {
      const side = 'bid' in step ? 'bid' : 'offer';
      const spec = 'bid' in step ? step.bid : step.offer;
      const entry = run.list.entries.find((e) => e.contractId === spec.contractId)!;
      const closed = run.gateClosureAt === undefined || at > run.gateClosureAt;
      const order: BookedOrder = {
        ...spec,
        id: `${side}-${run.orders.length + 1}`,
        side,
        resourceId: entry.resourceId,
        // Market times are scenario time, in ms from its start.
        submittedAt: at * MINUTE_MS,
        at,
        status: closed ? 'after-gate-closure' : 'open',
        filled_kW: 0,
      };
      run.orders.push(order);
      this.log(
        at,
        side,
        `${spec.contractId} ${side}s ${spec.kW} kW at ${spec.availability}p/MW/h + ${spec.utilisation}p/MWh${closed ? ': refused, the gate is closed' : ''}`,
      );
    } else {
      await this.verifyOnTheDay(at, step.verify);
    }
  }

  private async closeGate(at: number): Promise<void> {
    const { run } = this;
    const lookAhead = run.lookAheads.findLast((l) => l.purpose === 'look-ahead');
    const list = run.meritOrderLists.at(-1);
    if (!lookAhead || !list) throw new Error('gate closure needs a look-ahead and a merit order list');
    const flexibleService = run.scenario.flexibleServiceContracts ?? [];
    run.opportunities = await this.parties.market.opportunities(lookAhead.id, list.id, flexibleService);
    const capacity = new Map<string, number>();
    for (const constraint of run.opportunities.constraints)
      for (const o of constraint.opportunities) {
        const key = o.contractId.toLowerCase();
        capacity.set(key, Math.max(capacity.get(key) ?? 0, o.capacity_kW));
      }
    const open = run.orders.filter((o) => o.status === 'open');
    const result = matchOrders({
      publishedAt: list.at * MINUTE_MS,
      expectedUsePerMille: run.scenario.market.expectedUsePerMille,
      seed: run.scenario.market.seed,
      capacity,
      orders: open,
    });
    for (const order of open) {
      const refusal = result.refused.find((r) => r.orderId === order.id);
      const left = result.unfilled.get(order.id) ?? order.kW;
      order.filled_kW = order.kW - (refusal ? order.kW : left);
      order.status = refusal ? refusal.reason : left === 0 ? 'filled' : order.filled_kW > 0 ? 'part-filled' : 'unfilled';
    }
    this.log(
      at,
      'gate-closure',
      `Gate closed: ${result.matches.length} match(es) from ${open.length} order(s)${result.refused.length ? `, ${result.refused.map((r) => `${r.contractId} refused (${r.reason})`).join(', ')}` : ''}`,
    );
    if (result.matches.length === 0) return;
    const trades: MatchedTrade[] = result.matches.map((m) => ({
      buyerContractId: m.buyerContractId,
      sellerContractId: m.sellerContractId,
      kW: m.kW,
      start: formatUtc(run.period.start),
      end: formatUtc(run.period.end),
      availabilityPrice: { amount: m.availability, currency: 'GBP' },
      utilisationPrice: { amount: m.utilisation, currency: 'GBP' },
      ...(m.service ? { service: m.service } : {}),
    }));
    const { document: outcome } = await this.parties.market.trade(list.id, trades, {
      constraintLookAheadId: lookAhead.id,
      scenario: String(run.scenario.id),
      flexibleServiceContractIds: flexibleService,
    });
    run.trades = outcome.trades;
    run.splits = outcome.splits;
    list.current = { revision: outcome.revision, entries: outcome.meritOrderList.entries };
    this.log(at, 'trades', `Trading platform posted ${trades.length} trade(s); merit order list ${list.id} re-ordered (revision ${outcome.revision})`);
  }

  private async verifyOnTheDay(at: number, constraints: ReadonlyArray<{ constraintId: string; size_kW: number; resources: readonly string[] }>): Promise<void> {
    const { run } = this;
    const list = run.meritOrderLists.at(-1);
    if (!list) throw new Error('verification needs a merit order list');
    const document = dayLookAheadOf(run.period, run.list.constraint.direction, constraints, this.now());
    const { document: stored } = await this.parties.anm.postLookAhead(document);
    run.lookAheads.push({ id: stored.id, at, purpose: 'on-the-day', document });
    const outcome = await this.parties.anm.verify(stored.id, list.id);
    run.cancellations = outcome.cancelled;
    if (outcome.reordered) {
      const current = await this.parties.anm.meritOrderList(list.id);
      list.current = { revision: current.revision, entries: current.entries };
    }
    this.log(
      at,
      'verify',
      `On the day: look-ahead ${stored.id}; ${outcome.kept.length} trade(s) kept, ${outcome.cancelled.length} cancelled${outcome.cancelled.map((c) => ` (${c.tradeId} ${c.reason})`).join('')}`,
    );
  }
}
