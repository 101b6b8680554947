import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS } from '../schemas/anm/constraintLookAhead.ts';
import { AnmIdentifier, codeList, DisplayName } from '../schemas/anm/identifiers.ts';
import { OPERATION_TYPES } from '../schemas/anm/meritOrderList.ts';
import { FLEXIBILITY_SERVICES } from '../schemas/anm/trade.ts';
import { PACKAGE_ROOT } from '../schemas/packageRoot.ts';
import { compileValidator } from '../protocol/jsonSchema.ts';
import { FlexgateError } from '../protocol/errors.ts';
import { Problem } from '../protocol/problem.ts';

// The scenario files' own definitions (sandbox/README.md documents them).

/** A time of day on the scenario's day, UK local (`08:00`), or with an explicit offset where the local time is ambiguous (`01:00+01:00`). */
const TimeOfDay = Type.String({ pattern: '^\\d{2}:\\d{2}([+-]\\d{2}:\\d{2})?$' });
const Kilowatts = Type.Integer({ minimum: 0, maximum: 2_000_000 });
/** Whole minor units (pence): availability per MW per hour, utilisation per MWh. */
const Pence = Type.Integer({ minimum: 0, maximum: 100_000_000 });

const ListEntry = Type.Object(
  {
    contractId: AnmIdentifier,
    resourceId: AnmIdentifier,
    resourceName: DisplayName,
    operationType: codeList(OPERATION_TYPES),
    mic_kW: Kilowatts,
    mec_kW: Kilowatts,
    registered: Type.Optional(Type.Boolean()),
    curtailmentIndex: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** One of the orchestrator's look-ahead lists and its merit order list: one constraint, its resources' contracts in merit order. */
export const LookAheadList = Type.Object(
  {
    id: Type.String({ pattern: '^L\\d+$' }),
    note: Type.String(),
    constraint: Type.Object(
      { constraintId: AnmIdentifier, size_kW: Kilowatts, direction: codeList(DIRECTIONS), start: TimeOfDay, end: TimeOfDay },
      { additionalProperties: false },
    ),
    entries: Type.Array(ListEntry, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type LookAheadList = Static<typeof LookAheadList>;

const ListFile = Type.Object({ lists: Type.Array(LookAheadList, { minItems: 1 }) }, { additionalProperties: false });

const OrderSpec = Type.Object(
  { contractId: AnmIdentifier, kW: Type.Integer({ minimum: 1, maximum: 2_000_000 }), availability: Pence, utilisation: Pence },
  { additionalProperties: false },
);
const OfferSpec = Type.Object({ ...OrderSpec.properties, service: Type.Optional(codeList(FLEXIBILITY_SERVICES)) }, { additionalProperties: false });

/** Minutes of scenario time from its start. */
const At = Type.Number({ minimum: 0 });

const PostLookAhead = Type.Object({ at: At, post: Type.Literal('look-ahead') }, { additionalProperties: false });
const PostMeritOrderList = Type.Object(
  {
    at: At,
    post: Type.Literal('merit-order-list'),
    /** Re-issue with these curtailment indexes: buyers are listed in the new index order. */
    curtailmentIndex: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1 }))),
  },
  { additionalProperties: false },
);
const Bid = Type.Object({ at: At, bid: OrderSpec }, { additionalProperties: false });
const Offer = Type.Object({ at: At, offer: OfferSpec }, { additionalProperties: false });
const Verify = Type.Object(
  {
    at: At,
    /** The day's topology: which resources are behind which constraint now. */
    verify: Type.Array(
      Type.Object({ constraintId: AnmIdentifier, size_kW: Kilowatts, resources: Type.Array(AnmIdentifier, { minItems: 1 }) }, { additionalProperties: false }),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
const Step = Type.Union([PostLookAhead, PostMeritOrderList, Bid, Offer, Verify]);
export type ScenarioStep = Static<typeof Step>;

export const SCENARIO_DAYS = ['tomorrow', 'next-autumn-clock-change'] as const;
export type ScenarioDay = (typeof SCENARIO_DAYS)[number];

/** What playing the scenario must lead to; `{date}` stands for the UK date of the trading period. */
const Expectation = Type.Object(
  {
    /** The current revision of the list, `<contract> <value_kW>` in order. */
    meritOrder: Type.Array(Type.String()),
    /** Contracts with an event in effect, sorted. */
    events: Type.Array(Type.String()),
    /** Orders the market refused: `<contract> <reason>`. */
    refused: Type.Array(Type.String()),
    /** Trades cancelled on the day: `<seller>→<buyer> <reason>`. */
    cancelled: Type.Array(Type.String()),
    /** Start (UTC) and duration of the events' period. */
    eventPeriod: Type.Optional(Type.Object({ start: Type.String(), duration: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type ScenarioExpectation = Static<typeof Expectation>;

export const Scenario = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    title: Type.String(),
    description: Type.String(),
    list: Type.String({ pattern: '^L\\d+$' }),
    day: codeList(SCENARIO_DAYS),
    flexibleServiceContracts: Type.Optional(Type.Array(AnmIdentifier)),
    market: Type.Object(
      {
        /** Expected utilisation, per mille of the period: the all-in price is availability + utilisation × expected use. */
        expectedUsePerMille: Type.Integer({ minimum: 0, maximum: 1000 }),
        seed: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    steps: Type.Array(Step, { minItems: 1 }),
    expect: Expectation,
  },
  { additionalProperties: false },
);
export type Scenario = Static<typeof Scenario>;

export interface Catalogue {
  lists: Map<string, LookAheadList>;
  /** By id, in order. */
  scenarios: Scenario[];
}

/** A scenario file that does not hold together (unknown list, contract, schema violation). */
export class ScenarioFileInvalid extends FlexgateError {
  readonly code = 'sandbox.scenario-invalid';
}

/** Read from the package, whether running from sources or from dist/. */
export const SCENARIO_DIR = join(PACKAGE_ROOT, 'sandbox', 'scenarios');

const validateLists = compileValidator(ListFile);
const validateScenario = compileValidator(Scenario);

function readJson<T>(path: string, validate: (value: unknown) => T): T {
  try {
    return validate(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    const detail = error instanceof Problem ? error.items.map((i) => `${i.pointer ?? ''} ${i.detail}`).join('; ') : (error as Error).message;
    throw new ScenarioFileInvalid(`${path}: ${detail}`, { cause: error });
  }
}

/** The ten lists (`lists.json`) and every `scenario-*.json`, checked against each other. */
export function loadCatalogue(dir: string = SCENARIO_DIR): Catalogue {
  const lists = new Map(readJson(join(dir, 'lists.json'), validateLists).lists.map((list) => [list.id, list]));
  const scenarios = readdirSync(dir)
    .filter((name) => /^scenario-.*\.json$/.test(name))
    .map((name) => {
      const scenario = readJson(join(dir, name), validateScenario);
      const list = lists.get(scenario.list);
      if (!list) throw new ScenarioFileInvalid(`${name}: no list ${scenario.list} in lists.json`);
      const contracts = new Set(list.entries.map((e) => e.contractId));
      for (const step of scenario.steps) {
        const order = 'bid' in step ? step.bid : 'offer' in step ? step.offer : undefined;
        if (order && !contracts.has(order.contractId)) throw new ScenarioFileInvalid(`${name}: ${order.contractId} is not a contract of ${list.id}`);
      }
      return scenario;
    })
    .sort((a, b) => a.id - b.id);
  return { lists, scenarios };
}
