import type { Static, TSchema } from '@sinclair/typebox';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { MAX_READ_ISSUES, type ElementDecl, type Fields, type GroupDecl, type LeafDecl, type Profile, type ReadState, type Scope } from './declaration.ts';
import { issuesAt } from './locate.ts';
import { modelCheck } from './modelCheck.ts';
import { facetViolation, lexicalForm } from './simpleType.ts';
import { ProfileViolation, type ProfileIssue } from './violation.ts';

// Below the size at which Node makes external strings (~1 MB), so each slice dies young in the V8 heap.
const DECODE_BYTES = 64 * 1024;
const NOT_HERE = 'is not part of this profile here (or is out of order)';

/** Text that is not well-formed XML, or that declares a DTD: the gateway refuses both before the profile is read. */
export class MalformedXml extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
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

/**
 * A copy of a parsed value that does not keep the parser's input alive: V8
 * takes a substring as a view of its parent, so a value kept in the model
 * would otherwise keep a whole slice of the document (or the whole text).
 * Slicing a concatenation copies it flat first; the view is then of that copy.
 */
const detached = (text: string) => ` ${text}`.slice(1);

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * An open element whose children are matched against a declaration
 * sequence, one child at a time: stray elements no remaining declaration
 * expects are reported and skipped (so one does not make all that follows
 * "missing"), a run of the current declaration is read, and an element a
 * later declaration expects closes the current one.
 */
interface GroupFrame {
  readonly kind: 'group';
  readonly decls: readonly ElementDecl[];
  readonly expectedFrom: readonly ReadonlySet<string>[];
  readonly scope: Scope;
  readonly path: string;
  /** The declaration whose run is being read, or will be once an element it expects arrives. */
  at: number;
  /** Whether a run of `decls[at]` has begun (it may be empty). */
  running: boolean;
  count: number;
  /** Where this element's issues begin: text found in it is reported first, as its first issues. */
  readonly issueMark: number;
  textIssues: number;
  /** The repetition's `leave` for the occurrence this frame reads. */
  readonly leave: (() => void) | undefined;
}

interface LeafFrame {
  readonly kind: 'leaf';
  readonly decl: LeafDecl;
  readonly scope: Scope;
  readonly path: string;
  readonly attributes: Readonly<Record<string, string>>;
  text: string;
  hasElement: boolean;
}

/** An element whose content is not read (stray, or a repeat of a single element): `depth` counts what opens inside it. */
interface SkipFrame {
  readonly kind: 'skip';
  depth: number;
}

type Frame = GroupFrame | LeafFrame | SkipFrame;

class DocumentReader implements ReadState {
  readonly vars = new Map<string, unknown>();
  readonly issues: ProfileIssue[] = [];
  private readonly checks: (() => void)[] = [];
  private readonly gathered = new Map<object, unknown>();
  private readonly seen = new WeakMap<LeafDecl, Set<string>>();
  private readonly frames: Frame[] = [];
  private skipping: SkipFrame | undefined;

  issue(path: string, detail: string): void {
    if (this.issues.length < MAX_READ_ISSUES) this.issues.push({ code: 'cim.rule-violation', detail, path });
  }

  afterRead(check: () => void): void {
    this.checks.push(check);
  }

  afterReadOnce<T>(key: object, start: () => T, check: (gathered: T) => void): T {
    if (this.gathered.has(key)) return this.gathered.get(key) as T;
    const gathered = start();
    this.gathered.set(key, gathered);
    this.afterRead(() => check(gathered));
    return gathered;
  }

  runChecks(): void {
    for (const check of this.checks) check();
  }

  get reading(): boolean {
    return this.frames.length > 0;
  }

  openRoot(decls: readonly ElementDecl[], scope: Scope, path: string): void {
    this.frames.push(this.groupFrame(decls, scope, path, undefined));
  }

  open(tag: SaxesTagPlain): void {
    if (this.skipping) {
      this.skipping.depth++;
      return;
    }
    const frame = this.frames[this.frames.length - 1]!;
    if (frame.kind === 'leaf') {
      frame.hasElement = true;
      this.skip();
      return;
    }
    if (frame.kind === 'group') this.openChild(frame, localName(tag.name), tag.attributes);
  }

  close(): void {
    if (this.skipping) {
      if (--this.skipping.depth === 0) {
        this.frames.pop();
        this.skipping = undefined;
      }
      return;
    }
    const frame = this.frames.pop();
    if (frame?.kind === 'leaf') this.readLeaf(frame);
    else if (frame?.kind === 'group') {
      for (; frame.at < frame.decls.length; frame.at++) this.closeRun(frame);
      frame.leave?.();
    }
  }

  text(text: string, cdata: boolean): void {
    if (this.skipping) return;
    const frame = this.frames[this.frames.length - 1];
    if (frame?.kind === 'leaf') frame.text += text;
    else if (frame?.kind === 'group' && !cdata && text.trim() !== '' && this.issues.length < MAX_READ_ISSUES) {
      this.issues.splice(frame.issueMark + frame.textIssues++, 0, {
        code: 'cim.rule-violation',
        detail: 'has text where only elements are allowed',
        path: frame.path,
      });
    }
  }

  private groupFrame(decls: readonly ElementDecl[], scope: Scope, path: string, leave: (() => void) | undefined): GroupFrame {
    return {
      kind: 'group',
      decls,
      expectedFrom: laterNames(decls),
      scope,
      path,
      at: 0,
      running: false,
      count: 0,
      issueMark: this.issues.length,
      textIssues: 0,
      leave,
    };
  }

  private skip(): void {
    this.skipping = { kind: 'skip', depth: 1 };
    this.frames.push(this.skipping);
  }

  private openChild(frame: GroupFrame, name: string, attributes: Readonly<Record<string, string>>): void {
    for (;;) {
      const decl = frame.decls[frame.at];
      if (decl === undefined) {
        this.issue(`${frame.path}/${name}`, NOT_HERE);
        return this.skip();
      }
      if (!frame.running) {
        if (!frame.expectedFrom[frame.at]!.has(name)) {
          this.issue(`${frame.path}/${name}`, NOT_HERE);
          return this.skip();
        }
        frame.running = true;
      }
      if (name === decl.name) return this.openOccurrence(frame, decl, ++frame.count, attributes);
      this.closeRun(frame);
      frame.at++;
    }
  }

  private openOccurrence(frame: GroupFrame, decl: ElementDecl, count: number, attributes: Readonly<Record<string, string>>): void {
    const elementPath = `${frame.path}/${decl.name}`;
    if (decl.kind === 'leaf') {
      if (count > 1) return this.skip();
      this.frames.push({ kind: 'leaf', decl, scope: frame.scope, path: elementPath, attributes, text: '', hasElement: false });
      return;
    }
    const indexed = decl.repeat.max !== 1;
    if (!indexed && count > 1) return this.skip();
    const child = decl.repeat.enter(frame.scope, count);
    const leave = decl.repeat.leave ? () => (decl as GroupDecl).repeat.leave!(frame.scope, child, this, elementPath) : undefined;
    this.frames.push(this.groupFrame(decl.children, child, indexed ? `${elementPath}[${count}]` : elementPath, leave));
  }

  /** Ends the run of `decls[at]`: too few or too many occurrences, and the repetition's own checks. */
  private closeRun(frame: GroupFrame): void {
    const decl = frame.decls[frame.at]!;
    const count = frame.running ? frame.count : 0;
    const elementPath = `${frame.path}/${decl.name}`;
    const indexed = decl.kind === 'group' && decl.repeat.max !== 1;
    const min = decl.kind === 'leaf' ? (decl.optional ? 0 : 1) : decl.repeat.min;
    if (count < min) this.issue(elementPath, 'is missing');
    if (!indexed && count > 1) this.issue(elementPath, `occurs ${count} times; it may occur once`);
    if (decl.kind === 'group') decl.repeat.finish?.(frame.scope, count, this, elementPath);
    frame.running = false;
    frame.count = 0;
  }

  private readLeaf(frame: LeafFrame): void {
    const { decl, scope, path } = frame;
    if (frame.hasElement) return this.issue(path, 'contains elements; it holds text only');
    const text = lexicalForm(decl.type, detached(frame.text));
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
      const given = attributeNamed(frame.attributes, decl.attribute.name);
      if (given === undefined) return this.issue(attributePath, 'is missing');
      const value = lexicalForm(decl.attribute.type, detached(given));
      const wrongAttribute = facetViolation(decl.attribute.type, value);
      if (wrongAttribute) return this.issue(attributePath, wrongAttribute);
      decl.attribute.value.read(value, scope, this, attributePath);
    }
    decl.value.read(text, scope, this, path);
  }
}

/** An attribute by local name, whatever its prefix (namespace declarations aside). */
function attributeNamed(attributes: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.hasOwn(attributes, name)) return attributes[name];
  for (const [qualified, value] of Object.entries(attributes)) {
    if (!qualified.startsWith('xmlns') && localName(qualified) === name) return value;
  }
  return undefined;
}

export interface ParsedDocument<M, H> {
  readonly header: H;
  readonly model: M;
}

/**
 * XML text of a profile document (or its bytes, valid UTF-8, decoded a
 * slice at a time) → header and model, read as a stream: a
 * SAX parser (saxes) hands each element to the declaration it matches, and
 * the model fills one element at a time, with no tree of the document ever
 * built. Reports every rule the document breaks (structure, the facets of
 * each value, positions, point counts, derived values, reasons, the model's
 * own schema), each at the failing element. Entities are never expanded
 * (saxes knows only the predefined ones and character references) and a
 * DOCTYPE is refused; the gateway bounds size and depth before this point.
 */
export function parseDocument<M extends TSchema, H extends TSchema>(profile: Profile<M, H>, xml: string | Uint8Array): ParsedDocument<Static<M>, Static<H>> {
  const reader = new DocumentReader();
  const rootPath = `/${profile.root}`;
  const header: Fields = {};
  const model: Fields = {};
  const sax = new SaxesParser({ xmlns: false, defaultXMLVersion: '1.0', forceXMLVersion: true } as const);
  const malformed = (message: string) => new MalformedXml(message, sax.line, sax.column);
  let rootSeen = false;
  sax.on('error', (error) => {
    throw malformed(error.message);
  });
  sax.on('doctype', () => {
    throw malformed('a DOCTYPE is not accepted');
  });
  sax.on('opentag', (tag) => {
    if (rootSeen) return reader.open(tag);
    rootSeen = true;
    const name = localName(tag.name);
    if (name !== profile.root) {
      throw new ProfileViolation([{ code: 'cim.rule-violation', detail: `the root element must be ${profile.root}`, path: `/${name}` }], header);
    }
    reader.openRoot(profile.children, { header, root: model, item: model, position: 1, parent: undefined }, rootPath);
  });
  sax.on('closetag', () => reader.close());
  sax.on('text', (text) => reader.text(text, false));
  sax.on('cdata', (text) => reader.text(text, true));
  if (typeof xml === 'string') sax.write(xml);
  else {
    // Bytes are decoded a slice at a time, so a large document is never also held as one string.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let at = 0; at < xml.length; at += DECODE_BYTES) sax.write(decoder.decode(xml.subarray(at, at + DECODE_BYTES), { stream: true }));
    sax.write(decoder.decode());
  }
  sax.close();
  if (!rootSeen) throw new ProfileViolation([{ code: 'cim.rule-violation', detail: `the root element must be ${profile.root}`, path: '/' }], header);
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
