import type { Asset, Contract, EnergySource, Party, RegistrySnapshot } from '../../../schemas/registry/registry.ts';

/** One row of figure 6: contract, resource, MIC/MEC as the ANM lists them; energy sources are ours (the report does not say). */
const FIGURE_6: ReadonlyArray<readonly [contractId: string, resourceId: string, mic_kW: number, mec_kW: number, energySource: EnergySource]> = [
  ['A1_Buyer', 'G1_A1', 700, 1200, 'solar-pv'],
  ['A2_Buyer', 'G1_A2', 500, 500, 'wind'],
  ['A3_Buyer', 'G1_A3', 200, 1200, 'solar-pv'],
  ['A4_Buyer', 'G1_A4', 400, 400, 'battery'],
  ['A5_Buyer', 'G1_A5', 200, 200, 'chp'],
  ['Agg_Seller_1', 'G1_Agg1', 600, 0, 'demand-side-response'],
  ['Agg_Seller_2', 'G1_Agg2', 500, 0, 'electric-vehicle'],
  ['Agg_seller_3', 'G1_Agg3', 0, 200, 'battery'],
  ['Agg_Seller_4', 'G1_Agg4', 0, 500, 'battery'],
  ['Agg_Seller_5', 'G1_Agg5', 200, 0, 'demand-side-response'],
];

/** Participant of a figure 6 row: one each, as in BiTraDER's first trials (seed 001 §5.1.3). */
const participantOf = (resourceId: string) => `fsp-${resourceId.toLowerCase().replace('g1_', '')}`;

/**
 * The BiTraDER simulation trial as a registry: the DSO, its ANM, one FSP per
 * participant, one asset and one contract per figure 6 row, valid for the
 * trial month, priced at 5.00 GBP/MW/h availability and 150.00 GBP/MWh
 * utilisation (illustrative prices; the report gives none).
 */
export function bitraderRegistry(): RegistrySnapshot {
  const parties: Party[] = [
    { partyId: 'enwl', role: 'dso', name: 'Electricity North West', partyUrn: 'urn:flexgate:dso:enwl' },
    { partyId: 'anm-1', role: 'anm', name: 'ANM orchestrator', partyUrn: 'urn:flexgate:anm:anm-1' },
    ...FIGURE_6.map(([, resourceId]): Party => ({
      partyId: participantOf(resourceId),
      role: 'fsp',
      name: `Participant ${resourceId}`,
      partyUrn: `urn:flexgate:fsp:${participantOf(resourceId)}`,
    })),
  ];
  const assets: Asset[] = FIGURE_6.map(([, resourceId, mic_kW, mec_kW, energySource]) => ({
    dsoAssetId: `ENWL-${resourceId}`,
    resourceId,
    assetGroupId: resourceId.startsWith('G1_Agg') ? `GRP-${resourceId}` : 'GRP-G1',
    energySource,
    mic_kW,
    mec_kW,
    connectionPoint: 'C1-PRIMARY',
    fspPartyId: participantOf(resourceId),
  }));
  const contracts: Contract[] = FIGURE_6.map(([contractId, resourceId]) => ({
    contractId,
    dsoPartyId: 'enwl',
    fspPartyId: participantOf(resourceId),
    dsoAssetIds: [`ENWL-${resourceId}`],
    serviceType: 'curtailment-trading',
    availabilityPrice: { amount: 500, currency: 'GBP' },
    utilisationPrice: { amount: 15_000, currency: 'GBP' },
    validFrom: '2024-10-01T00:00:00Z',
    validTo: '2024-11-01T00:00:00Z',
  }));
  return { parties, assets, contracts };
}
