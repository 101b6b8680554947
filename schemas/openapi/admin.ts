import { ClientCredentials, ClientCredentialsRequest } from '../admin/openadrClients.ts';
import { DeliveryDetail, DeliveryPage, DELIVERY_STATES, QueueList } from '../admin/deliveries.ts';
import { registrySettlementPaths, registrySettlementSchemas } from './registrySettlement.ts';
import { ENVELOPE_REFUSALS, MUTUAL_TLS, pathId, problemResponse, ProblemSchema, signatureParameter } from './common.ts';

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const sig = signatureParameter(true);

/** The OpenAPI 3.1 document of the admin API v1 (administrators' certificates only), and of the unsigned operations endpoints. */
export const adminOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'flexgate admin API',
    version: 'v1',
    description:
      'OpenADR client credentials, push deliveries, and the operations endpoints (metrics, health, readiness). Administrators only, except health and readiness.',
  },
  servers: [{ url: '/' }],
  ...MUTUAL_TLS,
  paths: {
    '/admin/v1/openadr/clients': {
      post: {
        operationId: 'provisionOpenadrClient',
        tags: ['OpenADR'],
        summary: "Create or rotate a party's OpenADR client credentials (the secret is shown once)",
        parameters: [sig],
        requestBody: { required: true, content: json('ClientCredentialsRequest') },
        responses: {
          '201': { description: 'The credentials', content: json('ClientCredentials') },
          '400': problemResponse('schema.violation'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
    '/admin/v1/deliveries': {
      get: {
        operationId: 'listDeliveries',
        tags: ['Deliveries'],
        summary: 'Webhook and MQTT notifications, newest first',
        parameters: [
          sig,
          { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: DELIVERY_STATES } },
          { name: 'subscriber', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          { name: 'before', in: 'query', required: false, description: 'From the previous page’s next', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A page', content: json('DeliveryPage') }, '400': problemResponse('request.invalid-query'), ...ENVELOPE_REFUSALS },
      },
    },
    '/admin/v1/deliveries/queues': {
      get: {
        operationId: 'listDeliveryQueues',
        tags: ['Deliveries'],
        summary: 'One line per subscriber queue',
        parameters: [sig, { name: 'subscriber', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '200': { description: 'The queues', content: json('QueueList') }, ...ENVELOPE_REFUSALS },
      },
    },
    '/admin/v1/deliveries/{id}': {
      get: {
        operationId: 'getDelivery',
        tags: ['Deliveries'],
        summary: 'One delivery with its body and attempt history',
        parameters: [sig, pathId('id', 'Delivery id')],
        responses: {
          '200': { description: 'The delivery', content: json('DeliveryDetail') },
          '404': problemResponse('delivery.not-found'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
    '/admin/v1/deliveries/{id}/redeliver': {
      post: {
        operationId: 'redeliver',
        tags: ['Deliveries'],
        summary: 'A new round of attempts (a dead-lettered or delivered notification sent again, same idempotency key)',
        parameters: [sig, pathId('id', 'Delivery id')],
        responses: {
          '202': { description: 'Queued', content: json('DeliveryDetail') },
          '404': problemResponse('delivery.not-found'),
          '409': problemResponse('delivery.in-flight'),
          ...ENVELOPE_REFUSALS,
        },
      },
    },
    ...registrySettlementPaths,
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        tags: ['Operations'],
        summary: 'Prometheus text format; administrators, no signature needed',
        responses: {
          '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          '403': problemResponse('auth.role-forbidden'),
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['Operations'],
        summary: 'The process answers (any party, no signature)',
        responses: { '200': { description: 'ok' } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        tags: ['Operations'],
        summary: 'It can serve: the store answers and no CRL has lapsed (any party, no signature)',
        responses: { '200': { description: 'ready' }, '503': problemResponse('operations.not-ready') },
      },
    },
  },
  components: {
    schemas: { Problem: ProblemSchema, ClientCredentialsRequest, ClientCredentials, DeliveryPage, DeliveryDetail, QueueList, ...registrySettlementSchemas },
  },
} as const;
