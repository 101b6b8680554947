import { connect, type TLSSocket } from 'node:tls';
import type { ClientCredentials } from '../../client/transport.ts';

/**
 * One keep-alive HTTP/1.1 connection over mutual TLS that writes requests
 * already serialised and reads answers with the least parsing an answer
 * needs (status, headers, a Content-Length or chunked body; no HEAD, no
 * body delimited by the connection's close): a load generator's connection,
 * so that the machine's time goes to the server it measures. One request at
 * a time, as an `https.Agent` socket.
 */

export interface WireAnswer {
  status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const LINE_END = Buffer.from('\r\n');
/** No answer head the gateway sends comes near this; a longer one is a broken peer. */
const MAX_HEAD_BYTES = 64 * 1024;

/** The head of one request, ready to write before its body; `headers` need not name Host or Content-Length. */
export function requestHead(url: URL, method: string, path: string, headers: Record<string, string>, bodyLength: number): Buffer {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `host: ${url.host}`,
    `content-length: ${bodyLength}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Gives up on a handshake or an answer after this long, as the reference client's transport does (client/transport.ts). */
const ANSWER_TIMEOUT_MS = 60_000;

export class WireConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: (answer: WireAnswer) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.deliver();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
    socket.setTimeout(ANSWER_TIMEOUT_MS, () => {
      if (this.pending) this.abort(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
    });
  }

  /** False once the connection failed or the server closed it: a request written now could not be answered. */
  get usable(): boolean {
    return this.failure === undefined;
  }

  static open(url: URL, credentials: ClientCredentials): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(
        { host: url.hostname, port: Number(url.port || 443), cert: credentials.cert, key: credentials.key, ca: credentials.ca, minVersion: 'TLSv1.2' },
        () => {
          clearTimeout(handshake);
          socket.off('error', reject);
          socket.setNoDelay(true);
          resolve(new WireConnection(socket));
        },
      );
      const handshake = setTimeout(() => socket.destroy(new Error(`no TLS handshake within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
      socket.once('error', (error) => {
        clearTimeout(handshake);
        reject(error);
      });
    });
  }

  /** Writes a request (its head, then its body, in one write) and resolves with its answer. */
  exchange(head: Buffer, body: Buffer): Promise<WireAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('one request at a time on a wire connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.cork();
      this.socket.write(head);
      if (body.length > 0) this.socket.write(body);
      this.socket.uncork();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private deliver(): void {
    if (!this.pending) {
      // Bytes nobody asked for would be taken as the next request's answer.
      this.abort(new Error('the server sent bytes with no request pending'));
      return;
    }
    let answer: { answer: WireAnswer; length: number } | undefined;
    try {
      answer = parseAnswer(this.buffered);
    } catch (error) {
      this.abort(error as Error);
      return;
    }
    if (!answer) return;
    const leftover = this.buffered.length - answer.length;
    this.buffered = Buffer.alloc(0);
    const { resolve } = this.pending;
    this.pending = undefined;
    resolve(answer.answer);
    // One request, one answer: anything after it would be taken as the next request's.
    if (leftover > 0) this.abort(new Error(`the server sent ${leftover} bytes after the answer`));
  }

  /** The connection can carry no more requests; one pending is refused with the first reason. */
  private fail(error: Error): void {
    this.failure ??= error;
    this.pending?.reject(this.failure);
    this.pending = undefined;
  }

  /** Fails the connection at once (not when the socket's events come) and closes it. */
  private abort(error: Error): void {
    this.fail(error);
    this.socket.destroy();
  }
}

/** The first complete answer in `bytes` and how many bytes it took, or undefined while it is incomplete. */
export function parseAnswer(bytes: Buffer): { answer: WireAnswer; length: number } | undefined {
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) {
    if (bytes.length > MAX_HEAD_BYTES) throw new Error(`an answer head longer than ${MAX_HEAD_BYTES} bytes`);
    return undefined;
  }
  const [statusLine = '', ...lines] = bytes.toString('latin1', 0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine);
  if (!status) throw new Error(`not an HTTP/1.1 status line: ${statusLine.slice(0, 80)}`);
  const code = Number(status[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Joined as Node's client joins a repeated header: a second signature header must not pass unseen.
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const bodyStart = headEnd + HEAD_END.length;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const chunked = readChunked(bytes, bodyStart);
    return chunked && { answer: { status: code, headers, body: chunked.body }, length: chunked.end };
  }
  const bodiless = code < 200 || code === 204 || code === 304;
  if (headers['content-length'] === undefined && !bodiless) throw new Error(`a ${code} answer with neither Content-Length nor chunked encoding`);
  const length = Number(headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`an invalid content-length: ${headers['content-length']}`);
  if (bytes.length < bodyStart + length) return undefined;
  return { answer: { status: code, headers, body: bytes.subarray(bodyStart, bodyStart + length) }, length: bodyStart + length };
}

/** A chunked body (RFC 9112 §7.1) from `start`, and where it ends; undefined while incomplete. Trailers are skipped. */
function readChunked(bytes: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const chunks: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf(LINE_END, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.toString('latin1', at, lineEnd).split(';')[0]!, 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('an invalid chunk size');
    at = lineEnd + LINE_END.length;
    if (size === 0) {
      const end = bytes.indexOf(HEAD_END, at - LINE_END.length);
      return end < 0 ? undefined : { body: Buffer.concat(chunks), end: end + HEAD_END.length };
    }
    if (bytes.length < at + size + LINE_END.length) return undefined;
    chunks.push(bytes.subarray(at, at + size));
    at += size + LINE_END.length;
  }
}
