import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { VectorFile, type LoadedCase } from './model.ts';

/** The vectors as checked in: read from the package root, so the compiled CLI finds them too. */
export const VECTORS_DIR = join(PACKAGE_ROOT, 'conformance', 'vectors');

/** A vector file that does not hold to the vector format, or ids that clash. */
export class VectorFileInvalid extends FlexgateError {
  readonly code = 'conformance.vector-invalid';
}

const validateFile = compileValidator(VectorFile);

/** The folder a vector file for an API version sits in: `openadr/3.1.0` → `openadr-3.1.0`. */
export const versionFolder = (apiVersion: string) => apiVersion.replace(/\//g, '-');

/** Every case of every vector file, in file then case order (stable: the run order). */
export function loadVectors(dir = VECTORS_DIR): LoadedCase[] {
  const cases: LoadedCase[] = [];
  const seen = new Map<string, string>();
  for (const path of vectorFiles(dir)) {
    const file = relative(dir, path).split(sep).join('/');
    let parsed: VectorFile;
    try {
      const text = readFileSync(path, 'utf8');
      parsed = validateFile(path.endsWith('.json') ? JSON.parse(text) : loadYaml(text));
    } catch (error) {
      throw new VectorFileInvalid(`${file}: ${describe(error)}`, { cause: error });
    }
    if (!file.startsWith(`${versionFolder(parsed.apiVersion)}/`)) {
      throw new VectorFileInvalid(`${file}: vectors for ${parsed.apiVersion} belong under ${versionFolder(parsed.apiVersion)}/`);
    }
    for (const vector of parsed.cases) {
      if ((vector.steps === undefined) === (vector.script === undefined)) {
        throw new VectorFileInvalid(`${file}: ${vector.id} needs either steps or a script, not both or neither`);
      }
      const earlier = seen.get(vector.id);
      if (earlier) throw new VectorFileInvalid(`${file}: case id ${vector.id} is already used in ${earlier}`);
      seen.set(vector.id, file);
      cases.push({ ...vector, role: parsed.role, suite: parsed.suite, apiVersion: parsed.apiVersion, file });
    }
  }
  return cases;
}

function vectorFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return vectorFiles(path);
      return /\.(ya?ml|json)$/.test(entry.name) ? [path] : [];
    });
}

function describe(error: unknown): string {
  const problem = error as { message?: string; items?: { pointer?: string; detail: string }[] };
  if (Array.isArray(problem.items)) return problem.items.map((item) => item.detail).join('; ');
  return problem.message ?? String(error);
}
