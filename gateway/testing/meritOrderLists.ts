import { buildDocument } from '../../profiles/machinery/builder.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import type { MeritOrderEntry } from '../../schemas/anm/meritOrderList.ts';
import { documentHeader } from '../../profiles/testing/headers.ts';

/** The first entry of BiTraDER's figure 6, without its display name: the entry tests build documents from. */
export const FIGURE6_FIRST_ENTRY: MeritOrderEntry = {
  order: 1,
  contractId: 'A1_Buyer',
  resourceId: 'G1_A1',
  operationType: 'ConstrainedDemand',
  value_kW: 0,
  mic_kW: 700,
  mec_kW: 1200,
  activity: 'Buyer',
  traded: false,
  registered: true,
};

/** The second entry of figure 6, an aggregate's seller contract, without its display name. */
export const FIGURE6_SECOND_ENTRY: MeritOrderEntry = {
  order: 2,
  contractId: 'Agg_Seller_1',
  resourceId: 'G1_Agg1',
  operationType: 'FlexibleOutputChange',
  value_kW: 0,
  mic_kW: 600,
  mec_kW: 0,
  activity: 'Seller',
  traded: false,
  registered: true,
};

/** A merit order list CIM document with that one entry, valid in every way, from the DSO to an FSP. */
export function oneEntryMeritOrderDocument(mRID: string): string {
  return buildDocument(meritOrderListProfile, { entries: [FIGURE6_FIRST_ENTRY] }, documentHeader({ mRID }));
}
