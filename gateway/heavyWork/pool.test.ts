import assert from 'node:assert/strict';
import { Problem } from '../../protocol/problem.ts';
import { DEFAULT_BUDGETS } from '../budgets.ts';
import { HeavyWork, INLINE_BYTES } from './pool.ts';
import { heavyTasks } from './tasks.ts';

const MOL_HEADER = 'Order\tContract Id\tResource Id\tOperation Type\tValue\tValue Units\tMIC kW\tMEC kW\tActivity\tTraded\tRegistered';
const molTable = (n: number) =>
  Buffer.from(
    [MOL_HEADER, ...Array.from({ length: n }, (_, k) => `${k + 1}\tC${k + 1}\tR${k + 1}\tConstrainedDemand\t0\tkW\t700\t1200\tBuyer\tfalse\ttrue`)].join('\n'),
  );
const decodeInput = (body: Buffer) => ({ kind: 'merit-order-list' as const, body, mediaType: 'text/tab-separated-values' as const, limits: DEFAULT_BUDGETS });

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'accepted';
  } catch (error) {
    return error instanceof Problem ? error.code : String(error);
  }
}

describe('heavy work off the event loop', function () {
  // Children start under tsx on a loaded machine.
  this.timeout(120_000);
  let work: HeavyWork;
  afterEach(() => work?.close());

  it('decodes a large document in a child exactly as inline', async () => {
    work = new HeavyWork({ timeoutMs: 60_000, size: 1 });
    const body = molTable(2_000);
    assert.ok(body.length >= INLINE_BYTES);
    assert.deepEqual(await work.run('decodeAnm', decodeInput(body), body.length), heavyTasks.decodeAnm(decodeInput(body)));
  });

  it("carries a child's refusal back as the same problem", async () => {
    work = new HeavyWork({ timeoutMs: 60_000, size: 1 });
    const body = Buffer.concat([molTable(2_000), Buffer.from('\n2001\tC1\tR1\tConstrainedDemand\t0\tkW\t700\t1200\tBuyer\tfalse\ttrue')]);
    assert.equal(await refusal(work.offload('decodeAnm', decodeInput(body))), 'anm.contract-duplicate');
  });

  it('stops a task over its time budget (work.too-costly) and goes on with the next', async () => {
    work = new HeavyWork({ timeoutMs: 1, size: 1 });
    assert.equal(await refusal(work.offload('decodeAnm', decodeInput(molTable(20_000)))), 'work.too-costly');
    assert.equal(await refusal(work.offload('decodeAnm', decodeInput(molTable(20_000)))), 'work.too-costly');
  });

  it('refuses at once when too many tasks wait (work.overloaded)', async () => {
    work = new HeavyWork({ timeoutMs: 60_000, size: 1, maxQueued: 1 });
    const first = work.offload('decodeAnm', decodeInput(molTable(10)));
    assert.equal(await refusal(work.offload('decodeAnm', decodeInput(molTable(10)))), 'work.overloaded');
    assert.equal(await refusal(first), 'accepted');
  });
});
