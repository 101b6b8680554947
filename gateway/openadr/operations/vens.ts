import type { BlResourceRequest, BlVenRequest, ObjectMetadata, Resource, ResourceRequest, Ven, VenRequest } from '../../../schemas/openadr/wire.ts';
import { Problem } from '../../../protocol/problem.ts';
import type { StoreExecutor } from '../../store/store.ts';
import { deleteObject, insertObject, updateObject } from '../objectWrites.ts';
import { findObject, listObjects, type StoredObject } from '../objectTable.ts';
import { ownedBy } from '../privacy.ts';
import type { Principal } from '../tokens.ts';
import { created, newMetadata, notFound, ok, page, queryList, queryString, reference, updatedMetadata } from './operation.ts';
import type { OperationContext, OperationTable } from './operation.ts';

/**
 * VEN and resource registrations. A VEN registers itself (VEN_VEN_REQUEST,
 * owned by its token's client); only the business logic (BL_*_REQUEST) names
 * the owning client and grants targets, which decide which events the VEN
 * sees. A VEN's update keeps the targets the business logic granted.
 */

/** The request's form must match who sends it; returns the owning client and the targets to keep. */
function registration(principal: Principal, body: VenRequest | ResourceRequest, previous?: StoredObject<{ targets?: string[] | null }>) {
  const fromBusinessLogic = body.objectType === 'BL_VEN_REQUEST' || body.objectType === 'BL_RESOURCE_REQUEST';
  if (principal.businessLogic !== fromBusinessLogic) {
    if (fromBusinessLogic)
      throw new Problem('openadr.business-logic-only', `${body.objectType} is for the business logic; a VEN sends ${body.objectType.replace('BL_', 'VEN_')}`, {
        pointer: '/objectType',
      });
    throw new Problem('openadr.invalid-request', `The business logic registers with ${body.objectType.replace('VEN_', 'BL_')}, naming the clientID`, {
      pointer: '/objectType',
    });
  }
  if (fromBusinessLogic) {
    const bl = body as BlVenRequest | BlResourceRequest;
    return { clientId: bl.clientID, targets: bl.targets ?? [] };
  }
  return { clientId: principal.clientId, targets: previous?.targets ?? [] };
}

async function requireUniqueVenName(db: StoreExecutor, venName: string, exceptId?: string): Promise<void> {
  const clash = (await listObjects(db, 'VEN', { name: venName })).find((v) => v.id !== exceptId);
  if (clash) throw new Problem('openadr.name-taken', `VEN name ${venName} is already registered`, { pointer: '/venName' });
}

async function requireUniqueResourceName(db: StoreExecutor, venId: string, resourceName: string, exceptId?: string): Promise<void> {
  const clash = (await listObjects(db, 'RESOURCE', { venId, name: resourceName })).find((r) => r.id !== exceptId);
  if (clash) throw new Problem('openadr.name-taken', `VEN ${venId} already has a resource named ${resourceName}`, { pointer: '/resourceName' });
}

async function visible<T>({ db, request }: OperationContext, type: 'VEN' | 'RESOURCE', id: string): Promise<StoredObject<T>> {
  const object = await findObject<T>(db, type, id);
  if (!object || !ownedBy(object, request.principal)) throw notFound(type === 'VEN' ? 'VEN' : 'resource', id);
  return object;
}

function venBody(metadata: ObjectMetadata, body: VenRequest, clientId: string, targets: string[]): Ven {
  return { ...metadata, venName: body.venName, clientID: clientId, targets, ...(body.attributes !== undefined ? { attributes: body.attributes } : {}) };
}

function resourceBody(metadata: ObjectMetadata, body: ResourceRequest, clientId: string, targets: string[]): Resource {
  return {
    ...metadata,
    resourceName: body.resourceName,
    venID: body.venID,
    clientID: clientId,
    targets,
    ...(body.attributes !== undefined ? { attributes: body.attributes } : {}),
  };
}

/** The VEN a resource is registered under: it must exist and, for a VEN client, be its own. */
async function resourceVen(context: OperationContext, venID: string, clientId: string): Promise<StoredObject<Ven>> {
  const ven = await findObject<Ven>(context.db, 'VEN', venID);
  if (!ven || !ownedBy(ven, context.request.principal)) throw notFound('VEN', venID);
  if (ven.clientId !== clientId)
    throw new Problem('openadr.invalid-request', `VEN ${venID} belongs to client ${ven.clientId}, not ${clientId}`, { pointer: '/clientID' });
  return ven;
}

export const venOperations: OperationTable = {
  reads: {
    async searchVens({ db, request }) {
      const venName = queryString(request.query.venName);
      const wanted = queryList(request.query.targets);
      const vens = (await listObjects<Ven>(db, 'VEN', request.principal.businessLogic ? {} : { clientId: request.principal.clientId }))
        .filter((v) => !venName || v.name === venName)
        .filter((v) => !wanted || v.targets.some((t) => wanted.includes(t)));
      return ok(page(vens, request.query).map((v) => v.body));
    },
    async searchVenByID(context) {
      return ok((await visible<Ven>(context, 'VEN', context.request.params.venID!)).body);
    },
    async searchVenResources({ db, request }) {
      const resourceName = queryString(request.query.resourceName);
      const venID = queryString(request.query.venID);
      const wanted = queryList(request.query.targets);
      const resources = (await listObjects<Resource>(db, 'RESOURCE', request.principal.businessLogic ? {} : { clientId: request.principal.clientId }))
        .filter((r) => !resourceName || r.name === resourceName)
        .filter((r) => !venID || r.venId === venID)
        .filter((r) => !wanted || r.targets.some((t) => wanted.includes(t)));
      return ok(page(resources, request.query).map((r) => r.body));
    },
    async searchVenResourceByID(context) {
      return ok((await visible<Resource>(context, 'RESOURCE', context.request.params.resourceID!)).body);
    },
  },
  writes: {
    async createVen({ db, request, now }) {
      const body = request.body as VenRequest;
      const { clientId, targets } = registration(request.principal, body);
      await requireUniqueVenName(db, body.venName);
      const ven = venBody(newMetadata('VEN', now), body, clientId, targets);
      await insertObject(db, {
        id: ven.id,
        objectType: 'VEN',
        clientId,
        venId: null,
        programId: null,
        eventId: null,
        name: body.venName,
        targets,
        body: ven,
        sourceKey: null,
        lifecycle: null,
        createdAt: now,
      });
      return created(ven, [reference(ven, 1)]);
    },
    async updateVen(context) {
      const { db, request, now } = context;
      const previous = await visible<Ven>(context, 'VEN', request.params.venID!);
      const body = request.body as VenRequest;
      const { clientId, targets } = registration(request.principal, body, previous);
      await requireUniqueVenName(db, body.venName, previous.id);
      const ven = venBody(updatedMetadata(previous, now), body, clientId, targets);
      await updateObject(db, previous, { ...previous, clientId, name: body.venName, targets, body: ven, modifiedAt: now });
      for (const resource of await listObjects<Resource>(db, 'RESOURCE', { venId: previous.id })) {
        if (resource.clientId !== clientId)
          await updateObject(db, resource, { ...resource, clientId, body: { ...resource.body, clientID: clientId }, modifiedAt: now });
      }
      return ok(ven, [reference(ven, previous.version + 1)]);
    },
    async deleteVen(context) {
      const { db, request } = context;
      const previous = await visible<Ven>(context, 'VEN', request.params.venID!);
      // A VEN's resources go with it: nothing may stay registered under a VEN that no longer exists.
      for (const resource of await listObjects(db, 'RESOURCE', { venId: previous.id })) await deleteObject(db, resource);
      await deleteObject(db, previous);
      return ok(previous.body, [reference(previous.body, previous.version + 1)]);
    },
    async createResource(context) {
      const { db, request, now } = context;
      const body = request.body as ResourceRequest;
      const { clientId, targets } = registration(request.principal, body);
      await resourceVen(context, body.venID, clientId);
      await requireUniqueResourceName(db, body.venID, body.resourceName);
      const resource = resourceBody(newMetadata('RESOURCE', now), body, clientId, targets);
      await insertObject(db, {
        id: resource.id,
        objectType: 'RESOURCE',
        clientId,
        venId: body.venID,
        programId: null,
        eventId: null,
        name: body.resourceName,
        targets,
        body: resource,
        sourceKey: null,
        lifecycle: null,
        createdAt: now,
      });
      return created(resource, [reference(resource, 1)]);
    },
    async updateVenResource(context) {
      const { db, request, now } = context;
      const previous = await visible<Resource>(context, 'RESOURCE', request.params.resourceID!);
      const body = request.body as ResourceRequest;
      const { clientId, targets } = registration(request.principal, body, previous);
      await resourceVen(context, body.venID, clientId);
      await requireUniqueResourceName(db, body.venID, body.resourceName, previous.id);
      const resource = resourceBody(updatedMetadata(previous, now), body, clientId, targets);
      await updateObject(db, previous, { ...previous, clientId, venId: body.venID, name: body.resourceName, targets, body: resource, modifiedAt: now });
      return ok(resource, [reference(resource, previous.version + 1)]);
    },
    async deleteVenResource(context) {
      const previous = await visible<Resource>(context, 'RESOURCE', context.request.params.resourceID!);
      await deleteObject(context.db, previous);
      return ok(previous.body, [reference(previous.body, previous.version + 1)]);
    },
  },
};
