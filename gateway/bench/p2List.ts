import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';

/** The settlement period the list and its events are for. */
export const PERIOD = { start: '2024-10-17T13:00:00Z', end: '2024-10-17T13:30:00Z' };

/** A traded list: every entry instructed, so every entry makes an event. */
export function benchMeritOrderList(entries: number): MeritOrderList {
  return {
    issuedAt: '2024-10-17T12:45:00Z',
    periodStart: PERIOD.start,
    entries: Array.from({ length: entries }, (_, k) => ({
      order: k + 1,
      contractId: `CONTRACT-${k + 1}`,
      resourceId: `RESOURCE-${k + 1}`,
      operationType: 'ConstrainedDemand' as const,
      value_kW: 1 + (k % 700),
      mic_kW: 700,
      mec_kW: 1200,
      activity: 'Buyer' as const,
      traded: true,
      registered: true,
    })),
  };
}
