import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, loadTlsCredentials } from '../../certs/index.ts';
import { startGateway, type Budgets, type RunningGateway } from '../index.ts';
import type { StoreOptions } from '../store/store.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { LOOPBACK_EGRESS } from '../delivery/egress.ts';
import { testLogger } from './silentLogger.ts';

export const DEV_ANM = 'urn:flexgate:anm:anm-dev';
export const DEV_DSO = 'urn:flexgate:dso:dso-dev';
export const DEV_FSP = 'urn:flexgate:fsp:fsp-dev-1';
export const DEV_ADMIN = 'urn:flexgate:admin:admin-dev';

/** Temporary PKI folders of this process: one exit listener removes them all (one each would pass Node's listener limit). */
const temporaryPkiDirs: string[] = [];

/** A fresh dev PKI in a temporary folder, removed when the process exits. */
export async function temporaryDevPki(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'flexgate-pki-'));
  if (temporaryPkiDirs.push(dir) === 1) process.once('exit', () => temporaryPkiDirs.forEach((made) => rmSync(made, { recursive: true, force: true })));
  await ensureDevPki(dir);
  return dir;
}

export interface TestGateway {
  gateway: RunningGateway;
  pkiDir: string;
  /** A signing client for a party of the PKI; closed with the gateway. */
  client(urn: string): Promise<FlexgateClient>;
  close(): Promise<void>;
}

/** The real gateway in this process: mutual TLS on a free loopback port, the dev PKI, the given store. */
export async function startTestGateway(
  store: StoreOptions,
  options: { pkiDir?: string; skewSeconds?: number; budgets?: Partial<Budgets> } = {},
): Promise<TestGateway> {
  const pkiDir = options.pkiDir ?? (await temporaryDevPki());
  const gateway = await startGateway({
    ...store,
    port: 0,
    pkiDir,
    devPki: true,
    logger: testLogger,
    // Test webhook receivers listen on loopback, which the gateway refuses by default.
    egressAllow: [...LOOPBACK_EGRESS],
    ...(options.skewSeconds ? { skewSeconds: options.skewSeconds } : {}),
    ...(options.budgets ? { budgets: options.budgets } : {}),
  });
  const clients: FlexgateClient[] = [];
  return {
    gateway,
    pkiDir,
    async client(urn) {
      const client = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, urn));
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await gateway.close();
    },
  };
}
