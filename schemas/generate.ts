import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generatedSchemaArtefacts } from './artefacts.ts';

// Run as `npm run generate`: rewrites the published JSON Schemas and the problem catalogue page.
for (const [path, content] of generatedSchemaArtefacts()) {
  writeFileSync(path, content);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}
