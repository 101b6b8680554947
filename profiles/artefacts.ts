import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES } from './catalogue.ts';
import { profileDocsPage } from './machinery/docsPage.ts';
import { profileXsd } from './machinery/xsd.ts';

/** The repository root, from this file's place in it. */
export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const PROFILE_XSD_DIR = join(REPOSITORY_ROOT, 'schemas', 'cim');
export const PROFILE_DOCS_DIR = join(REPOSITORY_ROOT, 'profiles', 'docs');

export function profileXsdPath(fileStem: string): string {
  return join(PROFILE_XSD_DIR, `${fileStem}.xsd`);
}

/** Every file generated from the declarations, by absolute path: the XSDs and the docs pages. */
export function generatedArtefacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const profile of PROFILES) {
    files.set(profileXsdPath(profile.fileStem), profileXsd(profile));
    files.set(join(PROFILE_DOCS_DIR, `${profile.fileStem}.md`), profileDocsPage(profile));
  }
  return files;
}
