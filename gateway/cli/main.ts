import { cimCommand } from './cim.ts';
import { journalCommand } from './journal.ts';
import { molCommand } from './mol.ts';
import { pkiCommand } from './pki.ts';
import { sendCommand } from './send.ts';
import { serveCommand } from './serve.ts';
import { signCommand } from './sign.ts';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  serve: serveCommand,
  send: sendCommand,
  sign: signCommand,
  pki: pkiCommand,
  journal: journalCommand,
  mol: molCommand,
  cim: cimCommand,
};

const usage = () =>
  [
    'Usage: flexgate <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`),
    '',
    'Run `flexgate <command> --help` for its options.',
  ].join('\n');

/** Runs a CLI command and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`flexgate: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`flexgate ${name}: ${(error as Error).message}`);
    return 1;
  }
}
