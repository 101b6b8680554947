import { Type } from '@sinclair/typebox';
import { RegistrySnapshot } from '../registry/registry.ts';
import { VerificationRequest } from '../settlement/settlement.ts';
import { ENVELOPE_REFUSALS, pathId, problemResponse, signatureParameter } from './common.ts';

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const sig = signatureParameter(true);
const query = (name: string, description: string, required = true) => ({ name, in: 'query', required, description, schema: { type: 'string' } });

/** The registry and settlement operations of the admin API (gateway/registry/, gateway/settlement/), spread into schemas/openapi/admin.ts. */
export const registrySettlementPaths = {
  '/admin/v1/registry': {
    get: {
      operationId: 'getRegistry',
      tags: ['Registry'],
      summary: 'Parties, assets and contracts, each list in id order',
      parameters: [sig],
      responses: { '200': { description: 'The registry', content: json('RegistrySnapshot') }, ...ENVELOPE_REFUSALS },
    },
    put: {
      operationId: 'replaceRegistry',
      tags: ['Registry'],
      summary: 'Replace the whole registry (checked as a whole: ids once, references resolvable)',
      parameters: [sig],
      requestBody: { required: true, content: json('RegistrySnapshot') },
      responses: {
        '200': { description: 'The registry as stored', content: json('RegistrySnapshot') },
        '400': problemResponse('schema.violation'),
        '422': problemResponse('registry.duplicate, registry.reference-unknown'),
        ...ENVELOPE_REFUSALS,
      },
    },
  },
  '/admin/v1/registry/import': {
    post: {
      operationId: 'importRegistry',
      tags: ['Registry'],
      summary: 'Merge by id: registry JSON (any of the three lists) or text/csv rows of the ENA pre-qualification template (assets)',
      parameters: [sig],
      requestBody: { required: true, content: { ...json('RegistryPatch'), 'text/csv': { schema: { type: 'string' } } } },
      responses: {
        '200': { description: 'The registry as stored', content: json('RegistrySnapshot') },
        '400': problemResponse('schema.violation, registry.csv-invalid'),
        '422': problemResponse('registry.duplicate, registry.reference-unknown'),
        ...ENVELOPE_REFUSALS,
      },
    },
  },
  '/admin/v1/registry/warnings': {
    get: {
      operationId: 'listRegistryWarnings',
      tags: ['Registry'],
      summary: 'Contradictions permissive intake recorded instead of refusing, newest first',
      parameters: [sig],
      responses: { '200': { description: 'The warnings', content: { 'application/json': { schema: { type: 'object' } } } }, ...ENVELOPE_REFUSALS },
    },
  },
  '/admin/v1/registry/{collection}': {
    get: {
      operationId: 'listRegistryCollection',
      tags: ['Registry'],
      summary: 'One list: parties, assets or contracts',
      parameters: [sig, pathId('collection', 'parties, assets or contracts')],
      responses: { '200': { description: 'The list', content: { 'application/json': { schema: { type: 'object' } } } }, ...ENVELOPE_REFUSALS },
    },
  },
  '/admin/v1/registry/{collection}/{id}': {
    get: {
      operationId: 'getRegistryEntry',
      tags: ['Registry'],
      summary: 'One party, asset (DSO asset id) or contract (id without regard to case)',
      parameters: [sig, pathId('collection', 'parties, assets or contracts'), pathId('id', 'Party id, DSO asset id or contract id')],
      responses: {
        '200': { description: 'The entry', content: { 'application/json': { schema: { type: 'object' } } } },
        '404': problemResponse('registry.not-found'),
        ...ENVELOPE_REFUSALS,
      },
    },
  },
  '/admin/v1/settlement/dispatches/{eventId}/verification': {
    post: {
      operationId: 'verifyDispatch',
      tags: ['Settlement'],
      summary:
        'Verify a dispatch: baseline and meter readings (else the VENs’ USAGE reports on the event) → delivered energy, performance factor, payments; stored as settlement lines',
      parameters: [sig, pathId('eventId', 'OpenADR event id')],
      requestBody: { required: true, content: json('VerificationRequest') },
      responses: {
        '201': { description: 'The verification', content: { 'application/json': { schema: { type: 'object' } } } },
        '400': problemResponse('schema.violation'),
        '404': problemResponse('settlement.not-found'),
        '422': problemResponse(
          'settlement.contract-unknown, settlement.baseline-invalid, settlement.baseline-missing, settlement.readings-invalid, settlement.readings-missing',
        ),
        ...ENVELOPE_REFUSALS,
      },
    },
  },
  '/admin/v1/settlement/statements': {
    get: {
      operationId: 'getSettlementStatement',
      tags: ['Settlement'],
      summary:
        'One FSP’s statement for [from, to): JSON, or CSV with Accept: text/csv; money in whole minor units. Administrators read any; an FSP its own (the registry party `fsp` carries its certificate URN), else 403 auth.role-forbidden',
      parameters: [sig, query('fsp', 'FSP party id'), query('from', 'UTC instant'), query('to', 'UTC instant')],
      responses: {
        '200': {
          description: 'The statement',
          content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } },
        },
        '400': problemResponse('request.invalid-query'),
        ...ENVELOPE_REFUSALS,
      },
    },
  },
  '/admin/v1/settlement/chain': {
    get: {
      operationId: 'getSettlementChain',
      tags: ['Settlement'],
      summary: 'From any one link (event, trade, contract, asset): the settlement lines, dispatches, trades, contracts and assets it connects to',
      parameters: [
        sig,
        query('event', 'OpenADR event id', false),
        query('trade', 'Trade id', false),
        query('contract', 'Contract id', false),
        query('asset', 'DSO asset id', false),
      ],
      responses: {
        '200': { description: 'The chain', content: { 'application/json': { schema: { type: 'object' } } } },
        '404': problemResponse('settlement.not-found'),
        ...ENVELOPE_REFUSALS,
      },
    },
  },
} as const;

export const registrySettlementSchemas = { RegistrySnapshot, RegistryPatch: Type.Partial(RegistrySnapshot), VerificationRequest };
