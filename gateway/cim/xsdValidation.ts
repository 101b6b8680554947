import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import libxml from 'libxmljs2';
import { Problem, type ProblemItem } from '../../protocol/problem.ts';
import { elementLocator } from './elementPaths.ts';

/**
 * libxmljs2 is used for XSD validation only, on documents that passed the
 * safety checks: no entity substitution, no network, no DTD loading or
 * validation, libxml2's default size limits. Its trees are never walked
 * (open type-confusion CVEs in attrs()/namespaces()); only validate() and
 * the error list are used.
 */
const UNTRUSTED = { noent: false, nonet: true, dtdload: false, dtdvalid: false, huge: false } as const;

export type XmlDocument = libxml.Document;

const MAX_REPORTED = 50;
// libxml2 quotes the offending value; a hostile one could be megabytes long.
const MAX_DETAIL = 300;

const shorten = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

/** Parses for well-formedness; a syntax error becomes `xml.malformed` with line and column. */
export function parseWellFormed(text: string): XmlDocument {
  try {
    return libxml.parseXml(text, UNTRUSTED);
  } catch (error) {
    const syntax = error as { message?: unknown; line?: unknown; column?: unknown };
    const line = typeof syntax.line === 'number' ? syntax.line : undefined;
    const column = typeof syntax.column === 'number' && syntax.column > 0 ? syntax.column : undefined;
    const message = typeof syntax.message === 'string' ? syntax.message.trim() : 'not well-formed';
    throw new Problem('xml.malformed', `The document is not well-formed XML: ${shorten(message)}`, {
      ...(line ? { row: line } : {}),
      ...(column ? { column } : {}),
    });
  }
}

export interface CompiledSchema {
  readonly path: string;
  readonly schema: XmlDocument;
}

const schemas = new Map<string, CompiledSchema>();

/** Loads an XSD once; its imports resolve against its own folder (trusted files, so defaults apply). */
export function loadSchema(path: string): CompiledSchema {
  let compiled = schemas.get(path);
  if (!compiled) {
    compiled = { path, schema: libxml.parseXml(readFileSync(path, 'utf8'), { baseUrl: `${dirname(path)}/`, nonet: true }) };
    schemas.set(path, compiled);
  }
  return compiled;
}

/** Every way the document breaks the schema, each at the element it names (XPath-like) and its line. */
export function schemaViolations(document: XmlDocument, schema: CompiledSchema, text: string): ProblemItem[] {
  if (document.validate(schema.schema)) return [];
  const errors = document.validationErrors.slice(0, MAX_REPORTED);
  const lineOf = (error: { line: number | null }) => (typeof error.line === 'number' && error.line > 0 ? error.line : undefined);
  const locate = elementLocator(text, new Set(errors.map(lineOf).filter((line) => line !== undefined)));
  return errors.map((error) => {
    const message = error.message.trim();
    const element = /^Element '(?:\{[^}]*\})?([^']+)'/.exec(message)?.[1];
    const line = lineOf(error);
    const path = line === undefined ? undefined : locate(line, element);
    return {
      code: 'cim.schema-invalid' as const,
      detail: shorten(message.replace(/\{[^}]*\}/g, '')),
      ...(path ? { pointer: path } : {}),
      ...(line ? { row: line } : {}),
    };
  });
}
