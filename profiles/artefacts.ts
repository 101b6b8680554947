import { join } from 'node:path';
import { PACKAGE_ROOT } from '../schemas/packageRoot.ts';
import { PROFILES } from './catalogue.ts';
import { profileDocsPage } from './machinery/docsPage.ts';
import { profileXsd } from './machinery/xsd.ts';

export const PROFILE_XSD_DIR = join(PACKAGE_ROOT, 'schemas', 'cim');
export const PROFILE_DOCS_DIR = join(PACKAGE_ROOT, 'profiles', 'docs');

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
