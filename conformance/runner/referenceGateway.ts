import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createLogger, startGateway, type RunningGateway } from '../../gateway/index.ts';
import { Target } from './target.ts';

export interface ReferenceGateway {
  gateway: RunningGateway;
  /** Its store and PKI; removed on close unless the caller gave it. */
  dataDir: string;
  target: Target;
  close(): Promise<void>;
}

/**
 * The reference gateway the suite hosts (the self-test's target, the client
 * roles' gateway, the ven role's test VTN): the real
 * gateway through its public entry, a fresh development PKI and SQLite
 * store in a temporary folder, on a free loopback port.
 */
export async function startReferenceGateway(options: { dataDir?: string; port?: number } = {}): Promise<ReferenceGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'flexgate-conformance-'));
  const pkiDir = join(dataDir, 'pki');
  const gateway = await startGateway({
    dataDir,
    pkiDir,
    devPki: true,
    port: options.port ?? 0,
    // The suite hosts its webhooks on this machine: the one network the reference gateway may call back.
    egressAllow: ['127.0.0.0/8'],
    logger: createLogger(process.env.FLEXGATE_LOG_LEVEL ?? 'silent'),
  });
  // Connections the suite opened on purpose and abandoned (TLS probes) must not hold the shutdown.
  const sockets = new Set<Socket>();
  gateway.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const target = await Target.fromPki(gateway.url, pkiDir);
  return {
    gateway,
    dataDir,
    target,
    async close() {
      target.close();
      const closing = gateway.close();
      for (const socket of sockets) socket.destroy();
      await closing;
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
