import { Type, type Static } from '@sinclair/typebox';
import { compileValidator } from '../../../protocol/jsonSchema.ts';
import { VectorStep } from '../../vectors/model.ts';
import type { CaseContext, Script } from '../caseContext.ts';
import type { ClientInvocation } from '../clientUnderTest/clientHarness.ts';
import { ENVELOPE_RULES, envelopeViolations, protectedHeaderOf } from '../clientUnderTest/envelopeRules.ts';
import { ANSWER_TREATMENTS, type AnswerTreatment, type RecordedRequest } from '../clientUnderTest/recordingProxy.ts';
import { CaseFailed, resolvePointer, substitute } from '../exchange.ts';
import { PartyUnavailable } from '../target.ts';

const Treatment = Type.Union(ANSWER_TREATMENTS.map((treatment) => Type.Literal(treatment)));

/** An order for the client under test: a document to send (its file name gives the format) or, without one, a path to read. */
const ClientOrder = Type.Object(
  {
    /** Starts with `/`, or with a captured `${name}` (a Location). */
    path: Type.String({ pattern: '^(/|\\$\\{)' }),
    document: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z0-9-]+\\.(tsv|csv|json|xml)$' }),
          text: Type.Optional(Type.String()),
          json: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const ClientStep = Type.Object(
  {
    client: ClientOrder,
    /** The gateway's answer to the client's request (the document is valid: this is what a correct client gets). */
    expect: Type.Object(
      { status: Type.Union([Type.Integer(), Type.Array(Type.Integer())]), json: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
      { additionalProperties: false },
    ),
    /** Values read from the gateway's answer (JSON pointer, or `header:<name>`) for `${name}` in later steps. */
    capture: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

/** The params of a client case: who the client acts as, what the suite does with the answers, the rules its requests are held to, and the steps. */
const ClientScenario = Type.Object(
  {
    party: Type.Union([Type.Literal('anm'), Type.Literal('dso')]),
    /** Applied to the client's steps; `forward` by default. */
    answer: Type.Optional(Treatment),
    /** Default: every envelope rule. */
    rules: Type.Optional(Type.Array(Type.Union(ENVELOPE_RULES.map((rule) => Type.Literal(rule))))),
    /** Steps of the client under test, or setup requests the suite sends itself as one of its parties. */
    steps: Type.Array(Type.Union([ClientStep, Type.Object({ suite: VectorStep }, { additionalProperties: false })]), { minItems: 1 }),
  },
  { additionalProperties: false },
);
type ClientScenario = Static<typeof ClientScenario>;
type ClientStep = Static<typeof ClientStep>;

const validateScenario = compileValidator(ClientScenario);

const FORGERIES: Partial<Record<AnswerTreatment, string>> = {
  unsigned: 'without the gateway signature',
  'forged-signature': 'signed in the gateway name by another key',
  'wrong-receipt': 'signed by the gateway with a receipt for another body',
  'altered-body': 'whose body was changed under the gateway signature',
  'relabelled-status': 'with another status than the one the gateway signed (sts)',
  'no-receipt': 'signed by the gateway as a success without the receipt (rcpt) for the request',
};

/**
 * The client roles' one script: the client under test carries out each
 * step's order against the suite's recording proxy, then its requests are
 * held to the envelope rules, the gateway's answers to the step's
 * expectation, and the client's exit status to what it should have made of
 * the answer it was given (dropped: retried with the same message; forged:
 * refused).
 */
export const clientScenario: Script = async (context, params) => {
  const harness = context.client;
  if (!harness) throw new PartyUnavailable('This case drives a client under test: run the anm-client and dso roles with --client-command');
  const scenario: ClientScenario = validateScenario(params);
  for (const step of scenario.steps) {
    if ('suite' in step) await context.step(step.suite);
    else await clientStep(context, scenario, substitute(step, context.variables));
  }
};

async function clientStep(context: CaseContext, scenario: ClientScenario, step: ClientStep): Promise<void> {
  const treatment = scenario.answer ?? 'forward';
  const { document } = step.client;
  const invocation = await context.client!.invoke(
    scenario.party,
    {
      path: step.client.path,
      ...(document
        ? { document: { name: document.name, bytes: Buffer.from(document.json === undefined ? (document.text ?? '') : JSON.stringify(document.json)) } }
        : {}),
    },
    treatment,
  );
  record(context, invocation);
  const { run, requests } = invocation;
  const order = `${document ? 'send' : 'read'} ${step.client.path}`;
  const ending = `exit ${run.code ?? 'none (stopped)'}${run.stderr.trim() ? `: ${tail(run.stderr)}` : ''}`;
  const last = requests.at(-1);
  if (!last) throw new CaseFailed(`${order}: the client sent no request (${ending})`);
  const found = await envelopeViolations(requests, invocation.earlier, scenario.rules ?? ENVELOPE_RULES, String(context.variables.get('gateway')));
  const statuses = Array.isArray(step.expect.status) ? step.expect.status : [step.expect.status];
  const answered = (request: RecordedRequest) =>
    request.answer ? `${request.answer.status} ${tail(request.answer.body.toString('utf8'))}` : (request.error ?? 'no answer');
  if (treatment in FORGERIES) {
    if (!statuses.includes(last.answer?.status ?? 0))
      throw new CaseFailed(`${order}: the gateway answered ${answered(last)}, so the forged answer tests nothing`);
    if (run.code === 0) found.push(`the client accepted an answer ${FORGERIES[treatment]} (exit 0); it must refuse it`);
  } else {
    if (treatment === 'drop-first') found.push(...retryViolations(requests));
    else if (requests.length > 1) found.push(`${requests.length} requests for one order; one was expected`);
    if (!statuses.includes(last.answer?.status ?? 0)) found.push(`the gateway answered ${answered(last)}, expected ${statuses.join(' or ')}`);
    else if (run.code !== 0) found.push(`the gateway accepted the request but the client reported failure (${ending})`);
    const body = jsonOf(last.answer?.body);
    for (const [pointer, value] of Object.entries(step.expect.json ?? {})) {
      const actual = resolvePointer(body, pointer);
      if (JSON.stringify(actual) !== JSON.stringify(value))
        found.push(`the answer's ${pointer} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
    }
  }
  if (found.length) throw new CaseFailed(`${order}: ${found.join('; ')}`);
  for (const [name, source] of Object.entries(step.capture ?? {})) {
    const value = source.startsWith('header:') ? last.answer?.headers[source.slice(7).toLowerCase()] : resolvePointer(jsonOf(last.answer?.body), source);
    if (value === undefined) throw new CaseFailed(`could not read ${source} from the gateway's answer to capture ${name}`);
    context.variables.set(name, value);
  }
}

/** After a dropped answer: sent again, with the first request's message id, method, path and body. */
function retryViolations(requests: readonly RecordedRequest[]): string[] {
  const [first, ...retries] = requests;
  if (!first || first.delivered !== 'dropped') return ['the first answer was not dropped (the client sent nothing before it)'];
  if (!retries.length) return ['the answer was dropped and the client did not send the request again'];
  const messageId = protectedHeaderOf(first)?.jti;
  return retries.flatMap((retry, index) => {
    const found: string[] = [];
    if (protectedHeaderOf(retry)?.jti !== messageId)
      found.push(`retry ${index + 1} carries message id ${String(protectedHeaderOf(retry)?.jti)}, not the first request's ${String(messageId)}`);
    if (!retry.body.equals(first.body) || retry.method !== first.method || retry.path !== first.path)
      found.push(`retry ${index + 1} is not the same request (method, path or body changed)`);
    return found;
  });
}

function jsonOf(body: Buffer | undefined): unknown {
  try {
    return body?.length ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

const PREVIEW = 2000;
const tail = (text: string) => (text.trim().length > 300 ? `…${text.trim().slice(-300)}` : text.trim());
const preview = (bytes: Buffer) => {
  const text = bytes.toString('utf8');
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}… (${text.length} characters)` : text;
};

/** The client's requests and the answers it was given, for the report. */
function record(context: CaseContext, { run, requests }: ClientInvocation): void {
  context.note(`client: ${run.command} → exit ${run.code ?? 'none'}${run.stderr.trim() ? `; stderr: ${tail(run.stderr)}` : ''}`);
  for (const request of requests) {
    const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    context.exchanges.push({
      party: request.party,
      request: { method: request.method, path: request.path, headers, body: preview(request.body) },
      ...(request.answer
        ? {
            response: {
              status: request.answer.status,
              contentType: String(request.answer.headers['content-type'] ?? ''),
              body: `${request.delivered === 'as-is' ? '' : `[delivered ${request.delivered}] `}${preview(request.answer.body)}`,
            },
          }
        : {}),
      ...(request.error ? { error: request.error } : {}),
    });
  }
}
