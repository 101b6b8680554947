import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';

/**
 * Benchmarks that must not share a process with the runner (the baseline's
 * core, a load generator) run as a module of their own: `runInChild` forks
 * it with tsx and resolves with the one message it sends back.
 */
export function runInChild<T>(moduleUrl: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(moduleUrl), args, { execArgv: ['--import', 'tsx'], cwd: PACKAGE_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: { value: T } | undefined;
    child.once('message', (message) => (answer = { value: message as T }));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (answer && code === 0) resolve(answer.value);
      else reject(new Error(`${fileURLToPath(moduleUrl)} ${args.join(' ')} ended with ${code ?? signal} ${answer ? '' : 'before answering'}`));
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
