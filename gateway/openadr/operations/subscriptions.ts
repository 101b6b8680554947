import type { Subscription, SubscriptionRequest } from '../../../schemas/openadr/wire.ts';
import { EgressPolicy } from '../../delivery/egress.ts';
import { callbackUrlDefect } from '../../delivery/outbox.ts';
import { Problem } from '../../../protocol/problem.ts';
import type { StoreExecutor } from '../../store/store.ts';
import { deleteObject, insertObject, updateObject } from '../objectWrites.ts';
import { findObject, listObjects, type StoredObject } from '../objectTable.ts';
import { ownedBy } from '../privacy.ts';
import { created, newMetadata, notFound, ok, page, queryList, queryString, reference, stamped, updatedMetadata } from './operation.ts';
import type { OperationContext, OperationTable } from './operation.ts';

async function requireProgram(db: StoreExecutor, programID: string | undefined): Promise<void> {
  if (programID !== undefined && !(await findObject(db, 'PROGRAM', programID))) {
    throw new Problem('openadr.unknown-reference', `Program ${programID} does not exist`, { pointer: '/programID' });
  }
}

/**
 * Callbacks the gateway would refuse to call are refused when the
 * subscription is made, not at the first notification: malformed ones, and
 * ones whose host is or resolves to an address outside the egress policy.
 */
async function requireCallbacks(body: SubscriptionRequest, egress: EgressPolicy): Promise<void> {
  for (const [index, wanted] of body.objectOperations.entries()) {
    const pointer = `/objectOperations/${index}/callbackUrl`;
    const defect = callbackUrlDefect(wanted.callbackUrl);
    if (defect) throw new Problem('delivery.callback-url-invalid', defect, { pointer });
    const refused = await egress.urlRefusal(new URL(wanted.callbackUrl));
    if (refused) throw new Problem('delivery.egress-refused', `${refused}; the gateway's operator can admit it with an egress allow-list`, { pointer });
  }
}

const DEFAULT_EGRESS = new EgressPolicy();

async function visibleSubscription({ db, request }: OperationContext, id: string): Promise<StoredObject<Subscription>> {
  const subscription = await findObject<Subscription>(db, 'SUBSCRIPTION', id);
  if (!subscription || !ownedBy(subscription, request.principal)) throw notFound('subscription', id);
  return subscription;
}

/** Subscriptions are stored and served here; every object change enqueues their notifications (notifications.ts, gateway/delivery). */
export const subscriptionOperations: OperationTable = {
  reads: {
    async searchSubscriptions({ db, request }) {
      const programID = queryString(request.query.programID);
      const clientName = queryString(request.query.clientName);
      const objects = queryList(request.query.objects);
      const subscriptions = (
        await listObjects<Subscription>(db, 'SUBSCRIPTION', request.principal.businessLogic ? {} : { clientId: request.principal.clientId })
      )
        .filter((s) => !programID || s.programId === programID)
        .filter((s) => !clientName || s.body.clientName === clientName)
        .filter((s) => !objects || s.body.objectOperations.some((o) => o.objects.some((t) => objects.includes(t))));
      return ok(page(subscriptions, request.query).map((s) => s.body));
    },
    async searchSubscriptionByID(context) {
      return ok((await visibleSubscription(context, context.request.params.subscriptionID!)).body);
    },
  },
  writes: {
    async createSubscription({ db, request, now, config }) {
      const body = request.body as SubscriptionRequest;
      await requireCallbacks(body, config.egress ?? DEFAULT_EGRESS);
      await requireProgram(db, body.programID);
      const subscription: Subscription = { ...stamped(newMetadata('SUBSCRIPTION', now), body), clientID: request.principal.clientId };
      await insertObject(db, {
        id: subscription.id,
        objectType: 'SUBSCRIPTION',
        clientId: request.principal.clientId,
        venId: null,
        programId: body.programID ?? null,
        eventId: null,
        name: body.clientName,
        targets: body.targets ?? [],
        body: subscription,
        sourceKey: null,
        lifecycle: null,
        createdAt: now,
      });
      return created(subscription, [reference(subscription, 1)]);
    },
    async updateSubscription(context) {
      const { db, request, now, config } = context;
      const previous = await visibleSubscription(context, request.params.subscriptionID!);
      const body = request.body as SubscriptionRequest;
      await requireCallbacks(body, config.egress ?? DEFAULT_EGRESS);
      await requireProgram(db, body.programID);
      const subscription: Subscription = { ...stamped(updatedMetadata(previous, now), body), clientID: previous.body.clientID };
      await updateObject(db, previous, {
        ...previous,
        programId: body.programID ?? null,
        name: body.clientName,
        targets: body.targets ?? [],
        body: subscription,
        modifiedAt: now,
      });
      return ok(subscription, [reference(subscription, previous.version + 1)]);
    },
    async deleteSubscription(context) {
      const previous = await visibleSubscription(context, context.request.params.subscriptionID!);
      await deleteObject(context.db, previous);
      return ok(previous.body, [reference(previous.body, previous.version + 1)]);
    },
  },
};
