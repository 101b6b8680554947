import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BODY_BYTES } from '../http/app.ts';
import { startGateway } from '../http/server.ts';
import { createLogger } from '../log.ts';
import type { Command } from './main.ts';

const HELP = `Usage: flexgate serve [--port N] [--data-dir DIR] [--database-url URL [--database-schema NAME]] [--max-body-bytes N]

Starts the gateway and prints "flexgate listening on URL" when ready.
  --port N             port to listen on (default 8080; 0 picks a free one)
  --data-dir DIR       folder for the SQLite store (default ./data)
  --database-url URL   postgres://… to use PostgreSQL instead of SQLite
  --database-schema S  PostgreSQL schema for flexgate's tables (created if missing)
  --max-body-bytes N   largest request body accepted (default ${DEFAULT_MAX_BODY_BYTES})
SIGTERM or SIGINT stops it: requests in flight finish, then the store closes.`;

export const serveCommand: Command = {
  summary: 'run the gateway',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '8080' },
        'data-dir': { type: 'string', default: 'data' },
        'database-url': { type: 'string' },
        'database-schema': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const port = wholeNumber(values.port, '--port');
    const logger = createLogger();
    const gateway = await startGateway({
      port,
      dataDir: values['data-dir'],
      logger,
      ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
      ...(values['database-schema'] ? { schema: values['database-schema'] } : {}),
      ...(values['max-body-bytes'] ? { maxBodyBytes: wholeNumber(values['max-body-bytes'], '--max-body-bytes') } : {}),
    });
    logger.info({ store: gateway.store.description }, 'store open');
    console.log(`flexgate listening on ${gateway.url}`);

    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await gateway.close();
    logger.info('stopped');
    return 0;
  },
};

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}
