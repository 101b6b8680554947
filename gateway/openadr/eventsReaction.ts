import type { FlexibilityService } from '../../schemas/anm/trade.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { Event, EventRequest } from '../../schemas/openadr/wire.ts';
import { readTradeBook } from '../adapter/tradeBook.ts';
import type { Reaction } from '../intake.ts';
import { RegistryIndexCache } from '../registry/registryIndexCache.ts';
import { createdInTransaction, getRevision } from '../store/anmDocuments.ts';
import type { DerivedReference } from '../store/journal.ts';
import type { StoreExecutor } from '../store/store.ts';
import { DEFAULT_OPENADR_CONFIG, programFor, type OpenadrConfig, type ProgramConfig } from './config.ts';
import { meritOrderEvents, PAYLOAD_OF_OPERATION, type ConstraintPeriod, type ListReference } from './meritOrderEvents.ts';
import { listObjects, programIdNamed, type StoredObject } from './objectTable.ts';
import { announcePending } from './notifications.ts';
import { insertObjects, updateObject } from './objectWrites.ts';
import { cancelEventObject, lifecycleOf, newEventObject, reviseEventObject } from './operations/events.ts';
import { reference, stamped, updatedMetadata } from './operations/operation.ts';
import { createProgramObject } from './operations/programs.ts';
import { SIGNATURES_REQUIRED_ATTRIBUTE } from './privacy.ts';

const MERIT_ORDER_LIST = 'merit-order-list';
const DELIVERED = new Set(['CEASED', 'COMPLETED']);
/** New events per batch: enough for multi-row inserts to pay, few enough that a batch stays in V8's young generation. */
const CREATE_BATCH = 1_000;

/**
 * Turns every stored merit order list revision (original, re-ordered after
 * trades or verification, or arrived as CIM) into OpenADR events, in the
 * transaction that stored it. Register it before `openadrNotificationsReaction()`: it announces the
 * events it creates itself, batch by batch, and leaves its revisions and cancellations to that one.
 * The registry's index is the consistency check's, when the composition root gives both the same cache.
 */
export function openadrEventsReaction(config: OpenadrConfig = DEFAULT_OPENADR_CONFIG, registry = new RegistryIndexCache()): Reaction {
  return async ({ tx, receivedAt }, derived) => {
    const produced: DerivedReference[] = [];
    for (const ref of derived) {
      if (ref.kind === MERIT_ORDER_LIST)
        produced.push(...(await reconcileListEvents(tx, config, registry, { id: ref.id, revision: ref.revision }, receivedAt)));
    }
    return produced;
  };
}

/** The constraint period: the trades' (trade book), else the list's period start for one default period, else unknown. */
async function constraintPeriod(db: StoreExecutor, config: OpenadrConfig, list: MeritOrderList, listId: string, created: boolean) {
  const book = created ? undefined : (await readTradeBook(db, listId))?.book;
  const sellerServices = new Map<string, FlexibilityService>((book?.state.trades ?? []).map((t) => [t.sellerContractId.toLowerCase(), t.service]));
  if (book) return { period: { start: book.state.terms.start, end: book.state.terms.end, constraintId: book.state.terms.constraintId }, sellerServices };
  if (!list.periodStart) return { period: undefined, sellerServices };
  const end = new Date(Date.parse(list.periodStart) + config.defaultPeriodMinutes * 60_000).toISOString();
  return { period: { start: list.periodStart, end } satisfies ConstraintPeriod, sellerServices };
}

/** The configured program, created on first use (its name is its identity). */
async function ensureProgram(db: StoreExecutor, program: ProgramConfig, now: string): Promise<string> {
  const existing = await programIdNamed(db, program.programName);
  if (existing) return existing;
  const created = await createProgramObject(
    db,
    {
      programName: program.programName,
      payloadDescriptors: Object.values(PAYLOAD_OF_OPERATION).map((payloadType) => ({
        objectType: 'EVENT_PAYLOAD_DESCRIPTOR' as const,
        payloadType,
        units: 'KW',
      })),
      attributes: [
        { type: 'FLEXGATE_DSO', values: [program.dso] },
        { type: 'FLEXGATE_CONSTRAINT_ZONE', values: program.constraintIds },
        ...(program.signaturesRequired ? [{ type: SIGNATURES_REQUIRED_ATTRIBUTE, values: [true] }] : []),
      ],
    },
    now,
  );
  return created.id;
}

/**
 * Creates, updates or cancels a list's events so they say what this revision
 * says: one event per contract and list, never a duplicate. A dispatch that
 * has ceased or completed is history and left alone; one an earlier revision
 * cancelled comes back (same id) when a later one instructs it again.
 */
async function reconcileListEvents(
  db: StoreExecutor,
  config: OpenadrConfig,
  registry: RegistryIndexCache,
  source: ListReference,
  now: string,
): Promise<DerivedReference[]> {
  const stored = await getRevision(db, MERIT_ORDER_LIST, source.id, source.revision);
  if (!stored) return [];
  const list = JSON.parse(stored.body) as MeritOrderList;
  // A list created by this very message has no trade book and no events yet: nothing to look up.
  const created = createdInTransaction(db, MERIT_ORDER_LIST, source.id);
  const { period, sellerServices } = await constraintPeriod(db, config, list, source.id, created);
  const existing = new Map(created ? [] : (await listObjects<Event>(db, 'EVENT', { sourcePrefix: `${source.id}/` })).map((e) => [e.sourceKey!, e]));
  const index = period ? await registry.indexOf(db) : undefined;
  const wanted = period
    ? meritOrderEvents(list, source, period, {
        programID: await ensureProgram(db, programFor(config, period.constraintId), now),
        intervalMinutes: config.intervalMinutes,
        sellerServices,
        assetOf: (resourceId) => index?.assetOfResource(resourceId),
      })
    : new Map<string, EventRequest>();
  const derived: DerivedReference[] = [];
  // New events go in batches (a list may have 100k entries; their program was ensured above), each announced as it is
  // written: a batch's events, rows and notifications are garbage before the next is built, not all held to the end.
  const toCreate = [...wanted].filter(([sourceKey]) => !existing.has(sourceKey));
  for (let start = 0; start < toCreate.length; start += CREATE_BATCH) {
    const created = toCreate.slice(start, start + CREATE_BATCH).map(([sourceKey, request]) => newEventObject(request, now, sourceKey));
    await insertObjects(
      db,
      created.map(({ object }) => object),
    );
    await announcePending(db);
    for (const { event } of created) derived.push(reference(event, 1));
  }
  for (const [sourceKey, request] of wanted) {
    const event = existing.get(sourceKey);
    if (!event) continue;
    if (lifecycleOf(event) === 'CANCELLED') {
      derived.push(await reinstate(db, event, request, now));
    } else if (!DELIVERED.has(lifecycleOf(event))) {
      // A variation: new values and the revision it now comes from, in whatever stage the dispatch has reached.
      const { dispatchStage: _scheduled, ...variation } = request;
      derived.push(reference(await reviseEventObject(db, event, variation, { kind: 'variation' }, now), event.version + 1));
    }
  }
  for (const [sourceKey, event] of existing) {
    const state = lifecycleOf(event);
    if (wanted.has(sourceKey) || state === 'CANCELLED' || DELIVERED.has(state)) continue;
    derived.push(reference(await cancelEventObject(db, event, now), event.version + 1));
  }
  return derived;
}

async function reinstate(db: StoreExecutor, previous: StoredObject<Event>, request: EventRequest, now: string): Promise<DerivedReference> {
  const event: Event = { ...stamped(updatedMetadata(previous, now), request), dispatchStage: 'SCHEDULED' };
  await updateObject(db, previous, {
    ...previous,
    targets: request.targets ?? [],
    name: request.eventName ?? null,
    body: event,
    lifecycle: 'SCHEDULED',
    modifiedAt: now,
  });
  return reference(event, previous.version + 1);
}
