// Rewrites the generated case table of conformance/README.md from the vectors.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../schemas/packageRoot.ts';
import { withCasesTable } from './casesTable.ts';
import { loadVectors } from './vectors/load.ts';

const path = join(PACKAGE_ROOT, 'conformance', 'README.md');
writeFileSync(path, withCasesTable(readFileSync(path, 'utf8'), loadVectors()));
console.log(`wrote ${path}`);
