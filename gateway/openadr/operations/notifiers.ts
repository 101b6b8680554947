import type { NotifierTopicsResponse, NotifiersResponse, Ven } from '../../../schemas/openadr/wire.ts';
import { findObject } from '../objectStore.ts';
import { ownedBy } from '../privacy.ts';
import { visibleProgram } from './programs.ts';
import { notFound, ok, type OperationContext, type OperationTable } from './operation.ts';

/** Topic names follow the specification's `{objectType}s/{operation}` pattern under the VTN's version root. */
const ROOT = 'openadr/3.1.0';

function topics(path: string, withCreate: boolean): NotifierTopicsResponse {
  return {
    topics: {
      ...(withCreate ? { CREATE: `${ROOT}/${path}/create` } : {}),
      UPDATE: `${ROOT}/${path}/update`,
      DELETE: `${ROOT}/${path}/delete`,
      ALL: `${ROOT}/${path}/+`,
    },
  };
}

async function ownVen(context: OperationContext): Promise<string> {
  const id = context.request.params.venID!;
  const ven = await findObject<Ven>(context.db, 'VEN', id);
  if (!ven || !ownedBy(ven, context.request.principal)) throw notFound('VEN', id);
  return id;
}

/** Webhooks are the binding every VTN offers; the MQTT binding is announced once a broker is configured (delivery issue). */
export const notifierOperations: OperationTable = {
  reads: {
    async listAllNotifiers() {
      const response: NotifiersResponse = { WEBHOOK: true };
      return ok(response);
    },
    listAllMqttNotifierTopicsPrograms: async () => ok(topics('programs', true)),
    async listAllMqttNotifierTopicsProgram(context) {
      const program = await visibleProgram(context, context.request.params.programID!);
      return ok(topics(`programs/${program.id}`, false));
    },
    listAllMqttNotifierTopicsEvents: async () => ok(topics('events', true)),
    async listAllMqttNotifierTopicsProgramEvents(context) {
      const program = await visibleProgram(context, context.request.params.programID!);
      return ok(topics(`programs/${program.id}/events`, true));
    },
    listAllMqttNotifierTopicsReports: async () => ok(topics('reports', true)),
    listAllMqttNotifierTopicsSubscriptions: async () => ok(topics('subscriptions', true)),
    listAllMqttNotifierTopicsVens: async () => ok(topics('vens', true)),
    listAllMqttNotifierTopicsResources: async () => ok(topics('resources', true)),
    listAllMqttNotifierTopicsVen: async (context) => ok(topics(`vens/${await ownVen(context)}`, false)),
    listAllMqttNotifierTopicsVenEvents: async (context) => ok(topics(`vens/${await ownVen(context)}/events`, true)),
    listAllMqttNotifierTopicsVenPrograms: async (context) => ok(topics(`vens/${await ownVen(context)}/programs`, true)),
    listAllMqttNotifierTopicsVenResources: async (context) => ok(topics(`vens/${await ownVen(context)}/resources`, true)),
  },
  writes: {},
};
