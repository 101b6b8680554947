import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import libxml from 'libxmljs2';
import { Problem, type ProblemItem } from '../../protocol/problem.ts';
import { decodeUtf8 } from '../../protocol/safeJson.ts';
import { elementLocator } from './elementPaths.ts';
import { runOutline, type RunOutline } from './xmlOutline.ts';

/**
 * libxmljs2 is used for XSD validation only, on documents that passed the
 * safety checks: no entity substitution, no network, no DTD loading or
 * validation, libxml2's default size limits. Its trees are never walked
 * (open type-confusion CVEs in attrs()/namespaces()); only validate() and
 * the error list are used.
 */
const UNTRUSTED = { noent: false, nonet: true, dtdload: false, dtdvalid: false, huge: false } as const;

/**
 * The native binding reads a Buffer as it is (xmlReadMemory) and takes the
 * encoding to force; libxmljs2's typings only declare the string form.
 */
const parseXmlBytes = libxml.parseXml as unknown as (source: Buffer, options: typeof UNTRUSTED & { readonly encoding: 'UTF-8' }) => libxml.Document;

const MAX_REPORTED = 50;
// libxml2 quotes the offending value; a hostile one could be megabytes long.
const MAX_DETAIL = 300;
// A libxml2 tree costs some 15 times its text: above this size a document is checked in parts.
const WHOLE_UP_TO_BYTES = 4 * 1024 * 1024;
const PART_BYTES = 1024 * 1024;

const shorten = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

/** XML as text or as UTF-8 bytes (a body as received). */
export type XmlSource = string | Uint8Array;

const bytesOf = (xml: XmlSource): Buffer =>
  typeof xml === 'string' ? Buffer.from(xml, 'utf8') : Buffer.isBuffer(xml) ? xml : Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);

interface LibxmlError {
  readonly message?: unknown;
  readonly line?: unknown;
  readonly column?: unknown;
}

function parsed(bytes: Buffer, lineOf: (line: number) => number): libxml.Document {
  try {
    // Read as UTF-8 whatever the declaration says, as the profile parser reads them.
    return parseXmlBytes(bytes, { ...UNTRUSTED, encoding: 'UTF-8' });
  } catch (error) {
    const syntax = error as LibxmlError;
    const line = typeof syntax.line === 'number' && syntax.line > 0 ? lineOf(syntax.line) : undefined;
    const column = typeof syntax.column === 'number' && syntax.column > 0 ? syntax.column : undefined;
    const message = typeof syntax.message === 'string' ? syntax.message.trim() : 'not well-formed';
    throw new Problem('xml.malformed', `The document is not well-formed XML: ${shorten(message)}`, {
      ...(line ? { row: line } : {}),
      ...(column ? { column } : {}),
    });
  }
}

const linesIn = (bytes: Buffer, from: number, to: number) => {
  let count = 0;
  for (let at = bytes.indexOf(0x0a, from); at >= 0 && at < to; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
};

/** One part of a large document: everything around the run, and one batch of it. */
interface Part {
  /** The part's bytes: valid until the next part is made (one buffer serves them all). */
  readonly bytes: Buffer;
  /** A line of the part → the line of the document it comes from. */
  readonly lineOf: (line: number) => number;
  /** Whether a line of the part lies around the run (the same in every part). */
  readonly around: (line: number) => boolean;
}

/**
 * The parts of a large document in order, made one at a time in one
 * reused buffer (libxml2 copies what it keeps), so reading a document in
 * parts leaves no garbage behind; lines are counted in one pass over the
 * bytes, not once per part.
 */
function* partsOf(bytes: Buffer, run: RunOutline): Generator<Part> {
  const before = linesIn(bytes, 0, run.start);
  const afterLine = before + linesIn(bytes, run.start, run.end) + 1;
  const tailLength = bytes.length - run.end;
  const batchEnds = run.batchStarts.map((_, k) => run.batchStarts[k + 1] ?? run.end);
  const longestBatch = Math.max(...batchEnds.map((end, k) => end - run.batchStarts[k]!));
  const part = Buffer.allocUnsafe(run.start + longestBatch + tailLength);
  bytes.copy(part, 0, 0, run.start);
  let batchLine = before + 1;
  for (let k = 0; k < run.batchStarts.length; k++) {
    const from = run.batchStarts[k]!;
    const to = batchEnds[k]!;
    const inBatch = linesIn(bytes, from, to);
    const firstLine = batchLine;
    bytes.copy(part, run.start, from, to);
    bytes.copy(part, run.start + to - from, run.end);
    yield {
      bytes: part.subarray(0, run.start + to - from + tailLength),
      lineOf: (line) => (line <= before ? line : line <= before + 1 + inBatch ? line - before - 1 + firstLine : line - before - 1 - inBatch + afterLine),
      around: (line) => line <= before || line > before + 1 + inBatch,
    };
    batchLine += inBatch;
  }
}

/** How a document is read: whole, or (a large one) in parts along its run of root children. */
function outlineOf(bytes: Buffer): RunOutline | undefined {
  return bytes.length > WHOLE_UP_TO_BYTES ? runOutline(bytes, PART_BYTES) : undefined;
}

/** Parses for well-formedness only; a syntax error becomes `xml.malformed` with line and column. */
export function checkWellFormed(xml: XmlSource): void {
  const bytes = bytesOf(xml);
  const run = outlineOf(bytes);
  if (!run) parsed(bytes, (line) => line);
  else for (const part of partsOf(bytes, run)) parsed(part.bytes, part.lineOf);
}

export interface CompiledSchema {
  readonly path: string;
  readonly schema: libxml.Document;
  /** Elements every declaration of which allows any number of occurrences: the runs a document may be cut along. */
  readonly unbounded: ReadonlySet<string>;
}

/** Names declared with maxOccurs="unbounded" in every declaration that has them. */
function unboundedElements(xsd: string): ReadonlySet<string> {
  const unbounded = new Set<string>();
  const bounded = new Set<string>();
  for (const [declaration] of xsd.matchAll(/<(?:[\w-]+:)?element\b[^>]*>/g)) {
    const name = /\sname\s*=\s*["']([^"']+)["']/.exec(declaration)?.[1];
    if (name === undefined) continue;
    if (/\smaxOccurs\s*=\s*["']unbounded["']/.test(declaration)) unbounded.add(name);
    else bounded.add(name);
  }
  for (const name of bounded) unbounded.delete(name);
  return unbounded;
}

const schemas = new Map<string, CompiledSchema>();

/** Loads an XSD once; its imports resolve against its own folder (trusted files, so defaults apply). */
export function loadSchema(path: string): CompiledSchema {
  let compiled = schemas.get(path);
  if (!compiled) {
    const xsd = readFileSync(path, 'utf8');
    compiled = { path, schema: libxml.parseXml(xsd, { baseUrl: `${dirname(path)}/`, nonet: true }), unbounded: unboundedElements(xsd) };
    schemas.set(path, compiled);
  }
  return compiled;
}

interface LocatedError {
  readonly message: string;
  readonly line: number | undefined;
}

function validationErrors(document: libxml.Document, schema: CompiledSchema, lineOf: (line: number) => number): LocatedError[] {
  if (document.validate(schema.schema)) return [];
  return document.validationErrors.slice(0, MAX_REPORTED).map((error) => ({
    message: error.message.trim(),
    line: typeof error.line === 'number' && error.line > 0 ? lineOf(error.line) : undefined,
  }));
}

/**
 * A large document, part by part, each parsed once: each part is valid
 * exactly when the run's batch and everything around it are, since the
 * run's element allows any number of occurrences. Errors around the run are
 * taken from the first part only. Parts after the last reported error are
 * still parsed: a document that is not well-formed is refused as such. A
 * run the schema bounds is never cut: the whole tree is built.
 */
function partErrors(bytes: Buffer, run: RunOutline, schema: CompiledSchema): LocatedError[] {
  const name = run.name.slice(run.name.indexOf(':') + 1);
  if (!schema.unbounded.has(name))
    return validationErrors(
      parsed(bytes, (line) => line),
      schema,
      (line) => line,
    );
  const errors: LocatedError[] = [];
  let k = 0;
  for (const part of partsOf(bytes, run)) {
    const document = parsed(part.bytes, part.lineOf);
    if (errors.length >= MAX_REPORTED) continue;
    for (const error of validationErrors(document, schema, (line) => line)) {
      if (k > 0 && error.line !== undefined && part.around(error.line)) continue;
      errors.push({ ...error, line: error.line === undefined ? undefined : part.lineOf(error.line) });
    }
    k++;
  }
  return errors.slice(0, MAX_REPORTED);
}

/**
 * Every way the document breaks the schema, each at the element it names
 * (XPath-like) and its line (the text is decoded only then); a document that
 * is not well-formed throws `xml.malformed` instead, whatever else is wrong.
 */
export function schemaViolations(xml: XmlSource, schema: CompiledSchema): ProblemItem[] {
  const bytes = bytesOf(xml);
  const run = outlineOf(bytes);
  const errors = run
    ? partErrors(bytes, run, schema)
    : validationErrors(
        parsed(bytes, (line) => line),
        schema,
        (line) => line,
      );
  if (errors.length === 0) return [];
  const text = typeof xml === 'string' ? xml : decodeUtf8(xml);
  const locate = elementLocator(text, new Set(errors.map((error) => error.line).filter((line) => line !== undefined)));
  return errors.map((error) => {
    const element = /^Element '(?:\{[^}]*\})?([^']+)'/.exec(error.message)?.[1];
    const path = error.line === undefined ? undefined : locate(error.line, element);
    return {
      code: 'cim.schema-invalid' as const,
      detail: shorten(error.message.replace(/\{[^}]*\}/g, '')),
      ...(path ? { pointer: path } : {}),
      ...(error.line ? { row: error.line } : {}),
    };
  });
}
