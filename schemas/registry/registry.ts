import { Type, type Static } from '@sinclair/typebox';
import { AnmIdentifier, codeList, DisplayName } from '../anm/identifiers.ts';
import { UtcInstant } from '../anm/instant.ts';

// The participants, assets and contracts registry (issue 15): who may be
// instructed, for which asset, under which contract, at what price.

export const PARTY_ROLES = ['dso', 'anm', 'fsp'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** Energy source of an asset (ENA D2 minimum fields: "type of energy source"). */
export const ENERGY_SOURCES = [
  'battery',
  'solar-pv',
  'wind',
  'hydro',
  'chp',
  'gas-engine',
  'diesel',
  'demand-side-response',
  'electric-vehicle',
  'heat-pump',
  'other',
] as const;
export type EnergySource = (typeof ENERGY_SOURCES)[number];

/** ENA standard flexibility products, and BiTraDER's traded curtailment. */
export const SERVICE_TYPES = ['sustain', 'secure', 'dynamic', 'restore', 'curtailment-trading'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

const PartyUrn = Type.String({ pattern: '^urn:flexgate:[a-z]+:[a-z0-9._-]{1,60}$', description: "The party URN of the party's client certificate" });

/** Money as the ENA D2 minimum fields ask: whole minor units of an ISO 4217 currency, never a float. */
export const MinorUnits = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Whole minor units (pence for GBP)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 alphabetic code, e.g. GBP' }),
  },
  { additionalProperties: false },
);
export type MinorUnits = Static<typeof MinorUnits>;

export const Party = Type.Object(
  {
    partyId: AnmIdentifier,
    role: codeList(PARTY_ROLES),
    name: DisplayName,
    partyUrn: PartyUrn,
  },
  { additionalProperties: false },
);
export type Party = Static<typeof Party>;

export const Asset = Type.Object(
  {
    dsoAssetId: { ...AnmIdentifier, description: "The DSO's id of the asset (ENA: DSO asset id)" },
    resourceId: { ...AnmIdentifier, description: 'The ANM resource id merit order lists name it by' },
    assetGroupId: { ...AnmIdentifier, description: 'Group of assets instructed together (ENA D2: asset group id)' },
    energySource: codeList(ENERGY_SOURCES),
    name: Type.Optional(DisplayName),
    mic_kW: Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: 'Maximum import capacity' }),
    mec_kW: Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: 'Maximum export capacity' }),
    connectionPoint: { ...AnmIdentifier, description: 'MPAN or the substation it connects at' },
    fspPartyId: { ...AnmIdentifier, description: 'The FSP that owns or operates it' },
  },
  { additionalProperties: false },
);
export type Asset = Static<typeof Asset>;

export const Contract = Type.Object(
  {
    contractId: { ...AnmIdentifier, description: 'As the ANM names it in merit order lists (compared without regard to case)' },
    dsoPartyId: AnmIdentifier,
    fspPartyId: AnmIdentifier,
    dsoAssetIds: Type.Array(AnmIdentifier, { minItems: 1, maxItems: 1000, uniqueItems: true }),
    serviceType: codeList(SERVICE_TYPES),
    availabilityPrice: { ...MinorUnits, description: 'Per MW per hour available' },
    utilisationPrice: { ...MinorUnits, description: 'Per MWh delivered' },
    validFrom: UtcInstant,
    validTo: { ...UtcInstant, description: 'Exclusive' },
  },
  { additionalProperties: false },
);
export type Contract = Static<typeof Contract>;

/** The whole registry, as imported, exported and published. */
export const RegistrySnapshot = Type.Object(
  {
    parties: Type.Array(Party, { maxItems: 100_000 }),
    assets: Type.Array(Asset, { maxItems: 100_000 }),
    contracts: Type.Array(Contract, { maxItems: 100_000 }),
  },
  { additionalProperties: false },
);
export type RegistrySnapshot = Static<typeof RegistrySnapshot>;

/** How intake treats a merit order list or trade the registry contradicts. */
export const CONSISTENCY_MODES = ['enforced', 'permissive'] as const;
export type ConsistencyMode = (typeof CONSISTENCY_MODES)[number];

/** A contradiction recorded instead of refused (permissive mode). */
export const RegistryWarning = Type.Object(
  {
    code: Type.String(),
    detail: Type.String(),
    source: Type.String({ description: '<kind>/<id>/<revision> of the document it was found in' }),
    recordedAt: UtcInstant,
  },
  { additionalProperties: false },
);
export type RegistryWarning = Static<typeof RegistryWarning>;
