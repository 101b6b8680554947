import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { ElementDecl, Profile } from './declaration.ts';
import type { SimpleType } from './simpleType.ts';
import { verbatim } from './xmlText.ts';

const XS = 'http://www.w3.org/2001/XMLSchema';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

/** Every simple type the element tree uses, by name; one name must mean one definition. */
export function simpleTypesOf(decls: readonly ElementDecl[]): SimpleType[] {
  const types = new Map<string, SimpleType>();
  const visit = (type: SimpleType) => {
    const known = types.get(type.name);
    if (known && known !== type && JSON.stringify(known) !== JSON.stringify(type)) {
      throw new Error(`Two different simple types are named ${type.name}`);
    }
    types.set(type.name, type);
  };
  const walk = (list: readonly ElementDecl[]) => {
    for (const decl of list) {
      if (decl.kind === 'group') walk(decl.children);
      else {
        visit(decl.type);
        if (decl.attribute) visit(decl.attribute.type);
      }
    }
  };
  walk(decls);
  return [...types.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function document(parent: XMLBuilder, text: string): void {
  parent.ele(XS, 'xs:annotation').ele(XS, 'xs:documentation').txt(verbatim(text));
}

function writeElement(parent: XMLBuilder, decl: ElementDecl): void {
  const min = decl.kind === 'leaf' ? (decl.optional ? 0 : 1) : decl.repeat.min;
  const max = decl.kind === 'leaf' ? 1 : decl.repeat.max;
  const element = parent.ele(XS, 'xs:element').att('name', decl.name);
  if (decl.kind === 'leaf' && !decl.attribute) element.att('type', decl.type.name);
  element.att('minOccurs', String(min)).att('maxOccurs', String(max));
  document(element, decl.meaning);
  if (decl.kind === 'leaf') {
    if (decl.attribute) {
      element
        .ele(XS, 'xs:complexType')
        .ele(XS, 'xs:simpleContent')
        .ele(XS, 'xs:extension')
        .att('base', decl.type.name)
        .ele(XS, 'xs:attribute')
        .att('name', decl.attribute.name)
        .att('type', decl.attribute.type.name)
        .att('use', 'required');
    }
    return;
  }
  const sequence = element.ele(XS, 'xs:complexType').ele(XS, 'xs:sequence');
  for (const child of decl.children) writeElement(sequence, child);
}

function writeSimpleType(schema: XMLBuilder, type: SimpleType): void {
  const simple = schema.ele(XS, 'xs:simpleType').att('name', type.name);
  document(simple, type.description);
  const restriction = simple.ele(XS, 'xs:restriction').att('base', type.base);
  const facet = (name: string, value: number | string | undefined) => {
    if (value !== undefined) restriction.ele(XS, `xs:${name}`).att('value', verbatim(String(value)));
  };
  facet('minLength', type.minLength);
  facet('maxLength', type.maxLength);
  facet('pattern', type.pattern);
  facet('minInclusive', type.minInclusive);
  facet('maxInclusive', type.maxInclusive);
  for (const code of type.codes ?? []) document(restriction.ele(XS, 'xs:enumeration').att('value', verbatim(code.code)), code.title);
}

/**
 * The profile XSD: the profile's subset of the ESMP document, in the
 * document's own namespace and with its element names, written from the
 * declaration (never copied from the official schema). Elements are local
 * and typed inline; simple types are named once and shared.
 */
export function profileXsd(profile: Profile): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const schema = doc
    .ele(XS, 'xs:schema')
    .att(XMLNS, 'xmlns', profile.namespace)
    .att('targetNamespace', profile.namespace)
    .att('elementFormDefault', 'qualified')
    .att('attributeFormDefault', 'unqualified');
  // The note goes in the annotation rather than a comment: comment nodes slow xmlbuilder2 down for the rest of the process (see builder.ts).
  document(
    schema,
    `Generated from profiles/${profile.fileStem}.ts by profiles/generate.ts: edit the declaration, not this file. flexgate profile "${profile.id}": ${profile.title}. A subset of ${profile.official.document} (${profile.official.file}): every document valid against this schema is meant to be valid against the official one.`,
  );
  const root = schema.ele(XS, 'xs:element').att('name', profile.root);
  document(root, profile.summary);
  const sequence = root.ele(XS, 'xs:complexType').ele(XS, 'xs:sequence');
  for (const child of profile.children) writeElement(sequence, child);
  for (const type of simpleTypesOf(profile.children)) writeSimpleType(schema, type);
  return `${doc.end({ prettyPrint: true })}\n`;
}
