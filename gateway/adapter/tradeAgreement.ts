import type { Constraint, ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderEntry, MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { AgreedTrade, FlexibilityService, MatchedTrade } from '../../schemas/anm/trade.ts';
import type { ProblemLocation } from '../../schemas/problems.ts';
import { Problem, ProblemCollector } from '../../protocol/problem.ts';
import { formatUtc, parseInstant } from '../../protocol/time/ukTime.ts';
import { RELIEVING_SERVICES, serviceHeadroom } from './capacityRules.ts';
import { coversPeriod, isBehind } from './constraintMembership.ts';
import { viewConstraint, type ConstraintEntry, type ConstraintView } from './constraintView.ts';
import { ineligibility, type TradingEligibility } from './eligibility.ts';

/** The constraint and period a merit order list is traded for; fixed by its first trade. */
export interface TradingTerms {
  constraintId: string;
  /** With the id, identifies the constraint within its look-ahead. */
  constraintStart: string;
  start: string;
  end: string;
}

export interface TradingState {
  terms: TradingTerms;
  /** Trades in effect, in the order they were agreed. */
  trades: AgreedTrade[];
  /** Trade ids issued so far, cancelled ones included, so an id is never reused. */
  tradeCount: number;
}

export interface TradingBasis {
  lookAhead: ConstraintLookAhead;
  /** The original (untraded) list the trades re-order. */
  list: MeritOrderList;
  eligibility: TradingEligibility;
}

/**
 * Trading starts from the list the ANM issued: a list that already carries
 * trades (values or traded flags) cannot say which obligations are original.
 */
export function requireOriginalList(list: MeritOrderList): void {
  const traded = list.entries.find((e) => e.traded || e.value_kW !== 0);
  if (traded) {
    throw new Problem(
      'adapter.list-already-traded',
      `Entry ${traded.order} (${traded.contractId}) is already traded (value ${traded.value_kW} kW); trade against the ANM's original list`,
    );
  }
}

/**
 * Checks matched trades against the look-ahead and the original list and,
 * when every one is valid, returns the trading state with them added. One
 * invalid trade refuses them all: every problem found is reported, each at
 * its JSON pointer in the trade list.
 */
export function agreeTrades(basis: TradingBasis, state: TradingState | undefined, incoming: readonly MatchedTrade[]): TradingState {
  requireOriginalList(basis.list);
  const context = new AgreementContext(basis);
  const problems = new ProblemCollector();
  let terms = state?.terms;
  const checked: CheckedTrade[] = [];
  incoming.forEach((trade, index) => {
    try {
      const result = context.check(trade, index, terms);
      terms ??= result.terms;
      checked.push(result);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      problems.items.push(...error.items);
    }
  });
  problems.throwIfAny();
  if (!terms) throw new Error('agreeTrades needs at least one trade');

  const view = context.viewOf(constraintUnder(basis.lookAhead, terms));
  checkCombined(view, state?.trades ?? [], checked, problems);
  problems.throwIfAny();

  const tradeCount = state?.tradeCount ?? 0;
  const added = checked.map(({ trade }, k) => ({ tradeId: `T${tradeCount + k + 1}`, ...trade }));
  return { terms, trades: [...(state?.trades ?? []), ...added], tradeCount: tradeCount + added.length };
}

/** The constraint of the look-ahead that a list's trading terms name. */
export function constraintUnder(lookAhead: ConstraintLookAhead, terms: TradingTerms): Constraint {
  const constraint = lookAhead.constraints.find((c) => c.constraintId === terms.constraintId && c.start === terms.constraintStart);
  if (!constraint) throw new Error(`Look-ahead has no constraint ${terms.constraintId} from ${terms.constraintStart}`);
  return constraint;
}

interface CheckedTrade {
  index: number;
  terms: TradingTerms;
  trade: Omit<AgreedTrade, 'tradeId'>;
}

class AgreementContext {
  private readonly contracts: Map<string, MeritOrderEntry>;
  private readonly views = new Map<Constraint, ConstraintView>();

  constructor(private readonly basis: TradingBasis) {
    this.contracts = new Map(basis.list.entries.map((e) => [e.contractId.toLowerCase(), e]));
  }

  viewOf(constraint: Constraint): ConstraintView {
    let view = this.views.get(constraint);
    if (!view) {
      view = viewConstraint(constraint, this.basis.list, this.basis.eligibility);
      this.views.set(constraint, view);
    }
    return view;
  }

  /** The rules one trade must meet on its own, in the order a reader would check them; the first one broken is reported. */
  check(trade: MatchedTrade, index: number, terms: TradingTerms | undefined): CheckedTrade {
    const at = (field: string): ProblemLocation => ({ pointer: `/${index}${field ? `/${field}` : ''}` });
    const buyer = this.contract(trade.buyerContractId, at('buyerContractId'));
    const seller = this.contract(trade.sellerContractId, at('sellerContractId'));
    if (buyer.activity !== 'Buyer') {
      throw new Problem('adapter.wrong-activity', `${buyer.contractId} is a ${buyer.operationType} (seller) contract; it cannot buy`, at('buyerContractId'));
    }
    if (seller.activity !== 'Seller') {
      throw new Problem('adapter.wrong-activity', `${seller.contractId} is a ${seller.operationType} (buyer) contract; it cannot sell`, at('sellerContractId'));
    }
    if (buyer.resourceId === seller.resourceId) {
      throw new Problem(
        'adapter.same-resource',
        `${buyer.contractId} and ${seller.contractId} are both contracts of resource ${buyer.resourceId}; a resource cannot relieve itself`,
        at('sellerContractId'),
      );
    }
    for (const [entry, field] of [
      [buyer, 'buyerContractId'],
      [seller, 'sellerContractId'],
    ] as const) {
      const reason = ineligibility(entry, this.basis.eligibility);
      if (reason) {
        const why = reason === 'not-registered' ? 'is not registered for trading' : 'is a flexible-service contract with the DSO';
        throw new Problem('adapter.not-tradeable', `${entry.contractId} ${why}`, at(field));
      }
    }

    const start = parseInstant(trade.start, at('start'));
    const end = parseInstant(trade.end, at('end'));
    if (start >= end) throw new Problem('anm.period-invalid', `The trade ends (${trade.end}) at or before it starts (${trade.start})`, at('end'));
    const period = { start: formatUtc(start), end: formatUtc(end) };

    const constraint = this.resolveConstraint(trade, buyer, seller, start, end, at);
    if (terms && (constraint.constraintId !== terms.constraintId || constraint.start !== terms.constraintStart)) {
      throw new Problem(
        'adapter.wrong-constraint',
        `This list is traded under constraint ${terms.constraintId} from ${terms.constraintStart}; this trade falls under ${constraint.constraintId} from ${constraint.start}`,
        at(trade.constraintId ? 'constraintId' : 'buyerContractId'),
      );
    }
    const fixedStart = terms?.start ?? this.basis.list.periodStart;
    if ((fixedStart !== undefined && period.start !== fixedStart) || (terms && period.end !== terms.end)) {
      throw new Problem(
        'adapter.period-mismatch',
        `A re-ordered list is for one period; this list's is ${fixedStart ?? ''}${terms ? ` to ${terms.end}` : ''}, the trade's ${period.start} to ${period.end}`,
        at(fixedStart !== undefined && period.start !== fixedStart ? 'start' : 'end'),
      );
    }

    const view = this.viewOf(constraint);
    const direction = view.direction;
    if (!direction) {
      throw new Problem(
        'adapter.direction-unknown',
        `Constraint ${constraint.constraintId} gives no direction and the buyers behind it are not all of one kind`,
        at(''),
      );
    }
    const buyerItem = itemOf(view, buyer);
    const service = this.chooseService(trade, itemOf(view, seller), direction, at);
    const headroom = serviceHeadroom(seller, service);
    if (trade.kW > buyerItem.exposure_kW) {
      throw new Problem('adapter.over-capacity', `${buyer.contractId} ${exposureDetail(buyerItem, view)}; the trade is for ${trade.kW} kW`, at('kW'));
    }
    if (trade.kW > headroom) {
      throw new Problem(
        'adapter.over-capacity',
        `${seller.contractId} can sell at most ${headroom} kW of ${service} (its ${service.startsWith('demand') ? 'MIC' : 'MEC'}); the trade is for ${trade.kW} kW`,
        at('kW'),
      );
    }
    return {
      index,
      terms: { constraintId: constraint.constraintId, constraintStart: constraint.start, ...period },
      trade: {
        constraintId: constraint.constraintId,
        buyerContractId: buyer.contractId,
        buyerResourceId: buyer.resourceId,
        sellerContractId: seller.contractId,
        sellerResourceId: seller.resourceId,
        service,
        kW: trade.kW,
        ...period,
        availabilityPrice: trade.availabilityPrice,
        utilisationPrice: trade.utilisationPrice,
      },
    };
  }

  private contract(id: string, location: ProblemLocation): MeritOrderEntry {
    const entry = this.contracts.get(id.toLowerCase());
    if (!entry) throw new Problem('adapter.unknown-contract', `The merit order list has no contract "${id}"`, location);
    return entry;
  }

  /**
   * A trade falls under the constraint whose period contains the trade's and
   * which has the buyer behind it; the seller must be behind it too, since
   * only then does the seller's action relieve what curtails the buyer.
   */
  private resolveConstraint(
    trade: MatchedTrade,
    buyer: MeritOrderEntry,
    seller: MeritOrderEntry,
    start: number,
    end: number,
    at: (field: string) => ProblemLocation,
  ): Constraint {
    const named = this.basis.lookAhead.constraints.filter((c) => trade.constraintId === undefined || c.constraintId === trade.constraintId);
    if (named.length === 0) {
      throw new Problem('adapter.wrong-constraint', `The look-ahead has no constraint "${trade.constraintId}"`, at('constraintId'));
    }
    const withBuyer = named.filter((c) => isBehind(c, buyer.resourceId));
    const inPeriod = withBuyer.filter((c) => coversPeriod(c, start, end));
    if (inPeriod.length === 0) {
      const why = withBuyer.length === 0 ? 'is not behind any constraint of the look-ahead' : 'is behind no constraint whose period contains the trade';
      throw new Problem(
        'adapter.wrong-constraint',
        `Buyer ${buyer.contractId}'s resource ${buyer.resourceId} ${why}${trade.constraintId ? ` named ${trade.constraintId}` : ''} (trade ${trade.start} to ${trade.end})`,
        at(withBuyer.length === 0 ? 'buyerContractId' : 'start'),
      );
    }
    const withBoth = inPeriod.filter((c) => isBehind(c, seller.resourceId));
    if (withBoth.length === 0) {
      throw new Problem(
        'adapter.wrong-constraint',
        `Seller ${seller.contractId}'s resource ${seller.resourceId} is not behind ${inPeriod.map((c) => c.constraintId).join(' or ')}, which curtails the buyer; it cannot relieve it`,
        at('sellerContractId'),
      );
    }
    if (withBoth.length > 1) {
      throw new Problem(
        'adapter.constraint-ambiguous',
        `Buyer and seller are both behind ${withBoth.map((c) => `${c.constraintId} (from ${c.start})`).join(' and ')}; name the constraintId`,
        at('constraintId'),
      );
    }
    return withBoth[0]!;
  }

  /** The seller's service: as named, else the one suitable service its MIC/MEC allows. */
  private chooseService(
    trade: MatchedTrade,
    seller: ConstraintEntry,
    direction: keyof typeof RELIEVING_SERVICES,
    at: (field: string) => ProblemLocation,
  ): FlexibilityService {
    const suitable = RELIEVING_SERVICES[direction];
    if (trade.service) {
      if (!suitable.includes(trade.service)) {
        throw new Problem(
          'adapter.service-unsuitable',
          `${trade.service} does not relieve an ${direction} constraint; ${suitable.join(' or ')} would`,
          at('service'),
        );
      }
      return trade.service;
    }
    const [only, another] = seller.services;
    if (!only) {
      throw new Problem(
        'adapter.over-capacity',
        `${seller.entry.contractId} can sell at most 0 kW: it has no MIC or MEC for ${suitable.join(' or ')}`,
        at('kW'),
      );
    }
    if (another) {
      throw new Problem(
        'adapter.service-ambiguous',
        `${seller.entry.contractId} could offer ${seller.services.map((s) => `${s.service} (${s.headroom_kW} kW)`).join(' or ')}; name the service`,
        at('service'),
      );
    }
    return only.service;
  }
}

function itemOf(view: ConstraintView, entry: MeritOrderEntry): ConstraintEntry {
  const item = view.byContract.get(entry.contractId);
  if (!item) throw new Error(`${entry.contractId} is not behind ${view.constraint.constraintId}`);
  return item;
}

function exposureDetail(item: ConstraintEntry, view: ConstraintView): string {
  if (item.exclusion === 'not-curtailed') {
    return `is ${item.entry.operationType}, which an ${view.direction} constraint does not curtail, so it can buy 0 kW`;
  }
  return `can buy at most ${item.exposure_kW} kW: constraint ${view.constraint.constraintId} is ${view.constraint.size_kW} kW with ${item.ahead_kW} kW curtailable ahead of it and its curtailable capacity is ${item.curtailable_kW} kW`;
}

/**
 * Trades of one contract all cover the list's one period, so they overlap and
 * add up: together they must stay within the buyer's exposure and the
 * seller's headroom for the service, trades already in effect included.
 */
function checkCombined(view: ConstraintView, inEffect: readonly AgreedTrade[], incoming: readonly CheckedTrade[], problems: ProblemCollector): void {
  const limit = (contractId: string, service?: FlexibilityService) => {
    const item = view.byContract.get(contractId);
    if (!item) return 0;
    return service ? serviceHeadroom(item.entry, service) : item.exposure_kW;
  };
  const totals = new Map<string, number>();
  const reported = new Set<string>();
  const add = (key: string, kW: number) => {
    const total = (totals.get(key) ?? 0) + kW;
    totals.set(key, total);
    return total;
  };
  for (const trade of inEffect) {
    add(`buyer\u0000${trade.buyerContractId}`, trade.kW);
    add(`seller\u0000${trade.sellerContractId}\u0000${trade.service}`, trade.kW);
  }
  for (const { index, trade } of incoming) {
    const buyerKey = `buyer\u0000${trade.buyerContractId}`;
    const bought = add(buyerKey, trade.kW);
    const exposure = limit(trade.buyerContractId);
    if (bought > exposure && !reported.has(buyerKey)) {
      reported.add(buyerKey);
      problems.add(
        'adapter.overlapping-exposure',
        `${trade.buyerContractId}'s trades for ${trade.start} to ${trade.end} add up to ${bought} kW, more than its ${exposure} kW exposure`,
        { pointer: `/${index}/kW` },
      );
    }
    const sellerKey = `seller\u0000${trade.sellerContractId}\u0000${trade.service}`;
    const sold = add(sellerKey, trade.kW);
    const headroom = limit(trade.sellerContractId, trade.service);
    if (sold > headroom && !reported.has(sellerKey)) {
      reported.add(sellerKey);
      problems.add(
        'adapter.overlapping-exposure',
        `${trade.sellerContractId}'s ${trade.service} trades for ${trade.start} to ${trade.end} add up to ${sold} kW, more than its ${headroom} kW headroom`,
        { pointer: `/${index}/kW` },
      );
    }
  }
}
