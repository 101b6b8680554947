import fc from 'fast-check';
import type { Constraint } from '../../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderEntry, MeritOrderList } from '../../../schemas/anm/meritOrderList.ts';
import type { MatchedTrade } from '../../../schemas/anm/trade.ts';
import { viewConstraint } from '../constraintView.ts';
import { tradingEligibility } from '../eligibility.ts';
import { constraintOver } from './listBuilder.ts';
import { gbp } from './bitraderCase.ts';

/** A list, one constraint over some of its resources, and trades that are valid under it. */
export interface TradingScenario {
  list: MeritOrderList;
  constraint: Constraint;
  trades: MatchedTrade[];
}

/** `buyer`: curtailed by the constraint's direction (demand when it has none); `other-buyer`: the other kind. */
const KINDS = ['buyer', 'buyer', 'other-buyer', 'seller', 'seller'] as const;

const RESOURCES = 8;

/** Mostly true: most contracts are tradeable, some are not. */
const mostly = fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const capacity = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 1000 }) });

const entryArbitrary = fc.record({
  kind: fc.constantFrom(...KINDS),
  resource: fc.noBias(fc.nat(RESOURCES - 1)),
  mic_kW: capacity,
  mec_kW: capacity,
  registered: mostly,
});

const intentArbitrary = fc.record({ buyer: fc.nat(), seller: fc.nat(), share: fc.double({ min: 0, max: 1, noNaN: true }) });

export const tradingScenario: fc.Arbitrary<TradingScenario> = fc
  .record({
    entries: fc.array(entryArbitrary, { minLength: 4, maxLength: 14 }),
    behind: fc.array(mostly, { minLength: RESOURCES, maxLength: RESOURCES }),
    size_kW: fc.noBias(fc.integer({ min: 1, max: 5000 })),
    direction: fc.constantFrom('import' as const, 'import' as const, 'export' as const, 'export' as const, undefined),
    intents: fc.array(intentArbitrary, { minLength: 1, maxLength: 8 }),
  })
  .map(({ entries, behind, size_kW, direction, intents }) => {
    const list: MeritOrderList = {
      entries: entries.map((e, k): MeritOrderEntry => ({
        order: k + 1,
        contractId: `K${k + 1}`,
        resourceId: `R${e.resource}`,
        operationType:
          e.kind === 'seller' ? 'FlexibleOutputChange' : (e.kind === 'buyer') === (direction !== 'export') ? 'ConstrainedDemand' : 'ConstrainedGeneration',
        activity: e.kind === 'seller' ? 'Seller' : 'Buyer',
        value_kW: 0,
        mic_kW: e.mic_kW,
        mec_kW: e.mec_kW,
        traded: false,
        registered: e.registered,
      })),
    };
    const resourceIds = behind.flatMap((isBehind, r) => (isBehind ? [`R${r}`] : []));
    const constraint = constraintOver(resourceIds.length > 0 ? resourceIds : ['R0'], size_kW, direction ? { direction } : {});
    return { list, constraint, trades: validTrades(list, constraint, intents) };
  });

/** Turns random intents into trades that respect every rule: each takes a share of what buyer and seller have left. */
function validTrades(list: MeritOrderList, constraint: Constraint, intents: readonly { buyer: number; seller: number; share: number }[]): MatchedTrade[] {
  const view = viewConstraint(constraint, list, tradingEligibility());
  const buyers = view.entries.filter((e) => e.entry.activity === 'Buyer' && !e.exclusion);
  const offers = view.entries.filter((e) => e.entry.activity === 'Seller' && !e.exclusion).flatMap((e) => e.services.map((s) => ({ entry: e.entry, ...s })));
  const left = new Map<string, number>([
    ...buyers.map((b) => [b.entry.contractId, b.exposure_kW] as const),
    ...offers.map((o) => [`${o.entry.contractId}/${o.service}`, o.headroom_kW] as const),
  ]);
  const trades: MatchedTrade[] = [];
  for (const intent of intents) {
    const buyer = buyers[intent.buyer % Math.max(buyers.length, 1)];
    if (!buyer) break;
    const candidates = offers.filter((o) => o.entry.resourceId !== buyer.entry.resourceId && left.get(`${o.entry.contractId}/${o.service}`)! > 0);
    const offer = candidates[intent.seller % Math.max(candidates.length, 1)];
    const most = offer ? Math.min(left.get(buyer.entry.contractId)!, left.get(`${offer.entry.contractId}/${offer.service}`)!) : 0;
    if (!offer || most < 1) continue;
    const kW = 1 + Math.floor(intent.share * (most - 1));
    left.set(buyer.entry.contractId, left.get(buyer.entry.contractId)! - kW);
    left.set(`${offer.entry.contractId}/${offer.service}`, left.get(`${offer.entry.contractId}/${offer.service}`)! - kW);
    trades.push({
      buyerContractId: buyer.entry.contractId,
      sellerContractId: offer.entry.contractId,
      kW,
      start: constraint.start,
      end: constraint.end,
      availabilityPrice: gbp(100),
      utilisationPrice: gbp(200),
      service: offer.service,
    });
  }
  return trades;
}
