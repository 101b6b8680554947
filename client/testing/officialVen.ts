import { FlexgateError } from '../../protocol/errors.ts';
import type { HttpAnswer, MtlsClient } from './mtlsClient.ts';
import type { OfficialSpec } from './officialSpec.ts';

export interface VenCall {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | string[]>;
  body?: Record<string, unknown>;
  /** Send the body even though the official schema refuses it (negative tests). */
  unchecked?: boolean;
  /** Another bearer token than the VEN's own (replay tests). */
  token?: string;
}

/** A call or an answer outside the official file's contract. */
export class OfficialContractError extends FlexgateError {
  readonly code = 'client.official-contract';
}

/**
 * A VEN that knows only an official OpenADR OpenAPI file: it finds
 * each operation's path, method, parameters and body media type there, sends
 * only bodies that file accepts, and checks every answer against the file's
 * schema for that status. Nothing here comes from flexgate's own definitions.
 */
export class OfficialVen {
  token: string | undefined;

  constructor(
    private readonly spec: OfficialSpec,
    readonly client: MtlsClient,
    private readonly base: string,
    /** Sees every answer (e.g. to check headers a version promises on all of them). */
    private readonly observe: (answer: HttpAnswer, operationId: string) => void = () => undefined,
  ) {}

  async call(operationId: string, call: VenCall = {}): Promise<HttpAnswer> {
    const op = this.spec.operation(operationId);
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = call.params?.[name];
      if (value === undefined) throw new OfficialContractError(`${operationId} needs path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (!op.parameters.some((p) => p.in === 'query' && p.name === name))
        throw new OfficialContractError(`${operationId} has no query parameter ${name} in the official file`);
      for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
    }
    const headers: Record<string, string> = {};
    const bearer = call.token ?? this.token;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      const pointer = this.spec.requestPointer(op);
      if (!pointer || !op.requestSchema) throw new OfficialContractError(`${operationId} takes no body in the official file`);
      const errors = this.spec.errorsAt(pointer, call.body);
      if (errors.length > 0 && !call.unchecked) throw new OfficialContractError(`The official file refuses this ${operationId} body: ${errors.join('; ')}`);
      headers['content-type'] = op.requestSchema.contentType;
      body =
        op.requestSchema.contentType === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(Object.entries(call.body).map(([k, v]): [string, string] => [k, String(v)])).toString()
          : JSON.stringify(call.body);
    }
    const query = search.toString();
    const answer = await this.client.request(op.method.toUpperCase(), `${this.base}${path}${query ? `?${query}` : ''}`, {
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    this.observe(answer, operationId);
    const errors = this.spec.responseErrors(op, answer.status, answer.json);
    if (errors.length > 0)
      throw new OfficialContractError(`${operationId} answered ${answer.status} outside the official contract: ${errors.join('; ')}\n${answer.text}`);
    return answer;
  }

  /** OAuth2 client credentials, as the official /auth/token operation describes them. */
  async obtainToken(clientId: string, clientSecret: string): Promise<string> {
    const answer = await this.call('fetchToken', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
    if (answer.status !== 200) throw new OfficialContractError(`No token: ${answer.status} ${answer.text}`);
    this.token = (answer.json as { access_token: string }).access_token;
    return this.token;
  }
}
