import type { Command } from '../cli/commandLine.ts';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a `flexgate` command in this process, capturing what it prints (faster
 * than a process where the command's own I/O is the subject). A command that
 * throws ends as `bin/flexgate.ts` ends it, exit 1 with the message under
 * `name`, and keeps what it printed before.
 */
export async function runCommandInProcess(command: Command, ...args: string[]): Promise<CommandRun> {
  return runNamedCommandInProcess('flexgate', command, ...args);
}

export async function runNamedCommandInProcess(name: string, command: Command, ...args: string[]): Promise<CommandRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const write = process.stdout.write;
  const { log, error } = console;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  console.log = (...parts: unknown[]) => stdout.push(`${parts.join(' ')}\n`);
  console.error = (...parts: unknown[]) => stderr.push(`${parts.join(' ')}\n`);
  try {
    let code: number;
    try {
      code = await command.run(args);
    } catch (thrown) {
      stderr.push(`${name}: ${(thrown as Error).message}\n`);
      code = 1;
    }
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.stdout.write = write;
    console.log = log;
    console.error = error;
  }
}
