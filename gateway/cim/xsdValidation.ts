import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import libxml from 'libxmljs2';
import { Problem, type ProblemItem } from '../../protocol/problem.ts';
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

const MAX_REPORTED = 50;
// libxml2 quotes the offending value; a hostile one could be megabytes long.
const MAX_DETAIL = 300;
// A libxml2 tree costs some 15 times its text: above this size a document is checked in parts.
const WHOLE_UP_TO_CHARS = 4 * 1024 * 1024;
const PART_CHARS = 1024 * 1024;

const shorten = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

/**
 * A document known to be well-formed. A small one is held as libxml2's
 * tree; a large one as its text and the run of root children (the
 * TimeSeries) along which it is cut into parts of about 1 MiB, each parsed
 * (and later validated) alone, so memory stays bounded whatever the size.
 */
export type WellFormedXml =
  { readonly kind: 'whole'; readonly document: libxml.Document } | { readonly kind: 'parts'; readonly text: string; readonly run: RunOutline };

interface LibxmlError {
  readonly message?: unknown;
  readonly line?: unknown;
  readonly column?: unknown;
}

function parsed(text: string, lineOf: (line: number) => number): libxml.Document {
  try {
    return libxml.parseXml(text, UNTRUSTED);
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

const linesIn = (text: string, from: number, to: number) => {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
};

/** One part of a large document: everything around the run, and one batch of it. */
interface Part {
  readonly text: string;
  /** A line of the part → the line of the document it comes from. */
  readonly lineOf: (line: number) => number;
  /** Whether a line of the part lies around the run (the same in every part). */
  readonly around: (line: number) => boolean;
}

/** The parts of a large document in order, made one at a time; lines are counted in one pass over the text, not once per part. */
function* partsOf(text: string, run: RunOutline): Generator<Part> {
  const before = linesIn(text, 0, run.start);
  const afterLine = before + linesIn(text, run.start, run.end) + 1;
  const head = text.slice(0, run.start);
  const tail = text.slice(run.end);
  let batchLine = before + 1;
  for (let k = 0; k < run.batchStarts.length; k++) {
    const from = run.batchStarts[k]!;
    const to = run.batchStarts[k + 1] ?? run.end;
    const inBatch = linesIn(text, from, to);
    const firstLine = batchLine;
    yield {
      text: head + text.slice(from, to) + tail,
      lineOf: (line) => (line <= before ? line : line <= before + 1 + inBatch ? line - before - 1 + firstLine : line - before - 1 - inBatch + afterLine),
      around: (line) => line <= before || line > before + 1 + inBatch,
    };
    batchLine += inBatch;
  }
}

/** Parses for well-formedness; a syntax error becomes `xml.malformed` with line and column. */
export function parseWellFormed(text: string): WellFormedXml {
  const run = text.length > WHOLE_UP_TO_CHARS ? runOutline(text, PART_CHARS) : undefined;
  if (!run) return { kind: 'whole', document: parsed(text, (line) => line) };
  for (const part of partsOf(text, run)) parsed(part.text, part.lineOf);
  return { kind: 'parts', text, run };
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
 * A large document, part by part: each part is valid exactly when the run's
 * batch and everything around it are, since the run's element allows any
 * number of occurrences. Errors around the run are taken from the first
 * part only. A run the schema bounds is never cut: the whole tree is built.
 */
function partErrors(text: string, run: RunOutline, schema: CompiledSchema): LocatedError[] {
  const name = run.name.slice(run.name.indexOf(':') + 1);
  if (!schema.unbounded.has(name))
    return validationErrors(
      parsed(text, (line) => line),
      schema,
      (line) => line,
    );
  const errors: LocatedError[] = [];
  let k = 0;
  for (const part of partsOf(text, run)) {
    if (errors.length >= MAX_REPORTED) break;
    for (const error of validationErrors(parsed(part.text, part.lineOf), schema, (line) => line)) {
      if (k > 0 && error.line !== undefined && part.around(error.line)) continue;
      errors.push({ ...error, line: error.line === undefined ? undefined : part.lineOf(error.line) });
    }
    k++;
  }
  return errors.slice(0, MAX_REPORTED);
}

/** Every way the document breaks the schema, each at the element it names (XPath-like) and its line. */
export function schemaViolations(document: WellFormedXml, schema: CompiledSchema, text: string): ProblemItem[] {
  const errors = document.kind === 'whole' ? validationErrors(document.document, schema, (line) => line) : partErrors(document.text, document.run, schema);
  if (errors.length === 0) return [];
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
