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
    const problem = toProblem(error);
    if (problem.code === 'internal.error') logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, problem, publicUrl ? new URL(req.originalUrl, publicUrl).href : req.originalUrl);
  };
}

function toProblem(error: unknown): Problem {
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
