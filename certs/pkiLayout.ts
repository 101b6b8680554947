import { join } from 'node:path';
import type { PartyRole } from '../protocol/identity/partyUrn.ts';

export type AuthorityName = 'root' | 'issuing';
export const AUTHORITY_NAMES: readonly AuthorityName[] = ['root', 'issuing'];

/** Where each file of a PKI folder lives (described in certs/README.md). */
export interface PkiLayout {
  dir: string;
  index: string;
  lock: string;
  chain: string;
  crlDir: string;
  issuedDir: string;
  authorityDir(authority: AuthorityName): string;
  authorityCertificate(authority: AuthorityName): string;
  authorityKey(authority: AuthorityName): string;
  crl(authority: AuthorityName): string;
  partyDir(role: PartyRole, id: string): string;
  certificate(role: PartyRole, id: string, serial: string): string;
  privateKey(role: PartyRole, id: string, serial: string): string;
}

export function pkiLayout(dir: string): PkiLayout {
  const issuedDir = join(dir, 'issued');
  const partyDir = (role: PartyRole, id: string) => join(issuedDir, `${role}-${id}`);
  return {
    dir,
    index: join(dir, 'index.json'),
    lock: join(dir, '.lock'),
    chain: join(dir, 'chain.pem'),
    crlDir: join(dir, 'crl'),
    issuedDir,
    authorityDir: (authority) => join(dir, authority),
    authorityCertificate: (authority) => join(dir, authority, 'ca.pem'),
    authorityKey: (authority) => join(dir, authority, 'ca.key'),
    crl: (authority) => join(dir, 'crl', `${authority}.crl.pem`),
    partyDir,
    certificate: (role, id, serial) => join(partyDir(role, id), `${serial}.pem`),
    privateKey: (role, id, serial) => join(partyDir(role, id), `${serial}.key`),
  };
}
