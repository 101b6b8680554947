import type { Event } from '../../schemas/openadr/wire.ts';
import type { VenClient } from '../../client/openadr/venClient.ts';
import type { ScenarioExpectation } from '../scenarioCatalogue.ts';
import type { ScenarioRun } from './scenarioPlayer.ts';

/** The events a run's merit order lists produced and still has in effect (cancelled ones disappear from reads). */
export async function eventsOfRun(run: ScenarioRun, businessLogic: VenClient): Promise<Event[]> {
  const lists = run.meritOrderLists.map((l) => `merit-order-list ${l.id} `);
  return (await businessLogic.events()).filter((e) => lists.some((prefix) => e.eventName?.startsWith(prefix)));
}

const contractOf = (event: Event) => /contract (\S+)$/.exec(event.eventName ?? '')?.[1] ?? '?';

/** A run's outcome in the words of a scenario file's `expect`, `{date}` standing for the trading period's UK date. */
export async function scenarioOutcome(run: ScenarioRun, businessLogic: VenClient): Promise<ScenarioExpectation> {
  const dated = (text: string) => text.split(run.date).join('{date}');
  const list = run.meritOrderLists.at(-1);
  const entries = list?.current?.entries ?? list?.original ?? [];
  const events = await eventsOfRun(run, businessLogic);
  const first = events[0];
  return {
    meritOrder: entries.map((e) => dated(`${e.contractId} ${e.value_kW}`)),
    events: events.map(contractOf).sort(),
    refused: run.orders.filter((o) => o.status === 'after-gate-closure' || o.status === 'no-opportunity').map((o) => `${o.contractId} ${o.status}`),
    cancelled: run.cancellations.map((c) => `${c.trade.sellerContractId}→${c.trade.buyerContractId} ${c.reason}`),
    ...(first?.intervalPeriod
      ? {
          eventPeriod: { start: dated(first.intervalPeriod.start ?? ''), duration: `${first.intervalPeriod.duration ?? ''} × ${first.intervals?.length ?? 0}` },
        }
      : {}),
  };
}
