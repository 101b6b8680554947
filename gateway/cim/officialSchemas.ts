import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CimProfile } from '../../profiles/catalogue.ts';
import { SHARED_DIR } from '../testing/fixtures.ts';
import { loadSchema, type CompiledSchema } from './xsdValidation.ts';

/** The official ENTSO-E XSDs, third-party files kept beside the repository (`../shared/anchors/cim/`). */
export const OFFICIAL_XSD_DIR = join(SHARED_DIR, 'anchors', 'cim', 'esmp-iec62325-451');

/**
 * The official XSD of a profile's document, compiled with its imports; skips
 * the calling test or hook, loudly, when the shared folder is absent.
 */
export function officialSchema(context: Mocha.Context, profile: CimProfile): CompiledSchema {
  const path = join(OFFICIAL_XSD_DIR, profile.official.file);
  if (!existsSync(path)) {
    console.warn(`\n  !! SKIPPED: ${path} is absent; the official ESMP XSDs live in ../shared/anchors/cim beside the repository\n`);
    context.skip();
  }
  return loadSchema(path);
}
