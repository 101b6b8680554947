import { Problem } from '../../protocol/problem.ts';
import { heavyTasks, type HeavyTaskName } from './tasks.ts';

/** Child process of `HeavyWork`: runs one task at a time and answers with its output or its problem. */
interface Request {
  readonly id: number;
  readonly name: HeavyTaskName;
  readonly input: unknown;
}

process.on('message', (request: Request) => {
  try {
    const output = heavyTasks[request.name](request.input as never);
    process.send?.({ id: request.id, ok: true, output });
  } catch (error) {
    if (error instanceof Problem) process.send?.({ id: request.id, ok: false, problem: error.items });
    else process.send?.({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
// The gateway went away: nothing left to work for.
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
