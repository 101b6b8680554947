import type { Event, EventRequest } from '../../../schemas/openadr/wire.ts';
import { Problem } from '../../../protocol/problem.ts';
import type { DerivedReference } from '../../store/journal.ts';
import type { StoreExecutor } from '../../store/store.ts';
import { eventEnd } from '../../../protocol/time/eventTiming.ts';
import { cancel, initialState, nextState, type DispatchState, type LifecycleStep } from '../lifecycle.ts';
import { findObject, listObjects, type NewObject, type StoredObject } from '../objectTable.ts';
import { insertObject, updateObject } from '../objectWrites.ts';
import { targetFilter } from '../privacy.ts';
import { created, newMetadata, notFound, ok, page, queryList, queryString, reference, stamped, updatedMetadata } from './operation.ts';
import type { OperationContext, OperationTable } from './operation.ts';

const isLive = (event: StoredObject<unknown>) => event.lifecycle !== 'CANCELLED';

/** An event the caller may see; a cancelled event is gone from the API's view. */
export async function visibleEvent({ db, request }: OperationContext, id: string): Promise<StoredObject<Event>> {
  const event = await findObject<Event>(db, 'EVENT', id);
  if (!event || !isLive(event) || !(await targetFilter(db, request.principal))(event)) throw notFound('event', id);
  return event;
}

async function requireProgram(db: StoreExecutor, programID: string): Promise<void> {
  if (!(await findObject(db, 'PROGRAM', programID))) {
    throw new Problem('openadr.unknown-reference', `Program ${programID} does not exist`, { pointer: '/programID' });
  }
}

const hasIntervals = (body: EventRequest) => (body.intervals ?? []).some((i) => i.payloads.length > 0);

/** Stores a new event in its first lifecycle stage; the merit order reaction creates its events through `newEventObject` in batches. */
export async function createEventObject(db: StoreExecutor, body: EventRequest, now: string, sourceKey: string | null = null): Promise<Event> {
  await requireProgram(db, body.programID);
  const { event, object } = newEventObject(body, now, sourceKey);
  await insertObject(db, object);
  return event;
}

/** A new event as served and as stored, in its first lifecycle stage; its program must exist. */
export function newEventObject(body: EventRequest, now: string, sourceKey: string | null): { event: Event; object: NewObject<Event> } {
  const stage = initialState(body.dispatchStage, hasIntervals(body));
  const event: Event = { ...stamped(newMetadata('EVENT', now), body), dispatchStage: stage };
  const object: NewObject<Event> = {
    id: event.id,
    objectType: 'EVENT',
    clientId: null,
    venId: null,
    programId: body.programID,
    eventId: null,
    name: body.eventName ?? null,
    targets: body.targets ?? [],
    body: event,
    sourceKey,
    lifecycle: stage,
    createdAt: now,
  };
  return { event, object };
}

/** Applies a lifecycle step with the event's new content; refuses what the state machine refuses. */
export async function reviseEventObject(
  db: StoreExecutor,
  previous: StoredObject<Event>,
  body: EventRequest,
  step: LifecycleStep,
  now: string,
): Promise<Event> {
  const state = nextState(lifecycleOf(previous), step);
  await requireProgram(db, body.programID);
  const event: Event = { ...stamped(updatedMetadata(previous, now), body), dispatchStage: state };
  await updateObject(db, previous, {
    ...previous,
    programId: body.programID,
    name: body.eventName ?? null,
    targets: body.targets ?? [],
    body: event,
    lifecycle: state,
    modifiedAt: now,
  });
  return event;
}

/** Moves an event's dispatch on because of a report (declaration, status, post-action). */
export async function advanceEventObject(db: StoreExecutor, previous: StoredObject<Event>, step: LifecycleStep, now: string): Promise<DerivedReference[]> {
  const state = nextState(lifecycleOf(previous), step);
  if (state === previous.lifecycle) return [];
  const event: Event = { ...previous.body, ...updatedMetadata(previous, now), dispatchStage: state };
  await updateObject(db, previous, { ...previous, body: event, lifecycle: state, modifiedAt: now });
  return [reference(event, previous.version + 1)];
}

/** Cancels (deletes, User Guide 7.9) an event, keeping a tombstone so a second cancellation is told apart from an unknown event. */
export async function cancelEventObject(db: StoreExecutor, previous: StoredObject<Event>, now: string): Promise<Event> {
  const state = cancel(lifecycleOf(previous));
  const event: Event = { ...previous.body, ...updatedMetadata(previous, now) };
  await updateObject(db, previous, { ...previous, body: event, lifecycle: state, modifiedAt: now });
  return event;
}

/** A business-logic write on an event: found whatever its state, since the state decides the answer. */
async function eventForWrite(db: StoreExecutor, id: string): Promise<StoredObject<Event>> {
  const event = await findObject<Event>(db, 'EVENT', id);
  if (!event) throw notFound('event', id);
  return event;
}

export function lifecycleOf(event: StoredObject<unknown>): DispatchState {
  return event.lifecycle ?? 'SCHEDULED';
}

export const eventOperations: OperationTable = {
  reads: {
    async searchAllEvents({ db, request }) {
      const visible = await targetFilter(db, request.principal);
      const wanted = queryList(request.query.targets);
      const programID = queryString(request.query.programID);
      const now = Date.now();
      const events = (await listObjects<Event>(db, 'EVENT', { live: true, ...(programID ? { programId: programID } : {}) }))
        .filter(visible)
        .filter((e) => !wanted || e.targets.some((t) => wanted.includes(t)))
        .filter((e) => request.query.active !== true || (eventEnd(e.body) ?? Infinity) > now);
      return ok(page(events, request.query).map((e) => e.body));
    },
    async searchEventsByID(context) {
      return ok((await visibleEvent(context, context.request.params.eventID!)).body);
    },
  },
  writes: {
    async createEvent({ db, request, now }) {
      const event = await createEventObject(db, request.body as EventRequest, now);
      return created(event, [reference(event, 1)]);
    },
    async updateEvent({ db, request, now }) {
      const previous = await eventForWrite(db, request.params.eventID!);
      const body = request.body as EventRequest;
      const step: LifecycleStep = body.dispatchStage ? { kind: 'stage', stage: body.dispatchStage } : { kind: 'variation' };
      const event = await reviseEventObject(db, previous, body, step, now);
      return ok(event, [reference(event, previous.version + 1)]);
    },
    async deleteEvent({ db, request, now }) {
      const previous = await eventForWrite(db, request.params.eventID!);
      const event = await cancelEventObject(db, previous, now);
      return ok(event, [reference(event, previous.version + 1)]);
    },
  },
};
