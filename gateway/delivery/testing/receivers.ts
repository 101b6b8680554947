import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';

export interface ReceivedNotification {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How a test receiver answers the n-th request (1-based) it gets. */
export type Answer = (n: number, received: ReceivedNotification) => { status: number; headers?: Record<string, string>; delayMs?: number };

/** A webhook receiver on 127.0.0.1 that records every request before answering it. */
export class TestReceiver {
  readonly received: ReceivedNotification[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private readonly server: Server;
  private address = '';

  private constructor(answer: Answer) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.record(received);
        const { status, headers = {}, delayMs = 0 } = answer(this.received.length, received);
        const reply = () => {
          if (!res.destroyed) res.writeHead(status, headers).end();
        };
        if (delayMs > 0) setTimeout(reply, delayMs);
        else reply();
      });
    });
  }

  static async start(answer: Answer = () => ({ status: 204 })): Promise<TestReceiver> {
    const receiver = new TestReceiver(answer);
    receiver.address = await listen(receiver.server);
    return receiver;
  }

  get url(): string {
    return this.address;
  }

  /** Idempotency keys in the order received, repeats included. */
  get keys(): string[] {
    return this.received.map((r) => String(r.headers['idempotency-key']));
  }

  /** Resolves once `count` requests have arrived; fails the test after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver got ${this.received.length} of ${count} requests in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private record(received: ReceivedNotification): void {
    this.received.push(received);
    this.waiters = this.waiters.filter((waiter) => (this.received.length >= waiter.count ? (waiter.resolve(), false) : true));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Accepts connections and never answers: the subscriber that hangs. */
export class HangingReceiver {
  private readonly sockets = new Set<Socket>();
  private readonly server: TcpServer = createTcpServer((socket) => {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });
  private address = '';

  static async start(): Promise<HangingReceiver> {
    const receiver = new HangingReceiver();
    receiver.address = await listen(receiver.server);
    return receiver;
  }

  get url(): string {
    return this.address;
  }

  get connections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function listen(server: Server | TcpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
