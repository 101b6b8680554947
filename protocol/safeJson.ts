import { isUtf8 } from 'node:buffer';
import { Problem } from './problem.ts';

export const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const notUtf8 = () => new Problem('request.invalid-encoding', 'The body is not valid UTF-8');

/** Decodes UTF-8 strictly (a BOM is dropped); invalid bytes are refused rather than replaced. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw notUtf8();
  }
}

/** Refuses bytes that are not valid UTF-8, as `decodeUtf8` does, without making a string of them. */
export function checkUtf8(bytes: Uint8Array): void {
  if (!isUtf8(bytes)) throw notUtf8();
}

/**
 * Parses JSON after checking nesting depth in one pass over the text, so a
 * hostile body cannot exhaust the parser's stack or the validator's time.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (!hasMoreOpeners(text, maxDepth)) return parse(text);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > maxDepth) throw new Problem('request.nesting-too-deep', `JSON nests deeper than ${maxDepth} levels`);
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return parse(text);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Problem('request.malformed-json', `The body is not JSON: ${(error as Error).message}`);
  }
}

/**
 * Whether the text has more than `limit` opening brackets, in strings or not.
 * With no more it cannot nest deeper, and the character-by-character scan
 * (as dear as parsing) is skipped: string search finds a few brackets in a
 * long text at once.
 */
function hasMoreOpeners(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let at = text.indexOf(opener); at >= 0; at = text.indexOf(opener, at + 1)) if (++count > limit) return true;
  }
  return false;
}
