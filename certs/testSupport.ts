import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder per call, removed after the current mocha suite: call in
 * `before`/`it`, cleanup is registered with `after` of the describing block.
 */
export function temporaryDirectories(): () => Promise<string> {
  const made: string[] = [];
  after(async () => {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flexgate-pki-'));
    made.push(dir);
    return dir;
  };
}

const opensslVersion = (() => {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
})();

/** Skips the calling test loudly when the openssl CLI is missing (the checks are about openssl's own verdict). */
export function requireOpenssl(context: Mocha.Context): void {
  if (opensslVersion) return;
  console.warn('\n  !! SKIPPED: the `openssl` command is not installed; install it (Debian: apt-get install openssl) to run this check\n');
  context.skip();
}

export interface OpensslRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs openssl and reports its exit status instead of throwing on failure, since refusals are expected outcomes. */
export function openssl(args: readonly string[]): Promise<OpensslRun> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}
