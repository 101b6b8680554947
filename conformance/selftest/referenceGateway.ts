import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, startGateway, type RunningGateway } from '../../gateway/index.ts';
import { Target } from '../runner/target.ts';

export interface ReferenceGateway {
  gateway: RunningGateway;
  target: Target;
  close(): Promise<void>;
}

/**
 * The reference gateway the self-test holds the suites to: the real
 * gateway through its public entry, a fresh development PKI and SQLite
 * store in a temporary folder, on a free loopback port.
 */
export async function startReferenceGateway(options: { dataDir?: string } = {}): Promise<ReferenceGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'flexgate-conformance-'));
  const pkiDir = join(dataDir, 'pki');
  const gateway = await startGateway({ dataDir, pkiDir, devPki: true, port: 0, logger: createLogger(process.env.FLEXGATE_LOG_LEVEL ?? 'silent') });
  const target = await Target.fromPki(gateway.url, pkiDir);
  return {
    gateway,
    target,
    async close() {
      target.close();
      await gateway.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
