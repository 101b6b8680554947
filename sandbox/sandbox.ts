import { EventEmitter } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDevPki } from '../certs/index.ts';
import { startGateway, type GatewayOptions, type Logger, type RunningGateway } from '../gateway/index.ts';
import { loadFspConfigs, SimulatedFsp, type FspConfig, type FspTimings } from './fsps/simulatedFsp.ts';
import { DEFAULT_SPEED, ScenarioPlayer } from './orchestrator/scenarioPlayer.ts';
import { DsoParties } from './sandboxParties.ts';
import { loadCatalogue, type Catalogue } from './scenarioCatalogue.ts';
import { startUiServer, type UiServer } from './ui/uiServer.ts';

export interface SandboxOptions {
  /** Where the gateway's SQLite store, the PKI and the joined FSPs' files live (the CLI's default: ./data, as `flexgate serve`). */
  dataDir: string;
  /** Gateway port (mutual TLS); 0 for any free one. */
  port: number;
  /** Web UI port (plain HTTP on loopback); 0 for any free one. */
  uiPort: number;
  /** Interface of the web UI; loopback unless deliberately exposed (README: behind mTLS). */
  uiHost?: string;
  mqttUrl?: string;
  speed?: number;
  /** Which simulated FSPs run (default scenarios/fsps.json). */
  fsps?: FspConfig[];
  fspTimings?: Partial<FspTimings>;
  logger: Logger;
  /** Extra gateway options (budgets, OpenADR programs). */
  gateway?: Partial<Omit<GatewayOptions, 'dataDir' | 'port' | 'pkiDir' | 'devPki' | 'logger'>>;
}

/** Where a running sandbox says it is, for `flexgate sandbox join`. */
export interface SandboxAddress {
  gatewayUrl: string;
  uiUrl: string;
  pkiDir: string;
  rootCertificatePath: string;
  pid: number;
}

export const ADDRESS_FILE = 'sandbox.json';

/**
 * The whole sandbox in one process: the real gateway (SQLite, the
 * development PKI), the simulated DSO (ANM orchestrator and market, playing
 * scenario files), the simulated FSPs, and the web UI. `close()` stops them
 * in reverse order.
 */
export class Sandbox extends EventEmitter<{ change: [] }> {
  private constructor(
    readonly options: SandboxOptions,
    readonly gateway: RunningGateway,
    readonly parties: DsoParties,
    readonly catalogue: Catalogue,
    readonly player: ScenarioPlayer,
    readonly fsps: SimulatedFsp[],
    readonly fspProblems: string[],
    readonly rootCertificatePath: string,
  ) {
    super();
  }

  ui!: UiServer;

  get pkiDir(): string {
    return this.gateway.pkiDir;
  }

  static async start(options: SandboxOptions): Promise<Sandbox> {
    const pkiDir = join(options.dataDir, 'pki');
    await mkdir(options.dataDir, { recursive: true });
    const { rootCertificatePath } = await ensureDevPki(pkiDir);
    const gateway = await startGateway({
      // The simulated FSPs' webhooks, and an FSP developer's on this machine, listen on loopback: the sandbox lets the gateway call back there.
      egressAllow: ['127.0.0.0/8', '::1/128'],
      ...options.gateway,
      dataDir: options.dataDir,
      port: options.port,
      pkiDir,
      devPki: true,
      logger: options.logger,
      ...(options.mqttUrl ? { mqttUrl: options.mqttUrl } : {}),
    });
    const stopping: Array<() => Promise<void> | void> = [() => gateway.close()];
    try {
      const parties = await DsoParties.connect(gateway.url, pkiDir);
      stopping.unshift(() => parties.close());
      const catalogue = loadCatalogue();
      const player = new ScenarioPlayer(parties, catalogue.lists, catalogue.scenarios[0]!, options.speed ?? DEFAULT_SPEED);
      const fsps: SimulatedFsp[] = [];
      const fspProblems: string[] = [];
      for (const config of options.fsps ?? loadFspConfigs()) {
        try {
          const fsp = await SimulatedFsp.start({
            config,
            gatewayUrl: gateway.url,
            pkiDir,
            admin: parties.admin,
            businessLogic: parties.businessLogic,
            ...(options.fspTimings ? { timings: options.fspTimings } : {}),
          });
          fsps.push(fsp);
          stopping.unshift(() => fsp.stop());
        } catch (error) {
          fspProblems.push(`${config.id}: ${(error as Error).message}`);
        }
      }
      const sandbox = new Sandbox(options, gateway, parties, catalogue, player, fsps, fspProblems, rootCertificatePath);
      const changed = () => sandbox.emit('change');
      player.on('change', changed);
      for (const fsp of fsps) fsp.on('change', changed);
      sandbox.ui = await startUiServer(sandbox, { port: options.uiPort, host: options.uiHost ?? '127.0.0.1' });
      stopping.unshift(() => sandbox.ui.close());
      sandbox.stopping = stopping;
      const address: SandboxAddress = { gatewayUrl: gateway.url, uiUrl: sandbox.ui.url, pkiDir, rootCertificatePath, pid: process.pid };
      await writeFile(join(options.dataDir, ADDRESS_FILE), JSON.stringify(address, null, 2));
      return sandbox;
    } catch (error) {
      for (const stop of stopping) await stop();
      throw error;
    }
  }

  private stopping: Array<() => Promise<void> | void> = [];

  /** Stops the scenario, then the UI, the FSPs, the parties' clients and the gateway, in that order. */
  async close(): Promise<void> {
    this.player.reset();
    for (const stop of this.stopping.splice(0)) await stop();
    await rm(join(this.options.dataDir, ADDRESS_FILE), { force: true });
  }
}
