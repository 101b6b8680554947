import { FlexgateError } from '../../protocol/errors.ts';

/** One `flexgate <command>` (its one-line summary is in bin/flexgate.ts): runs with the arguments after its name and returns the exit code. */
export interface Command {
  run(args: string[]): Promise<number>;
}

/** A mistake in how a command was called: exit code 2 and the subcommand's help. */
export class UsageError extends FlexgateError {
  readonly code = 'cli.usage';
}

/** Thrown by a subcommand's option parsing so that `--help` wins over missing required options. */
export class HelpRequested extends FlexgateError {
  readonly code = 'cli.help-requested';
}

export interface Subcommand {
  summary: string;
  help: string;
  run(args: string[]): Promise<number>;
}

export function isParseArgsError(error: unknown): boolean {
  return typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * A command made of subcommands (`flexgate pki issue …`): the overview on
 * `--help`, the subcommand's help on its `--help`, exit 2 with that help on a
 * usage error. `failure` turns a command's own errors into an exit code.
 */
export function subcommandGroup(
  command: string,
  subcommands: Record<string, Subcommand>,
  options: { footer?: string; failure?: (error: unknown, name: string) => number | undefined } = {},
): Command {
  const usage = [
    `Usage: flexgate ${command} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...Object.entries(subcommands).map(([name, sub]) => `  ${name.padEnd(8)} ${sub.summary}`),
    '',
    `Run \`flexgate ${command} <subcommand> --help\` for its options.${options.footer ? ` ${options.footer}` : ''}`,
  ].join('\n');
  return {
    async run(args) {
      const [name, ...rest] = args;
      if (name === '--help' || name === '-h') {
        console.log(usage);
        return 0;
      }
      const subcommand = name === undefined ? undefined : subcommands[name];
      if (!subcommand) {
        console.error(name === undefined ? usage : `flexgate ${command}: unknown subcommand "${name}"\n\n${usage}`);
        return 2;
      }
      if (rest.includes('--help') || rest.includes('-h')) {
        console.log(subcommand.help);
        return 0;
      }
      try {
        return await subcommand.run(rest);
      } catch (error) {
        if (error instanceof HelpRequested) {
          console.log(subcommand.help);
          return 0;
        }
        if (error instanceof UsageError || isParseArgsError(error)) {
          console.error(`flexgate ${command} ${name}: ${(error as Error).message}\n\n${subcommand.help}`);
          return 2;
        }
        const code = options.failure?.(error, name!);
        if (code !== undefined) return code;
        throw error;
      }
    },
  };
}
