import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared folder beside the repository (or where FLEXGATE_SHARED_DIR says): official artefacts and the BiTraDER fixtures. */
export const SHARED_DIR = process.env.FLEXGATE_SHARED_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared');
export const BITRADER_DIR = join(SHARED_DIR, 'fixtures', 'bitrader');

export const BITRADER_FIXTURES = ['cla-figure5.tsv', 'mol-original-figure6.tsv', 'mol-traded-figure7.tsv'] as const;
export type BitraderFixture = (typeof BITRADER_FIXTURES)[number];

/**
 * Reads a BiTraDER fixture, or skips the calling test loudly when ../shared is
 * not beside the repository (the fixtures are third-party data, not copied here).
 */
export function bitraderFixture(context: Mocha.Context, name: BitraderFixture): Buffer {
  const path = join(BITRADER_DIR, name);
  skipLoudlyWithout(context, path);
  return readFileSync(path);
}

/** Skips, loudly, a test that builds on what earlier tests made from the fixtures, when ../shared is absent. */
export function requireBitraderFixtures(context: Mocha.Context): void {
  skipLoudlyWithout(context, BITRADER_DIR);
}

function skipLoudlyWithout(context: Mocha.Context, path: string): void {
  if (existsSync(path)) return;
  console.warn(`\n  !! SKIPPED: ${path} is absent; the BiTraDER fixtures live in ../shared beside the repository\n`);
  context.skip();
}
