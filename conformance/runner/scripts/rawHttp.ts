import { connect, type TLSSocket } from 'node:tls';
import type { ClientCredentials } from '../../../client/transport.ts';

/** One HTTP answer read off the wire: status, headers (lower-case names) and body. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The problem type's code (after `urn:flexgate:problem:`), when the body is a flexgate problem. */
  problem?: string;
}

/** A mutual-TLS connection as a party, with nothing sent yet. */
export function openConnection(url: string, credentials: ClientCredentials, timeoutMs = 10_000): Promise<TLSSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 443), cert: credentials.cert, key: credentials.key, ca: credentials.ca }, () => {
      socket.setTimeout(0);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

/**
 * Writes bytes as they are on the connection and reads answers until `count`
 * have arrived, the target closes, or the time is up. HTTP requests that no
 * client library would send (malformed, oversized, pipelined by the hundred)
 * need this.
 */
export function exchangeRaw(socket: TLSSocket, bytes: Buffer | string, count = 1, timeoutMs = 10_000): Promise<RawAnswer[]> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(parseAnswers(received));
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parseAnswers(received).length >= count) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', onData);
    socket.once('close', finish);
    socket.once('error', finish);
    socket.write(bytes);
  });
}

/** The complete answers in what arrived (Content-Length or chunked bodies), in order. */
export function parseAnswers(received: Buffer): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let at = 0;
  for (;;) {
    const headEnd = received.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return answers;
    const [statusLine = '', ...lines] = received.toString('latin1', at, headEnd).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) return answers;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    const body = headers['transfer-encoding']?.toLowerCase() === 'chunked' ? dechunk(received, bodyStart) : fixedBody(received, bodyStart, headers);
    if (!body) return answers;
    const text = body.bytes.toString('utf8');
    const problem = /"type"\s*:\s*"urn:flexgate:problem:([^"]+)"/.exec(text)?.[1];
    answers.push({ status: Number(status[1]), headers, body: text, ...(problem ? { problem } : {}) });
    at = body.end;
  }
}

function fixedBody(received: Buffer, start: number, headers: Record<string, string>): { bytes: Buffer; end: number } | undefined {
  const length = Number(headers['content-length'] ?? 0);
  return received.length < start + length ? undefined : { bytes: received.subarray(start, start + length), end: start + length };
}

function dechunk(received: Buffer, start: number): { bytes: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = received.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(received.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) {
      const end = received.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? undefined : { bytes: Buffer.concat(parts), end: end + 4 };
    }
    if (received.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(received.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
