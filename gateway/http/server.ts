import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { purgeIdempotency } from '../store/idempotency.ts';
import { Store, type StoreOptions } from '../store/store.ts';
import { createApp } from './app.ts';

export interface GatewayOptions extends StoreOptions {
  port: number;
  /** Loopback only until the trust layer (mutual TLS) is in front of every route. */
  host?: string;
  maxBodyBytes?: number;
  logger: Logger;
}

export interface RunningGateway {
  url: string;
  store: Store;
  server: Server;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const store = await Store.open(options);
  const app = createApp({ store, logger: options.logger, ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
  const server = createServer(app);
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  const purge = () => purgeIdempotency(store.db).catch((err: unknown) => options.logger.warn({ err }, 'idempotency purge failed'));
  void purge();
  const purgeTimer = setInterval(purge, PURGE_INTERVAL_MS).unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(purgeTimer);
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      await drained;
      clearTimeout(force);
      await store.close();
    })());

  return { url, store, server, close };
}
