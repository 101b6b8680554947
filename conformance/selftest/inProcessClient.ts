import type { Command } from '../../client/cli/commandLine.ts';
import { runNamedCommandInProcess } from '../../client/testing/commandInProcess.ts';
import type { ClientOrder, ClientRun, ClientUnderTest } from '../runner/clientUnderTest/clientCommand.ts';

/**
 * A `flexgate send`-like command run in this process with the arguments the
 * documented client command gives it: the self-test's clients, without a
 * process start per order.
 */
export class InProcessClient implements ClientUnderTest {
  constructor(private readonly command: Command) {}

  async run(order: ClientOrder): Promise<ClientRun> {
    const args = [order.path, ...(order.file ? ['--file', order.file] : []), '--url', order.url, '--cert', order.cert, '--key', order.key, '--ca', order.ca];
    const run = await runNamedCommandInProcess('flexgate send', this.command, ...args);
    return { ...run, command: `(in process) flexgate send ${args.join(' ')}` };
  }
}
