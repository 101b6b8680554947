import { buildDocument } from '../../profiles/machinery/builder.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import type { MeritOrderEntry } from '../../schemas/anm/meritOrderList.ts';

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

/** A merit order list CIM document with that one entry, valid in every way, from the DSO to an FSP. */
export function oneEntryMeritOrderDocument(mRID: string): string {
  return buildDocument(
    meritOrderListProfile,
    { entries: [FIGURE6_FIRST_ENTRY] },
    {
      mRID,
      revisionNumber: 1,
      createdDateTime: '2024-10-17T13:00:00Z',
      sender: { mRID: 'GB-DSO', codingScheme: 'NGB', role: 'A50' },
      receiver: { mRID: 'GB-FSP', codingScheme: 'NGB', role: 'A56' },
    },
  );
}
