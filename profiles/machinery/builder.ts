import type { Static, TSchema } from '@sinclair/typebox';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { CodecError } from './codecs.ts';
import { isFields, type ElementDecl, type Profile, type Scope } from './declaration.ts';
import { issuesAt } from './locate.ts';
import { modelCheck } from './modelCheck.ts';
import { facetViolation } from './simpleType.ts';
import { ProfileViolation } from './violation.ts';
import { verbatim } from './xmlText.ts';

// XML 1.0 characters, less CR (a parser turns it into LF, so it would not read back).
const NOT_XML_TEXT = /[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

class NotRepresentable extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Model → XML text of a profile document. Each child of the root is
 * serialised by xmlbuilder2 as its own small document, so a list of 100,000
 * entries never sits in one DOM; the parts inherit the root's default
 * namespace. (Small documents rather than fragments: xmlbuilder2's node
 * constructor slows down several times once it has seen fragment, element,
 * text and attribute nodes, and these documents need no fragments.) A model
 * that has no faithful wire form (an instant off the half-hour grid, an id
 * too long for the element) is refused, never approximated.
 */
export function buildDocument<M extends TSchema, H extends TSchema>(profile: Profile<M, H>, model: Static<M>, header: Static<H>): string {
  return buildDocumentOf(profile, model, header);
}

/** As `buildDocument`, for values not yet known to fit the profile (a stored body, say): they are checked first, as always. */
export function buildDocumentOf(profile: Profile, model: unknown, header: unknown): string {
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
  const chunks = ['<?xml version="1.0" encoding="UTF-8"?>', `<${profile.root} xmlns="${profile.namespace}">`];
  try {
    for (const decl of profile.children) {
      for (const [occurrence, path] of occurrencesOf(decl, scope, rootPath)) {
        const part = create();
        write(part, decl, occurrence, path);
        chunks.push(part.end({ prettyPrint: true, offset: 1, headless: true }));
      }
    }
  } catch (error) {
    if (error instanceof NotRepresentable) throw new ProfileViolation([{ code: 'cim.not-representable', detail: error.message, path: error.path }]);
    throw error;
  }
  chunks.push(`</${profile.root}>`, '');
  return chunks.join('\n');
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

function textOf(text: string, path: string, what: string): string {
  if (NOT_XML_TEXT.test(text)) throw new NotRepresentable(path, `${what} contains a character XML cannot carry`);
  return verbatim(text);
}

function write(parent: XMLBuilder, decl: ElementDecl, scope: Scope, path: string): void {
  if (decl.kind === 'group') {
    const element = parent.ele(decl.name);
    for (const child of decl.children) {
      for (const [occurrence, childPath] of occurrencesOf(child, scope, path)) write(element, child, occurrence, childPath);
    }
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
  const element = parent.ele(decl.name);
  if (decl.attribute) {
    if (attribute === undefined) throw new NotRepresentable(`${path}/@${decl.attribute.name}`, 'is required but the model gives no value for it');
    const wrongAttribute = facetViolation(decl.attribute.type, attribute);
    if (wrongAttribute) throw new NotRepresentable(`${path}/@${decl.attribute.name}`, wrongAttribute);
    element.att(decl.attribute.name, textOf(attribute, path, 'the attribute'));
  }
  element.txt(textOf(text, path, 'the text'));
}
