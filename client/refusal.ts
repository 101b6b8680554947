import { PROBLEM_TYPE_PREFIX, type ProblemDetailItem } from '../schemas/problems.ts';
import { FlexgateError } from '../protocol/errors.ts';

/** A problem document (RFC 9457) as a gateway sends it; token refusals also carry RFC 6749's `error`. */
export interface RefusalDocument {
  type: string;
  title?: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: ProblemDetailItem[];
  /** RFC 6749 §5.2, on /auth/token refusals. */
  error?: string;
  error_description?: string;
}

/**
 * The gateway refused a request. `code` is the problem's catalogue code
 * (`openadr.not-found`, `anm.order-gap`, …; `urn:flexgate:problem:` taken
 * off), so callers branch on it as on any coded error; `problem` is the whole
 * document, `errors[]` (each violation with its JSON pointer) included.
 */
export class GatewayRefusal extends FlexgateError {
  readonly code: string;

  constructor(
    readonly status: number,
    readonly problem: RefusalDocument,
    context: string,
    /** The answer's headers (`WWW-Authenticate`, `Retry-After`, …). */
    readonly headers: Record<string, string | string[] | undefined> = {},
  ) {
    super(`${context}: ${status} ${problem.title ?? ''}${problem.detail ? ` — ${problem.detail}` : ''}`.replace(/ {2,}/g, ' '));
    this.code = problem.type.startsWith(PROBLEM_TYPE_PREFIX) ? problem.type.slice(PROBLEM_TYPE_PREFIX.length) : problem.type;
  }
}

/** A 2xx answer whose body is not what the API defines (a schema violation, or not JSON at all). */
export class ResponseInvalid extends FlexgateError {
  readonly code = 'client.response-invalid';
}

/**
 * The refusal an answer carries: its problem+json document, or, for a body
 * that is none (a proxy's HTML page, an empty 502), one made from the status
 * and the first characters of the body.
 */
export function refusalOf(status: number, body: Buffer, context: string, headers: Record<string, string | string[] | undefined> = {}): GatewayRefusal {
  let document: RefusalDocument | undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<RefusalDocument> | null;
    if (parsed && typeof parsed === 'object' && typeof parsed.type === 'string') document = { ...parsed, type: parsed.type, status: parsed.status ?? status };
  } catch {
    document = undefined;
  }
  const excerpt = body.toString('utf8').slice(0, 300).trim();
  return new GatewayRefusal(status, document ?? { type: 'about:blank', status, ...(excerpt ? { detail: excerpt } : {}) }, context, headers);
}
