import type { MeritOrderEntry } from '../../schemas/anm/meritOrderList.ts';

/**
 * Which contracts may enter the market at all (seed 001 §5.1.1): those
 * registered (signed up) and not already contracted to the DSO as a flexible
 * service. The merit order list marks registration; it has no field for
 * flexible-service contracts, so their ids are given alongside it.
 */
export interface TradingEligibility {
  /** Lower-cased: contract ids differing only in case are one contract (as `anm.contract-duplicate` holds). */
  readonly flexibleServiceContracts: ReadonlySet<string>;
}

export function tradingEligibility(flexibleServiceContractIds: readonly string[] = []): TradingEligibility {
  return { flexibleServiceContracts: new Set(flexibleServiceContractIds.map((id) => id.toLowerCase())) };
}

export type IneligibilityReason = 'not-registered' | 'flexible-service';

export function ineligibility(entry: MeritOrderEntry, eligibility: TradingEligibility): IneligibilityReason | undefined {
  if (!entry.registered) return 'not-registered';
  if (eligibility.flexibleServiceContracts.has(entry.contractId.toLowerCase())) return 'flexible-service';
  return undefined;
}
