import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../gateway/index.ts';
import { UsageError, type Command } from '../client/cli/commandLine.ts';
import { DEFAULT_JOIN_RESOURCES, joinSandbox, nextCommands } from './join.ts';
import { DEFAULT_SPEED } from './orchestrator/scenarioPlayer.ts';
import { Sandbox } from './sandbox.ts';

// The folder `flexgate serve` uses: `flexgate send` and `flexgate ven` find the PKI there by default.
const DEFAULT_DATA_DIR = 'data';

const HELP = `Usage: flexgate sandbox [--data-dir DIR] [--port N] [--ui-port N] [--ui-host HOST] [--speed X] [--scenario N] [--play] [--mqtt-url URL]
       flexgate sandbox join --party urn:flexgate:fsp:ID [--resource ID]... [--data-dir DIR]

Runs the reference sandbox in one process: the gateway (SQLite store and
development PKI in DIR), the simulated DSO (ANM orchestrator and market
playing the BiTraDER scenarios), the simulated FSPs, and the web UI on
loopback. Ctrl-C stops it all.
  --data-dir DIR   store, PKI and joined FSPs' files (default ${DEFAULT_DATA_DIR})
  --port N         gateway port, mutual TLS (default 8443)
  --ui-port N      web UI port, plain HTTP (default 8080)
  --ui-host HOST   web UI interface (default 127.0.0.1; see sandbox/README.md before widening)
  --speed X        scenario time per real time (default ${DEFAULT_SPEED})
  --scenario N     the scenario loaded first (default 1)
  --play           start playing it at once
  --mqtt-url URL   MQTT broker (default mqtt://127.0.0.1:1883)

join: onboards a real FSP into the running sandbox: its certificate (PEM
and PKCS#12), OAuth client credentials, a VEN with targets granted (default
${DEFAULT_JOIN_RESOURCES.join(', ')}), then prints the three next commands.`;

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}

async function join_(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { party: { type: 'string' }, resource: { type: 'string', multiple: true }, 'data-dir': { type: 'string', default: DEFAULT_DATA_DIR } },
    strict: true,
  });
  if (!values.party) throw new UsageError('--party urn:flexgate:fsp:ID is required');
  const joined = await joinSandbox({ dataDir: values['data-dir'], party: values.party, ...(values.resource ? { resources: values.resource } : {}) });
  console.log(`joined         ${joined.party}: VEN ${joined.venName} (${joined.venId}), targets ${joined.targets.join(', ')}`);
  console.log(`certificate    ${joined.files.bundle} (PEM: certificate, chain, key); ${joined.files.pkcs12} (PKCS#12)`);
  console.log(`client secret  ${joined.files.clientSecret}\n`);
  console.log(nextCommands(joined).join('\n\n'));
  return 0;
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      port: { type: 'string', default: '8443' },
      'ui-port': { type: 'string', default: '8080' },
      'ui-host': { type: 'string' },
      speed: { type: 'string' },
      scenario: { type: 'string' },
      play: { type: 'boolean', default: false },
      'mqtt-url': { type: 'string' },
    },
    strict: true,
  });
  const speed = values.speed === undefined ? DEFAULT_SPEED : Number(values.speed);
  if (!(speed > 0)) throw new UsageError('--speed must be a positive number');
  const sandbox = await Sandbox.start({
    dataDir: values['data-dir'],
    port: wholeNumber(values.port, '--port'),
    uiPort: wholeNumber(values['ui-port'], '--ui-port'),
    ...(values['ui-host'] ? { uiHost: values['ui-host'] } : {}),
    ...(values['mqtt-url'] ? { mqttUrl: values['mqtt-url'] } : {}),
    speed,
    logger: createLogger(process.env.FLEXGATE_LOG_LEVEL ?? 'warn'),
  });
  if (values.scenario !== undefined) {
    const scenario = sandbox.catalogue.scenarios.find((s) => s.id === Number(values.scenario));
    if (!scenario) throw new UsageError(`--scenario is one of ${sandbox.catalogue.scenarios.map((s) => s.id).join(', ')}`);
    sandbox.player.load(scenario);
  }
  if (values.play) sandbox.player.play();
  console.log(`gateway        ${sandbox.gateway.url} (mutual TLS)`);
  console.log(`web UI         ${sandbox.ui.url}`);
  console.log(`certificates   ${sandbox.pkiDir} (root CA ${sandbox.rootCertificatePath}); joined FSPs in ${join(values['data-dir'], 'fsps')}`);
  console.log(`simulated FSPs ${sandbox.fsps.map((f) => `${f.config.id} (${f.channelInUse}, ${f.config.misbehaviour})`).join(', ') || 'none'}`);
  for (const problem of sandbox.fspProblems) console.log(`               not running: ${problem}`);
  console.log(
    `join as an FSP: flexgate sandbox join --party urn:flexgate:fsp:<id>${values['data-dir'] === DEFAULT_DATA_DIR ? '' : ` --data-dir ${values['data-dir']}`}`,
  );
  console.log('Ctrl-C stops the sandbox.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sandbox.close();
  console.log('sandbox stopped');
  return 0;
}

export const sandboxCommand: Command = {
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(HELP);
      return 0;
    }
    try {
      return args[0] === 'join' ? await join_(args.slice(1)) : await run(args);
    } catch (error) {
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) {
        console.error(`flexgate sandbox: ${(error as Error).message}\n\n${HELP}`);
        return 2;
      }
      throw error;
    }
  },
};
