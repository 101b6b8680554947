import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { PACKAGE_ROOT } from '../schemas/packageRoot.ts';
import { generatedArtefacts } from './artefacts.ts';

// Run as `node --import tsx profiles/generate.ts`: rewrites the profile XSDs and docs pages from the declarations.
for (const [path, content] of generatedArtefacts()) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${relative(PACKAGE_ROOT, path)}`);
}
