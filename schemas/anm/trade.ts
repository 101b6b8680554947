import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS } from './constraintLookAhead.ts';
import { AnmIdentifier, codeList, DisplayName, kilowatts } from './identifiers.ts';
import { UtcInstant } from './instant.ts';
import { ACTIVITIES, MeritOrderList, OPERATION_TYPES } from './meritOrderList.ts';

// The adapter's wire definitions (seed 001 §5.1.1 and §7.2): the trades a
// market matched, the opportunities offered to it, the re-ordered list they
// produce and the cancellations of trade verification.

/** What a seller does to relieve a constraint; demand services are bounded by MIC, generation services by MEC. */
export const FLEXIBILITY_SERVICES = ['demand-turn-down', 'generation-turn-up', 'demand-turn-up', 'generation-turn-down'] as const;
export type FlexibilityService = (typeof FLEXIBILITY_SERVICES)[number];

/** An ISO 8601 instant with Z or an explicit offset: trades cross organisations, so no local times. */
const TradeInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$',
  description: 'ISO 8601 with Z or an offset, e.g. 2024-10-18T08:00:00+01:00',
});

/** Money as both parties can compare it: whole minor units (pence) of a named currency. */
function money(description: string) {
  return Type.Object(
    {
      amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Whole minor units (pence)' }),
      currency: codeList(['GBP'] as const, 'ISO 4217 currency code'),
    },
    { additionalProperties: false, description },
  );
}

/** One trade as the market matched it. */
export const MatchedTrade = Type.Object(
  {
    buyerContractId: AnmIdentifier,
    sellerContractId: AnmIdentifier,
    kW: Type.Integer({ minimum: 1, maximum: 2_000_000_000, description: 'Curtailment obligation transferred from buyer to seller, whole kW' }),
    start: TradeInstant,
    end: TradeInstant,
    availabilityPrice: money('Availability price per MW per hour'),
    utilisationPrice: money('Utilisation price per MWh'),
    constraintId: Type.Optional({ ...AnmIdentifier, description: 'Needed only when more than one constraint of the look-ahead fits the trade' }),
    service: Type.Optional(codeList(FLEXIBILITY_SERVICES, "Needed only when the seller's MIC and MEC both allow a suitable service")),
  },
  { additionalProperties: false },
);
export type MatchedTrade = Static<typeof MatchedTrade>;

/** The body of `POST /anm/v1/merit-order-lists/{id}/trades`. */
export const MatchedTradeList = Type.Array(MatchedTrade, { minItems: 1, maxItems: 10_000 });
export type MatchedTradeList = Static<typeof MatchedTradeList>;

/** A trade the gateway accepted: resolved to its constraint, service and resources, with an id for verification and settlement. */
export const AgreedTrade = Type.Object(
  {
    tradeId: Type.String({ pattern: '^T[1-9]\\d*$', description: 'Unique within its merit order list' }),
    constraintId: AnmIdentifier,
    buyerContractId: AnmIdentifier,
    buyerResourceId: AnmIdentifier,
    sellerContractId: AnmIdentifier,
    sellerResourceId: AnmIdentifier,
    service: codeList(FLEXIBILITY_SERVICES),
    kW: Type.Integer({ minimum: 1 }),
    start: UtcInstant,
    end: UtcInstant,
    availabilityPrice: money('Availability price per MW per hour'),
    utilisationPrice: money('Utilisation price per MWh'),
  },
  { additionalProperties: false },
);
export type AgreedTrade = Static<typeof AgreedTrade>;

/** A traded buyer contract's untraded remainder, listed as its own entry (`<contract>-<n>-<date>`). */
export const SplitContract = Type.Object(
  {
    contractId: AnmIdentifier,
    splitFrom: AnmIdentifier,
    relieved_kW: kilowatts('Part of the original contract relieved by trades (the value of the original entry)'),
    remainder_kW: kilowatts('Curtailable capacity left in this split entry; its MIC/MEC columns repeat the original contract'),
  },
  { additionalProperties: false },
);
export type SplitContract = Static<typeof SplitContract>;

/** The response to accepted trades: the re-ordered list, as stored in its new revision. */
export const TradingOutcome = Type.Object(
  {
    meritOrderListId: Type.String(),
    revision: Type.Integer({ minimum: 2 }),
    constraintLookAheadId: Type.String(),
    trades: Type.Array(AgreedTrade, { description: 'Every trade in effect on the list, earlier ones included' }),
    splits: Type.Array(SplitContract),
    meritOrderList: MeritOrderList,
  },
  { additionalProperties: false },
);
export type TradingOutcome = Static<typeof TradingOutcome>;

/** The body of `POST /anm/v1/constraint-look-aheads/{id}/verify`; `{id}` is the day's look-ahead. */
export const TradeVerificationInput = Type.Object({ meritOrderListId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type TradeVerificationInput = Static<typeof TradeVerificationInput>;

export const CANCELLATION_REASONS = ['buyer-not-constrained', 'counterparties-separated', 'service-not-useful'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const TradeCancellation = Type.Object(
  {
    tradeId: AgreedTrade.properties.tradeId,
    reason: codeList(CANCELLATION_REASONS),
    detail: Type.String(),
    trade: AgreedTrade,
  },
  { additionalProperties: false },
);
export type TradeCancellation = Static<typeof TradeCancellation>;

export const TradeVerificationOutcome = Type.Object(
  {
    meritOrderListId: Type.String(),
    constraintLookAheadId: Type.String({ description: "The day's look-ahead the trades were checked against" }),
    revision: Type.Integer({ minimum: 1, description: 'Current revision of the list after verification' }),
    reordered: Type.Boolean({ description: 'Whether cancellations produced a new revision' }),
    kept: Type.Array(AgreedTrade.properties.tradeId),
    cancelled: Type.Array(TradeCancellation),
  },
  { additionalProperties: false },
);
export type TradeVerificationOutcome = Static<typeof TradeVerificationOutcome>;

/** Why a contract behind a constraint may not trade under it. */
export const EXCLUSION_REASONS = ['not-registered', 'flexible-service', 'direction-unknown', 'not-curtailed', 'not-exposed', 'no-headroom'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

const ServiceHeadroom = Type.Object(
  { service: codeList(FLEXIBILITY_SERVICES), headroom_kW: kilowatts('MIC or MEC available for this service') },
  { additionalProperties: false },
);

/** One entry of a constraint-specific merit order list. */
export const ConstraintMeritOrderEntry = Type.Object(
  {
    position: Type.Integer({ minimum: 1, description: 'Position among the contracts behind this constraint' }),
    order: Type.Integer({ minimum: 1, description: 'Position in the whole merit order list' }),
    contractId: AnmIdentifier,
    resourceId: AnmIdentifier,
    resourceName: Type.Optional(DisplayName),
    operationType: codeList(OPERATION_TYPES),
    activity: codeList(ACTIVITIES),
    curtailable_kW: kilowatts('Capacity the ANM curtails for this constraint (MIC of demand, MEC of generation); 0 for sellers'),
    ahead_kW: kilowatts('Curtailable capacity ahead of this contract'),
    exposure_kW: kilowatts('Curtailment this constraint would impose: its size less what is ahead, at most the curtailable capacity'),
    services: Type.Array(ServiceHeadroom, { description: 'For sellers: suitable services with headroom' }),
    tradeable: Type.Boolean(),
    exclusion: Type.Optional(codeList(EXCLUSION_REASONS)),
  },
  { additionalProperties: false },
);
export type ConstraintMeritOrderEntry = Static<typeof ConstraintMeritOrderEntry>;

/** What a participant may trade under one constraint (seed 001 figure 6). */
export const TradingOpportunity = Type.Object(
  {
    opportunity: codeList(['buy', 'sell'] as const),
    contractId: AnmIdentifier,
    resourceId: AnmIdentifier,
    resourceName: Type.Optional(DisplayName),
    constraintId: AnmIdentifier,
    start: UtcInstant,
    end: UtcInstant,
    size_kW: kilowatts('Constraint size'),
    direction: codeList(DIRECTIONS),
    service: Type.Optional(codeList(FLEXIBILITY_SERVICES, 'For a sale: the service offered')),
    position: Type.Optional(Type.Integer({ minimum: 1, description: 'For a purchase: position in the constraint-specific list' })),
    ahead_kW: Type.Optional(kilowatts('For a purchase: curtailable capacity ahead')),
    capacity_kW: kilowatts('Most that can still be traded: exposure or headroom less trades already in effect'),
    traded_kW: kilowatts('Already traded under this constraint'),
  },
  { additionalProperties: false },
);
export type TradingOpportunity = Static<typeof TradingOpportunity>;

export const ConstraintOpportunities = Type.Object(
  {
    constraintId: AnmIdentifier,
    start: UtcInstant,
    end: UtcInstant,
    duration_min: Type.Integer({ minimum: 0 }),
    size_kW: kilowatts('Constraint size'),
    direction: Type.Optional(codeList(DIRECTIONS, 'As given, else implied by the buyers behind it; absent when neither')),
    resources: Type.Array(
      Type.Object(
        {
          resourceId: AnmIdentifier,
          resourceName: Type.Optional(DisplayName),
          registered: Type.Boolean({ description: 'At least one of its contracts is registered for trading' }),
          contractIds: Type.Array(AnmIdentifier),
        },
        { additionalProperties: false },
      ),
    ),
    meritOrder: Type.Array(ConstraintMeritOrderEntry),
    opportunities: Type.Array(TradingOpportunity),
  },
  { additionalProperties: false },
);
export type ConstraintOpportunities = Static<typeof ConstraintOpportunities>;

/** The response of `GET /anm/v1/constraint-look-aheads/{id}/opportunities`. */
export const OpportunityReport = Type.Object(
  {
    constraintLookAheadId: Type.Optional(Type.String()),
    meritOrderListId: Type.Optional(Type.String()),
    constraints: Type.Array(ConstraintOpportunities),
  },
  { additionalProperties: false },
);
export type OpportunityReport = Static<typeof OpportunityReport>;

const REVISION_CAUSES = ['original', 'trades', 'verification'] as const;

/** The response of `GET /anm/v1/merit-order-lists/{id}/revisions`. */
export const RevisionHistory = Type.Object(
  {
    meritOrderListId: Type.String(),
    currentRevision: Type.Integer({ minimum: 1 }),
    revisions: Type.Array(
      Type.Object(
        {
          revision: Type.Integer({ minimum: 1 }),
          createdAt: Type.String(),
          journalId: Type.String(),
          href: Type.String(),
          cause: codeList(REVISION_CAUSES),
          constraintLookAheadId: Type.Optional(Type.String()),
          tradeIds: Type.Optional(Type.Array(Type.String(), { description: 'Trades this revision added' })),
          cancelledTradeIds: Type.Optional(Type.Array(Type.String(), { description: 'Trades this revision cancelled' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RevisionHistory = Static<typeof RevisionHistory>;
