import { setTimeout as sleep } from 'node:timers/promises';
import type { Event } from '../../schemas/openadr/wire.ts';
import type { Query, VenClient } from './venClient.ts';

export type ChangeOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** One change a VEN learns of: an event that appeared, changed (new modification time) or disappeared (cancelled, deleted). */
export interface EventChange {
  operation: ChangeOperation;
  event: Event;
}

/** What changed between two polls, by event id and modification time. */
export function eventChanges(before: ReadonlyMap<string, Event>, now: readonly Event[]): EventChange[] {
  const changes: EventChange[] = [];
  const seen = new Set<string>();
  for (const event of now) {
    seen.add(event.id);
    const earlier = before.get(event.id);
    if (!earlier) changes.push({ operation: 'CREATE', event });
    else if (earlier.modificationDateTime !== event.modificationDateTime) changes.push({ operation: 'UPDATE', event });
  }
  for (const [id, event] of before) if (!seen.has(id)) changes.push({ operation: 'DELETE', event });
  return changes;
}

export interface PollOptions {
  /** Between polls; default 10 s. */
  intervalMs?: number;
  /** Narrows the search (programID, targets, active). */
  query?: Query;
  /** Stops the loop (the generator then returns). */
  signal?: AbortSignal;
  /** Report the events already there as CREATE on the first poll (default), or only what changes after it. */
  initial?: 'changes' | 'skip';
}

/**
 * Polls the VTN's events and yields each change once, in the order the
 * polls find them. Pull delivery as the specification describes it; the
 * same changes arrive pushed through `WebhookReceiver` or `MqttNotifications`.
 */
export async function* pollEvents(ven: VenClient, options: PollOptions = {}): AsyncGenerator<EventChange> {
  const intervalMs = options.intervalMs ?? 10_000;
  let known: Map<string, Event> | undefined;
  while (!options.signal?.aborted) {
    const events = await ven.events(options.query ?? {});
    const changes = known === undefined && options.initial === 'skip' ? [] : eventChanges(known ?? new Map(), events);
    known = new Map(events.map((e) => [e.id, e]));
    for (const change of changes) yield change;
    try {
      await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      return;
    }
  }
}
