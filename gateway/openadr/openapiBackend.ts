import type { Request, RequestHandler, Response } from 'express';
import { OpenAPIBackend, type Context } from 'openapi-backend';
import { withWireFormats } from '../../schemas/openadr/formats.ts';
import { Problem } from '../../protocol/problem.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import { requestViolations } from './requestViolations.ts';
import { tokenRequestProblem } from './tokenEndpoint.ts';

export type OperationHandler = (c: Context, req: Request, res: Response) => Promise<void>;

/** A request handler that can answer only once its document's validators are compiled (`ready`). */
export type OpenadrBackend = RequestHandler & { ready: Promise<void> };

/**
 * One OpenADR version's document as a request handler: the body parsed,
 * validated against the document (every failure reported, bounded, not only
 * the first), each of `operationIds` to `handle`, and unknown paths and
 * methods as problems. Tokens are checked in `handle`, where a refusal keeps
 * its own problem type; openapi-backend's schemes only pass the request on.
 * Only request validators are compiled (the gateway validates what it
 * receives; its answers are checked by the tests against the official
 * documents), and the document is not checked against the OpenAPI and JSON
 * Schema meta-schemas at each start: it is flexgate's own, checked once by
 * openapiBackend.test.ts. Compiling still takes a second or so: the gateway
 * awaits `ready` before it reports itself started.
 */
export function openadrBackend(options: {
  definition: object;
  version: '3.1.0' | '3.0.1';
  basePath: string;
  operationIds: readonly string[];
  handle: OperationHandler;
}): OpenadrBackend {
  const { basePath, version } = options;
  const api = new OpenAPIBackend({
    definition: structuredClone(options.definition) as never,
    strict: true,
    validate: true,
    coerceTypes: true,
    // No definition check and lazy validators: the request validators are compiled below, before `ready`.
    quick: true,
    ajvOpts: { allErrors: true, validateSchema: false },
    customizeAjv: (ajv) => withWireFormats(ajv),
  });
  api.register({
    ...Object.fromEntries(options.operationIds.map((id) => [id, options.handle])),
    validationFail: (c: Context) => {
      throw c.operation?.operationId === 'fetchToken' ? tokenRequestProblem(c) : validationProblem(c, version);
    },
    notFound: (c: Context) => {
      throw new Problem('request.not-found', `Nothing at ${c.request.method.toUpperCase()} ${basePath}${c.request.path}`);
    },
    methodNotAllowed: (c: Context) => {
      throw new Problem('request.method-not-allowed', `${c.request.method.toUpperCase()} is not an operation of ${basePath}${c.request.path}`);
    },
  });
  api.registerSecurityHandler('oAuth2ClientCredentials', () => true);
  api.registerSecurityHandler('bearerAuth', () => true);
  const ready = api.init().then(() => api.validator.preCompileRequestValidators());
  // Awaited by every request too; marked handled here so a failing document is reported by whoever awaits it, not as an unhandled rejection.
  ready.catch(() => undefined);
  const serve: RequestHandler = async (req, res) => {
    await ready;
    const body = parseBody(req.headers['content-type'], Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    await api.handleRequest({ method: req.method, path: req.url, headers: req.headers as Record<string, string>, body }, req, res);
  };
  return Object.assign(serve, { ready });
}

/** Every violation of an OpenADR request (bounded), each with its JSON pointer. */
function validationProblem(c: Context, version: string): Problem {
  const items = requestViolations(c.validation.errors ?? [], 'openadr.invalid-request');
  return items.length > 0 ? Problem.of(items) : new Problem('openadr.invalid-request', `The request does not match the OpenADR ${version} specification`);
}

/**
 * The body as openapi-backend validates it: JSON for the API, the form for
 * /auth/token. Another media type is refused as the specification's 400.
 */
export function parseBody(contentType: string | undefined, bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return parseJson(decodeUtf8(bytes));
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(decodeUtf8(bytes));
    const repeated = [...form.keys()].find((key, i, keys) => keys.indexOf(key) !== i);
    // RFC 6749 §3.2: request parameters must not be included more than once.
    if (repeated) throw new Problem('openadr.token-invalid-request', `Parameter ${repeated} is repeated: send each once`, { pointer: `/${repeated}` });
    return Object.fromEntries(form);
  }
  throw new Problem('openadr.invalid-request', `Content-Type ${mediaType || '(none)'} is not accepted; send application/json`);
}
