import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Response } from 'express';
import { Problem } from '../../protocol/problem.ts';
import type { Logger } from '../log.ts';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export function sendProblem(res: Response, problem: Problem, instance?: string): void {
  res
    .status(problem.status)
    .type(PROBLEM_MEDIA_TYPE)
    .send(JSON.stringify(problem.toDocument(instance)));
}

/**
 * Turns every error that reaches Express into problem+json; anything
 * unexpected is logged and hidden. With `publicUrl`, `instance` is absolute
 * (OpenADR's problem schema requires a URI), else the request path.
 */
export function problemHandler(logger: Logger, publicUrl?: string): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = problemOf(error);
    if (problem.code === 'internal.error') logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, problem, problemInstance(publicUrl, req.originalUrl));
  };
}

/**
 * A problem's `instance`: the request target, under the public URL's origin
 * when there is one. Concatenated, not resolved: a target such as `//x`
 * would resolve to another host, or fail to parse and turn a problem into a 500.
 */
export function problemInstance(publicUrl: string | undefined, target: string): string {
  return publicUrl ? `${new URL(publicUrl).origin}${target.startsWith('/') ? target : `/${target}`}` : target;
}

/** The problem an error answers with: its own, a body parser's in words, or an internal error that hides what went wrong. */
export function problemOf(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const parserError = error as { type?: string; limit?: number };
  if (parserError.type === 'entity.too.large') {
    return new Problem('request.body-too-large', `The body exceeds the limit of ${parserError.limit} bytes`);
  }
  if (parserError.type === 'request.aborted') return new Problem('request.malformed-json', 'The request was aborted before its body arrived');
  if (parserError.type === 'encoding.unsupported') return new Problem('request.unsupported-content-encoding', 'Send the body uncompressed (identity)');
  // A router that decodes a path parameter itself (Express's own `decodeParam`) fails with a URIError.
  if (error instanceof URIError) return new Problem('request.invalid-path', 'The path is not valid percent-encoded UTF-8');
  return new Problem('internal.error', 'The gateway could not process the request; it has been logged');
}

/**
 * A request Node's HTTP parser could not read (a malformed request line or
 * header, headers over the size limit) never reaches the application; it is
 * answered here with a problem instead of Node's bare 400, and the
 * connection closed. Nothing can be signed: there is no request to sign for.
 */
export function answerUnparseableRequest(error: Error & { code?: string }, socket: Duplex): void {
  // A peer gone, or one too slow to send its headers (slowloris), gets nothing more.
  if (!socket.writable || error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return void socket.destroy();
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new Problem('request.headers-too-large', 'The request headers exceed the size the gateway reads')
      : new Problem('request.malformed-http', `The request is not well-formed HTTP/1.1 (${error.code ?? 'parse error'})`);
  const body = JSON.stringify(problem.toDocument());
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: ${PROBLEM_MEDIA_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
