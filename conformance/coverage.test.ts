import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { problemCatalogue } from '../schemas/problems.ts';
import { PACKAGE_ROOT } from '../schemas/packageRoot.ts';
import { withCasesTable } from './casesTable.ts';
import { AWAITING_VECTORS, catalogueDisagreements, NOT_BLACK_BOX, problemCoverage } from './coverage.ts';
import { SCRIPTS } from './runner/scripts.ts';
import { loadVectors } from './vectors/load.ts';

describe('conformance vectors', () => {
  const cases = loadVectors();

  it('load, with unique ids, each a request case or a script the suite has', () => {
    assert.ok(cases.length > 0);
    for (const vector of cases) if (vector.script) assert.ok(SCRIPTS[vector.script], `${vector.id}: no script ${vector.script}`);
  });

  it('cover every problem type of the catalogue with a negative case (add one when a new type appears)', () => {
    const coverage = problemCoverage(cases);
    const awaiting = new Set<string>(AWAITING_VECTORS);
    const missing = Object.keys(problemCatalogue).filter((code) => !coverage.has(code) && !(code in NOT_BLACK_BOX) && !awaiting.has(code));
    assert.deepEqual(missing, [], `problem types without a negative conformance case: ${missing.join(', ')}`);
  });

  it('exempt no problem type that a case covers, nor one the catalogue no longer has', () => {
    const coverage = problemCoverage(cases);
    for (const code of [...Object.keys(NOT_BLACK_BOX), ...AWAITING_VECTORS]) {
      assert.ok(code in problemCatalogue, `${code} is exempt but not in the catalogue`);
      assert.ok(!coverage.has(code), `${code} is exempt but covered by ${coverage.get(code)?.join(', ')}`);
    }
  });

  it('expect each problem type with the status the catalogue sends it with', () => {
    assert.deepEqual(catalogueDisagreements(cases), []);
  });

  it('are counted per role and suite in conformance/README.md (run `npm run generate` when this fails)', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'conformance', 'README.md'), 'utf8');
    assert.equal(readme, withCasesTable(readme, cases));
  });
});
