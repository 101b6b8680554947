import { Ajv, type ValidateFunction } from 'ajv';
import { withWireFormats } from '../../schemas/openadr/formats.ts';
import { OPENADR_BASE_PATH, openadrOpenApi } from '../../schemas/openadr/openapi.ts';
import type { OpenadrSchemaName } from '../../schemas/openadr/wire.ts';
import { FlexgateError } from '../../protocol/errors.ts';

/** One operation of the OpenADR 3.1.0 document: how to call it and where its answers are defined. */
export interface WireOperation {
  operationId: string;
  method: string;
  /** Path template under the API root, e.g. `/events/{eventID}`. */
  path: string;
  responses: Record<string, unknown>;
  /** Media type of the request body, when it takes one. */
  requestMediaType?: string;
}

/** An operation id the OpenADR 3.1.0 document does not define, or a path parameter left out. */
export class UnknownOperation extends FlexgateError {
  readonly code = 'client.unknown-operation';
}

type Json = Record<string, unknown>;
const DOCUMENT_ID = 'openadr-3.1.0';
const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The OpenADR 3.1.0 document (schemas/openadr/openapi.ts) read from the
 * calling side: each operation's method and path, and a validator for every
 * answer it defines. The VEN client calls operations by the ids the
 * specification gives them and checks each answer against the same schemas
 * the VTN is built from.
 */
class WireDocument {
  private readonly ajv = withWireFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
  private readonly operations = new Map<string, WireOperation>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv.addSchema(openadrOpenApi as unknown as Json, DOCUMENT_ID);
    for (const [path, item] of Object.entries(openadrOpenApi.paths as Record<string, Json>)) {
      for (const [method, value] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const op = value as Json;
        const content = (op.requestBody as { content?: Json } | undefined)?.content;
        const requestMediaType = content ? Object.keys(content)[0] : undefined;
        this.operations.set(op.operationId as string, {
          operationId: op.operationId as string,
          method: method.toUpperCase(),
          path,
          responses: op.responses as Record<string, unknown>,
          ...(requestMediaType ? { requestMediaType } : {}),
        });
      }
    }
  }

  operation(operationId: string): WireOperation {
    const found = this.operations.get(operationId);
    if (!found) throw new UnknownOperation(`OpenADR 3.1.0 has no operation ${operationId}`);
    return found;
  }

  /** The request path (API root included) with the path parameters filled in. */
  pathOf(op: WireOperation, params: Record<string, string> = {}): string {
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new UnknownOperation(`${op.operationId} needs path parameter ${name}`);
      return encodeURIComponent(value);
    });
    return `${OPENADR_BASE_PATH}${path}`;
  }

  /** Violations of an answer against the document's schema for its status; one for a status the operation does not define. */
  responseErrors(op: WireOperation, status: number, body: unknown): string[] {
    const response = op.responses[String(status)] as Json | undefined;
    if (!response) return [`${op.operationId} defines no ${status} answer`];
    const ref = response.$ref as string | undefined;
    const pointer = ref
      ? `${ref}/content/application~1json/schema`
      : `#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
    return this.errorsAt(pointer, body);
  }

  /** Violations of a value against a named component schema (`event`, `notification`, …). */
  schemaErrors(name: OpenadrSchemaName, value: unknown): string[] {
    return this.errorsAt(`#/components/schemas/${name}`, value);
  }

  private errorsAt(pointer: string, value: unknown): string[] {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`${DOCUMENT_ID}${pointer}`);
      if (!validate) throw new UnknownOperation(`The OpenADR document has no schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }
}

let document: WireDocument | undefined;

/** The document, compiled on first use (a VEN that never calls needs none of it). */
export function openadrWire(): WireDocument {
  document ??= new WireDocument();
  return document;
}

export type { WireDocument };
