import type { ElementDecl, Profile, ReasonKind } from './declaration.ts';
import { simpleTypesOf } from './xsd.ts';
import type { SimpleType } from './simpleType.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function occurs(decl: ElementDecl): string {
  const min = decl.kind === 'leaf' ? (decl.optional ? 0 : 1) : decl.repeat.min;
  const max = decl.kind === 'leaf' ? 1 : decl.repeat.max;
  return max === 1 ? (min === 1 ? '1' : '0..1') : `${min}..n`;
}

function facets(type: SimpleType): string {
  const parts: string[] = [];
  if (type.codes) parts.push(type.codes.map((c) => `\`${c.code}\` ${c.title}`).join('; '));
  if (type.minLength !== undefined) parts.push(`≥ ${type.minLength} chars`);
  if (type.maxLength !== undefined) parts.push(`≤ ${type.maxLength} chars`);
  if (type.pattern !== undefined) parts.push(`pattern \`${type.pattern}\``);
  if (type.minInclusive !== undefined) parts.push(`≥ ${type.minInclusive}`);
  if (type.maxInclusive !== undefined) parts.push(`≤ ${type.maxInclusive}`);
  return parts.join(', ');
}

/**
 * The profile's docs page, written from the declaration: every element with
 * its cardinality, type and the model field it carries; the reasons and the
 * facts they hold; the rules beyond the XSD; the simple types and codes.
 */
export function profileDocsPage(profile: Profile): string {
  const elements: string[] = [];
  const reasonRows: string[] = [];
  const factRows: string[] = [];
  const walk = (decls: readonly ElementDecl[], prefix: string) => {
    for (const decl of decls) {
      const path = `${prefix}${decl.name}`;
      const type = decl.kind === 'leaf' ? `\`${decl.type.name}\`` : '';
      const carries = decl.kind === 'leaf' ? decl.value.describe : decl.repeat.describe;
      elements.push(`| \`${path}\` | ${occurs(decl)} | ${type} | ${cell(carries)} | ${cell(decl.meaning)} |`);
      if (decl.kind === 'leaf' && decl.attribute) {
        elements.push(
          `| \`${path}/@${decl.attribute.name}\` | 1 | \`${decl.attribute.type.name}\` | ${cell(decl.attribute.value.describe)} | coding scheme of the id |`,
        );
      }
      if (decl.kind === 'group') {
        for (const kind of decl.repeat.reasons ?? []) addReason(path, kind);
        walk(decl.children, `${path}/`);
      }
    }
  };
  const addReason = (path: string, kind: ReasonKind) => {
    reasonRows.push(`| \`${path}\` | \`${kind.code}\` | ${cell(kind.describe)} |`);
    for (const fact of kind.facts ?? []) factRows.push(`| \`${path}\` | \`${fact.key}\` | ${cell(fact.describe)} |`);
  };
  walk(profile.children, '');

  const types = simpleTypesOf(profile.children).map((t) => `| \`${t.name}\` | \`${t.base}\` | ${cell(facets(t))} | ${cell(t.description)} |`);
  const lines = [
    `<!-- Generated from profiles/${profile.fileStem}.ts by profiles/generate.ts: edit the declaration, not this page. -->`,
    `# ${profile.title}`,
    '',
    profile.summary,
    '',
    '| | |',
    '|---|---|',
    `| Profile (and stored kind) | \`${profile.id}\` |`,
    `| Root element | \`${profile.root}\` |`,
    `| Namespace | \`${profile.namespace}\` |`,
    `| Official document | ${profile.official.document}, \`${profile.official.file}\` |`,
    `| Profile XSD | [\`schemas/cim/${profile.fileStem}.xsd\`](../../schemas/cim/${profile.fileStem}.xsd) |`,
    `| Model | ${profile.modelName} |`,
    '',
    '## Elements',
    '',
    'Paths are relative to the root element, in document order. "Carries" says which model field the element holds; "always" marks a value the profile fixes.',
    '',
    '| Element | Occurs | Type | Carries | Meaning |',
    '|---|---|---|---|---|',
    ...elements,
    '',
  ];
  if (reasonRows.length > 0) {
    lines.push(
      '## Reasons',
      '',
      'Each kind of reason appears at most once per element, in this order.',
      '',
      '| Element | Code | Carries |',
      '|---|---|---|',
      ...reasonRows,
      '',
    );
  }
  if (factRows.length > 0) {
    lines.push(
      '### Complementary-information facts',
      '',
      'An A95 reason with facts has the text `key=value key=value…`: single spaces, keys in this order, absent fields left out.',
      '',
      '| Element | Fact | Carries |',
      '|---|---|---|',
      ...factRows,
      '',
    );
  }
  lines.push(
    '## Rules beyond the XSD',
    '',
    ...profile.rules.map((rule) => `- ${rule}`),
    '',
    '## Types',
    '',
    '| Type | Base | Facets | Meaning |',
    '|---|---|---|---|',
    ...types,
    '',
  );
  return lines.join('\n');
}
