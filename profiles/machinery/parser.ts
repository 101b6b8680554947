import type { Static, TSchema } from '@sinclair/typebox';
import { XMLParser } from 'fast-xml-parser';
import { isFields, type ElementDecl, type Fields, type LeafDecl, type Profile, type ReadState, type Scope } from './declaration.ts';
import { issuesAt } from './locate.ts';
import { modelCheck } from './modelCheck.ts';
import { facetViolation, lexicalForm } from './simpleType.ts';
import { ProfileViolation, type ProfileIssue } from './violation.ts';

// Entities stay unexpanded (the gateway refuses DTDs before this point); the
// parser below decodes the five predefined entities and character references itself.
const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

const MAX_ISSUES = 100;

interface ElementNode {
  readonly name: string;
  readonly children: readonly unknown[];
  readonly attributes: Fields;
}

function elementNode(node: unknown): ElementNode | undefined {
  if (!isFields(node)) return undefined;
  for (const key of Object.keys(node)) {
    if (key === ':@' || key.startsWith('#')) continue;
    const children = node[key];
    const attributes = node[':@'];
    return { name: key, children: Array.isArray(children) ? children : [], attributes: isFields(attributes) ? attributes : {} };
  }
  return undefined;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Replaces the predefined entities and character references; undefined if any other reference remains. */
export function decodeReferences(raw: string): string | undefined {
  if (!raw.includes('&')) return raw;
  let valid = true;
  const decoded = raw.replace(/&([^&;]*)(;?)/g, (_match, name: string, semicolon: string) => {
    const predefined = PREDEFINED[name];
    if (semicolon && predefined !== undefined) return predefined;
    const numeric = semicolon ? /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name) : null;
    const codePoint = numeric ? (numeric[1] ? parseInt(numeric[1], 16) : Number(numeric[2])) : -1;
    if (!isXmlChar(codePoint)) {
      valid = false;
      return '';
    }
    return String.fromCodePoint(codePoint);
  });
  return valid ? decoded : undefined;
}

const laterNamesCache = new WeakMap<readonly ElementDecl[], ReadonlySet<string>[]>();

/** For each position in a declaration sequence, the element names declared from there on. */
function laterNames(decls: readonly ElementDecl[]): readonly ReadonlySet<string>[] {
  let sets = laterNamesCache.get(decls);
  if (!sets) {
    sets = decls.map((_, k) => new Set(decls.slice(k).map((d) => d.name)));
    laterNamesCache.set(decls, sets);
  }
  return sets;
}

class DocumentReader implements ReadState {
  readonly vars = new Map<string, unknown>();
  readonly issues: ProfileIssue[] = [];
  private readonly checks: (() => void)[] = [];
  private readonly seen = new WeakMap<LeafDecl, Set<string>>();

  issue(path: string, detail: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ code: 'cim.rule-violation', detail, path });
  }

  afterRead(check: () => void): void {
    this.checks.push(check);
  }

  runChecks(): void {
    for (const check of this.checks) check();
  }

  readChildren(nodes: readonly unknown[], decls: readonly ElementDecl[], scope: Scope, path: string): void {
    const elements: ElementNode[] = [];
    for (const node of nodes) {
      const element = elementNode(node);
      if (element) elements.push(element);
      else if (isFields(node) && typeof node['#text'] === 'string' && node['#text'].trim() !== '') this.issue(path, 'has text where only elements are allowed');
    }
    let next = 0;
    const expectedFrom = laterNames(decls);
    for (const [k, decl] of decls.entries()) {
      // An element no remaining declaration expects is reported once and skipped, so one stray element does not make all that follows "missing".
      while (next < elements.length && !expectedFrom[k]!.has(elements[next]!.name)) {
        this.issue(`${path}/${elements[next++]!.name}`, 'is not part of this profile here (or is out of order)');
      }
      const elementPath = `${path}/${decl.name}`;
      const indexed = decl.kind === 'group' && decl.repeat.max !== 1;
      let count = 0;
      while (next < elements.length && elements[next]!.name === decl.name) {
        const element = elements[next++]!;
        count++;
        const at = indexed ? `${elementPath}[${count}]` : elementPath;
        if (decl.kind === 'leaf') {
          if (count === 1) this.readLeaf(element, decl, scope, at);
        } else if (indexed || count === 1) {
          const child = decl.repeat.enter(scope, count);
          this.readChildren(element.children, decl.children, child, at);
          decl.repeat.leave?.(scope, child, this, elementPath);
        }
      }
      const min = decl.kind === 'leaf' ? (decl.optional ? 0 : 1) : decl.repeat.min;
      if (count < min) this.issue(elementPath, 'is missing');
      if (!indexed && count > 1) this.issue(elementPath, `occurs ${count} times; it may occur once`);
      if (decl.kind === 'group') decl.repeat.finish?.(scope, count, this, elementPath);
    }
    for (const extra of elements.slice(next)) this.issue(`${path}/${extra.name}`, 'is not part of this profile here (or is out of order)');
  }

  private readLeaf(element: ElementNode, decl: LeafDecl, scope: Scope, path: string): void {
    let raw = '';
    for (const node of element.children) {
      if (!isFields(node) || node['#comment'] !== undefined) continue;
      if (typeof node['#text'] === 'string') {
        const decoded = decodeReferences(node['#text']);
        if (decoded === undefined) return this.issue(path, 'contains a reference that is not a predefined entity or a character reference');
        raw += decoded;
      } else if (Array.isArray(node['#cdata'])) {
        for (const part of node['#cdata']) if (isFields(part) && typeof part['#text'] === 'string') raw += part['#text'];
      } else {
        return this.issue(path, 'contains elements; it holds text only');
      }
    }
    const text = lexicalForm(decl.type, raw);
    const wrong = facetViolation(decl.type, text);
    if (wrong) return this.issue(path, wrong);
    if (decl.unique) {
      const seen = this.seen.get(decl) ?? new Set<string>();
      this.seen.set(decl, seen);
      if (seen.has(text)) this.issue(path, `"${text}" is already used by an earlier ${decl.name}; each must be different`);
      seen.add(text);
    }
    if (decl.attribute) {
      const attributePath = `${path}/@${decl.attribute.name}`;
      const given = element.attributes[decl.attribute.name];
      const decoded = typeof given === 'string' ? decodeReferences(given) : undefined;
      if (decoded === undefined) return this.issue(attributePath, 'is missing');
      const value = lexicalForm(decl.attribute.type, decoded);
      const wrongAttribute = facetViolation(decl.attribute.type, value);
      if (wrongAttribute) return this.issue(attributePath, wrongAttribute);
      decl.attribute.value.read(value, scope, this, attributePath);
    }
    decl.value.read(text, scope, this, path);
  }
}

export interface ParsedDocument<M, H> {
  readonly header: H;
  readonly model: M;
}

/**
 * XML text of a profile document → header and model. Reports every rule the
 * document breaks (structure, the facets of each value, positions, point
 * counts, derived values, reasons, the model's own schema), each at the
 * failing element. The text must already have passed the gateway's XML
 * safety checks: this parser never expands entities, but it does not bound
 * size or depth itself.
 */
export function parseDocument<M extends TSchema, H extends TSchema>(profile: Profile<M, H>, xml: string): ParsedDocument<Static<M>, Static<H>> {
  const reader = new DocumentReader();
  const rootPath = `/${profile.root}`;
  const parsed: unknown = xmlParser.parse(xml);
  const top = (Array.isArray(parsed) ? parsed : []).map(elementNode).filter((n) => n !== undefined);
  const root = top[0];
  const header: Fields = {};
  if (!root || root.name !== profile.root) {
    throw new ProfileViolation(
      [{ code: 'cim.rule-violation', detail: `the root element must be ${profile.root}`, path: root ? `/${root.name}` : '/' }],
      header,
    );
  }
  const model: Fields = {};
  reader.readChildren(root.children, profile.children, { header, root: model, item: model, position: 1, parent: undefined }, rootPath);
  reader.runChecks();
  if (reader.issues.length > 0) throw new ProfileViolation(reader.issues, header);

  const checkedHeader = modelCheck(profile.header)(header);
  const checkedModel = modelCheck(profile.model)(model);
  if (checkedHeader.ok && checkedModel.ok) return { header: checkedHeader.value, model: checkedModel.value };
  throw new ProfileViolation(
    [
      ...(checkedHeader.ok ? [] : issuesAt(profile, 'cim.rule-violation', checkedHeader.errors, 'header')),
      ...(checkedModel.ok ? [] : issuesAt(profile, 'cim.rule-violation', checkedModel.errors, 'model')),
    ],
    header,
  );
}
