import fc from 'fast-check';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import { ACTIVITY_OF_OPERATION, OPERATION_TYPES } from '../../schemas/anm/meritOrderList.ts';
import { ENERGY_SOURCES } from '../../schemas/registry/registry.ts';
import { formatInstant, SETTLEMENT_PERIOD_MS } from '../machinery/codecs.ts';
import { ACKNOWLEDGED_MESSAGE_TYPES, ACKNOWLEDGED_PROCESS_TYPES, ACKNOWLEDGEMENT_REASON_CODES, type Acknowledgement } from '../models/acknowledgement.ts';
import type { DeliveryVerification } from '../models/deliveryVerification.ts';
import type { DispatchInstruction } from '../models/dispatchInstruction.ts';
import { MARKET_ROLES, PARTY_CODING_SCHEMES, type AcknowledgementHeader, type DocumentHeader, type MarketParticipant } from '../models/documentHeader.ts';
import type { MeritOrderListDocument } from '../models/meritOrderListDocument.ts';
import type { RegisteredAsset } from '../models/registeredAsset.ts';

/**
 * Generators of models and headers for property tests, leaning on awkward
 * values: ids of exactly 60 characters with markup characters and astral
 * code points, zero and negative kW, instants on the 2024 clock-change days.
 */

const awkwardCharacter = fc.constantFrom('&', '<', '>', '"', "'", ']', ' ', 'é', 'ß', '€', '中', '😀', '\u00a0', '\u2028', '=', ';');
const ordinaryCharacter = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xa0, max: 0xd7ff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xe000, max: 0xfffd }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
);
const character = fc.oneof({ arbitrary: ordinaryCharacter, weight: 4 }, { arbitrary: awkwardCharacter, weight: 1 });

/** Text of `min`..`max` code points, XML-safe, no control characters; often exactly `max` long. */
export function text(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ unit: character, minLength: min, maxLength: max }), fc.string({ unit: character, minLength: max, maxLength: max }));
}

/** An id or name of the identifier alphabet (schemas/anm/identifiers.ts): awkward inside, never whitespace at either end. */
export const identifier = (max = 60) => text(1, max).map((id) => id.replace(/^\s/u, 'a').replace(/\s$/u, 'z'));

/** The registry's facts about an asset, ids as awkward as the other ids. */
const registeredAsset: fc.Arbitrary<RegisteredAsset> = fc.record(
  { dsoAssetId: identifier(), assetGroupId: identifier(), energySource: fc.constantFrom(...ENERGY_SOURCES) },
  { noNullPrototype: true },
);

const kilowatts = fc.oneof(fc.constantFrom(0, -1, 1, -2_000_000_000, 2_000_000_000), fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }));
const capacity = fc.oneof(fc.constantFrom(0, 1, 2_000_000_000), fc.integer({ min: 0, max: 2_000_000_000 }));
const positiveKilowatts = fc.oneof(fc.constantFrom(1, 2_000_000_000), fc.integer({ min: 1, max: 2_000_000_000 }));
const wholeNumber = fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.nat());

const SPRING_FORWARD = Date.UTC(2024, 2, 31);
const FALL_BACK = Date.UTC(2024, 9, 27);
const DAY_MS = 24 * 60 * 60 * 1000;

/** Epoch ms of a settlement period start, a third of the time on a clock-change day. */
const settlementStart = fc.oneof(
  fc.integer({ min: 0, max: 47 }).map((k) => SPRING_FORWARD + k * SETTLEMENT_PERIOD_MS),
  fc.integer({ min: 0, max: 49 }).map((k) => FALL_BACK - DAY_MS / 24 + k * SETTLEMENT_PERIOD_MS),
  fc.integer({ min: Date.UTC(2020, 0, 1) / SETTLEMENT_PERIOD_MS, max: Date.UTC(2030, 0, 1) / SETTLEMENT_PERIOD_MS }).map((k) => k * SETTLEMENT_PERIOD_MS),
);

/** Any instant, milliseconds included, near the clock changes or anywhere. */
const anyInstant = fc
  .oneof(
    fc.integer({ min: SPRING_FORWARD - DAY_MS, max: SPRING_FORWARD + 2 * DAY_MS }),
    fc.integer({ min: FALL_BACK - DAY_MS, max: FALL_BACK + 2 * DAY_MS }),
    fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
  )
  .map(formatInstant);

const createdDateTime = fc.integer({ min: Date.UTC(2020, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }).map((s) => formatInstant(s * 1000));

const participant: fc.Arbitrary<MarketParticipant> = fc.record(
  {
    mRID: identifier(16),
    codingScheme: fc.constantFrom(...PARTY_CODING_SCHEMES),
    role: fc.constantFrom(...MARKET_ROLES),
  },
  { noNullPrototype: true },
);

/** A document header; `maxId` is the profile's mRID limit (35 for the constraint document). */
export function documentHeader(maxId = 60): fc.Arbitrary<DocumentHeader> {
  return fc.record(
    {
      mRID: identifier(maxId),
      revisionNumber: fc.oneof(fc.constantFrom(1, 999), fc.integer({ min: 1, max: 999 })),
      createdDateTime,
      sender: participant,
      receiver: participant,
    },
    { noNullPrototype: true },
  );
}

export const acknowledgementHeader: fc.Arbitrary<AcknowledgementHeader> = fc.record(
  { mRID: identifier(), createdDateTime, sender: participant, receiver: participant },
  { noNullPrototype: true },
);

const period = (maxSlots: number) =>
  fc
    .record({ start: settlementStart, slots: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: maxSlots })) }, { noNullPrototype: true })
    .map(({ start, slots }) => ({
      start: formatInstant(start),
      end: formatInstant(start + slots * SETTLEMENT_PERIOD_MS),
      slots,
    }));

export function constraintLookAhead(maxConstraints = 4): fc.Arbitrary<ConstraintLookAhead> {
  const resource = fc.record({ resourceId: identifier(), resourceName: identifier(200) }, { noNullPrototype: true, requiredKeys: ['resourceId'] });
  const constraint = fc
    .record(
      {
        constraintId: identifier(),
        period: period(3),
        size_kW: positiveKilowatts,
        direction: fc.constantFrom('import' as const, 'export' as const),
        resources: fc.uniqueArray(resource, { minLength: 1, maxLength: 2, selector: (r) => r.resourceId }),
      },
      { noNullPrototype: true, requiredKeys: ['constraintId', 'period', 'size_kW', 'resources'] },
    )
    .map(({ period: { start, end }, ...rest }) => ({ ...rest, start, end }));
  return fc.record(
    {
      issuedAt: anyInstant,
      constraints: fc.uniqueArray(constraint, { minLength: 1, maxLength: maxConstraints, selector: (c) => `${c.constraintId}\u0000${c.start}` }),
    },
    { noNullPrototype: true, requiredKeys: ['constraints'] },
  );
}

type MeritOrderEntry = MeritOrderListDocument['entries'][number];

export function meritOrderList(maxEntries = 6): fc.Arbitrary<MeritOrderListDocument> {
  const entry = fc
    .record(
      {
        contractId: identifier(),
        resourceId: identifier(),
        resourceName: identifier(200),
        operationType: fc.constantFrom(...OPERATION_TYPES),
        value_kW: kilowatts,
        mic_kW: capacity,
        mec_kW: capacity,
        traded: fc.boolean(),
        registered: fc.boolean(),
        curtailmentIndex: wholeNumber,
        registeredAsset,
      },
      { noNullPrototype: true, requiredKeys: ['contractId', 'resourceId', 'operationType', 'value_kW', 'mic_kW', 'mec_kW', 'traded', 'registered'] },
    )
    .map((e) => ({ ...e, activity: ACTIVITY_OF_OPERATION[e.operationType] }));
  return fc
    .record(
      {
        issuedAt: anyInstant,
        periodStart: settlementStart.map(formatInstant),
        scenario: wholeNumber,
        receivedAt: anyInstant,
        entries: fc.uniqueArray(entry, { minLength: 1, maxLength: maxEntries, selector: (e) => e.contractId.toLowerCase() }),
      },
      { noNullPrototype: true, requiredKeys: ['entries'] },
    )
    .map(({ entries, ...list }) => ({ ...list, entries: entries.map((e, k): MeritOrderEntry => ({ order: k + 1, ...e })) }));
}

export function dispatchInstruction(maxInstructions = 4): fc.Arbitrary<DispatchInstruction> {
  return period(50).chain(({ start, end, slots }) =>
    fc.record(
      {
        start: fc.constant(start),
        end: fc.constant(end),
        basedOn: fc.record({ mRID: identifier(), revisionNumber: fc.integer({ min: 1, max: 999 }) }, { noNullPrototype: true, requiredKeys: ['mRID'] }),
        instructions: fc.uniqueArray(
          fc.record(
            {
              contractId: identifier(),
              resourceId: identifier(),
              operationType: fc.constantFrom(...OPERATION_TYPES),
              values_kW: fc.array(kilowatts, { minLength: slots, maxLength: slots }),
              registeredAsset,
            },
            { noNullPrototype: true, requiredKeys: ['contractId', 'resourceId', 'operationType', 'values_kW'] },
          ),
          { minLength: 1, maxLength: maxInstructions, selector: (i) => i.contractId },
        ),
      },
      { noNullPrototype: true, requiredKeys: ['start', 'end', 'instructions'] },
    ),
  );
}

export function deliveryVerification(maxResources = 4): fc.Arbitrary<DeliveryVerification> {
  return period(50).chain(({ start, end, slots }) =>
    fc.record(
      {
        start: fc.constant(start),
        end: fc.constant(end),
        resources: fc.array(
          fc.record(
            {
              contractId: identifier(),
              resourceId: identifier(),
              metered_kW: fc.array(kilowatts, { minLength: slots, maxLength: slots }),
              baseline_kW: fc.array(kilowatts, { minLength: slots, maxLength: slots }),
              registeredAsset,
            },
            { noNullPrototype: true, requiredKeys: ['contractId', 'resourceId', 'metered_kW', 'baseline_kW'] },
          ),
          { minLength: 1, maxLength: maxResources },
        ),
      },
      { noNullPrototype: true },
    ),
  );
}

export const acknowledgement: fc.Arbitrary<Acknowledgement> = fc.record(
  {
    received: fc.record(
      {
        mRID: identifier(),
        revisionNumber: fc.integer({ min: 1, max: 999 }),
        type: fc.constantFrom(...ACKNOWLEDGED_MESSAGE_TYPES),
        processType: fc.constantFrom(...ACKNOWLEDGED_PROCESS_TYPES),
        createdDateTime,
      },
      { noNullPrototype: true, requiredKeys: ['mRID'] },
    ),
    reasons: fc.array(
      fc.record({ code: fc.constantFrom(...ACKNOWLEDGEMENT_REASON_CODES), text: text(1, 512) }, { noNullPrototype: true, requiredKeys: ['code'] }),
      { minLength: 1, maxLength: 5 },
    ),
  },
  { noNullPrototype: true, requiredKeys: ['reasons'] },
);
