import type { RequestHandler } from 'express';
import { Problem } from '../../protocol/problem.ts';

// C0 controls, DEL and the noncharacters U+FFFE/U+FFFF: nothing a route id or query value may carry.
const FORBIDDEN_DECODED = /[\u0000-\u001f\u007f\ufffe\uffff]/;

/** The longest request target (path and query) an envelope's `htu` may carry (schemas/envelope.ts). */
export const MAX_TARGET_LENGTH = 2048;

/**
 * Refuses a target longer than an envelope's `htu` may name. Mounted before
 * response signing: no signature over such a target could be verified, so
 * the 414 goes unsigned, like the HTTP parser's own refusals.
 */
export function refuseOverlongTarget(): RequestHandler {
  return (req, _res, next) => {
    const target = req.originalUrl;
    if (target.length <= MAX_TARGET_LENGTH) return next();
    next(new Problem('request.target-too-long', `The path and query are ${target.length} characters long; at most ${MAX_TARGET_LENGTH} are accepted`));
  };
}

/**
 * Refuses a request whose path or query is not percent-encoded UTF-8
 * (`%ZZ`, a lone `%`, truncated or overlong sequences, encoded surrogates)
 * or decodes to control characters, before any router tries to decode it and
 * fails with a 500. Mounted once in front of every API.
 */
export function requireWellFormedTarget(): RequestHandler {
  return (req, _res, next) => {
    const target = req.originalUrl;
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = queryAt < 0 ? '' : target.slice(queryAt + 1);
    const badPath = undecodable(path);
    if (badPath) return next(new Problem('request.invalid-path', `The path ${quoted(path)} ${badPath}`));
    const badQuery = undecodable(query.replaceAll('+', ' '));
    if (badQuery) return next(new Problem('request.invalid-query', `The query ${quoted(query)} ${badQuery}`));
    next();
  };
}

/** Why `text` does not decode to acceptable characters, or undefined when it does. */
function undecodable(text: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return 'is not valid percent-encoded UTF-8 (RFC 3986 §2.1): every % must start a %XX escape of a complete, shortest-form UTF-8 sequence';
  }
  if (FORBIDDEN_DECODED.test(decoded)) return 'decodes to a control character or a Unicode noncharacter';
  return undefined;
}

/** The offending text as sent, bounded, so the detail stays short whatever was sent. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

/**
 * Signatures cover the exact body bytes and every API reads them as sent, so
 * a compressed body is refused (415, RFC 7694 `Accept-Encoding: identity`)
 * rather than inflated: no decompression bomb, no corrupt stream, no
 * signature over bytes other than those read.
 */
export function refuseContentEncoding(): RequestHandler {
  return (req, res, next) => {
    const header = req.headers['content-encoding'];
    if (header === undefined) return next();
    const codings = header
      .split(',')
      .map((coding) => coding.trim().toLowerCase())
      .filter(Boolean);
    if (codings.every((coding) => coding === 'identity')) return next();
    res.setHeader('Accept-Encoding', 'identity');
    next(
      new Problem(
        'request.unsupported-content-encoding',
        `Content-Encoding ${JSON.stringify(header.slice(0, 60))} is not accepted: send the body uncompressed (identity), as it was signed`,
      ),
    );
  };
}
