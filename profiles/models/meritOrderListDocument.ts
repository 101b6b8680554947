import { Type, type Static } from '@sinclair/typebox';
import { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { RegisteredAsset } from './registeredAsset.ts';

const { entries } = MeritOrderList.properties;

/**
 * A merit order list as its CIM document carries it: the ANM's list, each
 * entry with the registered asset behind its resource when the registry has
 * one. The ANM's model stays as the ANM sends it; the gateway adds the
 * assets on the way out and checks (then drops) them on the way in.
 */
export const MeritOrderListDocument = Type.Object(
  {
    ...MeritOrderList.properties,
    entries: Type.Array(Type.Object({ ...entries.items.properties, registeredAsset: Type.Optional(RegisteredAsset) }, { additionalProperties: false }), {
      minItems: entries.minItems,
      maxItems: entries.maxItems,
    }),
  },
  { additionalProperties: false },
);
export type MeritOrderListDocument = Static<typeof MeritOrderListDocument>;
