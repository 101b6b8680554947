import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How the suite's webhook answers: a status, or never (the target's attempt must time out). */
export type WebhookBehaviour = { status: number } | 'hang';

/**
 * The webhook the suite hosts for the target's notifications: records every
 * arrival and answers as the case asks. Loopback: the target must reach
 * the machine the suite runs on.
 */
export class WebhookHost {
  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    readonly arrivals: Arrival[],
    private readonly hanging: Set<() => void>,
  ) {}

  static async start(behaviour: WebhookBehaviour = { status: 200 }): Promise<WebhookHost> {
    const arrivals: Arrival[] = [];
    const hanging = new Set<() => void>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        arrivals.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) });
        if (behaviour === 'hang') {
          hanging.add(() => res.destroy());
          return;
        }
        res.writeHead(behaviour.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new WebhookHost(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, hanging);
  }

  /** A URL nothing listens on: the port of a server opened and closed again. */
  static async closedUrl(): Promise<string> {
    const host = await WebhookHost.start();
    await host.close();
    return host.baseUrl;
  }

  async waitFor(match: (arrival: Arrival) => boolean, timeoutMs: number): Promise<Arrival | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.arrivals.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const end of this.hanging) end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
