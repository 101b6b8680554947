import { spawn } from 'node:child_process';
import type { VenEnvironment } from './testVtn.ts';

/** A VEN the suite started (or was told is running): its output for the report, and how to stop it. */
export interface RunningVen {
  /** The last of what it printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the VEN under test with its environment. */
export type VenLauncher = (env: VenEnvironment) => Promise<RunningVen>;

const OUTPUT_KEPT = 20_000;

/**
 * The VEN as a shell command (`--ven-command`), started with the VEN's
 * variables in its environment and stopped with SIGTERM to its process
 * group (SIGKILL five seconds later) when the programme ends.
 */
export function commandLauncher(command: string): VenLauncher {
  return async (env) => {
    const child = spawn('/bin/sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_KEPT));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const signal = (name: NodeJS.Signals) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, name);
      } catch {
        // The group ended between the check and the signal.
      }
    };
    return {
      output: () => output,
      async stop() {
        signal('SIGTERM');
        const killer = setTimeout(() => signal('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      },
    };
  };
}

/** No command: the VEN variables are printed and the operator starts the VEN by hand; the programme waits `waitSeconds` for it to register. */
export function printedLauncher(print: (text: string) => void): VenLauncher {
  return async (env) => {
    print(
      `Start the VEN under test with these variables:\n${Object.entries(env)
        .map(([name, value]) => `  export ${name}=${JSON.stringify(value)}`)
        .join('\n')}\n`,
    );
    return { output: () => '', stop: async () => undefined };
  };
}
