import type { Script } from '../caseContext.ts';
import { CaseFailed, mismatches } from '../exchange.ts';
import type { VectorStep } from '../../vectors/model.ts';

// The longest names a resource may have make a document large (offloaded to the heavy-work children) in few rows (quick to process).
const ROW = `1\tB1\tG1\t${'A'.repeat(200)}\tConstrainedDemand\t0\tkW\t700\t1200\tBuyer\tfalse\ttrue\n`;
const HEADER =
  'Order\tContract Id\tResource Id\tResource Name\tOperation Type\tValue\tValue Units\tMIC kW\tMEC kW\tActivity\tTraded\tRegistered\n17/10/2031 14:00\n';

/**
 * Large documents sent all at once are either processed or refused 503
 * `work.overloaded`, never queued without bound: `documents` merit order
 * lists of `rows` rows each, large enough to be worked off the event loop
 * (every row at position 1, so each processed one is refused
 * `anm.order-duplicate` and nothing is stored) go out together,
 * and at least one must be refused for overload.
 */
export const heavyWorkOverload: Script = async (context, params) => {
  const documents = Number(params.documents ?? 40);
  const step: VectorStep = {
    as: 'anm',
    request: {
      method: 'POST',
      path: '/anm/v1/merit-order-lists',
      contentType: 'text/tab-separated-values',
      repeat: [
        { text: HEADER, times: 1 },
        { text: ROW, times: Number(params.rows ?? 270) },
      ],
    },
    expect: { status: [422, 503] },
  };
  // One connection each, opened beforehand, so the documents arrive together rather than one handshake apart.
  const client = context.target.client('anm');
  await Promise.all(Array.from({ length: documents }, () => client.request('GET', '/anm/v1/merit-order-lists?limit=1')));
  const answers = await Promise.all(Array.from({ length: documents }, () => context.send(step)));
  const overloaded = { status: 503, problem: 'work.overloaded' };
  const processed = { status: 422, problem: 'anm.order-duplicate' };
  const outcomes = answers.map((answer) => {
    if (!mismatches(overloaded, answer, context.variables).length) return 'overloaded';
    const found = mismatches(processed, answer, context.variables);
    return found.length ? `unexpected: ${found.join('; ')}` : 'processed';
  });
  context.note(
    `${documents} documents at once: ${outcomes.filter((o) => o === 'processed').length} processed, ${outcomes.filter((o) => o === 'overloaded').length} refused for overload`,
  );
  const unexpected = outcomes.find((outcome) => outcome.startsWith('unexpected'));
  if (unexpected) throw new CaseFailed(`a document was answered neither 422 anm.order-duplicate nor 503 work.overloaded (${unexpected})`);
  if (!outcomes.includes('overloaded')) throw new CaseFailed(`${documents} large documents sent at once were all queued; none was refused work.overloaded`);
};
