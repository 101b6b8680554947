import { Problem } from '../../protocol/problem.ts';
import { heavyTasks, type HeavyTaskName } from './tasks.ts';

/**
 * Child process of `HeavyWork`: runs one task at a time and answers with its
 * output or its problem. A task's `body` comes over stdin (`bodyBytes` of
 * it), the rest of its input as the message.
 */
interface Request {
  readonly id: number;
  readonly name: HeavyTaskName;
  readonly input: Record<string, unknown>;
  readonly bodyBytes?: number;
}

let waiting: Request | undefined;
let received: Buffer[] = [];
let receivedBytes = 0;

function run(request: Request, body: Buffer | undefined): void {
  try {
    const output = heavyTasks[request.name]((body ? { ...request.input, body } : request.input) as never);
    process.send?.({ id: request.id, ok: true, output });
  } catch (error) {
    if (error instanceof Problem) process.send?.({ id: request.id, ok: false, problem: error.items });
    else process.send?.({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

/** Runs the waiting task once its body has arrived in full. */
function runWhenComplete(): void {
  const request = waiting;
  if (!request || receivedBytes < (request.bodyBytes ?? 0)) return;
  waiting = undefined;
  if (request.bodyBytes === undefined) return run(request, undefined);
  const all = received.length === 1 ? received[0]! : Buffer.concat(received, receivedBytes);
  const rest = all.subarray(request.bodyBytes);
  received = rest.length > 0 ? [rest] : [];
  receivedBytes = rest.length;
  run(request, all.subarray(0, request.bodyBytes));
}

process.stdin.on('data', (chunk: Buffer) => {
  received.push(chunk);
  receivedBytes += chunk.length;
  runWhenComplete();
});
process.on('message', (request: Request) => {
  waiting = request;
  runWhenComplete();
});
// The gateway went away: nothing left to work for.
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
