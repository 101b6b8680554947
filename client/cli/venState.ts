import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AccessToken, TokenCache } from '../openadr/accessToken.ts';
import { UsageError } from './commandLine.ts';

/** What `flexgate ven` remembers between commands, per party: the token, and what it registered. */
export interface VenState {
  /** The VTN the state belongs to: a token is worth nothing at another. */
  url?: string;
  token?: AccessToken;
  venId?: string;
  venName?: string;
  resources?: Record<string, string>;
}

/** The folder a party's state lives in unless `--state-dir` says otherwise. */
export const defaultStateDir = (party: string) => join('data', 'ven', party.split(':').pop() ?? party);

/**
 * The state file `<dir>/state.json`, readable by its owner only (it holds a
 * bearer token, which is bound to the party's certificate besides). Written
 * whole and renamed into place, so an interrupted command leaves the last
 * good state.
 */
export class VenStateFile implements TokenCache {
  readonly path: string;
  state: VenState;

  constructor(
    dir: string,
    private readonly url: string,
  ) {
    this.path = join(dir, 'state.json');
    const stored = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as VenState) : {};
    // A token or registration of another VTN is not carried over.
    this.state = stored.url === url ? stored : { url };
  }

  update(change: Partial<VenState>): void {
    this.state = { ...this.state, ...change, url: this.url };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }

  load(): AccessToken | undefined {
    return this.state.token;
  }

  save(token: AccessToken): void {
    this.update({ token });
  }
}

export const CLIENT_SECRET_ENV = 'FLEXGATE_CLIENT_SECRET';

/**
 * The client secret, from the first of: `--client-secret-file` (the file's
 * first line), `--client-secret`, the environment variable
 * FLEXGATE_CLIENT_SECRET. Undefined when none is given.
 */
export function clientSecretFrom(values: { 'client-secret'?: string | undefined; 'client-secret-file'?: string | undefined }): string | undefined {
  const file = values['client-secret-file'];
  if (file !== undefined) {
    const secret = readFileSync(file === '-' ? 0 : file, 'utf8')
      .split(/\r?\n/)[0]
      ?.trim();
    if (!secret) throw new UsageError(`${file} holds no client secret`);
    return secret;
  }
  return values['client-secret'] ?? process.env[CLIENT_SECRET_ENV];
}
