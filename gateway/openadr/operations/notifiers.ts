import type { NotifierTopicsResponse, NotifiersResponse, Ven } from '../../../schemas/openadr/wire.ts';
import { MQTT_TOPIC_ROOT } from '../notifications.ts';
import { findObject } from '../objectTable.ts';
import { ownedBy } from '../privacy.ts';
import { visibleProgram } from './programs.ts';
import { notFound, ok, type OperationContext, type OperationTable } from './operation.ts';

/** Topic names follow the specification's `{objectType}s/{operation}` pattern under the VTN's version root. */
const ROOT = MQTT_TOPIC_ROOT;

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

/**
 * Webhooks and MQTT: every change is published on the topics below (see
 * notifications.ts). The development broker is anonymous; a deployment
 * puts VENs on mqtts with their flexgate certificates and an ACL that gives
 * each VEN only its own `vens/{venID}/…` topics.
 */
export const notifierOperations: OperationTable = {
  reads: {
    async listAllNotifiers({ config }) {
      const response: NotifiersResponse = {
        WEBHOOK: true,
        MQTT: { URIS: [config.mqttBrokerUrl], serialization: 'JSON', authentication: { method: 'ANONYMOUS' } },
      };
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
