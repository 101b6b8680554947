import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import { SHARED_DIR } from '../../gateway/testing/fixtures.ts';

export type OfficialVersion = '3.1.0' | '3.0.1';
export const officialOpenApiPath = (version: OfficialVersion) => join(SHARED_DIR, 'anchors', 'openadr3', `openadr3-${version}.yaml`);

export interface OfficialOperation {
  path: string;
  method: string;
  operationId: string;
  parameters: Array<{ name: string; in: string; schema?: unknown }>;
  requestSchema?: { contentType: string; schema: unknown };
  responses: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * The OpenADR Alliance's OpenAPI file of a version (3.1.0 unless asked), read from ../shared (never
 * copied into the project), with validators for its schemas. Only two
 * adaptations, both of the dialect and not of the content: the draft-04
 * boolean `exclusiveMaximum` becomes the number form ajv reads, and
 * `format`s are checked by small checkers here (RFC 3339 instants, absolute
 * URIs).
 */
export class OfficialSpec {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(
    readonly document: Json,
    readonly version: OfficialVersion,
  ) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    this.ajv.addFormat('date-time', (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)));
    this.ajv.addFormat('uri', (v: string) => /^[a-z][a-z0-9+.-]*:/i.test(v) && URL.canParse(v));
    this.ajv.addFormat('int32', true);
    this.ajv.addFormat('float', true);
    this.ajv.addSchema(dialectAdapted(document) as Json, 'official');
  }

  /** The official document, or a loud skip of the calling test when ../shared is absent. */
  static load(context: Mocha.Context, version: OfficialVersion = '3.1.0'): OfficialSpec {
    const path = officialOpenApiPath(version);
    if (!existsSync(path)) {
      console.warn(`\n  !! SKIPPED: ${path} is absent; the official OpenADR files live in ../shared beside the repository\n`);
      context.skip();
    }
    return new OfficialSpec(load(readFileSync(path, 'utf8')) as Json, version);
  }

  get schemas(): Json {
    return (this.document.components as Json).schemas as Json;
  }

  operations(): OfficialOperation[] {
    const operations: OfficialOperation[] = [];
    for (const [path, item] of Object.entries(this.document.paths as Record<string, Json>)) {
      const shared = (item.parameters ?? []) as OfficialOperation['parameters'];
      for (const [method, value] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const op = value as Json;
        const content = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, { schema: unknown }>;
        const [contentType, media] = Object.entries(content)[0] ?? [];
        operations.push({
          path,
          method,
          operationId: op.operationId as string,
          parameters: [...shared, ...((op.parameters ?? []) as OfficialOperation['parameters'])],
          ...(contentType && media ? { requestSchema: { contentType, schema: media.schema } } : {}),
          responses: op.responses as Record<string, unknown>,
        });
      }
    }
    return operations;
  }

  operation(operationId: string): OfficialOperation {
    const found = this.operations().find((o) => o.operationId === operationId);
    if (!found) throw new Error(`The official ${this.version} file has no operation ${operationId}`);
    return found;
  }

  /** Errors of `value` against a schema given by JSON pointer into the document (`#/components/schemas/event`). */
  errorsAt(pointer: string, value: unknown): string[] {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`official${pointer}`);
      if (!validate) throw new Error(`No schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** Where the schema of an operation's response body for a status is, as a pointer; undefined if the status is not specified. */
  responsePointer(op: OfficialOperation, status: number): string | undefined {
    const response = op.responses[String(status)] as Json | undefined;
    if (!response) return undefined;
    const escaped = op.path.replace(/~/g, '~0').replace(/\//g, '~1');
    const ref = response.$ref as string | undefined;
    if (ref) return `${ref}/content/application~1json/schema`;
    return `#/paths/${escaped}/${op.method}/responses/${status}/content/application~1json/schema`;
  }

  /**
   * Errors of a response body against the official schema for its status.
   * One published defect is set aside: `ven` and `resource` are
   * allOf(objectMetadata, BL request) whose objectType enums (VEN vs
   * BL_VEN_REQUEST) exclude each other, so no object can satisfy both; the
   * BL request's enum alone is not held against a response.
   */
  responseErrors(op: OfficialOperation, status: number, body: unknown): string[] {
    const pointer = this.responsePointer(op, status);
    if (!pointer) return [`status ${status} is not specified for ${op.operationId}`];
    return this.errorsAt(pointer, body).filter(
      (e) => !/objectType must be equal to one of the allowed values \{"allowedValues":\["BL_(VEN|RESOURCE)_REQUEST"\]\}/.test(e),
    );
  }

  requestPointer(op: OfficialOperation): string | undefined {
    if (!op.requestSchema) return undefined;
    const escaped = op.path.replace(/~/g, '~0').replace(/\//g, '~1');
    return `#/paths/${escaped}/${op.method}/requestBody/content/${op.requestSchema.contentType.replace(/\//g, '~1')}/schema`;
  }
}

function dialectAdapted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dialectAdapted);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) out[key] = dialectAdapted(v);
  if (out.exclusiveMaximum === true && typeof out.maximum === 'number') {
    out.exclusiveMaximum = out.maximum;
    delete out.maximum;
  }
  return out;
}

/** Property names and required lists of a schema, following allOf and `$ref`s into the same document's schemas. */
export function schemaShape(
  schemas: Record<string, Json>,
  schema: Json | undefined,
  seen = new Set<string>(),
): { properties: Set<string>; required: Set<string> } {
  const properties = new Set<string>();
  const required = new Set<string>();
  if (!schema) return { properties, required };
  const ref = schema.$ref as string | undefined;
  if (ref) {
    const name = ref.split('/').pop()!;
    if (seen.has(name)) return { properties, required };
    return schemaShape(schemas, schemas[name], new Set([...seen, name]));
  }
  for (const part of (schema.allOf ?? []) as Json[]) {
    const inner = schemaShape(schemas, part, seen);
    inner.properties.forEach((p) => properties.add(p));
    inner.required.forEach((r) => required.add(r));
  }
  for (const p of Object.keys((schema.properties ?? {}) as Json)) properties.add(p);
  for (const r of (schema.required ?? []) as string[]) required.add(r);
  return { properties, required };
}

/**
 * Where our schemas fall short of the official ones: a schema missing
 * (`name: missing`), an official property missing (`name.prop: missing`), or
 * a property we require and the official schema does not.
 */
export function schemaCoverageProblems(officialSchemas: Record<string, Json>, mine: Record<string, Json>): string[] {
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(officialSchemas)) {
    if (!mine[name]) {
      problems.push(`${name}: missing`);
      continue;
    }
    const theirs = schemaShape(officialSchemas, schema);
    const our = schemaShape(mine, mine[name]);
    for (const p of theirs.properties) if (!our.properties.has(p)) problems.push(`${name}.${p}: missing`);
    for (const r of our.required) if (!theirs.required.has(r)) problems.push(`${name}.${r}: required by us only`);
  }
  return problems;
}

/** Our OpenAPI document as the coverage checks read it. */
export type OpenApiPaths = { paths: Record<string, Record<string, Json>> };

/**
 * Where our operations fall short of the official ones: an operation missing
 * (`METHOD /path: missing`), another operation id, a query parameter we lack,
 * or an official response status we do not declare (with `exactStatuses`,
 * any difference in the statuses). Also the counts a coverage line reports.
 */
export function operationCoverage(spec: OfficialSpec, ours: OpenApiPaths, options: { exactStatuses: boolean }) {
  const official = spec.operations();
  const problems: string[] = [];
  let covered = 0;
  for (const op of official) {
    const name = `${op.method.toUpperCase()} ${op.path}`;
    const mine = ours.paths[op.path]?.[op.method];
    if (!mine) {
      problems.push(`${name}: missing`);
      continue;
    }
    covered++;
    if (mine.operationId !== op.operationId) problems.push(`${name}: operation id ${String(mine.operationId)}, not ${op.operationId}`);
    const myQuery = new Set(((mine.parameters ?? []) as Json[]).filter((p) => p.in === 'query').map((p) => p.name));
    for (const p of op.parameters.filter((p) => p.in === 'query')) if (!myQuery.has(p.name)) problems.push(`${op.operationId} lacks query parameter ${p.name}`);
    const mineStatuses = Object.keys(mine.responses as Json).sort();
    const theirStatuses = Object.keys(op.responses).sort();
    if (options.exactStatuses ? mineStatuses.join() !== theirStatuses.join() : theirStatuses.some((s) => !mineStatuses.includes(s))) {
      problems.push(`${op.operationId} statuses ${mineStatuses.join(',')}, official ${theirStatuses.join(',')}`);
    }
  }
  const paths = Object.keys(spec.document.paths as Json);
  return { problems, operations: { covered, total: official.length }, paths: { covered: paths.filter((p) => ours.paths[p]).length, total: paths.length } };
}
