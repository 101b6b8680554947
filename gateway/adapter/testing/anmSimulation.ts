import type { MeritOrderList } from '../../../schemas/anm/meritOrderList.ts';

/**
 * What the ANM curtails when it walks a list top-down for one constraint:
 * sellers deliver what they sold (−value), relieved entries (value > 0) are
 * passed over, and every other entry is curtailed up to its capacity until
 * the constraint is met. `capacity` gives each entry's curtailable kW, since
 * a split entry repeats its original's MIC/MEC.
 */
export function curtailmentByContract(
  list: MeritOrderList,
  behind: ReadonlySet<string>,
  size_kW: number,
  capacity: (contractId: string) => number,
): Map<string, number> {
  const obligations = new Map<string, number>();
  let remaining = size_kW;
  for (const entry of list.entries) {
    if (!behind.has(entry.resourceId)) continue;
    if (entry.value_kW < 0) {
      obligations.set(entry.contractId, -entry.value_kW);
      remaining -= -entry.value_kW;
    } else if (entry.value_kW === 0) {
      const curtailed = Math.min(capacity(entry.contractId), Math.max(0, remaining));
      obligations.set(entry.contractId, curtailed);
      remaining -= curtailed;
    }
  }
  return obligations;
}

export const total = (obligations: ReadonlyMap<string, number>) => [...obligations.values()].reduce((a, b) => a + b, 0);
