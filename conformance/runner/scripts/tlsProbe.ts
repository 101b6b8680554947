import { connect, type ConnectionOptions } from 'node:tls';

export type ProbeOutcome = { answered: true; statusLine: string; status: number; problem?: string } | { answered: false; reason: string };

const PROBE_PATH = '/healthz';

/**
 * One TLS connection with the given settings and a plain GET of the health
 * path: answered when an HTTP status line comes back, else why not (the
 * handshake refused, the connection closed). Nothing is signed: a server
 * that answers at all has let the connection through.
 */
export function probe(url: string, options: ConnectionOptions, timeoutMs = 10_000): Promise<ProbeOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let received = '';
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    const socket = connect({ host: hostname, port: Number(port || 443), servername: undefined, ...options }, () => {
      socket.write(`GET ${PROBE_PATH} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    socket.setTimeout(timeoutMs, () => finish({ answered: false, reason: `no answer within ${timeoutMs} ms` }));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(answerIn(received) ?? { answered: false, reason: error.code ?? error.message }));
    socket.on('close', () => finish(answerIn(received) ?? { answered: false, reason: 'closed without an answer' }));
  });
}

/** The HTTP answer in what arrived (the probe asks the server to close after it), with its problem type if any. */
function answerIn(received: string): ProbeOutcome | undefined {
  const statusLine = received.split('\r\n')[0] ?? '';
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) return undefined;
  const problem = /"type"\s*:\s*"urn:flexgate:problem:([^"]+)"/.exec(received)?.[1];
  return { answered: true, statusLine, status: Number(status[1]), ...(problem ? { problem } : {}) };
}
