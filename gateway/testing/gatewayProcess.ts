import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { LOOPBACK_EGRESS } from '../delivery/egress.ts';

/** The executable users run: the compiled `flexgate`, built (incrementally) before the first process test so it is never stale. */
export const FLEXGATE_BIN = join(PACKAGE_ROOT, 'dist', 'bin', 'flexgate.js');

let built = false;
/** Builds dist/ (incrementally), once per process. */
export function buildProduct(): void {
  if (built) return;
  execFileSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(PACKAGE_ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  built = true;
}

export interface GatewayProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything the process wrote to stderr so far (its JSON log). */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts `flexgate serve` as a real process and waits for its "listening" line. */
export async function startGatewayProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  buildProduct();
  // Test webhook receivers listen on loopback, which the gateway refuses by default.
  const egress = args.includes('--egress-allow') ? [] : ['--egress-allow', LOOPBACK_EGRESS.join(',')];
  const child = spawn(process.execPath, [FLEXGATE_BIN, 'serve', '--port', '0', ...egress, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`flexgate did not start within 30 s:\n${stderr}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^flexgate listening on (\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`flexgate exited (${code}) before listening:\n${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr, exited };
}

export interface CliRun {
  /** Exit code; null when the process ended on a signal or the timeout. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `flexgate` executable to completion (at most a minute). */
export function runFlexgate(...args: string[]): Promise<CliRun> {
  buildProduct();
  return new Promise((resolve) => {
    execFile(process.execPath, [FLEXGATE_BIN, ...args], { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
