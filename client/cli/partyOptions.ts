import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import type { ClientCredentials } from '../transport.ts';

/** The options by which `send` and `sign` name the party they act as. */
export const PARTY_OPTIONS = {
  as: { type: 'string', default: 'urn:flexgate:anm:anm-dev' },
  'pki-dir': { type: 'string', default: join('data', 'pki') },
  cert: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
} as const;

export interface PartyOptionValues {
  as: string;
  'pki-dir': string;
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
}

/**
 * The party's certificate chain, key and root CA: from PEM files when
 * --cert and --key are given (--ca too when a connection is made), else the
 * party's current certificate in the PKI folder. A string is a usage error.
 */
export async function partyCredentials(values: PartyOptionValues, needsCa: boolean): Promise<ClientCredentials | string> {
  if (values.cert === undefined && values.key === undefined && values.ca === undefined) return loadTlsCredentials(values['pki-dir'], values.as);
  if (values.cert === undefined || values.key === undefined || (needsCa && values.ca === undefined)) {
    return needsCa ? '--cert, --key and --ca go together' : '--cert and --key go together';
  }
  return {
    cert: readFileSync(values.cert, 'utf8'),
    key: readFileSync(values.key, 'utf8'),
    ca: values.ca === undefined ? [] : [readFileSync(values.ca, 'utf8')],
  };
}
