import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { SignedResponse } from '../../../client/flexgateClient.ts';
import { refusalOf } from '../../../client/refusal.ts';
import type { CaseContext, Script } from '../caseContext.ts';
import { CaseFailed } from '../exchange.ts';
import type { PartyName } from '../../vectors/model.ts';

const LOOK_AHEADS = '/anm/v1/constraint-look-aheads';
const CIM = '/cim/v1/documents';

/** A refusal as it must be: 4xx problem+json. A fuzz input may be accepted only where the property allows it. */
function refusalDefect(response: SignedResponse): string | undefined {
  if (response.status >= 500) return `answered ${response.status}: ${response.text().slice(0, 300)}`;
  if (response.status >= 400 && !String(response.headers['content-type'] ?? '').startsWith('application/problem+json')) {
    return `refused with ${response.status} but not as problem+json (${String(response.headers['content-type'])})`;
  }
  return undefined;
}

/**
 * Runs a property with the run's seed and budget: at most `fuzzRuns`
 * inputs, stopped at the case's hard time limit. A failure reports the seed
 * and fast-check's shrunk counterexample, which `--seed` reproduces.
 */
async function check<T>(context: CaseContext, salt: number, arbitrary: fc.Arbitrary<T>, property: (input: T) => Promise<string | undefined>): Promise<void> {
  const seed = (context.seed + salt) | 0;
  const runs = Math.max(1, context.fuzzRuns);
  let executed = 0;
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (input) => {
      executed += 1;
      const defect = await property(input);
      if (defect) throw new CaseFailed(defect);
    }),
    { seed, numRuns: runs, interruptAfterTimeLimit: Math.max(1000, context.fuzzDeadline - Date.now()), markInterruptAsFailure: false, endOnFailure: false },
  );
  context.note(`fuzz seed ${seed}: ${executed} inputs${result.interrupted ? ' (stopped at the time limit)' : ''}`);
  if (result.failed) {
    const error = result.errorInstance as Error | undefined;
    throw new CaseFailed(
      `seed ${seed} (run with --seed ${context.seed}), shrunk counterexample ${JSON.stringify(result.counterexample)?.slice(0, 2000)}: ${error?.message ?? 'failed'}`,
    );
  }
}

/**
 * Sends, and again after `Retry-After` while the target answers 429
 * `request.rate-limited` (until the case's time limit): a fuzz case sends
 * faster than a target's per-party rate limit may allow, and the pacing is
 * a deployment's policy, not what the case checks. A refused request took
 * no message id or sequence number, so it is sent again as it was.
 */
async function paced(context: CaseContext, send: () => Promise<SignedResponse>): Promise<SignedResponse> {
  for (;;) {
    const response = await send();
    if (response.status !== 429 || !isRateLimited(response)) return response;
    const waitMs = Math.max(1, Number(response.headers['retry-after']) || 1) * 1000;
    if (Date.now() + waitMs > context.fuzzDeadline) return response;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

const isRateLimited = (response: SignedResponse) => refusalOf(response.status, response.body, 'fuzz case').code === 'request.rate-limited';

const boundaryNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 5e-324, 0.5, -0.0),
  fc.integer(),
  fc.double({ noNaN: true }),
);
const anyJson = fc.oneof(fc.string(), boundaryNumber, fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));

/** A valid look-ahead with one field mutated (removed, retyped, a boundary value) or garbage beside it. */
const mutatedLookAhead = fc
  .record({
    field: fc.constantFrom('constraintId', 'start', 'end', 'size_kW', 'resources', 'direction', 'extra'),
    value: fc.oneof(anyJson, fc.constant(undefined)),
    hours: fc.integer({ min: -48, max: 24 * 400 }),
  })
  .map(({ field, value, hours }) => {
    const constraint: Record<string, unknown> = {
      constraintId: 'FUZZ',
      start: '2031-10-18T08:00:00Z',
      end: new Date(Date.parse('2031-10-18T08:00:00Z') + hours * 3_600_000).toISOString(),
      size_kW: 100,
      resources: [{ resourceId: 'R1' }],
    };
    if (value === undefined) delete constraint[field];
    else constraint[field] = value;
    return { constraints: [constraint] };
  });

/** Mutated fields, types and boundary numbers in ANM JSON: accepted as valid, or refused 4xx problem+json; never 5xx. */
export const fuzzAnmJson: Script = async (context) => {
  const client = context.target.client('anm');
  await check(context, 1, fc.oneof(mutatedLookAhead, anyJson), async (document) => {
    const response = await paced(context, () => client.request('POST', LOOK_AHEADS, { body: JSON.stringify(document), contentType: 'application/json' }));
    return refusalDefect(response);
  });
};

/** Random bytes under the media types the gateway reads: refused 4xx problem+json, never 5xx or accepted. */
export const fuzzRandomBytes: Script = async (context) => {
  const client = context.target.client('anm');
  const input = fc.record({
    bytes: fc.uint8Array({ minLength: 0, maxLength: 4096 }),
    contentType: fc.constantFrom('application/json', 'text/tab-separated-values', 'text/csv', 'application/octet-stream', 'text/plain; charset=utf-16'),
  });
  await check(context, 2, input, async ({ bytes, contentType }) => {
    const response = await paced(context, () => client.request('POST', LOOK_AHEADS, { body: bytes, contentType }));
    if (response.status < 300) return `random bytes were accepted (${response.status})`;
    return refusalDefect(response);
  });
};

/** Hostile XML (entities, external entities, DOCTYPE, deep nesting, oversized text): refused, never 5xx or accepted. */
export const fuzzHostileXml: Script = async (context) => {
  const client = context.target.client('dso');
  const input = fc.oneof(
    fc.nat({ max: 5000 }).map((depth) => `${'<a>'.repeat(depth + 40)}${'</a>'.repeat(depth + 40)}`),
    fc.string({ maxLength: 40 }).map((name) => `<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/${encodeURIComponent(name)}">]><d>&x;</d>`),
    fc.integer({ min: 1, max: 12 }).map((levels) => {
      const entities = Array.from({ length: levels }, (_, k) => `<!ENTITY e${k + 1} "${`&e${k};`.repeat(10)}">`).join('');
      return `<!DOCTYPE d [<!ENTITY e0 "lol">${entities}]><d>&e${levels};</d>`;
    }),
    fc.string({ maxLength: 200 }).map((text) => `<?xml version="1.0"?><MeritOrderList_MarketDocument xmlns="urn:x">${text}`),
  );
  await check(context, 3, input, async (xml) => {
    const response = await paced(context, () => client.request('POST', CIM, { body: xml, contentType: 'application/xml' }));
    if (response.status < 300) return `hostile XML was accepted (${response.status})`;
    return refusalDefect(response);
  });
};

/**
 * Envelopes out of order: message ids used again with the same or other
 * content, sequence numbers repeated or lower, issue times skewed. A reused
 * id with the same content may be answered as the first time; anything else
 * reused, stale, early or out of sequence must be refused.
 */
export const fuzzEnvelopeOrder: Script = async (context) => {
  const party: PartyName = 'anm';
  const client = context.target.client(party);
  const input = fc.record({
    sameContent: fc.boolean(),
    reuseSequence: fc.boolean(),
    skewSeconds: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100_000, max: -130 }), fc.integer({ min: 130, max: 100_000 })),
  });
  await check(context, 4, input, async ({ sameContent, reuseSequence, skewSeconds }) => {
    const messageId = randomUUID();
    const sequence = context.target.nextSequence(party);
    const body = (size: number) =>
      JSON.stringify({
        constraints: [
          {
            constraintId: `F-${messageId.slice(0, 8)}`,
            start: '2031-10-18T08:00:00Z',
            end: '2031-10-18T09:00:00Z',
            size_kW: size,
            resources: [{ resourceId: 'R1' }],
          },
        ],
      });
    const issuedAt = new Date(Date.now() + skewSeconds * 1000);
    const first = await paced(context, () =>
      client.request('POST', LOOK_AHEADS, { body: body(100), contentType: 'application/json', envelope: { messageId, sequence, issuedAt } }),
    );
    const skewed = Math.abs(skewSeconds) > 120;
    if (skewed) return first.status < 300 ? `a signature issued ${skewSeconds} s from now was accepted` : refusalDefect(first);
    if (first.status !== 201) return `a valid look-ahead was answered ${first.status}: ${first.text().slice(0, 200)}`;
    const againSequence = reuseSequence ? sequence : context.target.nextSequence(party);
    const again = await paced(context, () =>
      client.request('POST', LOOK_AHEADS, {
        body: body(sameContent ? 100 : 101),
        contentType: 'application/json',
        envelope: { messageId, sequence: againSequence, issuedAt: new Date() },
      }),
    );
    if (sameContent && !reuseSequence && again.status === 201) return undefined;
    if (again.status < 300 && !(sameContent && again.body.equals(first.body))) {
      return `message id ${messageId} used again (${sameContent ? 'same' : 'other'} content, ${reuseSequence ? 'same' : 'new'} sequence) was accepted as new`;
    }
    return again.status < 300 ? undefined : refusalDefect(again);
  });
};
