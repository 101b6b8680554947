import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseCertificateSelector, recordIdentity, usableCertificate } from './certificateRegistry.ts';
import { PkiError } from './errors.ts';
import { readPkiIndex } from './pkiIndex.ts';
import { pkiLayout } from './pkiLayout.ts';

export type BundleFormat = 'pem' | 'pkcs12';

export interface ExportBundleOptions {
  format: BundleFormat;
  /** Required for PKCS#12, which always carries the key. */
  password?: string;
  /** PEM only: leave the private key out (for handing the chain to a peer). Default true. */
  includeKey?: boolean;
  now?: Date;
}

const PASSWORD_VARIABLE = 'FLEXGATE_PKCS12_PASSWORD';
const run = promisify(execFile);

/**
 * A valid certificate with its chain (issuing CA, root) and private key: as
 * PEM text, or as PKCS#12 for tools that want one file. PKCS#12 is made by
 * the openssl CLI (node-forge cannot handle EC keys); the password reaches it
 * through its environment, never its command line, which other users can see.
 */
export async function exportBundle(dir: string, serialOrUrn: string, options: ExportBundleOptions): Promise<Buffer> {
  const layout = pkiLayout(dir);
  const index = await readPkiIndex(layout);
  const record = usableCertificate(index, parseCertificateSelector(serialOrUrn), options.now ?? new Date());
  const certificatePath = layout.certificate(record.role, record.id, record.serial);
  const privateKeyPath = layout.privateKey(record.role, record.id, record.serial);

  if (options.format === 'pem') {
    const parts = [certificatePath, layout.chain, ...(options.includeKey === false ? [] : [privateKeyPath])];
    const texts = await Promise.all(parts.map((path) => readFile(path, 'utf8')));
    return Buffer.from(texts.map((text) => text.trimEnd() + '\n').join(''));
  }

  if (!options.password) throw new PkiError('pki.invalid-option', 'a PKCS#12 export needs a password');
  if (options.includeKey === false) throw new PkiError('pki.invalid-option', 'a PKCS#12 export always carries the private key');
  const args = ['pkcs12', '-export', '-in', certificatePath, '-inkey', privateKeyPath, '-certfile', layout.chain];
  args.push('-name', recordIdentity(record).urn, '-passout', `env:${PASSWORD_VARIABLE}`);
  try {
    const { stdout } = await run('openssl', args, {
      encoding: 'buffer',
      env: { ...process.env, [PASSWORD_VARIABLE]: options.password },
      maxBuffer: 1 << 20,
    });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    const reason = failure.code === 'ENOENT' ? 'the openssl command is not installed' : failure.stderr?.toString().trim() || failure.message;
    throw new PkiError('pki.export-failed', `openssl pkcs12 failed: ${reason}`);
  }
}
