import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { CodecError } from './codecs.ts';
import { isFields, type ElementDecl, type Profile, type Scope } from './declaration.ts';
import { issuesAt } from './locate.ts';
import { modelCheck } from './modelCheck.ts';
import { facetViolation } from './simpleType.ts';
import { ProfileViolation } from './violation.ts';

// XML 1.0 characters, less CR (a parser turns it into LF, so it would not read back).
const NOT_XML_TEXT = /[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const TEXT_SPECIAL = /[&<>]/g;
const ATTRIBUTE_SPECIAL = /[&<>"]/g;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeOne = (character: string) => ESCAPES[character]!;
const INDENT = '  ';

class NotRepresentable extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Model → XML text of a profile document, written as text: no DOM, one
 * string per child of the root (a TimeSeries, say), so the cost per entry
 * does not depend on the document's size. The layout is fixed (two spaces
 * per level, one element per line, empty elements self-closed), so equal
 * models give equal bytes. A model that has no faithful wire form (an
 * instant off the half-hour grid, an id too long for the element) is
 * refused, never approximated.
 */
export function buildDocument<M extends TSchema, H extends TSchema>(profile: Profile<M, H>, model: Static<M>, header: Static<H>): string {
  return buildDocumentOf(profile, model, header);
}

/** As `buildDocument`, for values not yet known to fit the profile (a stored body, say): they are checked first, as always. */
export function buildDocumentOf(profile: Profile, model: unknown, header: unknown): string {
  return [...documentChunks(profile, model, header)].join('');
}

const WRITE_BYTES = 1024 * 1024;

/**
 * Writes the document to a file as it is made, about 1 MiB at a time:
 * however large, it is never held whole, as text or as bytes. Returns its
 * size in bytes. A model that does not fit the profile throws
 * `ProfileViolation`, and no file is left behind.
 */
export function writeDocumentFile(path: string, profile: Profile, model: unknown, header: unknown): number {
  const fd = openSync(path, 'w');
  const buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  let size = 0;
  const write = (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    size += bytes.length;
  };
  let written = false;
  try {
    for (const chunk of documentChunks(profile, model, header)) {
      const length = Buffer.byteLength(chunk);
      if (length > buffer.length - used) {
        write(buffer.subarray(0, used));
        used = 0;
      }
      if (length > buffer.length) write(Buffer.from(chunk));
      else used += buffer.write(chunk, used);
    }
    write(buffer.subarray(0, used));
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(path, { force: true });
  }
  return size;
}

/**
 * The document as a sequence of strings, each a whole line or more, for a
 * caller that writes them out as they come. The model and header are
 * checked before the first chunk; a value found unrepresentable on the way
 * throws `ProfileViolation` from the iteration.
 */
export function* documentChunks(profile: Profile, model: unknown, header: unknown): Generator<string, void, undefined> {
  const checkedHeader = modelCheck(profile.header)(header);
  const checkedModel = modelCheck(profile.model)(model);
  const issues = [
    ...(checkedHeader.ok ? [] : issuesAt(profile, 'cim.not-representable', checkedHeader.errors, 'header')),
    ...(checkedModel.ok ? [] : issuesAt(profile, 'cim.not-representable', checkedModel.errors, 'model')),
  ];
  if (issues.length > 0) throw new ProfileViolation(issues);
  if (!isFields(header) || !isFields(model))
    throw new ProfileViolation([{ code: 'cim.not-representable', detail: 'header and model must be objects', path: `/${profile.root}` }]);

  const scope: Scope = { header, root: model, item: model, position: 1, parent: undefined };
  const rootPath = `/${profile.root}`;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<${profile.root} xmlns="${escapeAttribute(profile.namespace)}">\n`;
  try {
    for (const decl of profile.children) {
      for (const [occurrence, path] of occurrencesOf(decl, scope, rootPath)) {
        const lines: string[] = [];
        write(lines, decl, occurrence, path, INDENT);
        yield lines.join('');
      }
    }
  } catch (error) {
    if (error instanceof NotRepresentable) throw new ProfileViolation([{ code: 'cim.not-representable', detail: error.message, path: error.path }]);
    throw error;
  }
  yield `</${profile.root}>\n`;
}

function occurrencesOf(decl: ElementDecl, scope: Scope, parentPath: string): [Scope, string][] {
  const path = `${parentPath}/${decl.name}`;
  if (decl.kind === 'leaf') return [[scope, path]];
  let scopes: Scope[];
  try {
    scopes = decl.repeat.build(scope);
  } catch (error) {
    if (error instanceof CodecError) throw new NotRepresentable(path, error.message);
    throw error;
  }
  if (scopes.length < decl.repeat.min) throw new NotRepresentable(path, 'is required but the model gives nothing to put in it');
  const indexed = decl.repeat.max !== 1;
  return scopes.map((child, k) => [child, indexed ? `${path}[${k + 1}]` : path]);
}

const escapeText = (text: string) => text.replace(TEXT_SPECIAL, escapeOne);
const escapeAttribute = (text: string) => text.replace(ATTRIBUTE_SPECIAL, escapeOne);

function checkedText(text: string, path: string, what: string): string {
  if (NOT_XML_TEXT.test(text)) throw new NotRepresentable(path, `${what} contains a character XML cannot carry`);
  return text;
}

/** Appends the element's lines (each ending in a line feed) to `lines`. */
function write(lines: string[], decl: ElementDecl, scope: Scope, path: string, indent: string): void {
  if (decl.kind === 'group') {
    const opened = lines.length;
    lines.push(`${indent}<${decl.name}>\n`);
    const inner = indent + INDENT;
    for (const child of decl.children) {
      for (const [occurrence, childPath] of occurrencesOf(child, scope, path)) write(lines, child, occurrence, childPath, inner);
    }
    if (lines.length === opened + 1) lines[opened] = `${indent}<${decl.name}/>\n`;
    else lines.push(`${indent}</${decl.name}>\n`);
    return;
  }
  let text: string | undefined;
  let attribute: string | undefined;
  try {
    text = decl.value.write(scope);
    attribute = decl.attribute?.value.write(scope);
  } catch (error) {
    if (error instanceof CodecError) throw new NotRepresentable(path, error.message);
    throw error;
  }
  if (text === undefined) {
    if (decl.optional) return;
    throw new NotRepresentable(path, 'is required but the model gives no value for it');
  }
  const wrong = facetViolation(decl.type, text);
  if (wrong) throw new NotRepresentable(path, wrong);
  let start = `${indent}<${decl.name}`;
  if (decl.attribute) {
    if (attribute === undefined) throw new NotRepresentable(`${path}/@${decl.attribute.name}`, 'is required but the model gives no value for it');
    const wrongAttribute = facetViolation(decl.attribute.type, attribute);
    if (wrongAttribute) throw new NotRepresentable(`${path}/@${decl.attribute.name}`, wrongAttribute);
    start += ` ${decl.attribute.name}="${escapeAttribute(checkedText(attribute, path, 'the attribute'))}"`;
  }
  const body = checkedText(text, path, 'the text');
  lines.push(body === '' ? `${start}/>\n` : `${start}>${escapeText(body)}</${decl.name}>\n`);
}
