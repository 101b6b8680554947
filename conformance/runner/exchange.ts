import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { SignedRequest, SignedResponse } from '../../client/flexgateClient.ts';
import { apiVersionFor, signEnvelope, signerFromCredentials, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { certificateThumbprint } from '../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { CRITICAL_MEMBERS, type ApiVersion } from '../../schemas/envelope.ts';
import { PROBLEM_TYPE_PREFIX } from '../../schemas/problems.ts';
import type { Expectation, PartyName, VectorRequest, VectorStep } from '../vectors/model.ts';
import { RecordingTransport } from './recordingTransport.ts';
import type { Target } from './target.ts';

/** One request and its answer as a report shows them (bodies cut to a readable length). */
export interface Exchange {
  party: string;
  request: { method: string; path: string; headers: Record<string, string>; body: string };
  response?: { status: number; contentType: string; body: string };
  error?: string;
}

/** The implementation answered otherwise than the case expects. */
export class CaseFailed extends FlexgateError {
  readonly code = 'conformance.case-failed';
}

export type Variables = Map<string, unknown>;

const PREVIEW = 4000;
const preview = (bytes: Buffer | string) => {
  const text = typeof bytes === 'string' ? bytes : printable(bytes);
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}… (${text.length} characters)` : text;
};
const printable = (bytes: Buffer) => (isUtf8(bytes) ? bytes.toString('utf8') : `base64:${bytes.toString('base64')}`);
const isUtf8 = (bytes: Buffer) => Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

/** `${name}` replaced from the variables: a whole-string reference keeps the value's type. */
export function substitute<T>(value: T, variables: Variables): T {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(value);
    if (whole && variables.has(whole[1]!)) return variables.get(whole[1]!) as T;
    return value.replace(/\$\{([A-Za-z0-9_.-]+)\}/g, (reference, name: string) => (variables.has(name) ? String(variables.get(name)) : reference)) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => substitute(item, variables)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, variables)])) as T;
  }
  return value;
}

export function bodyOf(request: VectorRequest): { body: Buffer; contentType?: string } {
  if (request.json !== undefined) return { body: Buffer.from(JSON.stringify(request.json)), contentType: request.contentType ?? 'application/json' };
  const contentType = request.contentType === undefined ? {} : { contentType: request.contentType };
  if (request.text !== undefined) return { body: Buffer.from(request.text), ...contentType };
  if (request.base64 !== undefined) return { body: Buffer.from(request.base64, 'base64'), ...contentType };
  if (request.repeat !== undefined) return { body: Buffer.from(request.repeat.map(repeated).join('')), ...contentType };
  return { body: Buffer.alloc(0), ...contentType };
}

function repeated({ text, times, counter }: NonNullable<VectorRequest['repeat']>[number]): string {
  if (counter === undefined) return text.repeat(times);
  return Array.from({ length: times }, (_, n) => text.replaceAll(counter, String(n))).join('');
}

/** Sends one step as its party, with the signature and token the step asks for. */
export async function sendStep(target: Target, step: VectorStep, variables: Variables): Promise<{ exchange: Exchange; response?: SignedResponse }> {
  const request = substitute(step.request, variables);
  const { body, contentType } = bodyOf(request);
  const client = target.client(step.as);
  const headers: Record<string, string> = { ...request.headers };
  if (request.auth === 'bearer') headers.authorization = `Bearer ${await target.bearer(step.as)}`;
  else if (typeof request.auth === 'object')
    headers.authorization = `Bearer ${'token' in request.auth ? request.auth.token : await target.bearer(request.auth.tokenOf)}`;
  const options: SignedRequest = {
    body,
    headers,
    ...(contentType ? { contentType } : {}),
    ...(await signatureOptions(target, step.as, request, body, variables)),
  };
  const exchange: Exchange = {
    party: client.party,
    request: {
      method: request.method,
      path: request.path,
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...redacted(headers) },
      body: preview(body),
    },
  };
  try {
    const response = await client.request(request.method, request.path, options);
    const type = response.headers['content-type'];
    exchange.response = { status: response.status, contentType: typeof type === 'string' ? type : '', body: preview(response.body) };
    return { exchange, response };
  } catch (error) {
    exchange.error = `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`;
    const raw = client.transport instanceof RecordingTransport ? client.transport.last : undefined;
    if (raw) exchange.response = { status: raw.status, contentType: String(raw.headers['content-type'] ?? ''), body: preview(raw.body) };
    return { exchange };
  }
}

const redacted = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, name.toLowerCase() === 'authorization' ? value.replace(/ .*/, ' …') : value]));

const LAST_SIGNATURE = 'signature.last';

async function signatureOptions(target: Target, party: PartyName, request: VectorRequest, body: Buffer, variables: Variables): Promise<SignedRequest> {
  const envelope = request.envelope ?? {};
  const claims: SignedRequest['envelope'] = {
    ...(envelope.audience ? { audience: envelope.audience } : {}),
    ...(envelope.method ? { method: envelope.method } : {}),
    ...(envelope.path ? { path: envelope.path } : {}),
    ...(envelope.apiVersion ? { apiVersion: envelope.apiVersion as ApiVersion } : {}),
    ...(envelope.messageId ? { messageId: envelope.messageId } : {}),
    ...(envelope.sequence ? { sequence: envelope.sequence } : {}),
    ...(envelope.issuedAtOffsetSeconds === undefined ? {} : { issuedAt: new Date(Date.now() + envelope.issuedAtOffsetSeconds * 1000) }),
  };
  const signature = request.signature ?? 'valid';
  if (signature === 'none') return { signature: null };
  if (signature === 'previous') {
    const previous = variables.get(LAST_SIGNATURE);
    if (typeof previous !== 'string') throw new CaseFailed('signature: previous needs a signed step before it');
    return { signature: previous };
  }
  if (signature === 'garbage') return { signature: 'eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.c2ln' };
  const own = signerFromCredentials(target.credentials(party));
  if (signature === 'valid' || signature === 'other-body') {
    const gateway = await target.gatewayIdentity();
    const signed = signature === 'valid' ? body : Buffer.concat([body, Buffer.from(' ')]);
    const base = {
      audience: gateway.party,
      sequence: target.nextSequence(party),
      method: request.method,
      path: request.path,
      apiVersion: apiVersionFor(request.path),
    };
    const header = await signEnvelope(own, { ...base, ...claims }, signed);
    variables.set(LAST_SIGNATURE, header);
    return { signature: header };
  }
  if (signature === 'unknown-key') {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer: EnvelopeSigner = { issuer: own.issuer, key: privateKey, certificateThumbprint: randomBytes(32).toString('base64url') };
    return { signer, envelope: { sequence: target.nextSequence(party), ...claims } };
  }
  if ('forged' in signature) return { signature: await forgedSignature(target, party, own, request, signature.forged) };
  if ('issuer' in signature) return { signer: { ...own, issuer: signature.issuer }, envelope: { sequence: target.nextSequence(party), ...claims } };
  const chain = splitPemCertificates(target.credentials(signature.certificateOf).cert);
  const other = signerFromCredentials(target.credentials(signature.certificateOf));
  return {
    signer: { ...other, issuer: own.issuer, x5c: chain, certificateThumbprint: certificateThumbprint(chain[0]!) },
    envelope: { sequence: target.nextSequence(party), ...claims },
  };
}

/** A protected header of our choosing with a random signature: for refusals that come before the signature check. */
async function forgedSignature(
  target: Target,
  party: PartyName,
  own: EnvelopeSigner,
  request: VectorRequest,
  overrides: Record<string, unknown>,
): Promise<string> {
  const gateway = await target.gatewayIdentity();
  const header: Record<string, unknown> = {
    alg: 'ES256',
    kid: own.certificateThumbprint,
    'x5t#S256': own.certificateThumbprint,
    b64: false,
    crit: [...CRITICAL_MEMBERS],
    iss: own.issuer,
    aud: gateway.party,
    jti: randomUUID(),
    seq: target.nextSequence(party),
    iat: Math.floor(Date.now() / 1000),
    ver: apiVersionFor(request.path),
    htm: request.method,
    htu: request.path,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete header[name];
    else header[name] = value;
  }
  const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  return `${b64url(JSON.stringify(header))}..${b64url(randomBytes(64))}`;
}

/** Every way the answer differs from the expectation; empty when it holds. */
export function mismatches(expect: Expectation, response: SignedResponse | undefined, variables: Variables): string[] {
  if (!response) return ['no answer (see the exchange)'];
  const wanted = substitute(expect, variables);
  const found: string[] = [];
  const statuses = Array.isArray(wanted.status) ? wanted.status : [wanted.status];
  if (!statuses.includes(response.status)) found.push(`status ${response.status}, expected ${statuses.join(' or ')}`);
  const contentType = String(response.headers['content-type'] ?? '');
  let body: unknown;
  try {
    body = response.body.length ? JSON.parse(response.body.toString('utf8')) : undefined;
  } catch {
    body = undefined;
  }
  if (wanted.problem !== undefined && wanted.acknowledgement) {
    const text = response.body.toString('utf8');
    if (!contentType.startsWith('application/xml')) found.push(`content type "${contentType}", expected an application/xml acknowledgement`);
    if (!/<code>A02<\/code>/.test(text)) found.push('the acknowledgement does not reject the document (no reason A02)');
    if (!text.includes(PROBLEM_TYPE_PREFIX + wanted.problem)) found.push(`the acknowledgement does not name ${PROBLEM_TYPE_PREFIX}${wanted.problem}`);
  } else if (wanted.problem !== undefined) {
    const problem = body as { type?: unknown; status?: unknown; title?: unknown } | undefined;
    if (!contentType.startsWith('application/problem+json')) found.push(`content type "${contentType}", expected application/problem+json`);
    if (problem?.type !== PROBLEM_TYPE_PREFIX + wanted.problem)
      found.push(`problem type ${String(problem?.type)}, expected ${PROBLEM_TYPE_PREFIX}${wanted.problem}`);
    if (problem?.status !== response.status) found.push(`problem status member ${String(problem?.status)} differs from the HTTP status ${response.status}`);
    if (typeof problem?.title !== 'string') found.push('problem has no title');
  }
  if (wanted.contentType !== undefined && !contentType.startsWith(wanted.contentType))
    found.push(`content type "${contentType}", expected ${wanted.contentType}`);
  for (const [pointer, value] of Object.entries(wanted.json ?? {})) {
    const actual = resolvePointer(body, pointer);
    if (!isDeepStrictEqual(actual, value)) found.push(`${pointer || 'body'} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
  }
  for (const pointer of wanted.absent ?? []) {
    if (resolvePointer(body, pointer) !== undefined) found.push(`${pointer} is present, and must not be`);
  }
  if (wanted.count) {
    const list = resolvePointer(body, wanted.count.pointer);
    const length = Array.isArray(list) ? list.length : -1;
    if (length < 0) found.push(`${wanted.count.pointer || 'body'} is not an array`);
    else if ((wanted.count.min !== undefined && length < wanted.count.min) || (wanted.count.max !== undefined && length > wanted.count.max)) {
      found.push(`${wanted.count.pointer || 'body'} holds ${length} items, expected ${wanted.count.min ?? 0}..${wanted.count.max ?? '∞'}`);
    }
  }
  const ids = Array.isArray(body) ? body.map((item) => (item as { id?: unknown }).id) : [];
  if (wanted.includesId !== undefined && !ids.includes(wanted.includesId)) found.push(`the list holds no object with id ${wanted.includesId}`);
  if (wanted.excludesId !== undefined && ids.includes(wanted.excludesId))
    found.push(`the list discloses the object ${wanted.excludesId}, which the caller may not see`);
  return found;
}

/** RFC 6901. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current = document;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Reads the captures a step asks for: a JSON pointer, or `header:<name>`. */
export function capture(step: VectorStep, response: SignedResponse | undefined, variables: Variables): void {
  if (!step.capture || !response) return;
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    body = undefined;
  }
  for (const [name, source] of Object.entries(step.capture)) {
    const value = source.startsWith('header:') ? response.headers[source.slice(7).toLowerCase()] : resolvePointer(body, source);
    if (value === undefined) throw new CaseFailed(`could not read ${source} from the answer to capture ${name}`);
    variables.set(name, value);
  }
}
