import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { PACKAGE_ROOT } from '../schemas/packageRoot.ts';
import { generatedArtefacts } from './artefacts.ts';
import { PROFILES } from './catalogue.ts';
import { fieldPlacements } from './machinery/locate.ts';

/** Every leaf field of a JSON schema as a pointer pattern, `*` standing for array indexes. */
function schemaLeaves(schema: TSchema, prefix: readonly string[] = []): string[] {
  if (schema.type === 'object' && typeof schema.properties === 'object' && schema.properties !== null) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([key, child]) => schemaLeaves(child, [...prefix, key]));
  }
  if (schema.type === 'array' && typeof schema.items === 'object' && schema.items !== null) {
    return schemaLeaves(schema.items as TSchema, [...prefix, '*']);
  }
  return [prefix.join('/')];
}

describe('CIM profile declarations', () => {
  it('generate exactly the checked-in profile XSDs and docs pages (regenerate with `node --import tsx profiles/generate.ts`)', () => {
    const stale: string[] = [];
    for (const [path, expected] of generatedArtefacts()) {
      let actual: string | undefined;
      try {
        actual = readFileSync(path, 'utf8');
      } catch {
        actual = undefined;
      }
      if (actual !== expected) stale.push(relative(PACKAGE_ROOT, path));
    }
    assert.deepEqual(stale, [], `out of date with the declarations: ${stale.join(', ')}`);
  });

  for (const profile of PROFILES) {
    it(`${profile.id}: every field of the model and of the header has a place in the document`, () => {
      const placed = new Set(fieldPlacements(profile).map((p) => `${p.on}:${p.pattern.join('/')}`));
      const missing = [...schemaLeaves(profile.model).map((leaf) => `model:${leaf}`), ...schemaLeaves(profile.header).map((leaf) => `header:${leaf}`)].filter(
        (leaf) => !placed.has(leaf),
      );
      assert.deepEqual(missing, [], `${profile.id} drops ${missing.join(', ')}`);
    });
  }

  it('give each profile its own root element, namespace and file names', () => {
    for (const key of ['id', 'root', 'namespace', 'fileStem'] as const) {
      assert.equal(new Set(PROFILES.map((p) => p[key])).size, PROFILES.length, `${key} repeats`);
    }
  });
});
