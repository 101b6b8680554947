import { Type } from '@sinclair/typebox';
import { ENVELOPE_REFUSALS, MUTUAL_TLS, PAGING_PARAMETERS, pathId, problemResponse, ProblemSchema, signatureParameter } from './common.ts';

/** What the document needs to know of a CIM profile (profiles/catalogue.ts gives them). */
export interface CimDocumentKind {
  id: string;
  root: string;
  fileStem: string;
}

const xml = (description: string) => ({ 'application/xml': { schema: { type: 'string', description } } });

/**
 * The OpenAPI 3.1 document of the CIM API v1 for the profiles given: XML
 * bodies are described by their root elements and the profile XSDs
 * (schemas/cim/<stem>.xsd), which OpenAPI cannot express itself.
 */
export function cimOpenApi(kinds: readonly CimDocumentKind[]) {
  const roots = kinds.map((k) => `${k.root} (${k.id}, schemas/cim/${k.fileStem}.xsd)`).join('; ');
  const sig = signatureParameter(true);
  return {
    openapi: '3.1.0',
    info: {
      title: 'flexgate CIM API',
      version: 'v1',
      description: `IEC 62325-451 (ENTSO-E ESMP) market documents to and from DSO systems. Documents: ${roots}.`,
    },
    servers: [{ url: '/' }],
    ...MUTUAL_TLS,
    paths: {
      '/cim/v1/documents': {
        post: {
          operationId: 'postCimDocument',
          tags: ['CIM'],
          summary: 'Send a CIM document; the answer is an Acknowledgement_MarketDocument',
          parameters: [sig],
          requestBody: { required: true, content: { ...xml(`One of: ${roots}`), 'text/xml': { schema: { type: 'string' } } } },
          responses: {
            '201': { description: 'Accepted and stored; Location names it', content: xml('Acknowledgement_MarketDocument, accepted (reason A01)') },
            '400': {
              description:
                'Refused: an Acknowledgement_MarketDocument with reason codes and text naming the failing element when the document names its sender, else a problem (xml.*, cim.* types)',
              content: { ...xml('Acknowledgement_MarketDocument, rejected'), 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
            '409': problemResponse('A revision that does not follow the stored one'),
            '415': problemResponse('Not XML in UTF-8'),
            ...ENVELOPE_REFUSALS,
          },
        },
        get: {
          operationId: 'listCimDocuments',
          tags: ['CIM'],
          summary: 'Every stored document (look-aheads and merit order lists, including those that arrived as ANM JSON or TSV), newest first',
          parameters: [sig, ...PAGING_PARAMETERS, { name: 'kind', in: 'query', required: false, schema: { type: 'string', enum: kinds.map((k) => k.id) } }],
          responses: {
            '200': { description: 'A page', content: { 'application/json': { schema: { $ref: '#/components/schemas/CimDocumentPage' } } } },
            '400': problemResponse('request.invalid-query'),
            ...ENVELOPE_REFUSALS,
          },
        },
      },
      '/cim/v1/documents/{id}': {
        get: {
          operationId: 'getCimDocument',
          tags: ['CIM'],
          summary: 'One stored document as CIM XML',
          parameters: [sig, pathId('id', 'Document id'), { name: 'revision', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } }],
          responses: {
            '200': { description: 'The document', content: xml('The CIM document of its kind') },
            '404': problemResponse('request.not-found'),
            '406': problemResponse('request.not-acceptable'),
            ...ENVELOPE_REFUSALS,
          },
        },
      },
    },
    components: {
      schemas: {
        Problem: ProblemSchema,
        CimDocumentPage: Type.Object({
          items: Type.Array(
            Type.Object({
              id: Type.String(),
              mRID: Type.String(),
              kind: Type.String(),
              document: Type.Optional(Type.String({ description: 'Root element' })),
              revision: Type.Integer(),
              acceptedAt: Type.String(),
              href: Type.String(),
            }),
          ),
          next: Type.Union([Type.String(), Type.Null()]),
        }),
      },
    },
  } as const;
}
