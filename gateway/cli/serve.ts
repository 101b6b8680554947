import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_BUDGETS, startGateway, type Budgets } from '../index.ts';
import { DEV_GATEWAY_URN } from '../../certs/index.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../trust/replayGuard.ts';
import { createLogger } from '../log.ts';
import type { Command } from '../../client/cli/commandLine.ts';

const HELP = `Usage: flexgate serve [--port N] [--host H] [--data-dir DIR] [--pki-dir DIR] [--dev-pki] [--identity URN] [--public-url URL] [--mqtt-url URL]
                      [--mqtt-ca FILE] [--egress-allow CIDR[,CIDR…]] [--registry-consistency enforced|permissive]
                      [--database-url URL [--database-schema NAME]] [--max-body-bytes N] [--clock-skew S]
                      [--requests-per-second N] [--request-burst N]

Starts the gateway (HTTPS, client certificates required, every request and
response signed) and prints "flexgate listening on URL" when ready.
  --port N             port to listen on (default 8443; 0 picks a free one)
  --host H             interface to bind (default 127.0.0.1)
  --data-dir DIR       folder for the SQLite store (default ./data)
  --pki-dir DIR        PKI folder from \`flexgate pki init\` (default DATA-DIR/pki)
  --dev-pki            create the development PKI there on first run (CAs, the
                       gateway and one certificate per role), renew it when due
  --identity URN       the gateway's certificate in the PKI (default ${DEV_GATEWAY_URN})
  --public-url URL     the URL clients reach the gateway at (default the one it listens on)
  --mqtt-url URL       MQTT broker for OpenADR notifications (default mqtt://127.0.0.1:1883;
                       in production mqtts://HOST:8883 with --mqtt-ca)
  --mqtt-ca FILE       PEM of the CA that issued the broker's certificate (mqtts)
  --egress-allow CIDRS networks webhook callbacks may reach although loopback, link-local,
                       private or reserved (refused by default), e.g. 127.0.0.0/8 for a sandbox
  --registry-consistency MODE
                       enforced (default): intake refuses what contradicts a non-empty registry;
                       permissive: accepts it and records a warning (a sandbox)
  --database-url URL   postgres://… to use PostgreSQL instead of SQLite
  --database-schema S  PostgreSQL schema for flexgate's tables (created if missing)
  --max-body-bytes N   largest request body accepted (default ${DEFAULT_BUDGETS.maxBodyBytes})
  --requests-per-second N, --request-burst N
                       per party: sustained requests a second and the burst above it
                       (default ${DEFAULT_BUDGETS.requestsPerSecond} and ${DEFAULT_BUDGETS.requestBurst}); more are refused 429 request.rate-limited
  --clock-skew S       accepted difference of a signature's time, seconds (default ${DEFAULT_CLOCK_SKEW_SECONDS})
SIGTERM or SIGINT stops it: requests in flight finish, then the store closes.`;

export const serveCommand: Command = {
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '8443' },
        host: { type: 'string' },
        'data-dir': { type: 'string', default: 'data' },
        'pki-dir': { type: 'string' },
        'dev-pki': { type: 'boolean', default: false },
        identity: { type: 'string' },
        'public-url': { type: 'string' },
        'mqtt-url': { type: 'string' },
        'mqtt-ca': { type: 'string' },
        'egress-allow': { type: 'string' },
        'registry-consistency': { type: 'string' },
        'clock-skew': { type: 'string' },
        'database-url': { type: 'string' },
        'database-schema': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'requests-per-second': { type: 'string' },
        'request-burst': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const port = wholeNumber(values.port, '--port');
    const consistency = values['registry-consistency'];
    if (consistency !== undefined && consistency !== 'enforced' && consistency !== 'permissive') {
      throw new Error(`--registry-consistency is enforced or permissive, not "${consistency}"`);
    }
    const budgets: Partial<Budgets> = {
      ...(values['max-body-bytes'] ? { maxBodyBytes: wholeNumber(values['max-body-bytes'], '--max-body-bytes') } : {}),
      ...(values['requests-per-second'] ? { requestsPerSecond: positiveNumber(values['requests-per-second'], '--requests-per-second') } : {}),
      ...(values['request-burst'] ? { requestBurst: positiveNumber(values['request-burst'], '--request-burst') } : {}),
    };
    const logger = createLogger();
    const gateway = await startGateway({
      port,
      dataDir: values['data-dir'],
      devPki: values['dev-pki'],
      logger,
      ...(values.host ? { host: values.host } : {}),
      ...(values['pki-dir'] ? { pkiDir: values['pki-dir'] } : {}),
      ...(values.identity ? { identity: values.identity } : {}),
      ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
      ...(values['mqtt-url'] ? { mqttUrl: values['mqtt-url'] } : {}),
      ...(values['mqtt-ca'] ? { mqttCa: readFileSync(values['mqtt-ca'], 'utf8') } : {}),
      ...(values['egress-allow'] ? { egressAllow: values['egress-allow'].split(',').map((cidr) => cidr.trim()) } : {}),
      ...(consistency ? { registryConsistency: consistency } : {}),
      ...(values['clock-skew'] ? { skewSeconds: wholeNumber(values['clock-skew'], '--clock-skew') } : {}),
      ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
      ...(values['database-schema'] ? { schema: values['database-schema'] } : {}),
      budgets,
    });
    logger.info({ store: gateway.store.description, identity: gateway.identity, pki: gateway.pkiDir }, 'store open');
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

function positiveNumber(text: string, flag: string): number {
  const value = wholeNumber(text, flag);
  if (value === 0) throw new Error(`${flag} must be at least 1`);
  return value;
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}
