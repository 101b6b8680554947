import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Ajv } from 'ajv';
import { generatedSchemaArtefacts } from './artefacts.ts';
import { problemCatalogue } from './problems.ts';

describe('generated schema artefacts', function () {
  const artefacts = generatedSchemaArtefacts();

  it('are checked in exactly as the definitions generate them (run `npm run generate` if not)', function () {
    const stale = [...artefacts].filter(([path, expected]) => !existsSync(path) || readFileSync(path, 'utf8') !== expected).map(([path]) => basename(path));
    assert.deepEqual(stale, []);
  });

  it('publish JSON Schemas that a stock validator compiles', function () {
    const ajv = new Ajv({ strict: false });
    for (const [path, content] of artefacts) {
      if (path.endsWith('.schema.json')) assert.doesNotThrow(() => ajv.compile(JSON.parse(content) as object), path);
    }
  });

  it('list every problem code of the catalogue', function () {
    const page = [...artefacts].find(([path]) => path.endsWith('problems.md'))?.[1] ?? '';
    for (const code of Object.keys(problemCatalogue)) assert.ok(page.includes(`| \`${code}\` |`), code);
  });
});
