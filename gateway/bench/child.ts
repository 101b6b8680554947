import { fork } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';

/**
 * Benchmarks that must not share a process with the runner (the baseline's
 * core, a load generator) run as a module of their own: `runInChild` forks
 * it with tsx, or `compiled` its build in dist/ with plain node (built
 * beforehand), and resolves with the one message it sends back.
 */
export function runInChild<T>(moduleUrl: string, args: string[], options: { compiled?: boolean } = {}): Promise<T> {
  const source = fileURLToPath(moduleUrl);
  const [entry, execArgv] = options.compiled
    ? [join(PACKAGE_ROOT, 'dist', relative(PACKAGE_ROOT, source)).replace(/\.ts$/, '.js'), []]
    : [source, ['--import', 'tsx']];
  return new Promise((resolve, reject) => {
    const child = fork(entry, args, { execArgv, cwd: PACKAGE_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: { value: T } | undefined;
    child.once('message', (message) => (answer = { value: message as T }));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (answer && code === 0) resolve(answer.value);
      else reject(new Error(`${entry} ${args.join(' ')} ended with ${code ?? signal} ${answer ? '' : 'before answering'}`));
    });
  });
}

/** True in the process `runInChild` started for this module. */
export function isChildEntry(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === moduleUrl && typeof process.send === 'function';
}

/** Sends the child's answer and lets the process end once it is delivered. */
export function answerParent(value: unknown): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(value, (error: Error | null) => {
      if (error) reject(error);
      else {
        process.disconnect();
        resolve();
      }
    }),
  );
}
