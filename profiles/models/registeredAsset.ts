import { Type, type Static } from '@sinclair/typebox';
import { AnmIdentifier, codeList } from '../../schemas/anm/identifiers.ts';
import { ENERGY_SOURCES, type EnergySource } from '../../schemas/registry/registry.ts';

/**
 * The registry's facts about the asset behind a document's resource, as the
 * ENA D2 minimum fields ask every instruction to carry them: the DSO asset
 * id, the asset group and the energy source. The gateway adds them from the
 * registry when it renders a document (gateway/cim/registeredAssets.ts).
 */
export const RegisteredAsset = Type.Object(
  {
    dsoAssetId: { ...AnmIdentifier, description: "The DSO's id of the asset" },
    assetGroupId: { ...AnmIdentifier, description: 'Group of assets instructed together' },
    energySource: codeList(ENERGY_SOURCES, 'Energy source, from the registry code list'),
  },
  { additionalProperties: false, description: 'The registered asset behind the resource (ENA D2 minimum fields)' },
);
export type RegisteredAsset = Static<typeof RegisteredAsset>;

/**
 * The ENTSO-E `PsrType` (power system resource type) of each energy source,
 * the code a CIM reader recognises. Several of ours share one (`chp` and
 * `other`: B20, the fuel of a CHP being unregistered; the flexible demands:
 * B26), so the document carries our code too.
 */
export const PSR_TYPE_OF_ENERGY_SOURCE: Readonly<Record<EnergySource, { code: string; title: string }>> = {
  battery: { code: 'B25', title: 'Energy storage' },
  'solar-pv': { code: 'B28', title: 'Solar photovoltaic' },
  wind: { code: 'B30', title: 'Wind unspecified' },
  hydro: { code: 'B31', title: 'Hydro-electric unspecified' },
  chp: { code: 'B20', title: 'Other unspecified' },
  'gas-engine': { code: 'B04', title: 'Fossil Gas' },
  diesel: { code: 'B06', title: 'Fossil Oil' },
  'demand-side-response': { code: 'B26', title: 'Demand Side Response' },
  'electric-vehicle': { code: 'B26', title: 'Demand Side Response' },
  'heat-pump': { code: 'B26', title: 'Demand Side Response' },
  other: { code: 'B20', title: 'Other unspecified' },
};
