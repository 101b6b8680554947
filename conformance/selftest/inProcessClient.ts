import type { Command } from '../../client/cli/commandLine.ts';
import type { ClientOrder, ClientRun, ClientUnderTest } from '../runner/clientUnderTest/clientCommand.ts';

/**
 * A `flexgate send`-like command run in this process with the arguments the
 * documented client command gives it: the self-test's clients, without a
 * process start per order. A command that throws ends as `bin/flexgate.ts`
 * ends it: exit 1 with the message.
 */
export class InProcessClient implements ClientUnderTest {
  constructor(private readonly command: Command) {}

  async run(order: ClientOrder): Promise<ClientRun> {
    const args = [order.path, ...(order.file ? ['--file', order.file] : []), '--url', order.url, '--cert', order.cert, '--key', order.key, '--ca', order.ca];
    const stdout: string[] = [];
    const stderr: string[] = [];
    const write = process.stdout.write;
    const { log, error } = console;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof write;
    console.log = (...parts: unknown[]) => stdout.push(`${parts.join(' ')}\n`);
    console.error = (...parts: unknown[]) => stderr.push(`${parts.join(' ')}\n`);
    let code: number;
    try {
      code = await this.command.run(args);
    } catch (thrown) {
      stderr.push(`flexgate send: ${(thrown as Error).message}\n`);
      code = 1;
    } finally {
      process.stdout.write = write;
      console.log = log;
      console.error = error;
    }
    return { code, stdout: stdout.join(''), stderr: stderr.join(''), command: `(in process) flexgate send ${args.join(' ')}` };
  }
}
