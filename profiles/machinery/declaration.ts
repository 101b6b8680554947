import type { TSchema } from '@sinclair/typebox';
import type { SimpleType } from './simpleType.ts';

/** Model values as the generic machinery sees them: fields by name. */
export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where an element sits relative to the model. When building, `header`,
 * `root` and `item` are the model objects; when parsing, they are the drafts
 * the parser fills, so one binding serves both directions.
 */
export interface Scope {
  readonly header: Fields;
  readonly root: Fields;
  /** The model object of the nearest repeated ancestor (the root at first). */
  readonly item: Fields;
  /** 1-based position among the occurrences of the nearest repeated ancestor. */
  readonly position: number;
  readonly parent: Scope | undefined;
}

/** The most rule violations one reading reports. */
export const MAX_READ_ISSUES = 100;

/** What the parser offers bindings while it reads a document. */
export interface ReadState {
  /** Records a rule violation at an element (XPath-like path). */
  issue(path: string, detail: string): void;
  /** Runs a check once the whole document has been read. */
  afterRead(check: () => void): void;
  /**
   * Like `afterRead`, once per `key` however many occurrences ask: the first
   * call makes what the occurrences gather into (`start`), every call gets
   * it, and `check` reads it once the document is read.
   */
  afterReadOnce<T>(key: object, start: () => T, check: (gathered: T) => void): T;
  /** Per-document scratch values a binding needs across elements. */
  readonly vars: Map<string, unknown>;
}

/** The model field an element or fact carries: for the docs page, coverage tests and error locations. */
export interface FieldTarget {
  readonly on: 'header' | 'root' | 'item';
  /** Field name; dotted for nested objects (`basedOn.mRID`). */
  readonly key: string;
}

/** How one element's (or attribute's) text relates to the model, in both directions. */
export interface LeafBinding {
  readonly describe: string;
  readonly target?: FieldTarget;
  /** The text to write, or undefined to leave an optional element out. */
  write(scope: Scope): string | undefined;
  read(text: string, scope: Scope, state: ReadState, path: string): void;
}

export interface AttributeDecl {
  readonly name: string;
  readonly type: SimpleType;
  readonly value: LeafBinding;
}

export interface LeafDecl {
  readonly kind: 'leaf';
  readonly name: string;
  readonly type: SimpleType;
  readonly optional: boolean;
  readonly meaning: string;
  readonly value: LeafBinding;
  readonly attribute?: AttributeDecl;
  /** The text must differ between all occurrences of this element in a document. */
  readonly unique?: boolean;
}

/** How often an element with children occurs, and which model object each occurrence stands for. */
export interface Repetition {
  readonly describe: string;
  readonly min: 0 | 1;
  readonly max: 1 | 'unbounded';
  /** The model array iterated, if any. */
  readonly target?: FieldTarget;
  /** For `Reason` elements: the kinds of reason the profile writes there. */
  readonly reasons?: readonly ReasonKind[];
  /** Model arrays whose element k goes into occurrence k + 1. */
  readonly arrays?: readonly string[];
  /** Builder: one scope per occurrence. */
  build(scope: Scope): Scope[];
  /** Parser: the scope an occurrence is read into. */
  enter(scope: Scope, position: number): Scope;
  /** Parser: after one occurrence has been read. */
  leave?(scope: Scope, child: Scope, state: ReadState, path: string): void;
  /** Parser: after all occurrences have been read. */
  finish?(scope: Scope, count: number, state: ReadState, path: string): void;
}

export interface GroupDecl {
  readonly kind: 'group';
  readonly name: string;
  readonly meaning: string;
  readonly repeat: Repetition;
  readonly children: readonly ElementDecl[];
}

export type ElementDecl = LeafDecl | GroupDecl;

/** One `Reason` element as read or written. */
export interface ReasonEntry {
  readonly code: string;
  readonly text?: string;
}

/** A kind of `Reason` a profile writes under an element: at most one per element. */
export interface ReasonKind {
  readonly code: string;
  readonly describe: string;
  readonly targets: readonly FieldTarget[];
  /** For complementary-information reasons: the facts carried, for the docs page. */
  readonly facts?: readonly Fact[];
  write(scope: Scope): ReasonEntry | undefined;
  claims(entry: ReasonEntry): boolean;
  read(entry: ReasonEntry, scope: Scope, state: ReadState, path: string): void;
  /** After every reason of the element has been read (defaults for absent flags). */
  finish?(scope: Scope): void;
}

/** One `key=value` fact of a complementary-information reason. */
export interface Fact {
  readonly key: string;
  readonly describe: string;
  readonly target?: FieldTarget;
  write(scope: Scope): string | undefined;
  read(value: string, scope: Scope, state: ReadState, path: string): void;
}

/** A CIM profile: a subset of one ESMP document and its mapping to a flexgate model. */
export interface Profile<M extends TSchema = TSchema, H extends TSchema = TSchema> {
  /** Also the kind under which documents of this profile are stored. */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** Base name of the generated files: `schemas/cim/<fileStem>.xsd`, `profiles/docs/<fileStem>.md`. */
  readonly fileStem: string;
  readonly root: string;
  readonly namespace: string;
  readonly official: { readonly file: string; readonly document: string };
  /** The flexgate model a document of this profile carries, and where it is defined. */
  readonly model: M;
  readonly modelName: string;
  readonly header: H;
  readonly children: readonly ElementDecl[];
  /** Rules beyond the XSD, as the docs page states them (the bindings enforce them). */
  readonly rules: readonly string[];
}

export function leaf(
  name: string,
  type: SimpleType,
  value: LeafBinding,
  options: { meaning: string; optional?: boolean; attribute?: AttributeDecl; unique?: boolean },
): LeafDecl {
  return {
    kind: 'leaf',
    name,
    type,
    value,
    optional: options.optional ?? false,
    meaning: options.meaning,
    ...(options.attribute ? { attribute: options.attribute } : {}),
    ...(options.unique ? { unique: true } : {}),
  };
}

export function group(name: string, repeat: Repetition, meaning: string, children: readonly ElementDecl[]): GroupDecl {
  return { kind: 'group', name, repeat, meaning, children };
}

export function codingScheme(type: SimpleType, value: LeafBinding): AttributeDecl {
  return { name: 'codingScheme', type, value };
}

/** A dotted field of a model object. */
export function getField(fields: Fields, key: string): unknown {
  let value: unknown = fields;
  for (const part of key.split('.')) {
    if (!isFields(value)) return undefined;
    value = value[part];
  }
  return value;
}

/** Sets a dotted field of a draft, creating the objects on the way. */
export function setField(fields: Fields, key: string, value: unknown): void {
  const parts = key.split('.');
  let target = fields;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (isFields(next)) {
      target = next;
    } else {
      const created: Fields = {};
      target[part] = created;
      target = created;
    }
  }
  target[parts[parts.length - 1]!] = value;
}

export function scopeFields(scope: Scope, on: FieldTarget['on']): Fields {
  return on === 'header' ? scope.header : on === 'root' ? scope.root : scope.item;
}
